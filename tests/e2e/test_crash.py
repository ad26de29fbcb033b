"""Killed at random moments, run again: a fleet apply converges with every write exactly once.

Each round changes every site (a new tone, sometimes new topics), starts `mpr apply` as users
run it (a subprocess over HTTP, signed in as the emulator's Wix app), SIGKILLs it at a seeded
random moment, then applies again until it finishes. After every round: one live event per
declared name, exactly one plan action per site for the round's change, at most one
SCHEDULED post per activity and channel, every write that landed on Wix present in the audit
log, and a plan with nothing left to do.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import exitcodes, run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator, EmulatorConfig, FaultRule, serve_in_thread
from reconciler.engine.journal import FileJournal
from reconciler.engine.runtime import Runtime

ROUNDS = 30
SEED = 20261127
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
  wait: {{timeout: 2m}}
  schedule: {{enabled: true, horizonDays: 14, generateMissingPosts: true}}
"""


def instance(site_id: str) -> str:
    return site_id[:8] + "-aaaa-4bbb-8ccc-9a3f6c1e0000"


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    config = EmulatorConfig(
        generation_seconds=0.2, keyword_research_factor=1.0, posts_seconds=0.1, seed="crash"
    )
    emulator = Emulator(config)
    sites = [
        {"id": s, "instanceId": instance(s), "connectedChannels": ["FACEBOOK", "INSTAGRAM"]}
        for s in SITES
    ]
    emulator.load_fixtures({"sites": sites})
    # Plan and posts starts take a while, as on Wix: kills often land while one is in
    # flight, which is when an answer gets lost although the start took effect.
    for path in ("generate-marketing-plan", "generate-social-posts", "schedule-drafts"):
        emulator.add_fault(FaultRule(path=path, delay_seconds=0.3, times=None))
    with serve_in_thread(emulator) as url:
        yield emulator, url


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
def test_a_fleet_killed_at_random_moments_converges_with_every_write_once(
    served: tuple[Emulator, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator, url = served
    fleet = Fleet(emulator, url, tmp_path)
    for name, value in fleet.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    state = tmp_path / ".mpr" / "state.json"
    # A request of the killed run reaches this server within a second (its delay is 0.3 s).
    hooks = Hooks(
        runtime=lambda: Runtime(journal=FileJournal(state), min_poll_delay=0.05, answer_window=2.0)
    )
    chance = random.Random(SEED)
    apply = ("apply", "sites", "--auto-approve", "--audit-log", "audit.jsonl")
    for round_no in range(1, ROUNDS + 1):
        before = len(emulator.requests)
        fleet.write(round_no)
        killed = fleet.start(*apply)
        time.sleep(chance.uniform(0.8, 2.4))
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=30)
        for _ in range(5):  # the re-run, in-process: the same CLI, polling sooner
            capsys.readouterr()
            code = run(list(apply), obj=hooks)
            text = "".join(capsys.readouterr())
            if code == exitcodes.OK:
                break
        assert code == exitcodes.OK, f"round {round_no}: {text}"
        round_log = emulator.requests[before:]
        check_round(fleet, round_no, round_log)
        capsys.readouterr()
        code = run(["plan", "sites", "--detailed-exitcode"])  # in-process: no start-up cost
        assert code == exitcodes.OK, f"round {round_no}: {capsys.readouterr().out}"


def check_round(fleet: Fleet, round_no: int, round_log: list) -> None:  # type: ignore[type-arg]
    emulator = fleet.emulator
    landed = [r for r in round_log if r.mutating and 200 <= r.status < 300]
    for site_id in SITES:
        snapshot = emulator.snapshot(site_id)
        names = Counter(e["name"] for e in snapshot["events"])
        assert set(names.values()) == {1}, f"round {round_no}: {site_id}: {names}"
        starts = [r for r in round_log if r.site_id == site_id and r.operation in PLAN_STARTS]
        started = [r for r in starts if 200 <= r.status < 300]
        assert len(started) == 1, f"round {round_no}: {site_id}: {[r.operation for r in starts]}"
        posted: Counter[tuple[str, str]] = Counter()
        for activity in snapshot["plan"]["marketingActivities"]:
            for item in activity["items"]:
                if item.get("status") == "SCHEDULED" and item.get("type") == "POST":
                    posted[(activity["marketingActivityId"], item["channel"]["name"])] += 1
        assert not [k for k, n in posted.items() if n > 1], f"round {round_no}: {posted}"
    logged = {(e["site"], e["action"]) for e in fleet.audit()}
    for record in landed:
        action = AUDIT_ACTION.get(record.operation or "")
        if action is not None:
            assert (record.site_id, action) in logged, f"round {round_no}: {record.operation}"
