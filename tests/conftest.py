"""Shared fixtures: an emulator with a manual clock, a client bound to it in-process, and an
engine runtime whose waits move the emulator's clock instead of sleeping. Wherever the engine's
time is the emulator's, so is the wall clock: the dates the tests write mean the same on any
day the suite runs."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import time_machine

from reconciler.cli import run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator, EmulatorConfig, ManualClock
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.runtime import Runtime
from reconciler.wix import RetryPolicy, WixClient

TODAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TEST_KEY = "IST.test-key-that-must-never-leak-0123456789"


class EmulatorTime:
    """The engine's Clock, driving the emulator's ManualClock: waiting is instant."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.slept = 0.0

    def now(self) -> datetime:
        return self.clock.now()

    async def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.clock.advance(seconds)


async def _no_sleep(seconds: float) -> None:
    """Client retries in tests do not wait."""


@pytest.fixture
def emulator_clock() -> ManualClock:
    return ManualClock(TODAY)


@pytest.fixture
def emulator(emulator_clock: ManualClock) -> Emulator:
    config = EmulatorConfig(lenient_auth=True, generation_seconds=120, posts_seconds=30, seed=7)
    return Emulator(config=config, clock=emulator_clock)


@pytest.fixture
async def wix(emulator: Emulator) -> AsyncIterator[WixClient]:
    transport = httpx.ASGITransport(app=emulator.app)
    async with WixClient(
        base_url="http://emulator.test",
        api_key=TEST_KEY,
        transport=transport,
        sleep=_no_sleep,
        retry=RetryPolicy(max_attempts=3),
    ) as client:
        yield client


@pytest.fixture
def wall_clock(emulator_clock: ManualClock) -> Iterator[time_machine.Traveller]:
    """The wall clock, moved to where the emulator's clock starts (and ticking) for the test.

    `mpr` run in-process reads the wall clock itself (site files' "in the past" checks,
    `validate`, audit times) while its engine reads the injected clock: both must agree.
    """
    with time_machine.travel(emulator_clock.now(), tick=True) as traveller:
        yield traveller


@pytest.fixture
def engine_time(emulator_clock: ManualClock, wall_clock: time_machine.Traveller) -> EmulatorTime:
    """The engine's clock; asking for it moves the wall clock to it too (`wall_clock`)."""
    return EmulatorTime(emulator_clock)


@pytest.fixture
def runtime(engine_time: EmulatorTime) -> Runtime:
    return Runtime(clock=engine_time, journal=MemoryJournal(), min_poll_delay=5.0)


@dataclass
class Result:
    """What one `mpr` run showed: its exit code, standard output and standard error."""

    code: int
    out: str
    err: str


Mpr = Callable[..., Result]


@pytest.fixture
def journal() -> MemoryJournal:
    return MemoryJournal()


def emulator_client(emulator: Emulator) -> Callable[[], AbstractAsyncContextManager[WixClient]]:
    """A factory of WixClients that reach `emulator` in-process (no socket)."""

    @asynccontextmanager
    async def client() -> AsyncIterator[WixClient]:
        transport = httpx.ASGITransport(app=emulator.app)
        async with WixClient(
            base_url="http://emulator.test", api_key=TEST_KEY, transport=transport
        ) as wix:
            yield wix

    return client


@pytest.fixture
def hooks(emulator: Emulator, engine_time: EmulatorTime, journal: MemoryJournal) -> Hooks:
    """The CLI's injection point: the emulator as the server, its clock as the engine's."""
    return Hooks(
        client=emulator_client(emulator),
        runtime=lambda: Runtime(clock=engine_time, journal=journal, min_poll_delay=5.0),
    )


@pytest.fixture
def mpr(hooks: Hooks, capsys: pytest.CaptureFixture[str]) -> Mpr:
    """Run the real `mpr` command line in-process against the emulator."""

    def invoke(*argv: str, obj: Any = None) -> Result:
        capsys.readouterr()
        code = run(list(argv), obj=obj if obj is not None else hooks)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine whose local time is not UTC (what mpr writes in UTC must stay UTC)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
