"""A GenerateSocialPosts that fails after Wix acted, then apply again: one set of posts, and
never two scheduled posts for one activity on one channel (issue #10, finding 1)."""

from __future__ import annotations

from collections import Counter

from reconciler.cli import exitcodes
from reconciler.emulator import FaultRule
from tests.faults.conftest import SITE, Harness

BODY = """settings:
  toneOfVoice: warm and playful
  socialChannels: [FACEBOOK, INSTAGRAM]
policy:
  schedule: {enabled: true, channels: [FACEBOOK, INSTAGRAM], horizonDays: 14}
"""


def scheduled_per_activity_and_channel(harness: Harness) -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for activity in harness.emulator.snapshot(SITE)["plan"]["marketingActivities"]:
        for item in activity["items"]:
            if item["status"] == "SCHEDULED" and item["type"] == "POST":
                found[(activity["marketingActivityId"], item["channel"]["name"])] += 1
    return found


def test_a_posts_job_whose_answer_was_lost_is_waited_for_not_asked_again(
    harness: Harness,
) -> None:
    harness.seed(
        connectedChannels=["FACEBOOK", "INSTAGRAM"],
        premium={"postsHorizonDays": 0},  # the plan comes without posts past today
        plan={"status": "ACTIVE"},
        settings={"toneOfVoice": "warm and playful", "socialChannels": ["FACEBOOK", "INSTAGRAM"]},
    )
    harness.emulator.clear_faults()
    harness.site_file = harness.write(BODY)
    harness.emulator.add_fault(
        FaultRule(path="generate-social-posts", status=500, after_backend=True)
    )
    first = harness.apply()
    assert first.code == exitcodes.ERROR, first.text
    assert len(harness.committed("GenerateSocialPosts")) == 0  # its answer was a 500...
    asked = [r for r in harness.emulator.writes() if r.operation == "GenerateSocialPosts"]
    assert len(asked) == 1  # ...but Wix acted on it

    second = harness.apply()
    assert second.code == exitcodes.OK, second.text
    asked = [r for r in harness.emulator.writes() if r.operation == "GenerateSocialPosts"]
    assert len(asked) == 1, "the re-run waited for the first job instead of asking again"
    posted = scheduled_per_activity_and_channel(harness)
    assert posted and set(posted.values()) == {1}
    harness.assert_settled()
