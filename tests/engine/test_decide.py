"""The plan-action table of issue #4, one test per row, plus skips and draft selection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reconciler.engine.decide import Pending, choose_action, draft_step, plan_action
from reconciler.model.plan_state import Activity, Draft, PlanState
from reconciler.model.policy import Policy, SchedulePolicy

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "topics", "inputs", "expected"),
    [
        ("NEVER_CREATED", False, False, "generate"),
        ("NEVER_CREATED", True, True, "generate"),
        ("FAILED", False, False, "generate"),
        ("FAILED", False, True, "generate"),
        ("GENERATING", True, True, "wait"),
        ("GENERATING", False, False, "wait"),
        ("INACTIVE", True, True, "regenerate_keywords"),
        ("INACTIVE", False, False, "regenerate"),
        ("INACTIVE", False, True, "regenerate"),
        ("ACTIVE", True, True, "regenerate_keywords"),
        ("ACTIVE", False, True, "regenerate"),
        ("ACTIVE", False, False, "none"),
    ],
)
def test_action_table_row(status: str, topics: bool, inputs: bool, expected: str) -> None:
    kind, reason = choose_action(status, topics_changed=topics, inputs_changed=inputs)
    assert kind == expected
    assert reason


def test_pending_regenerate_from_an_interrupted_apply_is_still_due() -> None:
    pending = Pending("regenerate_keywords", "2026-11-23T10:00:00.000Z")
    kind, reason = choose_action(
        "ACTIVE", topics_changed=False, inputs_changed=False, pending=pending
    )
    assert kind == "regenerate_keywords"
    assert "interrupted apply at 2026-11-23T10:00:00.000Z" in reason


def test_policy_never_reports_the_regenerate_without_running_it() -> None:
    action = plan_action(
        "ACTIVE", topics_changed=False, inputs_changed=True, policy=Policy(regenerate="never")
    )
    assert action.kind == "regenerate"
    assert not action.runs
    assert "policy.regenerate is never" in (action.skipped or "")


def test_no_regenerate_flag_skips_a_due_regenerate_but_not_a_first_generation() -> None:
    skipped = plan_action(
        "ACTIVE", topics_changed=True, inputs_changed=True, policy=Policy(), no_regenerate=True
    )
    first = plan_action(
        "NEVER_CREATED",
        topics_changed=False,
        inputs_changed=True,
        policy=Policy(),
        no_regenerate=True,
    )
    assert skipped.skipped == "--no-regenerate was given"
    assert first.runs


def _activity(days: float, *drafts: Draft, kind: str = "SOCIAL_MARKETING") -> Activity:
    return Activity(f"a{days}", NOW + timedelta(days=days), "t", kind, tuple(drafts))


def test_draft_step_schedules_connected_in_horizon_drafts_and_counts_the_rest() -> None:
    plan = PlanState(
        "ACTIVE",
        (
            _activity(
                1,
                Draft("d1", "FACEBOOK", "POST", "DRAFT", "acct"),
                Draft("d2", "LINKEDIN", "POST", "DRAFT"),
                Draft("d3", "INSTAGRAM", "POST", "SCHEDULED", "acct"),
            ),
            _activity(2),
            _activity(30, Draft("far", "FACEBOOK", "POST", "DRAFT", "acct")),
            _activity(3, kind="BLOG"),
        ),
    )
    step = draft_step(
        plan,
        policy=Policy(),
        channels=("FACEBOOK", "LINKEDIN", "INSTAGRAM"),
        now=NOW,
    )
    assert step.schedule == {"FACEBOOK": ("d1",)}
    assert step.stays_draft == {"LINKEDIN": 1}
    assert step.generate_posts_for == ("a2",)
    assert any("LINKEDIN is not connected" in n for n in step.notes)


def test_draft_step_is_empty_when_scheduling_is_disabled_or_the_plan_not_active() -> None:
    plan = PlanState("ACTIVE", (_activity(1, Draft("d1", "FACEBOOK", "POST", "DRAFT", "a")),))
    off = Policy(schedule=SchedulePolicy(enabled=False))
    assert not draft_step(plan, policy=off, channels=("FACEBOOK",), now=NOW).has_changes
    inactive = PlanState("INACTIVE", plan.activities)
    assert not draft_step(inactive, policy=Policy(), channels=("FACEBOOK",), now=NOW).has_changes


def test_twitter_drafts_after_the_sunset_are_never_sent() -> None:
    plan = PlanState("ACTIVE", (_activity(1, Draft("t", "TWITTER", "POST", "DRAFT", "acct")),))
    step = draft_step(plan, policy=Policy(), channels=("TWITTER",), now=NOW)
    assert step.schedule == {}
    assert step.stays_draft == {"TWITTER": 1}


def test_at_most_one_post_per_activity_and_channel_is_ever_scheduled() -> None:
    """A lost GenerateSocialPosts answer, then a second job: extra drafts are never sent."""
    plan = PlanState(
        "ACTIVE",
        (
            _activity(
                1,
                Draft("posted", "FACEBOOK", "POST", "SCHEDULED", "acct"),
                Draft("second-job", "FACEBOOK", "POST", "DRAFT", "acct"),
                Draft("story", "FACEBOOK", "STORY", "DRAFT", "acct"),
            ),
            _activity(
                2,
                Draft("first", "INSTAGRAM", "POST", "DRAFT", "acct"),
                Draft("twin", "INSTAGRAM", "POST", "DRAFT", "acct"),
                Draft("live", "FACEBOOK", "POST", "PUBLISHED", "acct"),
            ),
        ),
    )
    step = draft_step(plan, policy=Policy(), channels=("FACEBOOK", "INSTAGRAM"), now=NOW)
    assert step.schedule == {"FACEBOOK": ("story",), "INSTAGRAM": ("first",)}
    assert step.stays_draft == {"FACEBOOK": 1, "INSTAGRAM": 1}
    assert step.notes == (
        "at most one FACEBOOK post per activity is scheduled: the other FACEBOOK drafts of an "
        "activity that has one (left by an earlier posts job) stay drafts; clear them with "
        "ClearMarketingActivityPosts or in the dashboard",
        "at most one INSTAGRAM post per activity is scheduled: the other INSTAGRAM drafts of "
        "an activity that has one (left by an earlier posts job) stay drafts; clear them with "
        "ClearMarketingActivityPosts or in the dashboard",
    )


def test_an_action_sent_with_its_answer_lost_is_due_only_if_the_plan_shows_no_trace() -> None:
    from reconciler.engine.decide import still_due, upcoming_ids

    before = PlanState("ACTIVE", (_activity(-1), _activity(1), _activity(2)))
    sent = Pending("regenerate", "t0", sent="t1", upcoming=upcoming_ids(before, NOW))
    assert sent.upcoming == ("a1", "a2"), "past activities are kept by a regenerate"
    assert still_due(sent, before, NOW) == sent, "same activities: it never reached Wix"
    running = PlanState("GENERATING", before.activities)
    assert still_due(sent, running, NOW) is None
    replaced = PlanState("ACTIVE", (_activity(-1), _activity(1.5), _activity(3)))
    assert still_due(sent, replaced, NOW) is None, "all upcoming replaced: it ran"
    emptied = PlanState("ACTIVE", (_activity(-1),))
    assert still_due(sent, emptied, NOW) == sent, "no upcoming activity tells nothing"
    unsent = Pending("regenerate", "t0")
    assert still_due(unsent, replaced, NOW) == unsent
