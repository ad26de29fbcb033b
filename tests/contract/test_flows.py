"""SPEC §4 reference flows, end to end through the client."""

from __future__ import annotations

from datetime import timedelta

from reconciler.emulator import ManualClock
from reconciler.wix import ActivityPosts, Item, SiteClient

from .support import (
    CONNECTED,
    POSTS_SECONDS,
    TODAY,
    active_plan,
    wait_for_plan,
    with_items,
    without_items,
)


async def _schedule_all(site: SiteClient, draft_ids: list[str]) -> list[Item]:
    scheduled: list[Item] = []
    for start in range(0, len(draft_ids), 20):  # SPEC: 1–20 ids per call
        scheduled += await site.schedule_drafts(draft_ids[start:start + 20])
    return scheduled


async def test_generate_and_publish(site: SiteClient, clock: ManualClock) -> None:
    plan = await active_plan(site, clock)
    dates = {a.marketing_activity_id: a.date for a in plan.marketing_activities}
    owner = {i.id: a.marketing_activity_id for a in with_items(plan) for i in a.items}
    sent = [
        i.id for a in with_items(plan) for i in a.items
        if i.status == "DRAFT" and i.type == "POST"
    ]
    assert len(sent) > 20  # several calls needed

    scheduled = await _schedule_all(site, sent)

    returned = [i.id for i in scheduled]
    assert len(returned) == len(set(returned))
    assert set(returned) < set(sent)  # a 200 does not mean everything was scheduled
    for item in scheduled:
        assert item.status == "SCHEDULED"
        assert item.channel is not None and item.channel.name in CONNECTED
        assert item.scheduled_date == dates[owner[item.id]]
    skipped = set(sent) - set(returned)
    after = await site.get_social_marketing_plan()
    by_id = {i.id: i for a in after.marketing_activities for i in a.items}
    for item_id in skipped:
        item = by_id[item_id]
        assert item.status == "DRAFT"  # unconnected channels stay DRAFT, no error
        assert item.channel is not None and item.channel.name not in CONNECTED
    assert all(by_id[i].status == "SCHEDULED" for i in returned)

    # ids that are no longer DRAFT are silently ignored
    assert await site.schedule_drafts(returned[:20]) == []


async def test_tailor_first(site: SiteClient, clock: ManualClock) -> None:
    goals = await site.get_plan_goal_options()
    views = await site.get_point_of_view_options()
    goal, view = goals[0].plan_goal_key, views[-1].point_of_view_key
    stored = await site.upsert_marketing_settings(
        {
            "settings": {
                "marketingPlanGoal": {"goalKey": goal},
                "pointOfView": view,
                "topics": {"included": ["Sourdough"], "excluded": []},
                "marketingTools": ["SOCIAL_MARKETING"],
            }
        },
        ["settings.marketingPlanGoal", "settings.pointOfView", "settings.topics",
         "settings.marketingTools"],
    )
    assert stored is not None
    assert stored.settings["marketingPlanGoal"] == {"goalKey": goal}
    plan = await active_plan(site, clock)
    assert {a.marketing_activity_type for a in plan.marketing_activities} == {"SOCIAL_MARKETING"}
    assert any("Sourdough" in a.title for a in plan.marketing_activities)


async def test_plan_around_an_event(site: SiteClient, clock: ManualClock) -> None:
    when = TODAY + timedelta(days=10)
    event = await site.create_event({"name": "Store anniversary", "date": when})
    plan = await active_plan(site, clock)
    matching = [a for a in plan.marketing_activities if "Store anniversary" in a.title]
    assert matching, [a.title for a in plan.marketing_activities]
    assert all(a.date and a.date.date() == when.date() for a in matching)
    # events added afterwards change nothing until the next generation (SPEC §1.14)
    await site.create_event({"name": "Winter clearance", "date": when + timedelta(days=2)})
    again = await site.get_social_marketing_plan()
    assert not any("Winter clearance" in a.title for a in again.marketing_activities)
    await site.regenerate_marketing_plan()
    regenerated = await wait_for_plan(site, clock)
    assert any("Winter clearance" in a.title for a in regenerated.marketing_activities)
    assert event.id


async def test_more_posts(site: SiteClient, clock: ManualClock) -> None:
    plan = await active_plan(site, clock)
    targets = [a.marketing_activity_id for a in without_items(plan)[:2]]
    assert len(targets) == 2

    await site.generate_social_posts(targets)  # answers {} at once
    polled: list[ActivityPosts] = []
    for _ in range(20):
        polled = await site.get_marketing_activity_posts(targets)
        if polled and all(entry.items for entry in polled):
            break
        clock.advance(POSTS_SECONDS / 4)
    else:
        raise AssertionError("drafts never appeared")
    assert {entry.marketing_activity_id for entry in polled} == set(targets)
    for entry in polled:
        assert entry.video_candidates == []
        assert {i.status for i in entry.items} == {"DRAFT"}
    drafts = [i.id for entry in polled for i in entry.items if i.type == "POST"]
    scheduled = await site.schedule_drafts(drafts[:20])
    assert scheduled
    assert {i.channel.name for i in scheduled if i.channel} <= set(CONNECTED)
