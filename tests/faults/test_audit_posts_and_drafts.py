"""The audit log of the draft steps: GenerateSocialPosts and ScheduleDrafts each get an intent
line before they are sent and an outcome after, naming what they were for; a ScheduleDrafts
that Wix refuses (428: no premium scheduling) is recorded as failed with Wix's reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes
from tests.faults.conftest import Harness

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
