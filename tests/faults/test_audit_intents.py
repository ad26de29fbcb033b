"""Audit = intent + outcome: a write's line goes out before it is sent, its outcome after, and
a write left open by a killed run or a lost answer is settled from live state next time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import FaultRule
from tests.faults.conftest import SITE, Harness

BODY = """settings:
  toneOfVoice: warm and playful
events:
  - name: Fresh Bread Friday
    recurringRule: {frequency: WEEKLY, startDate: "2026-11-06T08:00:00Z"}
policy: {schedule: {enabled: false}}
"""


def entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def crumb(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Harness:
    monkeypatch.chdir(harness.folder)
    monkeypatch.setenv("GITHUB_RUN_ID", "2")
    harness.seed(plan={"status": "ACTIVE"}, settings={"toneOfVoice": "formal"})
    harness.site_file = harness.write(BODY)
    return harness


def test_a_write_whose_answer_was_lost_is_unknown_then_settled_as_landed(crumb: Harness) -> None:
    crumb.emulator.add_fault(
        FaultRule(path="/marketing-settings", method="POST", disconnect=True, after_backend=True)
    )
    crumb.emulator.add_fault(
        FaultRule(path="/marketing-settings", method="POST", disconnect=True, times=None)
    )
    first = crumb.apply("--audit-log", "audit.jsonl")
    assert first.code == exitcodes.ERROR, first.text
    upserts = [e for e in entries(Path("audit.jsonl")) if e["action"] == "settings.upsert"]
    assert [e["result"] for e in upserts] == ["intent", "unknown"]

    crumb.emulator.clear_faults()
    upserts_sent = len(crumb.operations())
    second = crumb.apply("--audit-log", "audit.jsonl")
    assert second.code == exitcodes.OK, second.text
    assert (
        "settings.upsert settings.toneOfVoice of an earlier run that was cut short: landed "
        "(the settings hold the values it sent)" in second.err
    )
    settled = [e for e in entries(Path("audit.jsonl")) if e["result"] == "landed"]
    assert [(e["action"], e["target"]) for e in settled] == [
        ("settings.upsert", "settings.toneOfVoice")
    ]
    sent_again = crumb.operations()[upserts_sent:]
    assert "UpsertMarketingSettings" not in sent_again, "the landed write is not sent again"
    assert crumb.live_settings()["toneOfVoice"] == "warm and playful"


def test_an_intent_a_killed_run_left_is_settled_from_live_state(crumb: Harness) -> None:
    """A run killed right after sending CreateEvent: its intent line is all the log has."""
    killed = {
        "time": "2026-11-23T09:00:00Z",
        "site": SITE,
        "action": "event.create",
        "target": "Fresh Bread Friday",
        "before": None,
        "after": {"name": "Fresh Bread Friday", "recurringRule": {"frequency": "WEEKLY"}},
        "result": "intent",
        "run": "1",
    }
    other = {**killed, "target": "Gone Event", "before": {"name": "Gone"}, "after": None}
    # a declared name: the delete was of an extra copy, and one event of that name is left
    extra = {**killed, "action": "event.delete", "before": killed["after"], "after": None}
    written = [json.dumps(e) + "\n" for e in (killed, other, extra)]
    Path("audit.jsonl").write_text("".join(written))
    crumb.emulator.load_fixtures(
        {
            "sites": [
                {
                    "id": SITE,
                    "connectedChannels": ["FACEBOOK"],
                    "plan": {"status": "ACTIVE"},
                    "settings": {"toneOfVoice": "warm and playful"},
                    "events": [
                        {
                            "name": "Fresh Bread Friday",
                            "recurringRule": {
                                "frequency": "WEEKLY",
                                "startDate": "2026-11-06T08:00:00Z",
                            },
                        }
                    ],
                }
            ]
        }
    )
    result = crumb.apply("--audit-log", "audit.jsonl")
    assert result.code == exitcodes.OK, result.text
    lines = entries(Path("audit.jsonl"))[3:]
    assert [(e["target"], e["result"]) for e in lines[:3]] == [
        ("Fresh Bread Friday", "landed"),
        ("Gone Event", "lost"),
        ("Fresh Bread Friday", "landed"),
    ]
    assert (
        "event.delete Fresh Bread Friday of an earlier run that was cut short: landed (one is left)"
    ) in result.err
    assert lines[0]["detail"] == (
        "settled from live state, for the write of run 1 at 2026-11-23T09:00:00Z: the event exists"
    )
    assert [(e["before"], e["after"]) for e in lines[:2]] == [
        (killed["before"], killed["after"]),
        (other["before"], other["after"]),
    ], "a settled line shows what the open write was to change"
    assert crumb.committed("CreateEvent") == []
    again = crumb.apply("--audit-log", "audit.jsonl")
    assert "cut short" not in again.err, "settled once, not at every run"


@pytest.mark.parametrize(
    ("landed", "settled", "copy"),
    [
        (True, "landed (the event holds what it sent)", False),
        (False, "lost (the event does not hold what it sent)", False),
        (False, "lost (the event does not hold what it sent)", True),
    ],
    ids=["landed", "lost", "lost, a connected calendar's event of that name holding it"],
)
def test_an_event_update_whose_answer_was_lost_is_settled_by_what_the_event_holds(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, landed: bool, settled: str, copy: bool
) -> None:
    monkeypatch.chdir(harness.folder)
    rule = {"frequency": "WEEKLY", "startDate": "2026-11-06T08:00:00Z"}
    old = {"name": "Fresh Bread Friday", "description": "old", "recurringRule": rule}
    # an event mpr never writes, holding what the update sent: not the one it wrote
    held = {**old, "description": "a new loaf", "readOnly": True}
    harness.seed(
        plan={"status": "ACTIVE"},
        settings={"toneOfVoice": "warm and playful"},
        events=[old, held] if copy else [old],
    )
    harness.site_file = harness.write(
        BODY.replace("    recurringRule", "    description: a new loaf\n    recurringRule")
    )
    harness.emulator.add_fault(
        FaultRule(path="/events/", method="PUT", disconnect=True, after_backend=landed)
    )
    harness.emulator.add_fault(
        FaultRule(path="/events/", method="PUT", disconnect=True, times=None)
    )
    first = harness.apply("--audit-log", "audit.jsonl")
    assert first.code == exitcodes.ERROR, first.text
    harness.emulator.clear_faults()
    updates_sent = len([r for r in harness.emulator.writes() if r.operation == "UpdateEvent"])

    second = harness.apply("--audit-log", "audit.jsonl")

    assert second.code == exitcodes.OK, second.text
    assert (
        f"event.update Fresh Bread Friday of an earlier run that was cut short: {settled}"
        in second.err
    )
    sent_again = [r for r in harness.emulator.writes() if r.operation == "UpdateEvent"]
    assert len(sent_again) - updates_sent == (0 if landed else 1)
    live = harness.emulator.snapshot(SITE)["events"]
    assert [e["description"] for e in live] == ["a new loaf"] * (2 if copy else 1)
