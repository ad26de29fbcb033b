"""Wix's 200 requests per minute per site, kept by the client: one site's limit is its own."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from reconciler.emulator import Emulator, EmulatorConfig, ManualClock
from reconciler.wix import WixClient
from reconciler.wix.ratelimit import SiteRateLimit

from .support import BASE, KEY

A = "aaaaaaaa-0000-4000-8000-00000000000a"
B = "bbbbbbbb-0000-4000-8000-00000000000b"


class VirtualTime:
    """A monotonic clock that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_no_site_sends_more_than_the_limit_in_any_window() -> None:
    time = VirtualTime()
    limit = SiteRateLimit(3, 60.0, clock=time, sleep=time.sleep)
    sent: list[float] = []
    answered: list[float] = []
    for _ in range(10):
        async with limit.slot(A):
            sent.append(time.now)
            time.now += 0.5  # the request's round trip
            answered.append(time.now)
    # Wix counts a request somewhere between sending and the answer: 60 s after the answer
    # of the third request back, a fourth may go.
    assert all(sent[i + 3] >= answered[i] + 60 for i in range(len(sent) - 3))
    assert sent[:3] == [0.0, 0.5, 1.0]  # the first three go at once

    before = time.now
    async with limit.slot(B):  # another site is not held back by A's window
        assert time.now == before


async def test_a_429_pauses_its_own_site_and_no_other() -> None:
    served: list[str] = []
    throttled = {A}

    def handler(request: httpx.Request) -> httpx.Response:
        site = request.headers["wix-site-id"]
        if site in throttled:
            throttled.discard(site)
            return httpx.Response(429, headers={"Retry-After": "30"})
        served.append(site)
        return httpx.Response(200, json={"status": "ACTIVE"})

    waiting = asyncio.Event()
    resume = asyncio.Event()
    slept: list[float] = []
    now = [0.0]

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        waiting.set()
        await resume.wait()

    transport = httpx.MockTransport(handler)
    async with WixClient(
        base_url=BASE, api_key=KEY, transport=transport, sleep=sleep, clock=lambda: now[0]
    ) as wix:
        first = asyncio.create_task(wix.site(A).get_social_marketing_plan())
        await waiting.wait()  # A was answered 429 and waits its 30 s
        second = asyncio.create_task(wix.site(A).get_social_marketing_plan())
        for _ in range(100):  # let it reach the pause
            await asyncio.sleep(0)
        others = [await wix.site(B).get_social_marketing_plan() for _ in range(5)]
        assert [plan.status for plan in others] == ["ACTIVE"] * 5
        assert served == [B] * 5  # B went on while A waited; A's second request waited too
        assert slept == [30.0, 30.0]
        now[0] = 30.0
        resume.set()
        await asyncio.gather(first, second)
    assert served == [B] * 5 + [A, A]


async def test_a_site_polling_hard_never_meets_the_emulators_rate_limit() -> None:
    clock = ManualClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
    config = EmulatorConfig(lenient_auth=True, rate_limit_per_minute=200, seed=1)
    emulator = Emulator(config=config, clock=clock)
    emulator.load_fixtures({"sites": [{"id": A}]})

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    async with WixClient(
        base_url="http://emulator.test",
        api_key=KEY,
        transport=httpx.ASGITransport(app=emulator.app),
        sleep=sleep,
        clock=lambda: clock.now().timestamp(),
    ) as wix:
        site = wix.site(A)
        await asyncio.gather(*(site.get_social_marketing_plan() for _ in range(450)))
    statuses = [r.status for r in emulator.requests]
    assert statuses == [200] * 450
    assert wix.rate_limit.waits > 0


async def test_requests_still_in_flight_count_against_the_limit() -> None:
    time = VirtualTime()
    limit = SiteRateLimit(2, 60.0, clock=time, sleep=time.sleep)
    answered = asyncio.Event()
    entered: list[int] = []

    async def request(n: int) -> None:
        async with limit.slot(A):
            entered.append(n)
            await answered.wait()

    requests = [asyncio.create_task(request(n)) for n in range(3)]
    for _ in range(20):
        await asyncio.sleep(0)
    assert entered == [0, 1], "the third waits while two are in flight"
    answered.set()
    await asyncio.gather(*requests)
    assert entered == [0, 1, 2]


async def test_a_pause_lasts_its_seconds_from_when_it_was_asked() -> None:
    time = VirtualTime()
    time.now = 1000.0
    limit = SiteRateLimit(200, 60.0, clock=time, sleep=time.sleep)
    limit.pause(A, 30.0)
    async with limit.slot(A):
        pass
    assert time.sleeps == [30.0]


async def test_a_request_that_waited_for_a_slot_still_keeps_the_window() -> None:
    """Two of two in flight; the first is answered: the third may not start before a minute
    has passed since then (the answer counts in the window), nor may a fourth slip in."""
    time = VirtualTime()
    limit = SiteRateLimit(2, 60.0, clock=time, sleep=time.sleep)
    answered = [asyncio.Event() for _ in range(4)]
    started: dict[int, float] = {}

    async def request(n: int) -> None:
        async with limit.slot(A):
            started[n] = time.now
            await answered[n].wait()

    requests = [asyncio.create_task(request(n)) for n in range(4)]
    for _ in range(20):
        await asyncio.sleep(0)
    assert started == {0: 0.0, 1: 0.0}
    answered[0].set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert started == {0: 0.0, 1: 0.0, 2: 60.0}, "a minute after the first answer, one more"
    for event in answered[1:]:
        event.set()
    await asyncio.gather(*requests)
    assert started[3] >= 60.0
