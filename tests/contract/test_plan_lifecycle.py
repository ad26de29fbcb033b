"""SPEC §1.9 plan lifecycle through the client: statuses, activities, drafts, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reconciler.emulator import Emulator, ManualClock
from reconciler.errors import (
    FailedPrecondition,
    NotFound,
    PlanAlreadyGenerating,
)
from reconciler.wix import SiteClient, WixClient, may_have_been_applied

from .support import (
    ALL_CHANNELS,
    CONNECTED,
    END_OF_NEXT_WEEK,
    GEN_SECONDS,
    MISSING_ID,
    TODAY,
    UNPUBLISHED_EMPTY,
    UNPUBLISHED_FAILED,
    active_plan,
    days,
    logged,
    wait_for_plan,
    with_items,
)


async def test_never_created_plan_reads_empty(site: SiteClient) -> None:
    plan = await site.get_social_marketing_plan()
    assert plan.status == "NEVER_CREATED"
    assert plan.marketing_activities == []


async def test_generate_then_active_with_near_term_drafts(
    site: SiteClient, clock: ManualClock
) -> None:
    assert await site.generate_marketing_plan() == "GENERATING"
    generating = await site.get_social_marketing_plan()
    assert generating.status == "GENERATING"
    assert generating.marketing_activities == []  # a first generation shows nothing yet

    clock.advance(GEN_SECONDS + 1)
    plan = await site.get_social_marketing_plan()
    assert plan.status == "ACTIVE"
    activities = plan.marketing_activities
    assert activities
    dates = [a.date for a in activities]
    assert all(d is not None for d in dates)
    assert dates == sorted(dates)  # type: ignore[type-var]
    assert all(a.marketing_activity_id and a.title for a in activities)

    drafted = with_items(plan)
    assert drafted, "near-term SOCIAL_MARKETING activities come with drafts"
    for activity in drafted:
        assert activity.date is not None and activity.date <= END_OF_NEXT_WEEK
        posts = [i for i in activity.items if i.type == "POST"]
        assert {i.status for i in activity.items} == {"DRAFT"}
        assert {i.channel.name for i in posts if i.channel} == ALL_CHANNELS
        for item in posts:
            assert item.channel is not None
            if item.channel.name in CONNECTED:
                assert item.channel.account_id
            else:
                assert item.channel.account_id is None
        # content objects are kept as extra fields on the parsed model
        facebook = next(i for i in posts if i.channel and i.channel.name == "FACEBOOK")
        assert facebook.model_extra and facebook.model_extra["facebookPost"]["caption"]
    later = [a for a in activities if a.date and a.date > END_OF_NEXT_WEEK]
    assert later and all(not a.items for a in later)


async def test_regenerate_while_generating_is_plan_already_generating(
    site: SiteClient, emulator: Emulator
) -> None:
    await site.generate_marketing_plan()
    with pytest.raises(PlanAlreadyGenerating) as caught:
        await site.regenerate_marketing_plan()
    error = caught.value
    assert isinstance(error, FailedPrecondition)
    assert error.status == 428
    assert error.code == "PLAN_ALREADY_GENERATING_ERROR"
    assert error.request_id
    assert error.method == "POST"
    assert error.path.endswith("/marketing-plan/regenerate-marketing-plan")
    assert not may_have_been_applied(error)
    (record,) = logged(emulator, "RegenerateMarketingPlan")  # not retried
    assert record.request_id == error.request_id
    assert (await site.get_social_marketing_plan()).status == "GENERATING"


async def test_keyword_regenerate_while_generating_is_not_an_error(
    site: SiteClient, clock: ManualClock
) -> None:
    await site.generate_marketing_plan()
    assert await site.regenerate_marketing_plan_with_keyword_research() == "GENERATING"
    assert (await site.get_social_marketing_plan()).status == "GENERATING"
    # no parallel run was started: the original run still completes on its own schedule
    clock.advance(GEN_SECONDS + 1)
    assert (await site.get_social_marketing_plan()).status == "ACTIVE"


async def test_keyword_regenerate_of_an_active_plan(site: SiteClient, clock: ManualClock) -> None:
    await active_plan(site, clock)
    assert await site.regenerate_marketing_plan_with_keyword_research() == "GENERATING"
    plan = await wait_for_plan(site, clock)
    assert plan.status == "ACTIVE"


@pytest.mark.parametrize("keyword", [False, True])
async def test_regenerate_without_a_plan_is_failed_precondition(
    site: SiteClient, keyword: bool
) -> None:
    call = (
        site.regenerate_marketing_plan_with_keyword_research
        if keyword
        else site.regenerate_marketing_plan
    )
    with pytest.raises(FailedPrecondition) as caught:
        await call()
    assert not isinstance(caught.value, PlanAlreadyGenerating)
    assert caught.value.status == 428
    assert caught.value.code == "PLAN_NOT_FOUND"  # emulator choice, SPEC §5.15
    assert (await site.get_social_marketing_plan()).status == "NEVER_CREATED"


async def test_regenerate_keeps_past_and_replaces_upcoming(
    site: SiteClient, clock: ManualClock
) -> None:
    first = await active_plan(site, clock)
    clock.advance(days(3))
    now = clock.now()
    past_ids = {
        a.marketing_activity_id for a in first.marketing_activities if a.date and a.date < now
    }
    assert past_ids
    await site.regenerate_marketing_plan()
    await wait_for_plan(site, clock)
    after = await site.get_social_marketing_plan(start=TODAY - timedelta(days=1))
    ids = {a.marketing_activity_id for a in after.marketing_activities}
    assert past_ids <= ids
    upcoming_before = {
        a.marketing_activity_id for a in first.marketing_activities if a.date and a.date > now
    }
    assert not upcoming_before & ids


async def test_timeframe_filters_activities(site: SiteClient, clock: ManualClock) -> None:
    await active_plan(site, clock)
    start, end = TODAY + timedelta(days=7), TODAY + timedelta(days=14)
    plan = await site.get_social_marketing_plan(start=start, end=end)
    assert plan.marketing_activities
    assert all(start <= a.date <= end for a in plan.marketing_activities if a.date)
    everything = await site.get_social_marketing_plan()
    assert len(everything.marketing_activities) > len(plan.marketing_activities)


async def test_idle_plan_turns_inactive_and_regenerate_reactivates(
    site: SiteClient, clock: ManualClock
) -> None:
    await active_plan(site, clock)
    clock.advance(days(43))
    inactive = await site.get_social_marketing_plan()
    assert inactive.status == "INACTIVE"
    assert inactive.marketing_activities == []
    assert await site.regenerate_marketing_plan() == "GENERATING"
    plan = await wait_for_plan(site, clock)
    assert plan.status == "ACTIVE"
    assert plan.marketing_activities
    assert with_items(plan)


async def test_delete_plan_returns_to_never_created(site: SiteClient, clock: ManualClock) -> None:
    await active_plan(site, clock)
    await site.delete_marketing_plan()
    plan = await site.get_social_marketing_plan()
    assert plan.status == "NEVER_CREATED"
    assert plan.marketing_activities == []
    await site.delete_marketing_plan()  # idempotent (emulator choice)
    assert await site.generate_marketing_plan() == "GENERATING"


async def test_delete_plan_marketing_activity(
    site: SiteClient, clock: ManualClock, emulator: Emulator
) -> None:
    plan = await active_plan(site, clock)
    victim = with_items(plan)[0]
    await site.delete_plan_marketing_activity(victim.marketing_activity_id)
    (record,) = logged(emulator, "DeletePlanMarketingActivity")
    assert record.query == {"id": victim.marketing_activity_id}
    after = await site.get_social_marketing_plan()
    remaining = {a.marketing_activity_id for a in after.marketing_activities}
    assert victim.marketing_activity_id not in remaining
    assert len(after.marketing_activities) == len(plan.marketing_activities) - 1
    posts = await site.get_marketing_activity_posts([victim.marketing_activity_id])
    assert posts == []  # its drafts went with it; unknown ids are simply absent
    with pytest.raises(NotFound) as caught:  # emulator choice, SPEC §5.25
        await site.delete_plan_marketing_activity(MISSING_ID)
    assert caught.value.status == 404


async def test_unpublished_site_ends_failed(wix: WixClient, clock: ManualClock) -> None:
    site = wix.site(UNPUBLISHED_FAILED)
    assert await site.generate_marketing_plan() == "GENERATING"  # not validated at call time
    plan = await wait_for_plan(site, clock)
    assert plan.status == "FAILED"
    assert plan.marketing_activities == []
    # FAILED may be retried with a regenerate (it fails again: the site is still unpublished)
    assert await site.regenerate_marketing_plan() == "GENERATING"
    assert (await wait_for_plan(site, clock)).status == "FAILED"


async def test_unpublished_site_active_without_posts(wix: WixClient, clock: ManualClock) -> None:
    site = wix.site(UNPUBLISHED_EMPTY)
    assert await site.generate_marketing_plan() == "GENERATING"
    plan = await wait_for_plan(site, clock)
    assert plan.status == "ACTIVE"
    assert all(not a.items for a in plan.marketing_activities)


async def test_generation_failure_then_retry(
    site: SiteClient, clock: ManualClock, emulator: Emulator
) -> None:
    emulator.fail_next_generations(site.site_id, 1)
    await site.generate_marketing_plan()
    assert (await wait_for_plan(site, clock)).status == "FAILED"
    await site.regenerate_marketing_plan()
    assert (await wait_for_plan(site, clock)).status == "ACTIVE"
