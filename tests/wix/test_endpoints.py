"""Every one of the 30 methods: verb, URL, query, headers, JSON body and parsed answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from reconciler.wix import (
    ENDPOINTS,
    SERVICE_PATH,
    ActivityPosts,
    CalendarEvent,
    CalendarOption,
    Item,
    MarketingActivity,
    MarketingSettings,
    PlanGoalOption,
    PointOfViewOption,
    SiteClient,
    SocialMarketingPlan,
)

from .support import KEY, SITE, api_route, body_of

A1 = "0d6a9c1e-3f42-4b7a-8e15-6c2b9d0e4a71"
A2 = "7b1f0e2d-9a64-4c85-a3d2-5e8f1b6c7d90"
D1 = "5e9b2f70-1c3d-4a8e-b6f4-2d7c8a9e0b13"
D2 = "c4a7e1d2-8b3f-4e60-9d15-0a2b3c4d5e6f"
E1 = "e2f3a4b5-c6d7-4e8f-9a0b-1c2d3e4f5a6b"
EV = "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"
CAL = "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b"
IMG = "https://static.wixstatic.com/media/aa11bb_frame2~mv2.jpg"
AUG3 = datetime(2026, 8, 3, tzinfo=UTC)
SEP30 = datetime(2026, 9, 30, 23, 59, 59, 999_000, tzinfo=UTC)
SEP20 = datetime(2026, 9, 20, tzinfo=UTC)

FB_ITEM = {
    "id": D1,
    "channel": {"name": "FACEBOOK", "accountId": "998877665544"},
    "type": "POST",
    "status": "DRAFT",
    "facebookPost": {
        "caption": "Stock up for the new term.",
        "mediaWrapper": {"media": [{"type": "IMAGE", "url": IMG}]},
    },
}
PLAN = {
    "status": "ACTIVE",
    "marketingActivities": [
        {
            "marketingActivityId": A1,
            "date": "2026-08-05T10:00:00.000Z",
            "title": "Back-to-school bundle",
            "description": "Promote the bundle.",
            "items": [FB_ITEM],
        },
        {"marketingActivityId": A2, "date": "2026-09-14T10:00:00.000Z", "title": "Tips"},
    ],
}
SETTINGS = {
    "marketingSettings": {
        "id": SITE,
        "createdAt": "2026-08-01T08:00:00.000Z",
        "updatedAt": "2026-08-01T08:00:00.000Z",
        "settings": {"marketingPlanGoal": {"goalKey": "DRIVE_TRAFFIC"}, "language": "en"},
        "overrides": {"blogs": {"frequency": {"interval": "MONTH", "count": 2}}},
    }
}
SNAPSHOT = {"marketingActivity": {"marketingActivityId": A1, "items": [FB_ITEM]}}
EVENT = {
    "id": EV,
    "calendarId": CAL,
    "name": "Store anniversary",
    "description": "10 years open.",
    "date": "2026-09-20T00:00:00.000Z",
}


@dataclass
class Case:
    """One method call and everything the wire must show for it."""

    name: str
    call: Callable[[SiteClient], Awaitable[Any]]
    verb: str
    path: str
    answer: dict[str, Any]
    check: Callable[[Any], bool]
    body: Any = None
    params: dict[str, str] = field(default_factory=dict)


def _plan_ok(plan: Any) -> bool:
    first = plan.marketing_activities[0]
    return (
        isinstance(plan, SocialMarketingPlan)
        and plan.status == "ACTIVE"
        and first.date == datetime(2026, 8, 5, 10, tzinfo=UTC)
        and first.items[0].channel.account_id == "998877665544"
        and first.items[0].model_extra["facebookPost"]["caption"].startswith("Stock up")
        and plan.marketing_activities[1].items == []
    )


def _snapshot_ok(posts: Any) -> bool:
    return isinstance(posts, ActivityPosts) and posts.items[0].id == D1


def _settings_ok(settings: Any) -> bool:
    return (
        isinstance(settings, MarketingSettings)
        and settings.settings["marketingPlanGoal"] == {"goalKey": "DRIVE_TRAFFIC"}
        and settings.overrides["blogs"]["frequency"]["count"] == 2
        and settings.updated_at == datetime(2026, 8, 1, 8, tzinfo=UTC)
    )


BLOG_ACTIVITY = {
    "id": E1,
    "title": "Blog: sourdough guide",
    "description": "Write an SEO article.",
    "targetDate": "2026-09-14T10:00:00.000Z",
    "marketingActivityType": "BLOG",
    "asset": {"type": "SITE", "id": SITE},
    "blogSeoData": {"primaryKeyword": "sourdough guide", "slug": "sourdough-guide"},
    "source": {"type": "KEYWORDS", "keywords": ["sourdough guide"]},
}


def _blog_activity_ok(activity: Any) -> bool:
    return (
        isinstance(activity, MarketingActivity)
        and activity.id == E1
        and activity.target_date == datetime(2026, 9, 14, 10, tzinfo=UTC)
        and activity.marketing_activity_type == "BLOG"
        and activity.model_dump(by_alias=True, mode="json", exclude_none=True) == BLOG_ACTIVITY
    )


def _event_ok(event: Any) -> bool:
    return isinstance(event, CalendarEvent) and event.id == EV and event.date == SEP20


ACTIVITY_BODY = {"marketingActivityId": A1}
UPSERT_SETTINGS = {
    "settings": {"marketingPlanGoal": {"goalKey": "DRIVE_TRAFFIC"}, "toneOfVoice": None},
    "overrides": {"blogs": {"frequency": {"interval": "MONTH", "count": 2}}},
}

CASES = [
    Case(
        "GenerateMarketingPlan",
        lambda s: s.generate_marketing_plan(),
        "POST",
        "/marketing-plan/generate-marketing-plan",
        {"status": "GENERATING"},
        lambda r: r == "GENERATING",
        body={},
    ),
    Case(
        "RegenerateMarketingPlan",
        lambda s: s.regenerate_marketing_plan(),
        "POST",
        "/marketing-plan/regenerate-marketing-plan",
        {"status": "GENERATING"},
        lambda r: r == "GENERATING",
        body={},
    ),
    Case(
        "RegenerateMarketingPlanWithKeywordResearch",
        lambda s: s.regenerate_marketing_plan_with_keyword_research(),
        "POST",
        "/marketing-plan/regenerate-marketing-plan-with-keyword-research",
        {"status": "GENERATING"},
        lambda r: r == "GENERATING",
        body={},
    ),
    Case(
        "GetSocialMarketingPlan",
        lambda s: s.get_social_marketing_plan(AUG3, SEP30),
        "GET",
        "/marketing-plan",
        PLAN,
        _plan_ok,
        params={
            "timeframe.startDate": "2026-08-03T00:00:00.000Z",
            "timeframe.endDate": "2026-09-30T23:59:59.999Z",
        },
    ),
    Case(
        "DeleteMarketingPlan",
        lambda s: s.delete_marketing_plan(),
        "DELETE",
        "/marketing-plan",
        {},
        lambda r: r is None,
    ),
    Case(
        "DeletePlanMarketingActivity",
        lambda s: s.delete_plan_marketing_activity(A2),
        "DELETE",
        "/marketing-plan/plan-marketing-activity",
        {},
        lambda r: r is None,
        params={"id": A2},
    ),
    Case(
        "GenerateSocialPosts",
        lambda s: s.generate_social_posts([A1, A2]),
        "POST",
        "/marketing-plan/generate-social-posts",
        {},
        lambda r: r is None,
        body={"marketingActivityIds": [A1, A2]},
    ),
    Case(
        "GetMarketingActivityPosts",
        lambda s: s.get_marketing_activity_posts((A1,)),
        "POST",
        "/marketing-activity-posts",
        {
            "marketingActivities": [
                {"marketingActivityId": A1, "items": [FB_ITEM], "videoCandidates": [{"x": 1}]}
            ]
        },
        lambda r: r[0].marketing_activity_id == A1 and r[0].video_candidates == [{"x": 1}],
        body={"marketingActivityIds": [A1]},
    ),
    Case(
        "ScheduleDrafts",
        lambda s: s.schedule_drafts([D1, D2]),
        "POST",
        "/marketing-plan/schedule-drafts",
        {"items": [{**FB_ITEM, "status": "SCHEDULED"}]},
        lambda r: isinstance(r[0], Item) and r[0].status == "SCHEDULED" and len(r) == 1,
        body={"draftIds": [D1, D2]},
    ),
    Case(
        "ClearMarketingActivityPosts",
        lambda s: s.clear_marketing_activity_posts(A1),
        "PATCH",
        "/marketing-plan/clear-marketing-activity-posts",
        {},
        lambda r: r is None,
        body=ACTIVITY_BODY,
    ),
    Case(
        "ClearMarketingActivityStories",
        lambda s: s.clear_marketing_activity_stories(A1),
        "PATCH",
        "/marketing-plan/clear-marketing-activity-stories",
        {},
        lambda r: r is None,
        body=ACTIVITY_BODY,
    ),
    Case(
        "RegenerateMarketingActivityPosts",
        lambda s: s.regenerate_marketing_activity_posts(A1),
        "POST",
        "/marketing-plan/regenerate-marketing-activity-posts",
        SNAPSHOT,
        _snapshot_ok,
        body=ACTIVITY_BODY,
    ),
    Case(
        "RegenerateMarketingActivityPostsMedia",
        lambda s: s.regenerate_marketing_activity_posts_media(A1),
        "POST",
        "/marketing-plan/regenerate-marketing-activity-posts-media",
        SNAPSHOT,
        _snapshot_ok,
        body=ACTIVITY_BODY,
    ),
    Case(
        "RegenerateMarketingActivityStories",
        lambda s: s.regenerate_marketing_activity_stories(A1),
        "POST",
        "/marketing-plan/regenerate-marketing-activity-stories",
        SNAPSHOT,
        _snapshot_ok,
        body=ACTIVITY_BODY,
    ),
    Case(
        "UpdateMarketingActivityPostsMedia",
        lambda s: s.update_marketing_activity_posts_media(A1, IMG),
        "PATCH",
        "/marketing-plan/update-marketing-activity-posts-media",
        SNAPSHOT,
        _snapshot_ok,
        body={"marketingActivityId": A1, "mediaUrl": IMG},
    ),
    Case(
        "UpdateMarketingActivityStoriesMedia",
        lambda s: s.update_marketing_activity_stories_media(A1, IMG, media_index=1),
        "PATCH",
        "/marketing-plan/update-marketing-activity-stories-media",
        SNAPSHOT,
        _snapshot_ok,
        body={"marketingActivityId": A1, "mediaUrl": IMG, "mediaIndex": 1},
    ),
    Case(
        "GetMarketingSettings",
        lambda s: s.get_marketing_settings("FULL"),
        "GET",
        "/marketing-settings",
        SETTINGS,
        _settings_ok,
        params={"fieldSet": "FULL"},
    ),
    Case(
        "UpsertMarketingSettings",
        lambda s: s.upsert_marketing_settings(
            UPSERT_SETTINGS,
            ["settings.marketingPlanGoal", "settings.toneOfVoice", "overrides.blogs.frequency"],
        ),
        "POST",
        "/marketing-settings",
        SETTINGS,
        _settings_ok,
        body={
            "marketingSettings": UPSERT_SETTINGS,
            "fieldMask": (
                "settings.marketingPlanGoal,settings.toneOfVoice,overrides.blogs.frequency"
            ),
        },
    ),
    Case(
        "GetMarketingSettingsDefaults",
        lambda s: s.get_marketing_settings_defaults(["marketingPlanGoal", "socialChannels"]),
        "GET",
        "/marketing-settings/defaults",
        {"marketingSettings": {"settings": {"socialChannels": ["FACEBOOK", "INSTAGRAM"]}}},
        lambda r: r == {"socialChannels": ["FACEBOOK", "INSTAGRAM"]},
        params={"fieldMask": "marketingPlanGoal,socialChannels"},
    ),
    Case(
        "GetPlanGoalOptions",
        lambda s: s.get_plan_goal_options(),
        "GET",
        "/marketing-settings/plan-goal-options",
        {"options": [{"planGoalKey": "DRIVE_TRAFFIC", "title": "Drive traffic"}]},
        lambda r: r == [PlanGoalOption(plan_goal_key="DRIVE_TRAFFIC", title="Drive traffic")],
    ),
    Case(
        "GetPointOfViewOptions",
        lambda s: s.get_point_of_view_options(),
        "GET",
        "/marketing-settings/point-of-view-options",
        {"options": [{"pointOfViewKey": "FIRST_PERSON", "title": "We / our"}]},
        lambda r: r == [PointOfViewOption(point_of_view_key="FIRST_PERSON", title="We / our")],
    ),
    Case(
        "GetCalendarOptions",
        lambda s: s.get_calendar_options(),
        "GET",
        "/marketing-settings/calendar-options",
        {"options": [{"id": CAL, "name": "US holidays"}]},
        lambda r: r == [CalendarOption(id=CAL, name="US holidays")],
    ),
    Case(
        "CreateMarketingActivity",
        lambda s: s.create_marketing_activity(
            {
                "title": "Flash sale",
                "description": "Ends Sunday.",
                "targetDate": datetime(2026, 8, 9, 9, tzinfo=UTC),
                "marketingActivityType": "SOCIAL_MARKETING",
            }
        ),
        "POST",
        "/marketing-activity",
        {
            "marketingActivity": {
                "id": E1,
                "title": "Flash sale",
                "description": "Ends Sunday.",
                "targetDate": "2026-08-09T09:00:00.000Z",
                "marketingActivityType": "SOCIAL_MARKETING",
            }
        },
        lambda r: (
            isinstance(r, MarketingActivity)
            and r.id == E1
            and r.target_date == datetime(2026, 8, 9, 9, tzinfo=UTC)
        ),
        body={
            "marketingActivity": {
                "title": "Flash sale",
                "description": "Ends Sunday.",
                "targetDate": "2026-08-09T09:00:00.000Z",
                "marketingActivityType": "SOCIAL_MARKETING",
            }
        },
    ),
    Case(
        "UpdateMarketingActivity",
        lambda s: s.update_marketing_activity(
            E1, {"targetDate": datetime(2026, 8, 10, 9, tzinfo=UTC)}, ["targetDate"]
        ),
        "PATCH",
        f"/items/{E1}",
        {"marketingActivity": {"id": E1, "targetDate": "2026-08-10T09:00:00.000Z"}},
        lambda r: r.target_date == datetime(2026, 8, 10, 9, tzinfo=UTC),
        body={
            "marketingActivity": {"targetDate": "2026-08-10T09:00:00.000Z"},
            "fieldMask": "targetDate",
        },
    ),
    Case(
        "GetMarketingActivity",
        lambda s: s.get_marketing_activity(E1),
        "GET",
        "/marketing-activity",
        {"marketingActivity": BLOG_ACTIVITY},
        _blog_activity_ok,
        params={"id": E1},
    ),
    Case(
        "QueryMarketingActivities",
        lambda s: s.query_marketing_activities(start=AUG3, end=SEP30, activity_type="BLOG"),
        "POST",
        "/marketing-activities/query",
        {"marketingActivities": [BLOG_ACTIVITY]},
        lambda r: len(r) == 1 and _blog_activity_ok(r[0]),
        body={
            "query": {
                "filter": {
                    "startDate": "2026-08-03T00:00:00.000Z",
                    "endDate": "2026-09-30T23:59:59.999Z",
                    "marketingActivityType": "BLOG",
                }
            }
        },
    ),
    Case(
        "CreateEvent",
        lambda s: s.create_event({"name": "Store anniversary", "date": SEP20}),
        "POST",
        "/events",
        {"calendarEvent": EVENT},
        _event_ok,
        body={"calendarEvent": {"name": "Store anniversary", "date": "2026-09-20T00:00:00.000Z"}},
    ),
    Case(
        "UpdateEvent",
        lambda s: s.update_event(EV, {"name": "Store anniversary", "date": SEP20}),
        "PUT",
        f"/events/{EV}",
        {"event": EVENT},
        _event_ok,
        body={"event": {"name": "Store anniversary", "date": "2026-09-20T00:00:00.000Z"}},
    ),
    Case(
        "DeleteEvent",
        lambda s: s.delete_event(EV),
        "DELETE",
        f"/events/{EV}",
        {},
        lambda r: r is None,
    ),
    Case(
        "QueryEvents",
        lambda s: s.query_events(AUG3, SEP30),
        "POST",
        "/events/query",
        {"events": [EVENT]},
        lambda r: len(r) == 1 and _event_ok(r[0]),
        body={
            "query": {
                "filter": {
                    "date": {
                        "$gte": "2026-08-03T00:00:00.000Z",
                        "$lte": "2026-09-30T23:59:59.999Z",
                    }
                }
            }
        },
    ),
]


def test_the_table_covers_all_30_methods_once() -> None:
    assert len(ENDPOINTS) == 30
    assert sorted(case.name for case in CASES) == sorted(e.name for e in ENDPOINTS)


def test_the_endpoint_table_matches_the_spec_verbs_and_paths() -> None:
    by_name = {e.name: e for e in ENDPOINTS}
    for case in CASES:
        endpoint = by_name[case.name]
        assert endpoint.verb == case.verb
        assert endpoint.url_path(case.path.rsplit("/", 1)[-1]) == SERVICE_PATH + case.path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_method_sends_the_spec_request_and_parses_the_answer(
    case: Case, router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, case.verb, case.path)
    route.mock(return_value=httpx.Response(200, json=case.answer))

    result = await case.call(site)

    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == case.verb
    assert request.url.scheme == "https" and request.url.host == "wix.test"
    assert request.url.path == SERVICE_PATH + case.path
    assert dict(request.url.params) == case.params
    assert request.headers["authorization"] == KEY  # the raw key, no "Bearer"
    assert request.headers["wix-site-id"] == SITE
    assert body_of(request) == case.body
    if case.body is not None:
        assert request.headers["content-type"] == "application/json"
    assert case.check(result), result
