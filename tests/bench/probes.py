"""Figures that need no fleet timing: poll overshoot, peak memory, start-up time."""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from reconciler.emulator import Emulator, EmulatorConfig, ManualClock
from reconciler.engine.fleet import apply_sites, plan_sites
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.runtime import Runtime
from reconciler.model.policy import Policy, SchedulePolicy
from reconciler.model.settings import ManagedSettings
from reconciler.model.site import DesiredSite, SiteId
from reconciler.wix import WixClient
from tests.bench.fleet import REPO, Backend, InProcess, OwnProcess, make_fleet, mpr, site_id


class ManualTime:
    """The engine's clock on the emulator's manual clock: sleeping moves time, instantly."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now()

    async def sleep(self, seconds: float) -> None:
        self.clock.advance(seconds)


def overshoots(generation_seconds: float, runs: int) -> list[float]:
    """How late apply noticed the end of a regenerate, as a share of its length, per run."""
    return asyncio.run(_overshoots(generation_seconds, runs))


async def _overshoots(generation_seconds: float, runs: int) -> list[float]:
    clock = ManualClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
    config = EmulatorConfig(
        lenient_auth=True, generation_seconds=generation_seconds, posts_seconds=0, seed=1
    )
    emulator = Emulator(config=config, clock=clock)
    policy = Policy(schedule=SchedulePolicy(enabled=False), wait_timeout_seconds=7200)
    shares = []
    transport = httpx.ASGITransport(app=emulator.app)
    async with WixClient(base_url="http://emulator.bench", api_key="k", transport=transport) as wix:
        for run in range(runs):
            sid = site_id(run)
            emulator.load_fixtures(
                {
                    "sites": [
                        {"id": sid, "settings": {"toneOfVoice": "a"}, "plan": {"status": "ACTIVE"}}
                    ]
                }
            )
            desired = DesiredSite(
                id=SiteId(sid),
                name="overshoot",
                source="bench",
                events=(),
                policy=policy,
                settings=ManagedSettings.from_documents({"toneOfVoice": f"b{run}"}, {}),
            )
            runtime = Runtime(clock=ManualTime(clock), journal=MemoryJournal())
            report = await apply_sites(wix, await plan_sites(wix, [desired], runtime), runtime)
            if report.outcomes[0].status != "applied":
                raise RuntimeError(f"overshoot run failed: {report.outcomes[0]}")
            shares.append(_late_share(emulator, sid, generation_seconds))
    return shares


def _late_share(emulator: Emulator, sid: str, generation_seconds: float) -> float:
    """(first plan read at or after the end of the generation − that end) / its length."""
    records = [r for r in emulator.requests if r.site_id == sid]
    started = next(r.time for r in records if r.operation == "RegenerateMarketingPlan")
    ended = started + timedelta(seconds=generation_seconds)
    noticed = min(
        r.time for r in records if r.operation == "GetSocialMarketingPlan" and r.time >= ended
    )
    return (noticed - ended).total_seconds() / generation_seconds


def memory(sites: int, mode: str) -> dict[str, float]:
    """Peak memory of a fresh process planning `sites` sites (see `memory_probe`)."""
    command = [
        sys.executable,
        "-m",
        "tests.bench.run",
        "--memory-probe",
        str(sites),
        "--probe-mode",
        mode,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def memory_probe(sites: int, mode: str) -> None:
    """In a fresh process: plan `sites` sites; print the figures as JSON.

    `mode` "process": the emulator runs in a child process, so ru_maxrss is mpr's own
    peak (interpreter, imports, the fleet's YAML, every site's live state and plan).
    "inline": the emulator's state for every site is in this process too. "traced": inline,
    under tracemalloc, for the Python memory allocated while planning (tracemalloc's own
    bookkeeping inflates ru_maxrss then, so that run reports no RSS).
    """
    with tempfile.TemporaryDirectory() as directory:
        fleet = make_fleet(Path(directory) / "fleet", sites, tone="warm", extra_event=False)
        backend: Backend = OwnProcess(0.0) if mode == "process" else InProcess(0.0)
        try:
            backend.seed(fleet.converged())
            before = peak_rss_mb()
            if mode == "traced":
                tracemalloc.start()
            mpr(["plan", str(fleet.folder), "--parallelism", "256"], backend.hooks(768))
            traced = tracemalloc.get_traced_memory()[1] if mode == "traced" else 0
            tracemalloc.stop()
        finally:
            backend.close()
    print(
        json.dumps({"max_rss_mb": peak_rss_mb(), "before_mb": before, "traced_mb": traced / 2**20})
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MiB.

    VmHWM from /proc where there is one: Linux carries ru_maxrss across exec, so a probe
    started from a big benchmark process would report its parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def startup(command: list[str], runs: int) -> list[float]:
    """Wall time of `command` in a fresh process, `runs` times (after one warm-up run)."""
    subprocess.run(command, capture_output=True, check=True, cwd=REPO)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=REPO)
        times.append(time.perf_counter() - started)
    return times


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000
