"""The requests in flight go to the oldest site first, and a cancelled waiter loses no slot."""

from __future__ import annotations

import asyncio

from reconciler.wix.inflight import OldestFirst


async def test_a_freed_slot_goes_to_the_oldest_site_waiting() -> None:
    gate = OldestFirst(1)
    await gate.acquire(0)
    served: list[int] = []

    async def request(rank: int) -> None:
        await gate.acquire(rank)
        served.append(rank)
        gate.release()

    waiting = [asyncio.create_task(request(rank)) for rank in (5, 1, 3, 1)]
    await asyncio.sleep(0)
    gate.release()
    await asyncio.gather(*waiting)
    assert served == [1, 1, 3, 5]


async def test_a_cancelled_waiter_passes_its_slot_on() -> None:
    gate = OldestFirst(1)
    await gate.acquire(0)
    cancelled = asyncio.create_task(gate.acquire(1))
    later = asyncio.create_task(gate.acquire(2))
    await asyncio.sleep(0)
    gate.release()  # handed to rank 1 …
    cancelled.cancel()  # … which is cancelled before it runs
    await asyncio.sleep(0)
    await asyncio.wait_for(later, 1)
    assert cancelled.cancelled()
