"""The audit log of the draft steps: GenerateSocialPosts and ScheduleDrafts each get an intent
line before they are sent and an outcome after, naming what they were for; a ScheduleDrafts
that Wix refuses (428: no premium scheduling) is recorded as failed with Wix's reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import FaultRule
from tests.faults.conftest import SITE, Harness

BODY = """settings:
  socialChannels: [FACEBOOK]
policy:
  schedule: {enabled: true, channels: [FACEBOOK], horizonDays: 3}
"""
REFUSED = (
    "POST /promote/marketing-plan-service/v1/marketing-plan/schedule-drafts → HTTP 428 → "
    "FEATURE_NOT_AVAILABLE: the site's premium plan does not include scheduling posts "
    "(request id "
)


def trail(path: Path) -> list[tuple[Any, ...]]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [(e["action"], e["target"], e["before"], e["after"], e["result"]) for e in lines]


@pytest.mark.parametrize("schedules", [True, False], ids=["premium", "no-premium-scheduling"])
def test_posts_and_drafts_are_journaled_as_intent_then_outcome(
    harness: Harness, tmp_path: Path, schedules: bool
) -> None:
    harness.seed(
        premium={"postsHorizonDays": 0, "schedulePosts": schedules},
        plan={"status": "ACTIVE"},
        settings={"socialChannels": ["FACEBOOK"]},
    )
    harness.site_file = harness.write(BODY)
    log = tmp_path / "audit.jsonl"
    result = harness.apply("--audit-log", str(log))
    assert result.code == exitcodes.OK, result.text

    (asked,) = [r.body for r in harness.emulator.writes() if r.operation == "GenerateSocialPosts"]
    ids = asked["marketingActivityIds"]
    assert len(ids) == 1
    posts = ("posts.generate", "1 activities", None, ids)
    drafts = ("drafts.schedule", "2 drafts", {"FACEBOOK": 2})
    settled = (*drafts, {"FACEBOOK": 2}, "ok") if schedules else (*drafts, None, "failed")
    assert trail(log) == [
        (*posts, "intent"),
        (*posts, "ok"),
        (*drafts, None, "intent"),
        settled,
        ("apply", "", None, None, "applied"),
    ]
    details = [json.loads(line)["detail"] for line in log.read_text(encoding="utf-8").splitlines()]
    assert details[3].startswith(REFUSED) if not schedules else details[3] == ""


LIVE_EVENTS = [
    {"name": "Black Friday Sale", "description": "30% off", "date": "2026-11-27T09:00:00Z"},
    {"name": "Old Sale", "date": "2026-12-20T09:00:00Z"},
]
EVERYTHING = """settings:
  toneOfVoice: warm and playful
events:
  - name: Black Friday Sale
    description: 40% off
    date: "2026-11-27T09:00:00Z"
  - name: Rye Launch
    date: "2026-12-03T09:00:00Z"
policy:
  pruneEvents: true
  schedule: {enabled: false}
"""


def test_every_write_is_journaled_with_what_it_changes(harness: Harness, tmp_path: Path) -> None:
    harness.seed(plan={"status": "ACTIVE"}, settings={"toneOfVoice": "dry"}, events=LIVE_EVENTS)
    harness.site_file = harness.write(EVERYTHING)
    log = tmp_path / "audit.jsonl"
    result = harness.apply("--audit-log", str(log))
    assert result.code == exitcodes.OK, result.text
    tone = ("settings.upsert", "settings.toneOfVoice")
    tones = ({"settings.toneOfVoice": "dry"}, {"settings.toneOfVoice": "warm and playful"})
    update = (
        "event.update",
        "Black Friday Sale",
        {"name": "Black Friday Sale", "description": "30% off", "date": "2026-11-27T09:00:00.000Z"},
        {"name": "Black Friday Sale", "description": "40% off", "date": "2026-11-27T09:00:00.000Z"},
    )
    create = (
        "event.create",
        "Rye Launch",
        None,
        {"name": "Rye Launch", "date": "2026-12-03T09:00:00.000Z"},
    )
    delete = (
        "event.delete",
        "Old Sale",
        {"name": "Old Sale", "date": "2026-12-20T09:00:00.000Z"},
        None,
    )
    plan = ("plan.regenerate", SITE, None, "GENERATING")
    assert trail(log) == [
        (*tone, *tones, "intent"),
        (*tone, *tones, "ok"),
        *[(*write, result) for write in (update, create, delete) for result in ("intent", "ok")],
        (*plan, "intent"),
        (*plan, "ok"),
        ("apply", "", None, None, "applied"),
    ]


REFUSED_UPSERT = {"path": "/marketing-settings", "method": "POST", "status": 400}
LOST_REGENERATE = {"path": "/regenerate-marketing-plan", "disconnect": True}


@pytest.mark.parametrize(
    ("fault", "action", "result"),
    [
        (REFUSED_UPSERT, "settings.upsert", "failed"),
        (LOST_REGENERATE, "plan.regenerate", "unknown"),
    ],
    ids=["refused", "answer-lost"],
)
def test_a_refused_write_is_failed_and_one_whose_answer_was_lost_unknown(
    harness: Harness, tmp_path: Path, fault: dict[str, Any], action: str, result: str
) -> None:
    harness.seed(plan={"status": "ACTIVE"}, settings={"toneOfVoice": "dry"})
    harness.site_file = harness.write("settings:\n  toneOfVoice: warm\n")
    harness.emulator.add_fault(FaultRule(**fault))
    log = tmp_path / "audit.jsonl"
    assert harness.apply("--audit-log", str(log)).code == exitcodes.ERROR
    settled = [(e[0], e[4]) for e in trail(log) if e[4] not in ("intent", "ok")]
    assert settled == [(action, result), ("apply", "failed")]
    # The write says why, in the same words as the site's end.
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    write, end = (e for e in entries if e["result"] in (result, "failed"))
    assert write["detail"] == end["detail"] != ""


def test_settings_changed_together_go_in_one_upsert_named_together(
    harness: Harness, tmp_path: Path
) -> None:
    harness.seed(plan={"status": "ACTIVE"}, settings={"toneOfVoice": "dry"})
    harness.site_file = harness.write(
        "settings:\n  toneOfVoice: warm\n  socialChannels: [FACEBOOK]\n"
        "policy:\n  schedule: {enabled: false}\n"
    )
    log = tmp_path / "audit.jsonl"
    result = harness.apply("--audit-log", str(log))
    assert result.code == exitcodes.OK, result.text
    both = "settings.socialChannels, settings.toneOfVoice"
    assert f"  done: settings: upserted {both}" in result.out.splitlines()
    assert [e[1] for e in trail(log) if e[0] == "settings.upsert"] == [both, both]
    assert harness.operations().count("UpsertMarketingSettings") == 1
