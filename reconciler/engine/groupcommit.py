"""Group commit: many sites make their records durable with one write, off the event loop.

A fleet's sites each journal an intent before every write they send. Written one by one on
the event loop, 1,000 sites spent 25 s with every site stopped while one fsync ran (#12).
Here a change only marks the store dirty; `flush` waits until a write that began after the
change has ended. While one write is on disk in a worker thread, the changes of every other
site pile up and the next write carries them all, so a fleet pays one fsync per batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

Payload = TypeVar("Payload")


class GroupCommit(Generic[Payload]):
    """Serialises the writes of one store; `take` runs on the loop, `write` in a thread.

    `take()` returns what is to be written for every change so far (or None when there is
    nothing); `write(payload)` makes it durable or raises. A failed write raises in the
    flush that made it and in every flush after (`take` decides what is retried).
    """

    def __init__(
        self, take: Callable[[], Payload | None], write: Callable[[Payload], None]
    ) -> None:
        self._take = take
        self._write = write
        self._changes = 0
        self._durable = 0
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
            upto, payload = self._changes, self._take()
            if payload is not None:
                await asyncio.to_thread(self._write, payload)
            self._durable = max(self._durable, upto)

    def _loop_lock(self) -> asyncio.Lock:
        # One lock per event loop: a CLI run may drive the same store from more than one.
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock[0] is not loop:
            self._lock = (loop, asyncio.Lock())
        return self._lock[1]

    def flush_now(self) -> None:
        """The same, for code outside the event loop (the end of a run, a one-shot tool)."""
        if not self.dirty:
            return
        upto, payload = self._changes, self._take()
        if payload is not None:
            self._write(payload)
        self._durable = max(self._durable, upto)
