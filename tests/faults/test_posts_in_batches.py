"""Posts asked for in several GenerateSocialPosts batches arrive batch by batch: apply waits
for every batch before it schedules, so one run schedules them all and the next has nothing
left to do (issue #26, item 1)."""

from __future__ import annotations

from datetime import datetime, timedelta

from reconciler.cli import exitcodes
from tests.faults.conftest import SITE, Harness

BODY = """settings:
  toneOfVoice: warm and playful
  socialChannels: [FACEBOOK]
  frequency: {interval: WEEK, count: 7}
policy:
  schedule: {enabled: true, channels: [FACEBOOK], horizonDays: 28}
"""
HORIZON_DAYS = 28


def unscheduled_in_horizon(harness: Harness, days: int = HORIZON_DAYS) -> list[str]:
    """Titles of activities due within the horizon with no SCHEDULED Facebook post."""
    now = harness.emulator.clock.now()
    horizon = now + timedelta(days=days)
    activities = harness.emulator.snapshot(SITE)["plan"]["marketingActivities"]
    return [
        a["title"]
        for a in activities
        if now <= datetime.fromisoformat(a["date"]) <= horizon
        and not any(
            i["status"] == "SCHEDULED" and i["channel"]["name"] == "FACEBOOK" for i in a["items"]
        )
    ]


def test_posts_arriving_batch_by_batch_are_all_waited_for_and_scheduled(
    harness: Harness,
) -> None:
    harness.seed(
        connectedChannels=["FACEBOOK"],
        premium={"postsHorizonDays": 0},  # the plan comes without posts: apply asks for them
        plan={"status": "ACTIVE"},
        settings={
            "toneOfVoice": "warm and playful",
            "socialChannels": ["FACEBOOK"],
            "frequency": {"interval": "WEEK", "count": 7},
        },
    )
    harness.emulator.configure(posts_in_turn=True)
    harness.site_file = harness.write(BODY)

    first = harness.apply()

    assert first.code == exitcodes.OK, first.text
    asked = [r for r in harness.emulator.writes() if r.operation == "GenerateSocialPosts"]
    assert len(asked) >= 2, "the plan needs posts for more activities than one batch holds"
    scheduling = [r for r in harness.emulator.writes() if r.operation == "ScheduleDrafts"]
    assert len(scheduling) >= 2, "more drafts to schedule than one batch holds"
    landed = [r for r in harness.emulator.writes() if 200 <= r.status < 300]
    assert f"; {len(landed)} write(s) on 1 site(s)." in first.out, "each batch is one write"
    assert unscheduled_in_horizon(harness) == []
    harness.assert_settled()


def test_posts_for_more_activities_than_one_read_holds_are_read_in_batches(
    harness: Harness,
) -> None:
    """Thirty posts a week over the longest horizon (62 days) is well over the 100
    activities one GetMarketingActivityPosts reads: every batch is read, so apply waits for
    no post that has already arrived, and schedules them all in one run."""
    settings = {
        "toneOfVoice": "warm and playful",
        "socialChannels": ["FACEBOOK"],
        "frequency": {"interval": "WEEK", "count": 30},
    }
    harness.seed(
        connectedChannels=["FACEBOOK"],
        premium={"postsHorizonDays": 0},
        plan={"status": "ACTIVE"},
        settings=settings,
    )
    harness.site_file = harness.write(
        BODY.replace("count: 7", "count: 30").replace("horizonDays: 28", "horizonDays: 62")
    )

    first = harness.apply()

    assert first.code == exitcodes.OK, first.text
    asked = {
        i
        for r in harness.emulator.writes()
        if r.operation == "GenerateSocialPosts"
        for i in r.body["marketingActivityIds"]
    }
    reads = [
        r.body["marketingActivityIds"]
        for r in harness.emulator.requests
        if r.operation == "GetMarketingActivityPosts"
    ]
    assert len(asked) > 100
    assert max(len(ids) for ids in reads) == 100
    assert unscheduled_in_horizon(harness, days=62) == []
    harness.assert_settled()
