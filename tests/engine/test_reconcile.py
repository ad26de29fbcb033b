"""The engine end to end against the emulator: plan never writes, apply converges, faults heal."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.emulator import Emulator, FaultRule, RequestRecord
from reconciler.engine.fleet import SiteWork, apply_sites, plan_sites
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.report import ApplyReport
from reconciler.engine.runtime import Runtime
from reconciler.model.events import CalendarEvent, RecurringRule
from reconciler.model.policy import DeleteGuard, Policy, SchedulePolicy
from reconciler.model.settings import ManagedSettings
from reconciler.model.site import DesiredSite, SiteId
from reconciler.wix import WixClient
from tests.conftest import TODAY

SITE = "11111111-2222-4333-8444-555555555555"
OTHER = "22222222-3333-4444-8555-666666666666"

SETTINGS = {
    "marketingPlanGoal": {"goalKey": "BOOST_SALES"},
    "marketingTools": ["SOCIAL_MARKETING", "BLOGS"],
    "socialChannels": ["FACEBOOK", "INSTAGRAM"],
    "topics": {"included": ["sourdough", "seasonal pastries"], "excluded": ["discounts"]},
    "toneOfVoice": "warm and playful",
}
EVENTS = (
    CalendarEvent("Black Friday Sale", "30% off", datetime(2026, 11, 27, 9, tzinfo=UTC)),
    CalendarEvent(
        "Fresh Bread Friday",
        recurring_rule=RecurringRule("WEEKLY", datetime(2026, 11, 6, 8, tzinfo=UTC)),
    ),
)


def desired(
    site_id: str = SITE, settings: dict[str, Any] | None = None, **changes: Any
) -> DesiredSite:
    base = DesiredSite(
        id=SiteId(site_id),
        name="Crumb & Co",
        source="sites/crumb.yaml",
        settings=ManagedSettings.from_documents(SETTINGS if settings is None else settings, {}),
        events=EVENTS,
        policy=Policy(schedule=SchedulePolicy(channels=("FACEBOOK", "INSTAGRAM"))),
    )
    return replace(base, **changes)


def seed(emulator: Emulator, **site: Any) -> None:
    body = {"id": SITE, "published": True, "connectedChannels": ["FACEBOOK"], **site}
    emulator.load_fixtures({"sites": [body]})


async def plan(wix: WixClient, runtime: Runtime, *sites: DesiredSite) -> list[SiteWork]:
    return await plan_sites(wix, sites or (desired(),), runtime)


async def converge(wix: WixClient, runtime: Runtime, *sites: DesiredSite) -> ApplyReport:
    return await apply_sites(wix, await plan(wix, runtime, *sites), runtime)


def operations(emulator: Emulator) -> list[str]:
    return [r.operation or r.path for r in emulator.writes()]


def operation(record: RequestRecord) -> str:
    """A Wix API request's operation (every request the client sends here names one)."""
    assert record.operation is not None, record.path
    return record.operation


async def test_plan_never_writes(emulator: Emulator, wix: WixClient, runtime: Runtime) -> None:
    seed(emulator)
    (work,) = await plan(wix, runtime)
    assert work.plan.has_changes
    assert work.plan.action.kind == "generate"
    assert emulator.writes() == []
    reads = [operation(r) for r in emulator.requests]
    assert sorted(reads[:3]) == ["GetMarketingSettings", "GetSocialMarketingPlan", "QueryEvents"]
    assert sorted(reads[3:]) == [
        "GetCalendarOptions",
        "GetMarketingSettingsDefaults",
        "GetPlanGoalOptions",
        "GetPointOfViewOptions",
    ], "the goal it changes is checked against the site's options"


async def test_first_apply_then_nothing_to_do(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    seed(emulator)
    (outcome,) = (await converge(wix, runtime)).outcomes
    assert outcome.status == "applied", outcome
    assert operations(emulator)[:4] == [
        "UpsertMarketingSettings",
        "CreateEvent",
        "CreateEvent",
        "GenerateMarketingPlan",
    ]
    assert "ScheduleDrafts" in operations(emulator)
    scheduled = [
        i
        for a in emulator.snapshot(SITE)["plan"]["marketingActivities"]
        for i in a.get("items", [])
        if i["status"] == "SCHEDULED"
    ]
    assert scheduled and {i["channel"]["name"] for i in scheduled} == {"FACEBOOK"}
    assert any("INSTAGRAM draft(s)" in n for n in outcome.not_done)

    emulator.clear_requests()
    (again,) = await plan(wix, runtime)
    assert not again.plan.has_changes, again.plan
    second = await apply_sites(wix, [again], runtime)
    assert second.outcomes[0].status == "unchanged"
    assert emulator.writes() == []


async def test_event_reaches_the_plan(emulator: Emulator, wix: WixClient, runtime: Runtime) -> None:
    seed(emulator)
    await converge(wix, runtime)
    titles = [a["title"] for a in emulator.snapshot(SITE)["plan"]["marketingActivities"]]
    assert any("Black Friday Sale" in t for t in titles)


async def test_topics_change_on_an_active_plan_regenerates_with_keyword_research(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    seed(emulator, settings=SETTINGS, plan={"status": "ACTIVE"})
    topics = {**SETTINGS, "topics": {"included": ["rye"]}}
    (work,) = await plan(wix, runtime, desired(settings=topics, events=()))
    assert work.plan.action.kind == "regenerate_keywords"
    await apply_sites(wix, [work], runtime)
    assert "RegenerateMarketingPlanWithKeywordResearch" in operations(emulator)


async def test_other_change_on_an_active_plan_regenerates(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    seed(emulator, settings=SETTINGS, plan={"status": "ACTIVE"})
    (work,) = await plan(
        wix, runtime, desired(settings={**SETTINGS, "toneOfVoice": "dry"}, events=())
    )
    assert work.plan.action.kind == "regenerate"
    assert [c.path for c in work.plan.settings] == ["settings.toneOfVoice"]


async def test_inactive_plan_is_regenerated_even_without_changes(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    seed(emulator, settings=SETTINGS, plan={"status": "INACTIVE"})
    (work,) = await plan(wix, runtime, desired(events=()))
    assert (work.plan.action.kind, work.plan.settings) == ("regenerate", ())
    (outcome,) = (await apply_sites(wix, [work], runtime)).outcomes
    assert outcome.status == "applied"
    assert emulator.snapshot(SITE)["plan"]["status"] == "ACTIVE"


async def test_running_generation_is_waited_for_then_decided_again(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    seed(emulator, settings=SETTINGS, plan={"status": "GENERATING"})
    (work,) = await plan(
        wix, runtime, desired(settings={**SETTINGS, "toneOfVoice": "dry"}, events=())
    )
    assert work.plan.action.kind == "wait"
    (outcome,) = (await apply_sites(wix, [work], runtime)).outcomes
    assert outcome.status == "applied", outcome
    assert "RegenerateMarketingPlan" in operations(emulator)
    assert "GenerateMarketingPlan" not in operations(emulator)


async def test_failed_generation_is_retried_then_reported(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    seed(emulator, failNextGenerations=5)
    (outcome,) = (await converge(wix, runtime)).outcomes
    assert outcome.status == "failed"
    assert "FAILED 2 time(s)" in (outcome.error or "")
    assert operations(emulator).count("GenerateMarketingPlan") == 2


async def test_unpublished_site_warns(emulator: Emulator, wix: WixClient, runtime: Runtime) -> None:
    seed(emulator, published=False, unpublishedOutcome="ACTIVE_WITHOUT_POSTS")
    (outcome,) = (await converge(wix, runtime)).outcomes
    assert any("may be unpublished" in w for w in outcome.warnings), outcome


async def test_generation_past_the_deadline_times_out_and_the_next_run_picks_it_up(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    seed(emulator)
    hurried = desired(policy=replace(desired().policy, wait_timeout_seconds=30))
    (outcome,) = (await converge(wix, runtime, hurried)).outcomes
    assert outcome.status == "timed_out"
    (later,) = await plan(wix, runtime, hurried)
    assert later.plan.action.kind == "wait"
    (patient,) = await plan(wix, runtime, desired())
    assert patient.plan.action.kind == "wait"
    (done,) = (await apply_sites(wix, [patient], runtime)).outcomes
    assert done.status == "applied", done
    assert operations(emulator).count("GenerateMarketingPlan") == 1


async def test_interrupted_apply_still_regenerates_on_the_next_run(
    emulator: Emulator, wix: WixClient, engine_time: Any
) -> None:
    journal = MemoryJournal()
    runtime = Runtime(clock=engine_time, journal=journal, min_poll_delay=5.0)
    seed(emulator, settings=SETTINGS, plan={"status": "ACTIVE"})
    emulator.add_fault(
        FaultRule(path="regenerate-marketing-plan-with-keyword-research", status=500)
    )
    changed = desired(settings={**SETTINGS, "topics": {"included": ["rye"]}}, events=())
    (outcome,) = (await converge(wix, runtime, changed)).outcomes
    assert outcome.status == "failed"
    assert journal.pending(SITE) is not None

    emulator.clear_faults()
    (work,) = await plan(wix, runtime, changed)
    assert work.plan.settings == ()
    assert work.plan.action.kind == "regenerate_keywords"
    assert "interrupted apply" in work.plan.action.reason
    await apply_sites(wix, [work], runtime)
    assert journal.pending(SITE) is None
    (after,) = await plan(wix, runtime, changed)
    assert not after.plan.has_changes


async def test_policy_never_keeps_reporting_the_due_regenerate(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    seed(emulator, settings=SETTINGS, plan={"status": "ACTIVE"})
    never = desired(
        settings={**SETTINGS, "toneOfVoice": "dry"}, events=(), policy=Policy(regenerate="never")
    )
    await converge(wix, runtime, never)
    assert "RegenerateMarketingPlan" not in operations(emulator)
    (work,) = await plan(wix, runtime, never)
    assert work.plan.action.kind == "regenerate" and work.plan.action.skipped
    assert not work.plan.has_changes


async def test_far_and_past_events_are_seen_and_never_created_twice(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    far = CalendarEvent("Ten years", date=TODAY + timedelta(days=900))
    past = CalendarEvent("Opening", date=TODAY - timedelta(days=200))
    yearly = CalendarEvent(
        "Anniversary",
        recurring_rule=RecurringRule("YEARLY", TODAY - timedelta(days=700), interval=3),
    )
    seed(emulator)
    site = desired(events=(far, past, yearly))
    await converge(wix, runtime, site)
    (again,) = await plan(wix, runtime, site)
    assert again.plan.events == ()
    names = [e["name"] for e in emulator.snapshot(SITE)["events"]]
    assert sorted(names) == ["Anniversary", "Opening", "Ten years"]


async def test_more_than_100_events_in_the_window_are_all_read(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    many = [
        {"name": f"Event {i}", "date": (TODAY + timedelta(days=1 + i)).isoformat()}
        for i in range(150)
    ]
    seed(emulator, events=many)
    declared = tuple(
        CalendarEvent(e["name"], date=TODAY + timedelta(days=1 + i)) for i, e in enumerate(many)
    )
    (work,) = await plan(wix, runtime, desired(events=declared))
    assert work.plan.events == ()
    assert emulator.writes() == []


async def test_read_only_and_unmanaged_events_are_listed_never_touched(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    seed(
        emulator,
        events=[
            {"name": "Google holiday", "date": "2026-12-08T00:00:00Z", "readOnly": True},
            {"name": "Staff party", "date": "2026-12-18T00:00:00Z"},
        ],
    )
    pruning = desired(policy=Policy(prune_events=True, delete_guard=DeleteGuard(min_events=10)))
    (work,) = await plan(wix, runtime, pruning)
    assert [(c.op, c.name) for c in work.plan.events if c.op == "delete"] == [
        ("delete", "Staff party")
    ]
    assert work.plan.read_only_events == ("Google holiday",)
    (keeping,) = await plan(wix, runtime)
    assert keeping.plan.unmanaged_events == ("Staff party",)


async def test_premium_without_scheduling_says_so_and_does_not_retry(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    seed(emulator, premium={"schedulePosts": False})
    (outcome,) = (await converge(wix, runtime)).outcomes
    assert any("premium plan does not include scheduling" in w for w in outcome.warnings)
    assert operations(emulator).count("ScheduleDrafts") == 1


async def test_one_site_failing_does_not_stop_the_others(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    seed(emulator)
    report = await converge(wix, runtime, desired(), desired(site_id=OTHER, name="Unknown"))
    statuses = {o.site_id: o.status for o in report.outcomes}
    assert statuses == {SITE: "applied", OTHER: "failed"}


async def test_a_converged_site_is_read_with_the_three_reads_and_no_options(
    emulator: Emulator, wix: WixClient, runtime: Runtime
) -> None:
    """Its live events are all declared and unchanged, their calendar the site's own: no
    option answer can change the plan, so none is read (the floor of a fleet's run)."""
    seed(emulator)
    await converge(wix, runtime)
    emulator.clear_requests()
    (again,) = await plan(wix, runtime)
    assert not again.plan.has_changes
    reads = {r.operation for r in emulator.requests}
    assert reads == {"GetMarketingSettings", "GetSocialMarketingPlan", "QueryEvents"}
