"""The fault suite's harness: `mpr` run in-process against the emulator, faults injected.

Every wait is on the emulator's manual clock: the engine's polls and the client's retry
pauses (Retry-After, backoff) move it forward instead of sleeping, and the pauses are
recorded, so a test can check that a 429's Retry-After was honoured to the second.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from reconciler.cli import exitcodes, run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator, FaultRule, ManualClock, RequestRecord
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.runtime import Runtime
from reconciler.wix import RetryPolicy, WixClient
from tests.conftest import TEST_KEY, EmulatorTime

SITE = "11111111-2222-4333-8444-555555555555"
BASE_URL = "http://emulator.test"
EVENTS = ("Black Friday Sale", "Fresh Bread Friday")
SITE_BODY = """settings:
  toneOfVoice: warm and playful
  socialChannels: [FACEBOOK, INSTAGRAM]
events:
  - name: Black Friday Sale
    date: "2026-11-27T09:00:00Z"
  - name: Fresh Bread Friday
    recurringRule: {frequency: WEEKLY, startDate: "2026-11-06T08:00:00Z"}
"""
PLAN_STARTS = (
    "GenerateMarketingPlan",
    "RegenerateMarketingPlan",
    "RegenerateMarketingPlanWithKeywordResearch",
)
MAX_ATTEMPTS = 5


class Pauses:
    """The client's retry sleep: records each pause and moves the emulator's clock by it."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        self.clock.advance(seconds)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


class EndsWith(FaultRule):
    """A fault on paths that end with `path`: "/events" without "/events/query"."""

    def matches(self, method: str, path: str, site_id: str | None) -> bool:
        return path.endswith(self.path or "") and super().matches(method, path, site_id)


class Harness:
    """One site file, the emulator behind it, and `mpr` run against both."""

    def __init__(
        self,
        emulator: Emulator,
        folder: Path,
        hooks: Hooks,
        capsys: pytest.CaptureFixture[str],
        pauses: Pauses,
    ) -> None:
        self.emulator = emulator
        self.folder = folder
        self.hooks = hooks
        self.capsys = capsys
        self.pauses = pauses
        self.base_url = BASE_URL
        self.site_file = self.write(SITE_BODY)

    def write(self, body: str, name: str = "crumb.yaml", site_id: str = SITE) -> Path:
        path = self.folder / name
        path.write_text(
            f"version: 1\nsite:\n  id: {site_id}\n  name: Crumb & Co\n" + body, encoding="utf-8"
        )
        return path

    def seed(self, **site: object) -> None:
        body = {"id": SITE, "connectedChannels": ["FACEBOOK"], **site}
        self.emulator.load_fixtures({"sites": [body]})

    def mpr(self, *argv: str) -> Result:
        self.capsys.readouterr()
        code = run(list(argv), obj=self.hooks)
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def apply(self, *extra: str) -> Result:
        return self.mpr("apply", str(self.site_file), "--auto-approve", *extra)

    def plan(self, *extra: str) -> Result:
        return self.mpr("plan", str(self.site_file), *extra)

    # --- what the emulator saw -----------------------------------------------------------

    def committed(self, operation: str) -> list[RequestRecord]:
        """Writes of `operation` that Wix answered with success."""
        return [
            r for r in self.emulator.writes() if r.operation == operation and 200 <= r.status < 300
        ]

    def operations(self) -> list[str]:
        return [r.operation or r.path for r in self.emulator.writes()]

    def live_events(self) -> list[str]:
        return sorted(e["name"] for e in self.emulator.snapshot(SITE)["events"])

    def live_settings(self) -> dict[str, object]:
        settings = self.emulator.snapshot(SITE)["marketingSettings"]["settings"]
        assert isinstance(settings, dict)
        return settings

    def plan_status(self) -> str:
        return str(self.emulator.snapshot(SITE)["plan"]["status"])

    # --- the properties every fault test checks ------------------------------------------

    def assert_no_duplicates(self, *, lost_creates: int = 0, plan_starts: int = 1) -> None:
        """Each declared event exists once and was created once; the settings were written
        with one body only; `plan_starts` generations were started in all.

        `lost_creates`: CreateEvent calls that took effect although their answer was lost."""
        assert self.live_events() == sorted(EVENTS)
        creates = [r.body["calendarEvent"]["name"] for r in self.committed("CreateEvent")]
        assert len(creates) + lost_creates == len(EVENTS), creates
        assert len(set(creates)) == len(creates), creates
        bodies = {repr(r.body) for r in self.committed("UpsertMarketingSettings")}
        assert len(bodies) == 1, bodies
        starts = [r.operation for op in PLAN_STARTS for r in self.committed(op)]
        assert len(starts) == plan_starts, starts

    def assert_settled(self) -> None:
        """Nothing is left to do: apply writes nothing and a detailed plan exits 0."""
        writes = len(self.emulator.writes())
        again = self.apply()
        assert again.code == exitcodes.OK, again.text
        assert "No changes. Nothing to apply." in again.out, again.out
        check = self.plan("--detailed-exitcode")
        assert check.code == exitcodes.OK, check.out
        assert len(self.emulator.writes()) == writes

    def assert_converges(self) -> Result:
        """With the fault cleared, one apply finishes the job and then nothing is left."""
        self.emulator.clear_faults()
        finishing = self.apply()
        assert finishing.code == exitcodes.OK, finishing.text
        self.assert_settled()
        return finishing


@pytest.fixture
def journal() -> MemoryJournal:
    return MemoryJournal()


@pytest.fixture
def pauses(emulator_clock: ManualClock) -> Pauses:
    return Pauses(emulator_clock)


ClientFactory = Callable[[], AbstractAsyncContextManager[WixClient]]
MakeClient = Callable[..., ClientFactory]


@pytest.fixture
def client_factory(emulator: Emulator, pauses: Pauses) -> MakeClient:
    """Builds the `Hooks.client` factory: in-process by default, or any base URL."""

    def make(base_url: str | None = None, timeout: float = 30.0) -> ClientFactory:
        @asynccontextmanager
        async def client() -> AsyncIterator[WixClient]:
            transport = None if base_url else httpx.ASGITransport(app=emulator.app)
            async with WixClient(
                base_url=base_url or BASE_URL,
                api_key=TEST_KEY,
                transport=transport,
                timeout=timeout,
                sleep=pauses,
                retry=RetryPolicy(max_attempts=MAX_ATTEMPTS, random=lambda: 0.5),
            ) as wix:
                yield wix

        return client

    return make


@pytest.fixture
def harness(
    emulator: Emulator,
    engine_time: EmulatorTime,
    journal: MemoryJournal,
    pauses: Pauses,
    client_factory: MakeClient,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Harness]:
    hooks = Hooks(
        client=client_factory(),
        runtime=lambda: Runtime(clock=engine_time, journal=journal, min_poll_delay=5.0),
    )
    yield Harness(emulator, tmp_path, hooks, capsys, pauses)


@pytest.fixture
def shown(harness: Harness, engine_time: EmulatorTime, journal: MemoryJournal) -> list[str]:
    """The progress lines apply shows on a terminal, in order."""
    lines: list[str] = []
    harness.hooks = Hooks(
        client=harness.hooks.client,
        runtime=lambda: Runtime(
            clock=engine_time,
            journal=journal,
            min_poll_delay=5.0,
            progress=lambda site, message: lines.append(f"{site[:8]}: {message}"),
        ),
    )
    return lines
