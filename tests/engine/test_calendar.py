"""engine.calendar: days → entries from desired + live + plan, apply's intentions taken from
the plan rather than decided again (issue #14)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reconciler.engine.calendar import Post, SiteCalendar, build_calendar
from reconciler.engine.plan import DraftStep, EventChange, HeldDraft, PlanAction, SitePlan
from reconciler.model.events import CalendarEvent, RecurringRule
from reconciler.model.plan_state import Activity, Draft, PlanState
from reconciler.model.policy import Policy, SchedulePolicy
from reconciler.model.site import DesiredSite, LiveSite, SiteId
from reconciler.render.calendar.words import entry_line, post_words

SITE = SiteId("11111111-2222-4333-8444-555555555555")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
WEEKLY = CalendarEvent(
    "Fresh Bread Friday",
    recurring_rule=RecurringRule("WEEKLY", datetime(2026, 11, 6, 8, 0, tzinfo=UTC)),
)
ONCE = CalendarEvent("Cake Sale", date=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def calendar_of(
    *,
    events: tuple[CalendarEvent, ...] = (WEEKLY, ONCE),
    live_events: tuple[CalendarEvent, ...] = (),
    activities: tuple[Activity, ...] = (),
    plan: SitePlan | None = None,
    policy: Policy | None = None,
    days: int = 14,
) -> SiteCalendar:
    desired = DesiredSite(SITE, "Crumb", "crumb.yaml", events=events, policy=policy or Policy())
    live = LiveSite({}, live_events, PlanState("ACTIVE", activities))
    plan = plan or SitePlan(SITE, "Crumb", "crumb.yaml")
    return build_calendar(desired, live, plan, now=NOW, start=date(2026, 11, 23), days=days)


def test_recurring_events_are_expanded_and_planned_changes_marked() -> None:
    midnight = CalendarEvent("Opening", date=datetime(2026, 11, 23, tzinfo=UTC))
    changes = (EventChange("create", "Cake Sale"), EventChange("update", "Fresh Bread Friday"))
    plan = SitePlan(SITE, "Crumb", "crumb.yaml", events=changes)
    calendar = calendar_of(events=(WEEKLY, ONCE, midnight), plan=plan)
    seen = [(d.date.day, entry_line(e)) for d in calendar.days for e in d.entries]
    assert seen == [
        (23, "◆ Opening"),  # at the first moment of the first day
        (25, "◆ Cake Sale ★ apply creates it"),
        (27, "◆ Fresh Bread Friday (weekly) ★ apply updates it"),
        (4, "◆ Fresh Bread Friday (weekly) ★ apply updates it"),
    ]


def test_connected_unmanaged_and_deleted_live_events_are_told_apart() -> None:
    holiday = CalendarEvent("Holiday", date=at(24, 0), id="h", read_only=True)
    old = CalendarEvent("Old sale", date=at(26), id="o")
    staff = CalendarEvent("Staff day", date=at(26, 8), id="s")
    plan = SitePlan(
        SITE, "Crumb", "crumb.yaml", events=(EventChange("delete", "Old sale", event_id="o"),)
    )
    calendar = calendar_of(events=(), live_events=(old, staff, holiday), plan=plan)
    tuesday, wednesday = calendar.days[1], calendar.days[3]
    assert [(e.title, e.kind) for e in tuesday.connected] == [("Holiday", "connected")]
    assert tuesday.own == ()
    assert [(e.title, e.change) for e in wednesday.own] == [
        ("Staff day", "unmanaged"),
        ("Old sale", "delete"),
    ]


def test_posts_carry_their_status_and_what_the_plan_schedules() -> None:
    activity = Activity(
        "a1",
        at(24),
        "Tips",
        "SOCIAL_MARKETING",
        (
            Draft("d1", "FACEBOOK", "POST", "DRAFT", "acc"),
            Draft("d2", "INSTAGRAM", "POST", "SCHEDULED", "acc"),
            Draft("d3", "INSTAGRAM", "STORY", "DRAFT", None),
        ),
    )
    blog = Activity("a2", at(25), "Guide", "BLOG")
    plan = SitePlan(
        SITE,
        "Crumb",
        "crumb.yaml",
        drafts=DraftStep(generate_posts_for=("a2",), schedule={"FACEBOOK": ("d1",)}),
    )
    calendar = calendar_of(events=(), activities=(activity, blog), plan=plan)
    (tips,) = calendar.days[1].entries
    assert tips.posts == (
        Post("d1", "FACEBOOK", "draft", story=False, will_schedule=True),
        Post("d2", "INSTAGRAM", "scheduled"),
        Post("d3", "INSTAGRAM", "draft", story=True),
    )
    (guide,) = calendar.days[2].entries
    assert (guide.activity_type, guide.generates_posts) == ("BLOG", True)


def test_activities_without_a_type_or_sharing_a_moment_and_title_are_all_shown() -> None:
    twins = (Activity("a2", at(24), "Tips", None), Activity("a1", at(24), "Tips", None))
    midnight = Activity("a3", datetime(2026, 11, 23, tzinfo=UTC), "Week ahead", "BLOG")
    undated = Activity("a4", None, "Someday", "BLOG")
    calendar = calendar_of(events=(), activities=(*twins, midnight, undated))
    seen = [(e.uid, entry_line(e)) for d in calendar.days for e in d.entries]
    assert seen == [
        ("activity:a3", "▸ BLOG: Week ahead"),  # at the first moment of the first day
        ("activity:a1", "▸ activity: Tips"),
        ("activity:a2", "▸ activity: Tips"),
    ], "an activity without a date is on no day"


def test_a_held_draft_says_why_it_stays_a_draft() -> None:
    draft = Draft("d1", "FACEBOOK", "POST", "DRAFT", "acc")
    held = HeldDraft("d1", "FACEBOOK", "", "policy.schedule.blockWords", "contains “free”")
    plan = SitePlan(SITE, "Crumb", "crumb.yaml", drafts=DraftStep(held=(held,)))
    activity = Activity("a1", at(24), "Tips", "SOCIAL_MARKETING", (draft,))
    calendar = calendar_of(events=(), activities=(activity,), plan=plan)
    (tips,) = calendar.days[1].entries
    assert [label for _, label in post_words(tips.posts)] == [
        "FACEBOOK post held (policy.schedule.blockWords: contains “free”)"
    ]


def test_the_horizon_and_what_frames_the_days() -> None:
    calendar = calendar_of(policy=Policy(schedule=SchedulePolicy(horizon_days=3)), days=7)
    assert [d.in_horizon for d in calendar.days] == [True] * 4 + [False] * 3
    assert [d.horizon_ends for d in calendar.days] == [False] * 3 + [True] + [False] * 3
    assert [d.today for d in calendar.days] == [True] + [False] * 6
    assert calendar.horizon_end == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert calendar.notes == ()


def test_no_horizon_when_scheduling_is_off_and_a_note_when_a_generation_runs_first() -> None:
    plan = SitePlan(
        SITE, "Crumb", "crumb.yaml", action=PlanAction("generate", "the site has no plan yet")
    )
    calendar = calendar_of(plan=plan, policy=Policy(schedule=SchedulePolicy(enabled=False)))
    assert calendar.horizon_end is None
    assert not any(d.in_horizon or d.horizon_ends for d in calendar.days)
    assert calendar.notes == (
        "apply first runs `generate` (the site has no plan yet): the plan's activities shown "
        "here are replaced, and which drafts get scheduled is decided after the generation",
        "policy.schedule.enabled is false: apply schedules no drafts",
    )
