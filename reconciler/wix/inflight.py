"""The requests in flight: a fixed number of slots, handed to the oldest site first.

A fleet starts every site at once. With first-come-first-served slots each site's next
request would queue behind every other site's first ones: all sites would hold their half-read
state at the same time (10,000 sites planned peaked at 2 GB), and each site's chain of
requests would take as long as the whole fleet's. `OldestFirst` gives a free slot to the
waiting request of the site that made its first request earliest, so the sites in progress
are few, finish soon and free their memory, while a site that only waits holds no slot.
Polls go after every other request (`polling`, `POLL_RANK`).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

POLL_RANK = 1 << 40
"""Added to a poll's rank: a request that only looks whether a wait is over goes after every
request that moves a site on. A late poll costs a moment's notice; a late step of a site
not yet waiting delays the whole fleet (its generation starts later)."""

_POLLING: ContextVar[bool] = ContextVar("mpr_polling", default=False)


@contextmanager
def polling() -> Iterator[None]:
    """Requests sent inside this block only poll for the end of a wait (see POLL_RANK)."""
    token = _POLLING.set(True)
    try:
        yield
    finally:
        _POLLING.reset(token)


def is_polling() -> bool:
    return _POLLING.get()


class OldestFirst:
    """`slots` at a time; the waiter with the lowest rank (then the earliest) goes first."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.slots = slots
        self._free = slots
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def acquire(self, rank: int) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        handed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (rank, next(self._order), handed))
        try:
            await handed
        except asyncio.CancelledError:
            if handed.done() and not handed.cancelled():
                self.release()  # given a slot just as it was cancelled: pass it on
            raise

    def release(self) -> None:
        while self._waiting:
            _, _, handed = heapq.heappop(self._waiting)
            if not handed.done():
                handed.set_result(None)  # the slot goes straight to the waiter
                return
        self._free += 1
