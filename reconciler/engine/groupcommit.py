"""Group commit: many sites make their records durable with one write, off the event loop.

A fleet's sites each journal an intent before every write they send. Written one by one on
the event loop, 1,000 sites spent 25 s with every site stopped while one fsync ran (#12).
Here a change only marks the store dirty; `flush` waits until a write that began after the
change has ended. While one write is on disk in a worker thread, the changes of every other
site pile up and the next write carries them all, so a fleet pays one fsync per batch.

A write that fails fails every flush whose changes it carried, not only the one that ran
it: each of those sites would otherwise send a write whose record is not on disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

Payload = TypeVar("Payload")


class GroupCommit(Generic[Payload]):
    """Serialises the writes of one store; `take` runs on the loop, `write` in a thread.

    `take()` returns what is to be written for every change so far (or None when there is
    nothing); `write(payload)` makes it durable or raises. A failed write raises in every
    flush waiting for a change it carried; a later change is written afresh (`take` decides
    what that write holds).
    """

    def __init__(
        self, take: Callable[[], Payload | None], write: Callable[[Payload], None]
    ) -> None:
        self._take = take
        self._write = write
        self._changes = 0
        self._durable = 0
        self._lost: tuple[int, BaseException] | None = None
        """The last failed write: the changes up to its count may not be on disk."""
        self._lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    def changed(self) -> None:
        """Note a change that the next flush must carry."""
        self._changes += 1

    @property
    def dirty(self) -> bool:
        return self._durable < self._changes

    async def flush(self) -> None:
        """Return once every change made before this call is durable."""
        wanted = self._changes
        if self._durable >= wanted:
            return
        async with self._loop_lock():
            if self._durable >= wanted:
                return  # a write that began after our change, for someone else, carried it
            self._raise_if_lost(wanted)
            upto, payload = self._changes, self._take()
            if payload is not None:
                await _to_the_end(asyncio.to_thread(self._written, upto, payload))
            self._durable = max(self._durable, upto)

    def flush_now(self) -> None:
        """The same, for code outside the event loop (the end of a run, a one-shot tool)."""
        if not self.dirty:
            return
        self._raise_if_lost(self._changes)
        upto, payload = self._changes, self._take()
        if payload is not None:
            self._written(upto, payload)
        self._durable = max(self._durable, upto)

    def _written(self, upto: int, payload: Payload) -> None:
        try:
            self._write(payload)
        except BaseException as exc:
            self._lost = (upto, exc)
            raise

    def _raise_if_lost(self, wanted: int) -> None:
        if self._lost is not None and wanted <= self._lost[0]:
            raise self._lost[1]

    def _loop_lock(self) -> asyncio.Lock:
        # One lock per event loop: a CLI run may drive the same store from more than one.
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock[0] is not loop:
            self._lock = (loop, asyncio.Lock())
        return self._lock[1]


async def _to_the_end(write: Coroutine[Any, Any, None]) -> None:
    """Await the write; cancelled meanwhile, still wait for it before giving the lock up, so
    that two writes of one store never run at once (an older snapshot could land last)."""
    running = asyncio.ensure_future(write)
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        if not running.done():
            await asyncio.wait([running])
        raise
