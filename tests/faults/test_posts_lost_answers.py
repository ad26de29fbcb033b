"""A GenerateSocialPosts whose answer was lost: the next apply waits for that job's posts (and
says so) instead of asking twice; when they never come, it waits until the policy's timeout
plus the answer window after the request was sent, then asks again; a request noted for other
activities than the ones now wanted is forgotten, not waited for.

The progress lines are what a terminal shows while apply waits."""

from __future__ import annotations

from datetime import timedelta

from reconciler.cli import exitcodes
from reconciler.emulator import FaultRule
from reconciler.engine.journal import MemoryJournal
from tests.faults.conftest import SITE, Harness

SEED = {
    "connectedChannels": ["FACEBOOK"],
    "premium": {"postsHorizonDays": 0},  # the plan comes without posts past today
    "plan": {"status": "ACTIVE"},
    "settings": {"socialChannels": ["FACEBOOK"]},
}

START = ["11111111: reading live state", "11111111: applying"]


def body(horizon_days: int) -> str:
    return (
        "settings:\n  socialChannels: [FACEBOOK]\npolicy:\n  wait: {timeout: 60s}\n"
        f"  schedule: {{enabled: true, channels: [FACEBOOK], horizonDays: {horizon_days}}}\n"
    )


def done_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.startswith("  done: ")]


def posts_requests(harness: Harness) -> list[tuple[list[str], int]]:
    return [
        (r.body["marketingActivityIds"], r.status)
        for r in harness.emulator.writes()
        if r.operation == "GenerateSocialPosts"
    ]


def test_posts_an_earlier_run_asked_for_are_waited_for_and_not_asked_again(
    harness: Harness, shown: list[str], journal: MemoryJournal
) -> None:
    harness.seed(**SEED)
    harness.site_file = harness.write(body(3))
    harness.emulator.add_fault(
        FaultRule(path="generate-social-posts", status=500, after_backend=True)
    )
    assert harness.apply().code == exitcodes.ERROR
    ((asked, _),) = posts_requests(harness)
    assert len(asked) == 1  # one activity of the coming days lacks posts
    shown.clear()

    second = harness.apply()
    assert second.code == exitcodes.OK, second.text
    assert done_lines(second.out) == [
        "done: posts: the posts an earlier run asked for arrived (1 activity); "
        "not asked for again",
        "done: drafts: scheduled 2 (FACEBOOK 2)",
    ]
    assert shown == [
        *START,
        f"11111111: waiting for posts an earlier run asked for ({len(asked)})",
    ]
    assert len(posts_requests(harness)) == 1
    assert journal.posts_requested(SITE) is None, "the state file forgets the request"
    harness.assert_settled()


def test_posts_that_never_come_are_asked_for_again_after_the_timeout_and_answer_window(
    harness: Harness, shown: list[str], journal: MemoryJournal
) -> None:
    harness.seed(**SEED)
    harness.site_file = harness.write(body(3))
    harness.emulator.add_fault(FaultRule(path="generate-social-posts", status=500))  # not done
    assert harness.apply().code == exitcodes.ERROR
    shown.clear()

    second = harness.apply()
    assert second.code == exitcodes.OK, second.text
    asked = [r for r in harness.emulator.writes() if r.operation == "GenerateSocialPosts"]
    assert [r.status for r in asked] == [500, 200]
    assert asked[0].body == asked[1].body
    waited = (asked[1].time - asked[0].time) / timedelta(seconds=1)
    assert round(waited) == 60 + 30  # policy.wait.timeout + the answer window
    n = len(asked[0].body["marketingActivityIds"])
    assert n == 1
    assert done_lines(second.out) == [
        "done: posts: GenerateSocialPosts for 1 activity",
        "done: drafts: scheduled 2 (FACEBOOK 2)",
    ]
    assert shown == [
        *START,
        f"11111111: waiting for posts an earlier run asked for ({n})",
        "11111111: waiting for posts of 1 activity",
    ]
    assert journal.posts_requested(SITE) is None
    harness.assert_settled()


def test_a_request_noted_for_other_activities_is_forgotten_not_waited_for(
    harness: Harness, shown: list[str], journal: MemoryJournal
) -> None:
    harness.seed(**SEED)
    harness.site_file = harness.write(body(3))
    harness.emulator.add_fault(
        FaultRule(path="generate-social-posts", status=500, after_backend=True)
    )
    assert harness.apply().code == exitcodes.ERROR
    ((first, _),) = posts_requests(harness)
    harness.emulator.clock.advance(60)  # that job ends: its activities have posts now

    harness.site_file = harness.write(body(5))  # a wider horizon wants other activities
    shown.clear()
    second = harness.apply()
    assert second.code == exitcodes.OK, second.text
    ((_, _), (later, status)) = posts_requests(harness)
    assert status == 200 and not set(later) & set(first)
    assert len(later) == 1
    assert done_lines(second.out) == [
        "done: posts: GenerateSocialPosts for 1 activity",
        "done: drafts: scheduled 3 (FACEBOOK 3)",
    ]
    assert shown == [*START, "11111111: waiting for posts of 1 activity"]
    assert journal.posts_requested(SITE) is None
    harness.assert_settled()


def test_posts_still_coming_at_the_timeout_end_apply_with_exit_5(harness: Harness) -> None:
    harness.seed(**SEED)
    harness.emulator.configure(posts_seconds=600)
    harness.site_file = harness.write(body(3).replace("{timeout: 60s}", "{timeout: 30s}"))
    result = harness.apply()
    assert result.code == exitcodes.TIMED_OUT, result.text
    assert (
        "  ! error: post generation still not finished after 30 s (policy.wait.timeout): "
        "its state is unknown; the next plan/apply picks it up"
    ) in result.out.splitlines()



def test_posts_of_several_activities_are_counted_in_the_plural(
    harness: Harness, shown: list[str]
) -> None:
    """Nine days ahead, three activities lack posts: asked for, and waited for again after a
    lost answer, "3 activities" each time."""
    harness.seed(**SEED)
    harness.site_file = harness.write(body(9))
    harness.emulator.add_fault(
        FaultRule(path="generate-social-posts", status=500, after_backend=True)
    )
    first = harness.apply()
    assert first.code == exitcodes.ERROR
    ((asked, _),) = posts_requests(harness)
    assert len(asked) == 3
    second = harness.apply()
    assert second.code == exitcodes.OK, second.text
    assert done_lines(second.out)[0] == (
        "done: posts: the posts an earlier run asked for arrived (3 activities); "
        "not asked for again"
    )


def test_posts_asked_for_several_activities_are_counted_in_the_plural(
    harness: Harness, shown: list[str]
) -> None:
    harness.seed(**SEED)
    harness.site_file = harness.write(body(9))
    applied = harness.apply()
    assert applied.code == exitcodes.OK, applied.text
    assert done_lines(applied.out)[0] == "done: posts: GenerateSocialPosts for 3 activities"
    assert shown == [*START, "11111111: waiting for posts of 3 activities"]
