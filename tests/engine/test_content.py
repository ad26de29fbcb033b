"""The content rules (engine.content) through the draft step: words matched whole and in any
script, days counted in the policy's time zone across daylight saving, channel limits, the
review's hashes, and excluded topics as a warning or a hold."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from reconciler.engine.content import found_phrases
from reconciler.engine.decide import draft_step
from reconciler.model.plan_state import Activity, Draft, PlanState
from reconciler.model.policy import Policy, SchedulePolicy


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def plan_of(*drafts: tuple[str, datetime, dict[str, Any]], channel: str = "FACEBOOK") -> PlanState:
    activities = tuple(
        Activity(
            f"a{i}",
            moment,
            "title",
            "SOCIAL_MARKETING",
            (Draft(draft_id, channel, "POST", "DRAFT", "acct", "facebookPost", content),),
        )
        for i, (draft_id, moment, content) in enumerate(drafts)
    )
    return PlanState("ACTIVE", activities)


def step(plan: PlanState, now: datetime, **rules: Any) -> Any:
    policy = Policy(schedule=SchedulePolicy(horizon_days=62, **rules))
    return draft_step(plan, policy=policy, channels=("FACEBOOK", "PINTEREST"), now=now)


@pytest.mark.parametrize(
    ("text", "phrases", "found"),
    [
        ("Results GUARANTEED!", ["guaranteed"], ["guaranteed"]),
        ("guaranteedly fresh", ["guaranteed"], []),
        ("preguaranteed", ["guaranteed"], []),
        ("Die STRASSE ist offen", ["straße"], ["straße"]),
        ("um CAFÉ\n  grátis", ["café grátis"], ["café grátis"]),
        ("cafés grátis", ["café grátis"], []),
        ("Ελεύθερο ΔΩΡΕΆΝ", ["δωρεαν"], []),  # accents differ: not the same word
        ("Ελεύθερο ΔΩΡΕΆΝ", ["δωρεάν"], ["δωρεάν"]),
        ("ставка 100% сегодня", ["100%"], ["100%"]),
        ("無料サンプル", ["無料"], ["無料"]),  # no spaces between words: found inside the run
        ("ฟรีวันนี้", ["ฟรี"], ["ฟรี"]),
        ("freebie 無料", ["free"], []),
        # U+F8FF (the Apple logo some fonts draw) has no Unicode name: a word of its own
        ("Shop the \uf8ff range", ["\uf8ff"], ["\uf8ff"]),
    ],
)
def test_words_match_whole_case_folded_in_any_script(
    text: str, phrases: list[str], found: list[str]
) -> None:
    assert found_phrases(text, phrases) == found


def test_a_quiet_monday_in_lisbon_starts_at_23_00_utc_in_summer_and_midnight_in_winter() -> None:
    caption = {"caption": "Fresh bread"}
    summer = plan_of(
        ("sun-summer", at("2027-06-13T22:59:59+00:00"), caption),  # Sun 23:59:59 WEST
        ("mon-summer", at("2027-06-13T23:30:00+00:00"), caption),  # Mon 00:30 WEST
    )
    held = step(
        summer, at("2027-06-10T00:00:00+00:00"), quiet_days=("MONDAY",), time_zone="Europe/Lisbon"
    )
    assert [p.id for p in held.posts] == ["sun-summer"]
    assert [(h.id, h.detail) for h in held.held] == [
        ("mon-summer", "2027-06-14 is a MONDAY in Europe/Lisbon")
    ]
    winter = plan_of(
        ("sun-winter", at("2026-11-29T23:30:00+00:00"), caption),  # Sun 23:30 WET
        ("mon-winter", at("2026-11-30T00:00:00+00:00"), caption),  # Mon 00:00 WET
    )
    held = step(
        winter, at("2026-11-23T00:00:00+00:00"), quiet_days=("MONDAY",), time_zone="Europe/Lisbon"
    )
    assert [p.id for p in held.posts] == ["sun-winter"]
    assert [h.id for h in held.held] == ["mon-winter"]
    utc = step(summer, at("2027-06-10T00:00:00+00:00"), quiet_days=("MONDAY",))
    assert [p.id for p in utc.posts] == ["sun-summer", "mon-summer"], "UTC: both are Sunday"


def test_max_per_day_counts_posts_already_scheduled_on_that_local_day() -> None:
    scheduled = Draft("old", "FACEBOOK", "POST", "SCHEDULED", "acct", "facebookPost", {})
    plan = plan_of(
        ("same-day", at("2027-06-13T22:30:00+00:00"), {"caption": "x"}),  # Sun 23:30 WEST
        ("next-day", at("2027-06-13T23:30:00+00:00"), {"caption": "y"}),  # Mon 00:30 WEST
    )
    earlier = Activity("a-old", at("2027-06-13T08:00:00+00:00"), "t", None, (scheduled,))
    plan = PlanState("ACTIVE", (earlier, *plan.activities))
    result = step(plan, at("2027-06-10T00:00:00+00:00"), max_per_day=1, time_zone="Europe/Lisbon")
    assert [p.id for p in result.posts] == ["next-day"]
    assert [(h.id, h.rule) for h in result.held] == [("same-day", "policy.schedule.maxPerDay")]


def test_a_pinterest_title_and_description_over_wix_s_limits_are_held_and_both_named() -> None:
    long = {"title": "x" * 101, "description": "d" * 801}
    plan = plan_of(("pin", at("2026-11-25T09:00:00+00:00"), long), channel="PINTEREST")
    plan = PlanState(
        "ACTIVE",
        tuple(
            Activity(
                a.id,
                a.date,
                a.title,
                a.type,
                (Draft("pin", "PINTEREST", "POST", "DRAFT", "acct", "pinterestPost", long),),
            )
            for a in plan.activities
        ),
    )
    result = step(plan, at("2026-11-23T00:00:00+00:00"))
    assert result.posts == ()
    assert [(h.rule, h.detail) for h in result.held] == [
        (
            "channel limit",
            "pinterestPost.title has 101 characters, over 100; "
            "pinterestPost.description has 801 characters, over 800 (Wix would refuse it)",
        )
    ]


def test_excluded_topics_warn_or_hold_as_the_policy_says() -> None:
    plan = plan_of(("d", at("2026-11-25T09:00:00+00:00"), {"caption": "Our Pricing, explained"}))
    policy = Policy(schedule=SchedulePolicy())
    warned = draft_step(
        plan,
        policy=policy,
        channels=("FACEBOOK",),
        now=at("2026-11-23T00:00:00+00:00"),
        excluded=("pricing",),
    )
    (post,) = warned.posts
    assert post.flags == (
        "mentions the excluded topic(s) “pricing” (settings.topics.excluded; "
        "policy.schedule.holdExcludedTopics: true holds such drafts)",
    )
    held = draft_step(
        plan,
        policy=Policy(schedule=SchedulePolicy(hold_excluded_topics=True)),
        channels=("FACEBOOK",),
        now=at("2026-11-23T00:00:00+00:00"),
        excluded=("pricing",),
    )
    assert held.posts == () and held.held[0].rule == "settings.topics.excluded"


def test_the_reviewed_hashes_hold_a_changed_draft_and_review_mode_holds_unseen_ones() -> None:
    plan = plan_of(
        ("same", at("2026-11-25T09:00:00+00:00"), {"caption": "seen"}),
        ("edited", at("2026-11-26T09:00:00+00:00"), {"caption": "edited"}),
        ("new", at("2026-11-27T09:00:00+00:00"), {"caption": "never shown"}),
    )
    shown = step(plan, at("2026-11-23T00:00:00+00:00")).shown
    reviewed = {"same": shown["same"], "edited": "0" * 16}
    for mode, sent in (("schedule", ["same", "new"]), ("review", ["same"])):
        result = draft_step(
            plan,
            policy=Policy(schedule=SchedulePolicy(after_generation=mode)),  # type: ignore[arg-type]
            channels=("FACEBOOK",),
            now=at("2026-11-23T00:00:00+00:00"),
            reviewed=reviewed,
        )
        assert [p.id for p in result.posts] == sent
        assert result.held[0].rule == "changed since review"
    assert result.held[1].detail == (
        "generated in this run, so nobody has seen its words (afterGeneration: review): the next "
        "plan shows them"
    )


def test_a_quiet_date_is_a_day_in_the_policy_s_time_zone() -> None:
    plan = plan_of(
        ("before", at("2027-06-13T22:30:00+00:00"), {"caption": "x"}),  # Sun 23:30 WEST
        ("on-it", at("2027-06-13T23:30:00+00:00"), {"caption": "y"}),  # Mon 00:30 WEST
    )
    held = step(
        plan,
        at("2027-06-10T00:00:00+00:00"),
        quiet_dates=("2027-06-14",),
        time_zone="Europe/Lisbon",
    )
    assert [p.id for p in held.posts] == ["before"]
    assert [(h.id, h.rule, h.detail) for h in held.held] == [
        ("on-it", "policy.schedule.quietDates", "2027-06-14 in Europe/Lisbon is a quiet date")
    ]


def test_max_per_day_counts_each_post_scheduled_in_this_run() -> None:
    plan = plan_of(
        *((f"p{i}", at(f"2027-06-14T0{i}:00:00+00:00"), {"caption": "x"}) for i in range(4))
    )
    result = step(plan, at("2027-06-10T00:00:00+00:00"), max_per_day=2)
    assert [p.id for p in result.posts] == ["p0", "p1"]
    assert [h.id for h in result.held] == ["p2", "p3"]
