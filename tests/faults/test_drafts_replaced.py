"""Drafts replaced while apply schedules them: a posts job someone else started (the
dashboard, another tool) lands between apply's read of the drafts and its ScheduleDrafts.
Wix answers 200 and skips the ids it no longer has (SPEC §5.19); apply reads those
activities' posts again and schedules their successors, once, in the same run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta

from reconciler.cli import exitcodes
from reconciler.emulator import FaultRule
from tests.faults.conftest import SITE, Harness, MakeClient

BODY = """settings:
  toneOfVoice: warm and playful
  socialChannels: [FACEBOOK]
policy:
  schedule: {enabled: true, channels: [FACEBOOK], horizonDays: 28}
"""


def facebook_posts(harness: Harness) -> dict[str, dict[str, str]]:
    """Activity id → {post id: status} of the Facebook posts of each activity due within
    the horizon."""
    now = harness.emulator.clock.now()
    activities = harness.emulator.snapshot(SITE)["plan"]["marketingActivities"]
    return {
        a["marketingActivityId"]: {
            i["id"]: i["status"]
            for i in a["items"]
            if i["channel"]["name"] == "FACEBOOK" and i["type"] == "POST"
        }
        for a in activities
        if now <= datetime.fromisoformat(a["date"]) <= now + timedelta(days=28)
    }


def someone_asks_for_posts(client_factory: MakeClient, activity_ids: list[str]) -> None:
    async def ask() -> None:
        async with client_factory()() as wix:
            await wix.site(SITE).generate_social_posts(activity_ids)

    asyncio.run(ask())


def test_drafts_replaced_under_apply_are_scheduled_through_their_successors(
    harness: Harness, client_factory: MakeClient
) -> None:
    harness.seed(
        connectedChannels=["FACEBOOK"],
        plan={"status": "ACTIVE"},
        settings={"toneOfVoice": "warm and playful", "socialChannels": ["FACEBOOK"]},
    )
    harness.site_file = harness.write(BODY)
    before = {a: posts for a, posts in facebook_posts(harness).items() if posts}
    replaced = sorted(before)[:3]
    for activity in replaced:  # only a Facebook draft: every draft of theirs is replaced
        record = harness.emulator.site(SITE).plan.activities[activity]
        record.items = [i for i in record.items if i["channel"]["name"] == "FACEBOOK"]
    someone_asks_for_posts(client_factory, replaced)  # its posts land 30 s later
    harness.emulator.pause = slow_clock(harness)  # a delay moves the emulator's clock
    harness.emulator.add_fault(FaultRule(path="schedule-drafts", delay_seconds=60))

    applied = harness.apply()

    assert applied.code == exitcodes.OK, applied.text
    after = facebook_posts(harness)
    assert all(set(posts.values()) == {"SCHEDULED"} for posts in after.values()), after
    for activity in replaced:
        assert not set(after[activity]) & set(before[activity]), "replaced by the late job"
    assert "stayed drafts" not in applied.out
    rounds = [
        r.body["draftIds"] for r in harness.emulator.writes() if r.operation == "ScheduleDrafts"
    ]
    assert len(rounds) == 2 and len(rounds[1]) == len(replaced), "the successors alone"
    assert not set(rounds[1]) & set(rounds[0])
    harness.assert_settled()


def slow_clock(harness: Harness) -> Callable[[float], Awaitable[None]]:
    async def pause(seconds: float) -> None:
        harness.emulator.clock.advance(seconds)

    return pause


def test_drafts_wix_skipped_once_are_scheduled_by_the_second_round_and_not_reported(
    harness: Harness,
) -> None:
    """Facebook is disconnected while the first ScheduleDrafts runs (Wix answers 200 and
    skips its drafts) and back for the second: those drafts are scheduled then, and apply
    does not report them as having stayed drafts."""
    harness.seed(
        connectedChannels=["FACEBOOK"],
        plan={"status": "ACTIVE"},
        settings={"toneOfVoice": "warm and playful", "socialChannels": ["FACEBOOK"]},
    )
    harness.site_file = harness.write(BODY)
    accounts = harness.emulator.site(SITE).profile.connected_channels
    account = accounts["FACEBOOK"]
    moments: Iterator[Callable[[], object]] = iter(
        [lambda: accounts.pop("FACEBOOK"), lambda: accounts.update(FACEBOOK=account)]
    )

    async def pause(seconds: float) -> None:  # the first round's, then the second's
        next(moments)()

    harness.emulator.pause = pause
    for _ in range(2):
        harness.emulator.add_fault(FaultRule(path="schedule-drafts", delay_seconds=1))

    applied = harness.apply()

    assert applied.code == exitcodes.OK, applied.text
    assert "stayed drafts" not in applied.out
    rounds = [
        r.body["draftIds"] for r in harness.emulator.writes() if r.operation == "ScheduleDrafts"
    ]
    assert len(rounds) == 2 and rounds[1] == rounds[0], "skipped, then sent once more"
    after = facebook_posts(harness)
    assert all(set(posts.values()) == {"SCHEDULED"} for posts in after.values() if posts)
