"""Killed at seeded points of the run, run again: a fleet apply converges with every write
exactly once.

Each round changes every site (a new tone, sometimes new topics), starts `mpr apply` as users
run it (a subprocess over HTTP, signed in as the emulator's Wix app) and SIGKILLs it at a
seeded point of the run: while the server holds its Nth request, either before Wix sees it
or after Wix acted on it (its answer kept back). Then it applies again until it finishes.
After every round: one live event per declared name, exactly one plan action per site for
the round's change, at most one SCHEDULED post per activity and channel, every write that
landed on Wix present in the audit log, and a plan with nothing left to do. A failure names
the seed and the kill point of its round; `MPR_CRASH_SEED=<seed>` replays the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.cli import exitcodes, run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator, EmulatorConfig, serve_in_thread
from reconciler.engine.journal import FileJournal
from reconciler.engine.runtime import Runtime

ROUNDS = 30
SEED = int(os.environ.get("MPR_CRASH_SEED", "20261127"))
LAST_POINT = 90
"""The kill points are drawn among the first LAST_POINT requests of a run (a round's apply
makes about 60-100; a point past its last request lets that round finish unkilled)."""
SITES = [f"{n}{n}{n}{n}{n}{n}{n}{n}-2222-4333-8444-555555555555" for n in range(1, 5)]
PLAN_STARTS = {
    "GenerateMarketingPlan",
    "RegenerateMarketingPlan",
    "RegenerateMarketingPlanWithKeywordResearch",
}
AUDIT_ACTION = {
    "UpsertMarketingSettings": "settings.upsert",
    "CreateEvent": "event.create",
    "UpdateEvent": "event.update",
    "DeleteEvent": "event.delete",
    "GenerateMarketingPlan": "plan.generate",
    "RegenerateMarketingPlan": "plan.regenerate",
    "RegenerateMarketingPlanWithKeywordResearch": "plan.regenerate_keywords",
    "GenerateSocialPosts": "posts.generate",
    "ScheduleDrafts": "drafts.schedule",
}


def site_file(site_id: str, index: int, round_no: int) -> str:
    topics = "[sourdough, pastries]" if round_no % 3 else "[sourdough]"
    return f"""version: 1
site: {{id: {site_id}, name: Site {index}}}
auth:
  wixApp: {{instanceId: {instance(site_id)}}}
settings:
  toneOfVoice: tone of round {round_no}
  socialChannels: [FACEBOOK, INSTAGRAM]
  topics: {{included: {topics}}}
events:
  - name: Fresh Bread Friday
    recurringRule: {{frequency: WEEKLY, startDate: "2026-11-06T08:00:00Z"}}
  - name: Anniversary
    recurringRule: {{frequency: YEARLY, startDate: "2025-03-14T10:00:00Z"}}
policy:
  wait: {{timeout: 10s}}  # a posts request killed before Wix saw it is waited for this long
  schedule: {{enabled: true, horizonDays: 14, generateMissingPosts: true}}
"""


def instance(site_id: str) -> str:
    return site_id[:8] + "-aaaa-4bbb-8ccc-9a3f6c1e0000"


@dataclass(frozen=True)
class KillPoint:
    """Where a round's run is killed: while the server holds its `request`th request."""

    request: int
    after_wix_acted: bool

    def __str__(self) -> str:
        moment = "after Wix acted on it" if self.after_wix_acted else "before Wix saw it"
        return f"killed at request {self.request}, {moment} (seed {SEED})"


class Holding:
    """The emulator's ASGI app, with the armed run's Nth API request held until the test
    has killed that run: before the request reaches the emulator, or after the emulator
    answered it (the answer kept back: the write happened, the client never hears of it)."""

    def __init__(self, app: object) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.seen = 0
        self.point: KillPoint | None = None
        self.reached = threading.Event()
        self.released = threading.Event()

    def arm(self, point: KillPoint) -> None:
        with self.lock:
            self.seen, self.point = 0, point
            self.reached.clear()
            self.released.clear()

    def disarm(self) -> None:
        with self.lock:
            self.point = None
        self.released.set()

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http" or scope["path"].startswith("/_emulator"):
            return await self.app(scope, receive, send)  # type: ignore[operator]
        with self.lock:
            self.seen += 1
            point = self.point if self.point and self.seen == self.point.request else None
        if point is None:
            return await self.app(scope, receive, send)  # type: ignore[operator]
        if point.after_wix_acted:

            async def kept_back(message: object) -> None:
                pass

            await self.app(scope, receive, kept_back)  # type: ignore[operator]
        self.reached.set()
        await asyncio.get_running_loop().run_in_executor(None, self.released.wait)
        # Its client is dead by now: whatever is sent goes nowhere.
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def served() -> Iterator[tuple[Emulator, Holding, str]]:
    config = EmulatorConfig(
        generation_seconds=0.2, keyword_research_factor=1.0, posts_seconds=0.1, seed="crash"
    )
    emulator = Emulator(config)
    sites = [
        {"id": s, "instanceId": instance(s), "connectedChannels": ["FACEBOOK", "INSTAGRAM"]}
        for s in SITES
    ]
    emulator.load_fixtures({"sites": sites})
    holding = Holding(emulator.app)
    emulator.app = holding  # type: ignore[assignment]
    try:
        with serve_in_thread(emulator) as url:
            yield emulator, holding, url
    finally:
        holding.disarm()


class Fleet:
    def __init__(self, emulator: Emulator, url: str, folder: Path) -> None:
        self.emulator, self.folder = emulator, folder
        app = emulator.app_credentials()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("WIX_")},
            "WIX_API_BASE_URL": url,
            "WIX_APP_ID": str(app["appId"]),
            "WIX_APP_SECRET": str(app["appSecret"]),
            "CI": "true",
        }

    def write(self, round_no: int) -> None:
        for index, site_id in enumerate(SITES):
            path = self.folder / "sites" / f"site{index}.yaml"
            path.parent.mkdir(exist_ok=True)
            path.write_text(site_file(site_id, index, round_no), encoding="utf-8")

    def start(self, *argv: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "reconciler", *argv],
            env=self.env,
            cwd=self.folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *argv: str) -> tuple[int, str]:
        process = self.start(*argv)
        out, err = process.communicate(timeout=120)
        return process.returncode, out + err

    def audit(self) -> list[dict[str, object]]:
        path = self.folder / "audit.jsonl"
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.slow
def test_a_fleet_killed_at_seeded_points_converges_with_every_write_once(
    served: tuple[Emulator, Holding, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator, holding, url = served
    fleet = Fleet(emulator, url, tmp_path)
    for name, value in fleet.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    state = tmp_path / ".mpr" / "state.json"
    # A request of the killed run that reached the server is answered within the window.
    hooks = Hooks(
        runtime=lambda: Runtime(journal=FileJournal(state), min_poll_delay=0.05, answer_window=2.0)
    )
    chance = random.Random(SEED)
    apply = ("apply", "sites", "--auto-approve", "--audit-log", "audit.jsonl")
    killed_rounds = 0
    for round_no in range(1, ROUNDS + 1):
        point = KillPoint(chance.randint(1, LAST_POINT), chance.random() < 0.5)
        where = f"round {round_no}, {point}"
        before = len(emulator.requests)
        fleet.write(round_no)
        holding.arm(point)
        process = fleet.start(*apply, "--max-in-flight", "1")
        killed_rounds += kill_at(process, holding)
        holding.disarm()
        for _ in range(5):  # the re-run, in-process: the same CLI, polling sooner
            capsys.readouterr()
            code = run(list(apply), obj=hooks)
            text = "".join(capsys.readouterr())
            if code == exitcodes.OK:
                break
        assert code == exitcodes.OK, f"{where}: {text}"
        round_log = emulator.requests[before:]
        check_round(fleet, where, round_log)
        capsys.readouterr()
        code = run(["plan", "sites", "--detailed-exitcode"])  # in-process: no start-up cost
        assert code == exitcodes.OK, f"{where}: {capsys.readouterr().out}"
    assert killed_rounds >= ROUNDS // 2, "most rounds are killed mid-run"


def kill_at(process: subprocess.Popen[str], holding: Holding) -> bool:
    """SIGKILL `process` once the server holds its kill point; False if it ended before."""
    while process.poll() is None:
        if holding.reached.wait(0.05):
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
            return True
    process.communicate(timeout=30)
    return False


def check_round(fleet: Fleet, where: str, round_log: list) -> None:  # type: ignore[type-arg]
    emulator = fleet.emulator
    landed = [r for r in round_log if r.mutating and 200 <= r.status < 300]
    for site_id in SITES:
        snapshot = emulator.snapshot(site_id)
        names = Counter(e["name"] for e in snapshot["events"])
        assert set(names.values()) == {1}, f"{where}: {site_id}: {names}"
        starts = [r for r in round_log if r.site_id == site_id and r.operation in PLAN_STARTS]
        started = [r for r in starts if 200 <= r.status < 300]
        assert len(started) == 1, f"{where}: {site_id}: {[r.operation for r in starts]}"
        posted: Counter[tuple[str, str]] = Counter()
        for activity in snapshot["plan"]["marketingActivities"]:
            for item in activity["items"]:
                if item.get("status") == "SCHEDULED" and item.get("type") == "POST":
                    posted[(activity["marketingActivityId"], item["channel"]["name"])] += 1
        assert not [k for k, n in posted.items() if n > 1], f"{where}: {posted}"
    logged = {(e["site"], e["action"]) for e in fleet.audit()}
    for record in landed:
        action = AUDIT_ACTION.get(record.operation or "")
        if action is not None:
            assert (record.site_id, action) in logged, f"{where}: {record.operation}"
