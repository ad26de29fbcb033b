"""SiteClient details beyond the happy path: optional arguments, tolerated wire variants,
arguments refused before sending, and answers of the wrong shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx

from reconciler.errors import ApiError, PermanentApiError, TransientApiError, UnexpectedAnswer
from reconciler.wix import SERVICE_PATH, ActivityPosts, SiteClient, WixClient

from .support import SITE, api_route, body_of

A1 = "0d6a9c1e-3f42-4b7a-8e15-6c2b9d0e4a71"
NAIVE = datetime(2026, 8, 3, 9, 0)
AWARE = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)
Call = Callable[[SiteClient], Awaitable[Any]]


def ok(json: object) -> httpx.Response:
    return httpx.Response(200, json=json)


# --- optional arguments --------------------------------------------------------------------


async def test_get_plan_without_timeframe_sends_no_query(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "GET", "/marketing-plan").mock(return_value=ok({"status": "X"}))
    plan = await site.get_social_marketing_plan()
    assert route.calls.last.request.url.query == b""
    assert route.calls.last.request.content == b""
    assert plan.status == "X" and plan.marketing_activities == []


async def test_get_plan_with_only_a_start_converts_it_to_utc(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "GET", "/marketing-plan").mock(return_value=ok({"status": "X"}))
    lisbon_summer = timezone(timedelta(hours=1))
    await site.get_social_marketing_plan(
        start=datetime(2026, 8, 3, 10, 0, 0, 123456, lisbon_summer)
    )
    assert dict(route.calls.last.request.url.params) == {
        "timeframe.startDate": "2026-08-03T09:00:00.123Z"
    }


async def test_settings_and_defaults_without_options_send_no_query(
    router: respx.MockRouter, site: SiteClient
) -> None:
    settings = api_route(router, "GET", "/marketing-settings")
    settings.mock(return_value=ok({"marketingSettings": {}}))
    defaults = api_route(router, "GET", "/marketing-settings/defaults")
    defaults.mock(return_value=ok({}))
    assert (await site.get_marketing_settings()).settings == {}
    assert await site.get_marketing_settings_defaults() == {}
    assert settings.calls.last.request.url.query == b""
    assert defaults.calls.last.request.url.query == b""


async def test_stories_media_without_index_replaces_the_whole_story(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "PATCH", "/marketing-plan/update-marketing-activity-stories-media")
    route.mock(return_value=ok({}))
    await site.update_marketing_activity_stories_media(A1, "https://img")
    assert body_of(route.calls.last.request) == {
        "marketingActivityId": A1,
        "mediaUrl": "https://img",
    }


async def test_update_marketing_activity_percent_encodes_the_id(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = router.route(method="PATCH", url__regex=r".*/items/.*")
    route.mock(return_value=ok({"marketingActivity": {"id": "a/b c"}}))
    await site.update_marketing_activity("a/b c", {"title": "t"}, ["title"])
    assert route.calls.last.request.url.raw_path == f"{SERVICE_PATH}/items/a%2Fb%20c".encode()


# --- tolerated variants of the answers -----------------------------------------------------


async def test_update_event_accepts_the_calendar_event_key(
    router: respx.MockRouter, site: SiteClient
) -> None:
    api_route(router, "PUT", "/events/e1").mock(
        return_value=ok({"calendarEvent": {"id": "e1", "name": "n"}})
    )
    event = await site.update_event("e1", {"name": "n", "date": AWARE})
    assert event.id == "e1"


async def test_query_events_accepts_calendar_events_and_an_omitted_list(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "POST", "/events/query")
    route.side_effect = [ok({"calendarEvents": [{"id": "e1", "name": "Sale"}]}), ok({})]
    assert [e.id for e in await site.query_events(AWARE, AWARE)] == ["e1"]
    assert await site.query_events(AWARE, AWARE) == []


async def test_omitted_lists_read_as_empty(router: respx.MockRouter, site: SiteClient) -> None:
    api_route(router, "POST", "/marketing-activity-posts").mock(return_value=ok({}))
    api_route(router, "POST", "/marketing-plan/schedule-drafts").mock(return_value=ok({}))
    api_route(router, "GET", "/marketing-settings/plan-goal-options").mock(return_value=ok({}))
    assert await site.get_marketing_activity_posts([A1]) == []
    assert await site.schedule_drafts(["d1"]) == []
    assert await site.get_plan_goal_options() == []


@pytest.mark.parametrize(
    "answer",
    [{}, {"marketingActivity": None}, {"marketingActivity": {"items": None}}],
)
async def test_an_empty_snapshot_belongs_to_the_activity_asked_for(
    answer: dict[str, object], router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "POST", "/marketing-plan/regenerate-marketing-activity-stories")
    route.mock(return_value=ok(answer))
    assert await site.regenerate_marketing_activity_stories(A1) == ActivityPosts(
        marketing_activity_id=A1
    )


async def test_a_snapshot_without_its_wrapper_is_read_unwrapped_not_as_empty(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "POST", "/marketing-plan/regenerate-marketing-activity-posts")
    route.mock(return_value=ok({"marketingActivityId": A1, "items": [{"id": "d1"}]}))
    snapshot = await site.regenerate_marketing_activity_posts(A1)
    assert (snapshot.marketing_activity_id, [i.id for i in snapshot.items]) == (A1, ["d1"])
    route.mock(return_value=ok({"drafts": [{"id": "d1"}]}))
    with pytest.raises(UnexpectedAnswer, match="found a list of objects under 'drafts'"):
        await site.regenerate_marketing_activity_posts(A1)


async def test_defaults_accept_settings_at_the_top_level(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "GET", "/marketing-settings/defaults")
    route.mock(return_value=ok({"settings": {"frequency": {"count": 3}}}))
    assert await site.get_marketing_settings_defaults(["frequency"]) == {"frequency": {"count": 3}}


async def test_an_empty_body_on_success_counts_as_an_empty_object(
    router: respx.MockRouter, site: SiteClient
) -> None:
    api_route(router, "DELETE", "/marketing-plan").mock(return_value=httpx.Response(204))
    await site.delete_marketing_plan()
    assert router.calls.call_count == 1


async def test_query_activities_by_ids_sends_only_the_ids(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "POST", "/marketing-activities/query")
    route.mock(return_value=ok({"marketingActivities": [{"id": A1}]}))
    found = await site.query_marketing_activities(ids=(A1,))
    assert [a.id for a in found] == [A1]
    assert body_of(route.calls.last.request) == {"query": {"filter": {"ids": [A1]}}}


async def test_query_activities_without_filters_asks_for_all_and_reads_an_omitted_list(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "POST", "/marketing-activities/query")
    route.mock(return_value=ok({}))
    assert await site.query_marketing_activities() == []
    assert body_of(route.calls.last.request) == {"query": {"filter": {}}}


async def test_query_activities_by_no_ids_finds_none_without_asking(
    router: respx.MockRouter, site: SiteClient, client: WixClient
) -> None:
    # On the wire an empty list is no filter at all: sending it would return every activity.
    assert await site.query_marketing_activities(ids=[]) == []
    assert client.request_count == 0


async def test_query_activities_with_only_an_end_converts_it_to_utc(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "POST", "/marketing-activities/query")
    route.mock(return_value=ok({"marketingActivities": []}))
    lisbon_summer = timezone(timedelta(hours=1))
    await site.query_marketing_activities(end=datetime(2026, 8, 3, 10, tzinfo=lisbon_summer))
    assert body_of(route.calls.last.request) == {
        "query": {"filter": {"endDate": "2026-08-03T09:00:00.000Z"}}
    }


async def test_get_activity_sends_the_id_as_a_query_parameter(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "GET", "/marketing-activity")
    route.mock(return_value=ok({"marketingActivity": {"id": "a/b c"}}))
    await site.get_marketing_activity("a/b c")
    request = route.calls.last.request
    assert request.url.path == SERVICE_PATH + "/marketing-activity"
    assert request.url.params["id"] == "a/b c"


# --- arguments refused before anything is sent ----------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda s: s.upsert_marketing_settings({"settings": {}}, []),
            "a field mask must name at least one path",
            id="empty-upsert-mask",
        ),
        pytest.param(
            lambda s: s.update_marketing_activity(A1, {"title": "t"}, ()),
            "a field mask must name at least one path",
            id="empty-update-mask",
        ),
        pytest.param(
            lambda s: s.get_social_marketing_plan(start=NAIVE),
            "naive datetime 2026-08-03T09:00:00 given; pass an aware datetime",
            id="naive-start",
        ),
        pytest.param(
            lambda s: s.get_social_marketing_plan(end=NAIVE),
            "naive datetime 2026-08-03T09:00:00 given; pass an aware datetime",
            id="naive-end",
        ),
        pytest.param(
            lambda s: s.query_events(NAIVE, AWARE),
            "naive datetime 2026-08-03T09:00:00 given; pass an aware datetime",
            id="naive-query",
        ),
        pytest.param(
            lambda s: s.create_event({"name": "n", "date": NAIVE}),
            "naive datetime 2026-08-03T09:00:00 given; pass an aware datetime",
            id="naive-event-date",
        ),
        pytest.param(
            lambda s: s.create_marketing_activity({"targetDate": NAIVE}),
            "naive datetime 2026-08-03T09:00:00 given; pass an aware datetime",
            id="naive-activity-date",
        ),
        pytest.param(
            lambda s: s.update_event("e1", {"recurringRule": {"startDate": NAIVE}}),
            "naive datetime 2026-08-03T09:00:00 given; pass an aware datetime",
            id="naive-nested-date",
        ),
        pytest.param(
            lambda s: s.delete_plan_marketing_activity(""),
            "activity_id must be a non-empty string",
            id="empty-activity-id",
        ),
        pytest.param(
            lambda s: s.update_marketing_activity_posts_media(A1, ""),
            "media_url must be a non-empty string",
            id="empty-media-url",
        ),
        pytest.param(
            lambda s: s.update_marketing_activity_stories_media(A1, ""),
            "media_url must be a non-empty string",
            id="empty-stories-media-url",
        ),
        pytest.param(
            lambda s: s.delete_event(""), "DeleteEvent needs a non-empty id", id="empty-event-id"
        ),
        pytest.param(
            lambda s: s.clear_marketing_activity_posts(""),
            "activity_id must be a non-empty string",
            id="empty-clear-id",
        ),
        pytest.param(
            lambda s: s.get_marketing_activity(""),
            "activity_id must be a non-empty string",
            id="empty-get-activity-id",
        ),
        pytest.param(
            lambda s: s.query_marketing_activities(start=NAIVE),
            "naive datetime 2026-08-03T09:00:00 given; pass an aware datetime",
            id="naive-activity-query",
        ),
        pytest.param(
            lambda s: s.query_marketing_activities(ids=[A1], start=AWARE),
            "ids cannot be combined with start, end or activity_type",
            id="ids-with-start",
        ),
        pytest.param(
            lambda s: s.query_marketing_activities(ids=[A1], end=AWARE),
            "ids cannot be combined with start, end or activity_type",
            id="ids-with-end",
        ),
        pytest.param(
            lambda s: s.query_marketing_activities(ids=[A1], activity_type="BLOG"),
            "ids cannot be combined with start, end or activity_type",
            id="ids-with-type",
        ),
        pytest.param(
            lambda s: s.query_marketing_activities(activity_type=""),
            "activity_type must be a non-empty string",
            id="empty-activity-type",
        ),
    ],
)
async def test_bad_arguments_raise_value_error_without_sending(
    call: Call, message: str, router: respx.MockRouter, site: SiteClient, client: WixClient
) -> None:
    with pytest.raises(ValueError) as caught:
        await call(site)
    assert str(caught.value) == message
    assert client.request_count == 0
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda s: s.upsert_marketing_settings({"settings": {}}, "settings.toneOfVoice"),
            "a field mask must be a sequence of paths, not a single string",
            id="mask",
        ),
        pytest.param(
            lambda s: s.generate_social_posts(A1),
            "activity_ids must be a sequence of strings, not a single string",
            id="generate",
        ),
        pytest.param(
            lambda s: s.schedule_drafts("d1"),
            "draft_ids must be a sequence of strings, not a single string",
            id="schedule",
        ),
        pytest.param(
            lambda s: s.get_marketing_activity_posts(A1),
            "activity_ids must be a sequence of strings, not a single string",
            id="get-posts",
        ),
        pytest.param(
            lambda s: s.query_marketing_activities(ids=A1),
            "ids must be a sequence of strings, not a single string",
            id="query-activities",
        ),
    ],
)
async def test_a_single_string_where_a_sequence_is_expected_is_a_type_error(
    call: Call, message: str, site: SiteClient, client: WixClient
) -> None:
    with pytest.raises(TypeError) as caught:
        await call(site)
    assert str(caught.value) == message
    assert client.request_count == 0


async def test_upsert_keeps_explicit_nulls_so_they_clear_fields(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "POST", "/marketing-settings")
    route.mock(return_value=ok({"marketingSettings": {"settings": {}}}))
    await site.upsert_marketing_settings(
        {"settings": {"toneOfVoice": None, "topics": {"included": []}}},
        ["settings.toneOfVoice", "settings.topics"],
    )
    assert body_of(route.calls.last.request) == {
        "marketingSettings": {"settings": {"toneOfVoice": None, "topics": {"included": []}}},
        "fieldMask": "settings.toneOfVoice,settings.topics",
    }


def test_site_needs_an_id(client: WixClient) -> None:
    with pytest.raises(ValueError):
        client.site(" ")
    assert client.site(SITE).site_id == SITE


# --- answers of the wrong shape -------------------------------------------------------------


@pytest.mark.parametrize(
    ("verb", "path", "answer", "call", "detail"),
    [
        (
            "POST",
            "/marketing-plan/generate-marketing-plan",
            {},
            lambda s: s.generate_marketing_plan(),
            "mpr expected 'status' (a string); found no member",
        ),
        (
            "GET",
            "/marketing-plan",
            {"marketingActivities": []},
            lambda s: s.get_social_marketing_plan(),
            "mpr expected 'status' (a string); found members marketingActivities (a list)",
        ),
        (
            "GET",
            "/marketing-plan",
            {"marketingActivities": [], "paused": True, "count": 2.5, "note": None},
            lambda s: s.get_social_marketing_plan(),
            "mpr expected 'status' (a string); found members marketingActivities (a list), "
            "paused (a boolean), count (a number), note (null)",
        ),
        (
            "GET",
            "/marketing-plan",
            {"status": "ACTIVE", "activities": [{"marketingActivityId": A1}]},
            lambda s: s.get_social_marketing_plan(),
            "mpr expected the list under 'marketingActivities' (absent only when empty); "
            "found a list of objects under 'activities' (members status (a string), "
            "activities (a list of objects))",
        ),
        (
            "GET",
            "/marketing-settings",
            {"marketingSetting": {"settings": {}}},
            lambda s: s.get_marketing_settings(),
            "mpr expected 'marketingSettings' (an object) or nothing, not a member mpr does "
            "not know; found members marketingSetting (an object)",
        ),
        (
            "POST",
            "/events/query",
            {"events": {"id": "e1"}},
            lambda s: s.query_events(AWARE, AWARE),
            "mpr expected 'events' to be a list; found members events (an object)",
        ),
        (
            "POST",
            "/events/query",
            {"results": [{"id": "e1"}], "pagingMetadata": {"count": 1}},
            lambda s: s.query_events(AWARE, AWARE),
            "found a list of objects under 'results'",
        ),
        (  # a wrapper mpr does not know around the list: events, not "no events"
            "POST",
            "/events/query",
            {"result": {"events": [{"id": "e1"}], "total": 1}},
            lambda s: s.query_events(AWARE, AWARE),
            "mpr expected the list under 'events' or 'calendarEvents' (absent only when empty); "
            "found a list of objects under 'result.events' (members result (an object))",
        ),
        (
            "GET",
            "/marketing-plan",
            {"status": "ACTIVE", "data": {"page": {"activities": [{"marketingActivityId": A1}]}}},
            lambda s: s.get_social_marketing_plan(),
            "found a list of objects under 'data.page.activities'",
        ),
        (
            "PUT",
            "/events/e1",
            {"something": {}},
            lambda s: s.update_event("e1", {"name": "n"}),
            "mpr expected 'event' or 'calendarEvent' (an object); found members something",
        ),
        (
            "POST",
            "/marketing-plan/regenerate-marketing-activity-posts",
            {"marketingActivity": ["x"]},
            lambda s: s.regenerate_marketing_activity_posts(A1),
            "mpr expected 'marketingActivity' to be an object",
        ),
        (
            "GET",
            "/marketing-settings/defaults",
            {"marketingSettings": {"settings": ["x"]}},
            lambda s: s.get_marketing_settings_defaults(),
            "mpr expected 'settings' to be an object",
        ),
        (
            "GET",
            "/marketing-settings/defaults",
            {"marketingSettings": "x"},
            lambda s: s.get_marketing_settings_defaults(),
            "mpr expected 'marketingSettings' to be an object; found members marketingSettings "
            "(a string)",
        ),
        (
            "POST",
            "/events",
            {"calendarEvent": {"date": "next tuesday"}},
            lambda s: s.create_event({"name": "n"}),
            "date: Input should be a valid datetime",
        ),
        (
            "GET",
            "/marketing-activity",
            {"marketingActivities": [{"id": A1}]},
            lambda s: s.get_marketing_activity(A1),
            "mpr expected 'marketingActivity' (an object)",
        ),
        (
            "POST",
            "/marketing-activities/query",
            {"marketingActivities": {"id": A1}},
            lambda s: s.query_marketing_activities(),
            "mpr expected 'marketingActivities' to be a list",
        ),
    ],
)
async def test_a_body_of_the_wrong_shape_is_an_api_error_naming_the_method(
    verb: str,
    path: str,
    answer: object,
    call: Call,
    detail: str,
    router: respx.MockRouter,
    site: SiteClient,
) -> None:
    route = api_route(router, verb, path)
    route.mock(return_value=httpx.Response(200, json=answer, headers={"x-wix-request-id": "r-9"}))
    with pytest.raises(ApiError) as caught:
        await call(site)
    error = caught.value
    assert type(error) is UnexpectedAnswer  # neither transient nor permanent: a contract problem
    assert not isinstance(error, TransientApiError | PermanentApiError)
    assert "unexpected response shape" in error.message
    assert detail in error.message
    assert error.method == verb and error.path == SERVICE_PATH + path
    assert error.status == 200 and error.request_id == "r-9"
    assert route.call_count == 1  # not retried


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"<html>oops</html>", "the body is not JSON"),
        (b"[1, 2]", "the body is not a JSON object"),
        (b"[" * 10_000 + b"]" * 10_000, "the body is nested too deeply to read"),
        (b'{"a": ' * 10_000 + b"1" + b"}" * 10_000, "the body is nested too deeply to read"),
    ],
    ids=["html", "array", "deep-array", "deep-object"],
)
async def test_a_success_body_that_is_not_a_json_object_is_an_api_error(
    content: bytes, detail: str, router: respx.MockRouter, site: SiteClient
) -> None:
    api_route(router, "GET", "/marketing-settings/calendar-options").mock(
        return_value=httpx.Response(200, content=content)
    )
    with pytest.raises(ApiError, match=f"GetCalendarOptions: unexpected response shape: {detail}"):
        await site.get_calendar_options()


async def test_a_bad_option_is_skipped_with_a_note_naming_it(
    router: respx.MockRouter, site: SiteClient
) -> None:
    options = [
        {"title": "no key"},
        {"planGoalKey": "BOOST_SALES"},
        "odd",
        {"planGoalKey": "GROW_AUDIENCE", "title": 5},
    ]
    api_route(router, "GET", "/marketing-settings/plan-goal-options").mock(
        return_value=ok({"options": options})
    )
    assert [o.plan_goal_key for o in await site.get_plan_goal_options()] == ["BOOST_SALES"]
    assert site.notes == [
        "GetPlanGoalOptions: option #1 skipped: planGoalKey: Field required",
        "GetPlanGoalOptions: option #3 skipped: a string, not an object",
        "GetPlanGoalOptions: option #4 (planGoalKey 'GROW_AUDIENCE') skipped: "
        "title: Input should be a valid string",
    ]


async def test_a_skipped_event_is_noted_with_its_name_id_and_first_three_problems(
    router: respx.MockRouter, site: SiteClient
) -> None:
    long_name = "Spring sale " + "x" * 60
    three = {"name": 5, "description": 6, "date": "soon"}
    events = [
        {"id": "e1", "name": long_name, "recurringRule": {"interval": "often"}},
        {"id": "e2", **three},
        {"id": "e3", **three, "readOnly": "perhaps"},
        {"id": "e4", "name": "Fair"},
        7,
        None,
        True,
        [{"id": "e5"}],
        ["e6"],
        {"id": "e7", "name": "Year one", "date": "0001-01-01T00:00:00+01:00"},
    ]
    api_route(router, "POST", "/events/query").mock(return_value=ok({"events": events}))
    assert [e.id for e in await site.query_events(AWARE, AWARE)] == ["e4"]
    # the engine's list of the names it cannot trust as absent: None when it may be any
    assert site.unreadable_events == [long_name, *[None] * 7, "Year one"]
    three_said = (
        "name: Input should be a valid string; description: Input should be a valid string; "
        "date: Input should be a valid datetime or date, input is too short"
    )
    assert site.notes == [
        f"QueryEvents: event #1 (name {long_name[:60]!r}, id 'e1') skipped: "
        "recurringRule.interval: Input should be a valid integer, unable to parse string as "
        "an integer",
        f"QueryEvents: event #2 (id 'e2') skipped: {three_said}",
        f"QueryEvents: event #3 (id 'e3') skipped: {three_said} (+1 more)",
        "QueryEvents: event #5 skipped: a number, not an object",
        "QueryEvents: event #6 skipped: null, not an object",
        "QueryEvents: event #7 skipped: a boolean, not an object",
        "QueryEvents: event #8 skipped: a list of objects, not an object",
        "QueryEvents: event #9 skipped: a list, not an object",
        "QueryEvents: event #10 (name 'Year one', id 'e7') skipped: "
        "date: Value error, a time outside the years 1 to 9999 in UTC",
    ]


async def test_one_bad_activity_or_draft_is_skipped_not_the_plan(
    router: respx.MockRouter, site: SiteClient
) -> None:
    drafts = [{"id": "d1", "status": "DRAFT"}, {"status": "DRAFT"}]
    activities = [
        {"marketingActivityId": A1, "items": drafts},
        {"marketingActivityId": "a2", "date": "next week", "items": "x", "title": 2},
    ]
    api_route(router, "GET", "/marketing-plan").mock(
        return_value=ok({"status": "ACTIVE", "marketingActivities": activities})
    )
    plan = await site.get_social_marketing_plan()
    assert [
        (a.marketing_activity_id, [i.id for i in a.items]) for a in plan.marketing_activities
    ] == [(A1, ["d1"])]
    assert site.notes[0] == (
        "GetSocialMarketingPlan: activity draft #2 skipped: id: Field required"
    )
    assert site.notes[1].startswith(
        "GetSocialMarketingPlan: activity #2 (marketingActivityId 'a2') skipped: mpr expected "
        "'items' to be a list"
    )


async def test_documented_optional_members_may_be_absent(
    router: respx.MockRouter, site: SiteClient
) -> None:
    rule = {"startDate": "2026-08-03T09:00:00.000Z"}  # no frequency: [I], not required
    api_route(router, "POST", "/events/query").mock(
        return_value=ok({"events": [{"id": "e1", "name": "Sale", "recurringRule": rule}]})
    )
    api_route(router, "GET", "/marketing-settings").mock(
        return_value=ok({"settings": {"toneOfVoice": "calm"}})  # no [I] wrapper
    )
    api_route(router, "GET", "/marketing-settings/point-of-view-options").mock(
        return_value=ok({"options": [{"pointOfViewValue": "FIRST_PERSON"}]})
    )
    (event,) = await site.query_events(AWARE, AWARE)
    assert event.recurring_rule is not None and event.recurring_rule.frequency is None
    assert (await site.get_marketing_settings()).settings == {"toneOfVoice": "calm"}
    assert [o.point_of_view_key for o in await site.get_point_of_view_options()] == ["FIRST_PERSON"]
    assert site.notes == []


@pytest.mark.parametrize(
    ("path", "verb", "call"),
    [
        ("/events/query", "POST", lambda s: s.query_events(AWARE, AWARE)),
        ("/marketing-settings/calendar-options", "GET", lambda s: s.get_calendar_options()),
        ("/marketing-activity-posts", "POST", lambda s: s.get_marketing_activity_posts([A1])),
        ("/marketing-plan/schedule-drafts", "POST", lambda s: s.schedule_drafts(["d1"])),
    ],
)
async def test_an_empty_answer_is_an_empty_list(
    path: str, verb: str, call: Call, router: respx.MockRouter, site: SiteClient
) -> None:
    api_route(router, verb, path).mock(return_value=ok({}))
    assert await call(site) == []


async def test_a_bad_activity_in_a_query_answer_is_skipped_with_a_note_naming_it(
    router: respx.MockRouter, site: SiteClient
) -> None:
    activities = [{"id": A1}, {"id": "a2", "targetDate": "next week"}]
    api_route(router, "POST", "/marketing-activities/query").mock(
        return_value=ok({"marketingActivities": activities})
    )
    assert [a.id for a in await site.query_marketing_activities()] == [A1]
    assert site.notes == [
        "QueryMarketingActivities: activity #2 (id 'a2') skipped: targetDate: Input should be "
        "a valid datetime or date, input is too short"
    ]


async def test_a_bad_draft_in_an_activitys_answer_to_a_change_is_skipped_with_a_note(
    router: respx.MockRouter, site: SiteClient
) -> None:
    drafts = [{"id": "d1", "status": "DRAFT"}, {"status": "DRAFT"}]
    api_route(router, "POST", "/marketing-plan/regenerate-marketing-activity-posts").mock(
        return_value=ok({"marketingActivity": {"items": drafts}})
    )
    snapshot = await site.regenerate_marketing_activity_posts(A1)
    assert [i.id for i in snapshot.items] == ["d1"]
    assert site.notes == [
        "RegenerateMarketingActivityPosts: activity draft #2 skipped: id: Field required"
    ]


async def test_a_bad_activity_or_draft_in_the_drafts_answer_is_skipped_with_a_note(
    router: respx.MockRouter, site: SiteClient
) -> None:
    activities = [
        {"marketingActivityId": A1, "items": [{"id": "d1"}, {"status": "DRAFT"}]},
        {"marketingActivityId": "a2", "items": "x"},
    ]
    api_route(router, "POST", "/marketing-activity-posts").mock(
        return_value=ok({"marketingActivities": activities})
    )
    (read,) = await site.get_marketing_activity_posts([A1, "a2"])
    assert [i.id for i in read.items] == ["d1"]
    assert site.notes == [
        "GetMarketingActivityPosts: activity draft #2 skipped: id: Field required",
        "GetMarketingActivityPosts: activity #2 (marketingActivityId 'a2') skipped: mpr "
        "expected 'items' to be a list; found members marketingActivityId (a string), "
        "items (a string)",
    ]


async def test_a_poll_that_reads_the_whole_plan_notes_a_bad_activity(
    router: respx.MockRouter, site: SiteClient
) -> None:
    activities = [{"marketingActivityId": A1}, {"marketingActivityId": "a2", "items": "x"}]
    api_route(router, "GET", "/marketing-plan").mock(
        return_value=ok({"status": "ACTIVE", "marketingActivities": activities})
    )
    plan = await site.get_social_marketing_plan(only_status_while="GENERATING")
    assert [a.marketing_activity_id for a in plan.marketing_activities] == [A1]
    assert site.notes == [
        "GetSocialMarketingPlan: activity #2 (marketingActivityId 'a2') skipped: mpr expected "
        "'items' to be a list; found members marketingActivityId (a string), items (a string)"
    ]


async def test_a_bad_item_in_the_schedule_answer_is_skipped_with_a_note(
    router: respx.MockRouter, site: SiteClient
) -> None:
    api_route(router, "POST", "/marketing-plan/schedule-drafts").mock(
        return_value=ok({"items": [{"id": "d1", "status": "SCHEDULED"}, {"status": "SCHEDULED"}]})
    )
    assert [i.id for i in await site.schedule_drafts(["d1", "d2"])] == ["d1"]
    assert site.notes == ["ScheduleDrafts: item #2 skipped: id: Field required"]


async def test_an_unreadable_event_whose_name_is_no_text_may_be_any_event(
    router: respx.MockRouter, site: SiteClient
) -> None:
    events = [{"id": "e1", "name": "Sale"}, {"id": "e2", "name": {"en": "Sale"}}, "odd"]
    api_route(router, "POST", "/events/query").mock(return_value=ok({"events": events}))
    assert [e.id for e in await site.query_events(AWARE, AWARE)] == ["e1"]
    assert site.unreadable_events == [None, None]


async def test_an_activity_with_video_candidates_and_no_drafts_is_read(
    router: respx.MockRouter, site: SiteClient
) -> None:
    # Wix omits an empty `items`; `videoCandidates` is another list, not drafts renamed.
    activities = [{"marketingActivityId": A1, "videoCandidates": [{"url": "https://v/1"}]}]
    api_route(router, "GET", "/marketing-plan").mock(
        return_value=ok({"status": "ACTIVE", "marketingActivities": activities})
    )
    plan = await site.get_social_marketing_plan()
    assert [(a.marketing_activity_id, a.items) for a in plan.marketing_activities] == [(A1, [])]
    assert site.notes == []
