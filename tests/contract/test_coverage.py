"""Every SPEC §3.0 method, called through the real client, reaches the emulator method of the
same name at the same verb and path, and answers 2xx."""

from __future__ import annotations

import re
from datetime import timedelta

from reconciler.emulator import API_PREFIX, Emulator, ManualClock
from reconciler.wix import ENDPOINTS, SERVICE_PATH, SiteClient

from .support import CALENDAR, TODAY, active_plan, with_items, without_items

SPEC_METHODS = {  # SPEC §3.0: name → (verb, path)
    "GenerateMarketingPlan": ("POST", "/marketing-plan/generate-marketing-plan"),
    "RegenerateMarketingPlan": ("POST", "/marketing-plan/regenerate-marketing-plan"),
    "RegenerateMarketingPlanWithKeywordResearch": (
        "POST", "/marketing-plan/regenerate-marketing-plan-with-keyword-research"),
    "GetSocialMarketingPlan": ("GET", "/marketing-plan"),
    "DeleteMarketingPlan": ("DELETE", "/marketing-plan"),
    "DeletePlanMarketingActivity": ("DELETE", "/marketing-plan/plan-marketing-activity"),
    "GenerateSocialPosts": ("POST", "/marketing-plan/generate-social-posts"),
    "GetMarketingActivityPosts": ("POST", "/marketing-activity-posts"),
    "ScheduleDrafts": ("POST", "/marketing-plan/schedule-drafts"),
    "ClearMarketingActivityPosts": ("PATCH", "/marketing-plan/clear-marketing-activity-posts"),
    "ClearMarketingActivityStories": (
        "PATCH", "/marketing-plan/clear-marketing-activity-stories"),
    "RegenerateMarketingActivityPosts": (
        "POST", "/marketing-plan/regenerate-marketing-activity-posts"),
    "RegenerateMarketingActivityPostsMedia": (
        "POST", "/marketing-plan/regenerate-marketing-activity-posts-media"),
    "RegenerateMarketingActivityStories": (
        "POST", "/marketing-plan/regenerate-marketing-activity-stories"),
    "UpdateMarketingActivityPostsMedia": (
        "PATCH", "/marketing-plan/update-marketing-activity-posts-media"),
    "UpdateMarketingActivityStoriesMedia": (
        "PATCH", "/marketing-plan/update-marketing-activity-stories-media"),
    "GetMarketingSettings": ("GET", "/marketing-settings"),
    "UpsertMarketingSettings": ("POST", "/marketing-settings"),
    "GetMarketingSettingsDefaults": ("GET", "/marketing-settings/defaults"),
    "GetPlanGoalOptions": ("GET", "/marketing-settings/plan-goal-options"),
    "GetPointOfViewOptions": ("GET", "/marketing-settings/point-of-view-options"),
    "GetCalendarOptions": ("GET", "/marketing-settings/calendar-options"),
    "CreateMarketingActivity": ("POST", "/marketing-activity"),
    "UpdateMarketingActivity": ("PATCH", "/items/{id}"),
    "GetMarketingActivity": ("GET", "/marketing-activity"),
    "QueryMarketingActivities": ("POST", "/marketing-activities/query"),
    "CreateEvent": ("POST", "/events"),
    "UpdateEvent": ("PUT", "/events/{id}"),
    "DeleteEvent": ("DELETE", "/events/{id}"),
    "QueryEvents": ("POST", "/events/query"),
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_client_endpoints_are_the_30_spec_methods() -> None:
    assert len(SPEC_METHODS) == 30
    assert {e.name: (e.verb, e.path) for e in ENDPOINTS} == SPEC_METHODS
    assert SERVICE_PATH == API_PREFIX
    for endpoint in ENDPOINTS:
        assert callable(getattr(SiteClient, _snake(endpoint.name), None)), endpoint.name


async def test_every_method_reaches_the_emulator(
    site: SiteClient, emulator: Emulator, clock: ManualClock
) -> None:
    # Settings V1
    await site.get_plan_goal_options()
    await site.get_point_of_view_options()
    await site.get_calendar_options()
    await site.get_marketing_settings_defaults(["marketingPlanGoal"])
    await site.upsert_marketing_settings(
        {"settings": {"toneOfVoice": "warm"}}, ["settings.toneOfVoice"]
    )
    await site.get_marketing_settings()
    # Calendar Event V1
    event = await site.create_event({"name": "Sale", "date": TODAY + timedelta(days=5)})
    assert event.id
    await site.update_event(event.id, {"name": "Big sale", "date": TODAY + timedelta(days=6)})
    await site.query_events(TODAY, TODAY + timedelta(days=30))
    await site.delete_event(event.id)
    # Marketing Plan V1: the plan
    plan = await active_plan(site, clock)  # GenerateMarketingPlan + GetSocialMarketingPlan
    assert await site.regenerate_marketing_plan() == "GENERATING"
    assert await site.regenerate_marketing_plan_with_keyword_research() == "GENERATING"
    clock.advance(3600)
    plan = await site.get_social_marketing_plan()
    assert plan.status == "ACTIVE"
    # Marketing Plan V1: drafts
    story_owner = next(a for a in with_items(plan) if any(i.type == "STORY" for i in a.items))
    activity_id = story_owner.marketing_activity_id
    bare = without_items(plan)[0].marketing_activity_id
    await site.generate_social_posts([bare])
    await site.get_marketing_activity_posts([bare])
    drafts = [i.id for i in story_owner.items if i.status == "DRAFT"][:20]
    await site.schedule_drafts(drafts)
    await site.regenerate_marketing_activity_posts(activity_id)
    await site.regenerate_marketing_activity_posts_media(activity_id)
    await site.regenerate_marketing_activity_stories(activity_id)
    await site.update_marketing_activity_posts_media(activity_id, "https://example.com/a.jpg")
    await site.update_marketing_activity_stories_media(activity_id, "https://example.com/b.jpg")
    await site.clear_marketing_activity_posts(activity_id)
    await site.clear_marketing_activity_stories(activity_id)
    # Marketing Activity V1
    created = await site.create_marketing_activity({
        "title": "Flash sale", "description": "Ends Sunday",
        "targetDate": TODAY + timedelta(days=9), "marketingActivityType": "SOCIAL_MARKETING",
    })
    assert created.id
    await site.update_marketing_activity(created.id, {"title": "Flash sale!"}, ["title"])
    assert (await site.get_marketing_activity(created.id)).title == "Flash sale!"
    queried = await site.query_marketing_activities(ids=[created.id])
    assert [a.id for a in queried] == [created.id]
    await site.delete_plan_marketing_activity(created.id)
    await site.delete_marketing_plan()

    seen = {r.operation for r in emulator.requests}
    assert seen == {e.name for e in ENDPOINTS}
    by_name = {e.name: e for e in ENDPOINTS}
    for record in emulator.requests:
        assert 200 <= record.status < 300, (record.operation, record.status)
        endpoint = by_name[str(record.operation)]
        assert record.method == endpoint.verb
        template = re.escape(SERVICE_PATH + endpoint.path).replace(r"\{id\}", "[^/]+")
        assert re.fullmatch(template, record.path), (record.path, endpoint.path)


async def test_calendar_options_match_the_calendar_settings(site: SiteClient) -> None:
    options = await site.get_calendar_options()
    assert CALENDAR in {o.id for o in options}
    assert all(o.name for o in options)
