"""Edges of the draft and pending-action rules that the mutation run found unguarded: each
decides which drafts apply sends to ScheduleDrafts or asks posts for, or whether an action
sent by a cut run is sent again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reconciler.engine.decide import Pending, draft_step, policy_channels, still_due
from reconciler.model.enums import SOCIAL_CHANNELS
from reconciler.model.plan_state import Activity, Draft, PlanState
from reconciler.model.policy import Policy, SchedulePolicy

NOW = datetime(2026, 7, 20, 12, tzinfo=UTC)  # before X's sunset (TWITTER_SUNSET = 2026-07-31)


def activity(
    id_: str, when: datetime | None, *drafts: Draft, kind: str = "SOCIAL_MARKETING"
) -> Activity:
    return Activity(id_, when, "t", kind, drafts)


def test_x_drafts_dated_on_the_sunset_day_are_still_sent_the_day_after_never() -> None:
    on = activity(
        "on", datetime(2026, 7, 31, 23, tzinfo=UTC), Draft("x1", "TWITTER", "POST", "DRAFT", "acct")
    )
    after = activity(
        "after",
        datetime(2026, 8, 1, 9, tzinfo=UTC),
        Draft("x2", "TWITTER", "POST", "DRAFT", "acct"),
    )
    step = draft_step(
        PlanState("ACTIVE", (on, after)), policy=Policy(), channels=("TWITTER",), now=NOW
    )
    assert step.schedule == {"TWITTER": ("x1",)}
    assert step.stays_draft == {"TWITTER": 1}


def test_every_draft_that_stays_a_draft_is_counted() -> None:
    drafts = [Draft(f"l{n}", "LINKEDIN", "POST", "DRAFT") for n in range(3)]
    plan = PlanState(
        "ACTIVE",
        (
            activity("a", NOW + timedelta(days=1), *drafts[:2]),
            activity("b", NOW + timedelta(days=2), drafts[2]),
        ),
    )
    step = draft_step(plan, policy=Policy(), channels=("LINKEDIN",), now=NOW)
    assert step.schedule == {}
    assert step.stays_draft == {"LINKEDIN": 3}


def test_an_activity_without_a_date_is_never_in_the_horizon() -> None:
    undated = activity("undated", None, Draft("d", "FACEBOOK", "POST", "DRAFT", "acct"))
    bare = activity("bare", None)
    step = draft_step(
        PlanState("ACTIVE", (undated, bare)), policy=Policy(), channels=("FACEBOOK",), now=NOW
    )
    assert not step.has_changes
    assert (step.schedule, step.generate_posts_for, step.stays_draft) == ({}, (), {})


def test_no_posts_are_asked_for_when_the_policy_says_not_to() -> None:
    plan = PlanState("ACTIVE", (activity("a", NOW + timedelta(days=1)),))
    off = Policy(schedule=SchedulePolicy(generate_missing_posts=False))
    assert draft_step(plan, policy=off, channels=("FACEBOOK",), now=NOW).generate_posts_for == ()
    assert draft_step(
        plan, policy=Policy(), channels=("FACEBOOK",), now=NOW
    ).generate_posts_for == ("a",)


def test_without_policy_channels_the_site_s_social_channels_are_the_ones_scheduled() -> None:
    assert policy_channels(Policy(), ["FACEBOOK"]) == ("FACEBOOK",)
    assert policy_channels(Policy(), None) == SOCIAL_CHANNELS
    assert policy_channels(Policy(), []) == SOCIAL_CHANNELS
    only = Policy(schedule=SchedulePolicy(channels=("INSTAGRAM",)))
    assert policy_channels(only, ["FACEBOOK"]) == ("INSTAGRAM",)


def test_an_activity_dated_exactly_now_is_upcoming_for_a_sent_action() -> None:
    """A regenerate replaces the activities from now on: one dated exactly now that is still
    there shows that the regenerate sent earlier has not run."""
    before = PlanState(
        "ACTIVE", (activity("at-now", NOW), activity("later", NOW + timedelta(days=1)))
    )
    sent = Pending("regenerate", "t0", sent="t1", upcoming=("at-now", "later"))
    only_now_left = PlanState(
        "ACTIVE", (activity("at-now", NOW), activity("new", NOW + timedelta(days=1)))
    )
    assert still_due(sent, before, NOW) == sent
    assert still_due(sent, only_now_left, NOW) == sent
