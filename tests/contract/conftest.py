"""One real uvicorn server per module; the emulator state, clock and knobs reset per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from reconciler.emulator import Emulator, EmulatorConfig, ManualClock, serve_in_thread
from reconciler.wix import RetryPolicy, SiteClient, WixClient

from .support import GEN_SECONDS, KEY, POSTS_SECONDS, SITE, TODAY, Sleeps, fixture_document

BASELINE = EmulatorConfig(
    lenient_auth=True, generation_seconds=GEN_SECONDS, posts_seconds=POSTS_SECONDS, seed=11
)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(config=BASELINE, clock=ManualClock(TODAY))
    with serve_in_thread(emulator, port=0) as base_url:
        yield emulator, base_url


@pytest.fixture
def emulator(server: tuple[Emulator, str]) -> Emulator:
    """The module's emulator, back to the baseline sites, knobs and clock."""
    emulator = server[0]
    emulator.reset()
    emulator.configure(**{k: v for k, v in BASELINE.to_wire().items()})
    emulator.clock.set(TODAY)
    emulator.load_fixtures(fixture_document())
    return emulator


@pytest.fixture
def clock(emulator: Emulator) -> ManualClock:
    clock = emulator.clock
    assert isinstance(clock, ManualClock)
    return clock


@pytest.fixture
def base_url(server: tuple[Emulator, str]) -> str:
    return server[1]


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def wix(emulator: Emulator, base_url: str, sleeps: Sleeps) -> AsyncIterator[WixClient]:
    async with WixClient(
        base_url=base_url,
        api_key=KEY,
        sleep=sleeps,
        retry=RetryPolicy(max_attempts=3, random=lambda: 0.5),
        timeout=5.0,
    ) as client:
        yield client


@pytest.fixture
def site(wix: WixClient) -> SiteClient:
    return wix.site(SITE)
