"""Marketing Activity V1's create, get and query routes over a real socket (SPEC §3.3, as
corrected on 2026-11-27): the client's requests reach the emulator's routes, the filters
combine as documented, and the create path guessed before (POST /items) is a 404."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest

from reconciler.emulator import API_PREFIX, Emulator, ManualClock
from reconciler.errors import InvalidArgument, NotFound
from reconciler.wix import MarketingActivity, SiteClient

from .support import KEY, MISSING_ID, SITE, TODAY, active_plan, logged

NEW = {
    "title": "Flash sale reminder",
    "description": "Remind followers the sale ends Sunday.",
    "targetDate": TODAY + timedelta(days=12),
    "marketingActivityType": "SOCIAL_MARKETING",
}
ALL_TOOLS = ["SOCIAL_MARKETING", "BLOGS", "EMAIL_MARKETING"]


@pytest.fixture
async def raw(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Plain HTTP to the same server, for requests the client refuses to send."""
    headers = {"Authorization": KEY, "wix-site-id": SITE}
    async with httpx.AsyncClient(base_url=base_url + API_PREFIX, headers=headers) as client:
        yield client


def target_date(activity: MarketingActivity) -> datetime:
    """The activity's date: every activity of a generated plan has one."""
    assert activity.target_date is not None, activity
    return activity.target_date


async def _plan_with_every_tool(site: SiteClient, clock: ManualClock) -> list[MarketingActivity]:
    await site.upsert_marketing_settings(
        {"settings": {"marketingTools": ALL_TOOLS}}, ["settings.marketingTools"]
    )
    await active_plan(site, clock)
    everything = await site.query_marketing_activities()
    assert {a.marketing_activity_type for a in everything} == {
        "SOCIAL_MARKETING",
        "BLOG",
        "EMAIL_MARKETING",
    }
    return everything


async def test_create_get_and_query_reach_their_routes(
    site: SiteClient, clock: ManualClock, emulator: Emulator
) -> None:
    await active_plan(site, clock)
    created = await site.create_marketing_activity(NEW)
    assert created.id and created.target_date == NEW["targetDate"]
    got = await site.get_marketing_activity(created.id)
    assert got == created
    (found,) = await site.query_marketing_activities(ids=[created.id])
    assert found == created
    paths = {
        name: [(r.method, r.path, r.query, r.status) for r in logged(emulator, name)]
        for name in ("CreateMarketingActivity", "GetMarketingActivity", "QueryMarketingActivities")
    }
    assert paths == {
        "CreateMarketingActivity": [("POST", API_PREFIX + "/marketing-activity", {}, 200)],
        "GetMarketingActivity": [
            ("GET", API_PREFIX + "/marketing-activity", {"id": created.id}, 200)
        ],
        "QueryMarketingActivities": [("POST", API_PREFIX + "/marketing-activities/query", {}, 200)],
    }
    assert [r.mutating for r in emulator.requests if r.operation in paths] == [True, False, False]


async def test_the_old_create_path_answers_404_and_creates_nothing(
    site: SiteClient, clock: ManualClock, raw: httpx.AsyncClient, emulator: Emulator
) -> None:
    await active_plan(site, clock)
    before = await site.query_marketing_activities()
    body = {"marketingActivity": {**NEW, "targetDate": "2026-12-05T09:00:00.000Z"}}
    answer = await raw.post("/items", json=body)
    assert answer.status_code == 404
    assert answer.json()["details"]["applicationError"]["code"] == "NOT_FOUND"
    assert await site.query_marketing_activities() == before
    assert logged(emulator, "CreateMarketingActivity") == []


async def test_get_an_unknown_id_is_not_found(site: SiteClient, clock: ManualClock) -> None:
    await active_plan(site, clock)
    with pytest.raises(NotFound) as caught:
        await site.get_marketing_activity(MISSING_ID)
    assert caught.value.status == 404


async def test_query_filter_combinations(site: SiteClient, clock: ManualClock) -> None:
    everything = await _plan_with_every_tool(site, clock)
    dates = [target_date(a) for a in everything]
    assert dates == sorted(dates)
    start, end = dates[3], dates[-4]
    inside = [a for a, when in zip(everything, dates, strict=True) if start <= when <= end]
    blogs = [a for a in everything if a.marketing_activity_type == "BLOG"]

    assert await site.query_marketing_activities(start=start, end=end) == inside  # inclusive
    assert await site.query_marketing_activities(start=start) == everything[3:]
    assert await site.query_marketing_activities(end=end) == everything[:-3]
    assert await site.query_marketing_activities(activity_type="BLOG") == blogs
    assert await site.query_marketing_activities(
        start=start, end=end, activity_type="EMAIL_MARKETING"
    ) == [a for a in inside if a.marketing_activity_type == "EMAIL_MARKETING"]
    assert await site.query_marketing_activities(start=end, end=start) == []
    last, first = everything[-1].id, everything[0].id
    assert last is not None and first is not None
    wanted = [last, MISSING_ID, first]
    assert await site.query_marketing_activities(ids=wanted) == [everything[0], everything[-1]]


async def test_query_agrees_with_the_plan_read(site: SiteClient, clock: ManualClock) -> None:
    everything = await _plan_with_every_tool(site, clock)
    start, end = TODAY + timedelta(days=5), TODAY + timedelta(days=20)
    plan = await site.get_social_marketing_plan(start, end)
    queried = await site.query_marketing_activities(start=start, end=end)
    assert [(a.id, a.target_date, a.title, a.marketing_activity_type) for a in queried] == [
        (p.marketing_activity_id, p.date, p.title, p.marketing_activity_type)
        for p in plan.marketing_activities
    ]
    assert 0 < len(queried) < len(everything)


@pytest.mark.parametrize(
    "other",
    [
        {"startDate": "2026-11-23T00:00:00.000Z"},
        {"endDate": "2026-12-31T00:00:00.000Z"},
        {"marketingActivityType": "BLOG"},
        {"startDate": "2026-11-23T00:00:00.000Z", "marketingActivityType": "BLOG"},
    ],
)
async def test_ids_with_any_other_filter_is_400(
    site: SiteClient,
    clock: ManualClock,
    raw: httpx.AsyncClient,
    other: dict[str, str],
) -> None:
    await active_plan(site, clock)
    some = (await site.query_marketing_activities())[0].id
    body = {"query": {"filter": {"ids": [some], **other}}}
    answer = await raw.post("/marketing-activities/query", json=body)
    assert answer.status_code == 400
    violations = answer.json()["details"]["validationError"]["fieldViolations"]
    assert [v["field"] for v in violations] == ["query.filter.ids"]


async def test_the_client_refuses_ids_with_another_filter_unsent(
    site: SiteClient, clock: ManualClock, emulator: Emulator
) -> None:
    await active_plan(site, clock)
    with pytest.raises(ValueError, match="ids cannot be combined"):
        await site.query_marketing_activities(ids=[MISSING_ID], activity_type="BLOG")
    assert logged(emulator, "QueryMarketingActivities") == []


async def test_query_stays_sorted_by_target_date_after_an_update(
    site: SiteClient, clock: ManualClock
) -> None:
    await active_plan(site, clock)
    first = (await site.query_marketing_activities())[0]
    assert first.id
    later = TODAY + timedelta(days=200)
    await site.update_marketing_activity(first.id, {"targetDate": later}, ["targetDate"])
    after = await site.query_marketing_activities()
    assert after[-1].id == first.id and after[-1].target_date == later
    assert [target_date(a) for a in after] == sorted(target_date(a) for a in after)


async def test_read_only_objects_reach_the_client_as_sent(
    site: SiteClient, clock: ManualClock, raw: httpx.AsyncClient
) -> None:
    everything = await _plan_with_every_tool(site, clock)
    blog = next(a for a in everything if a.marketing_activity_type == "BLOG")
    assert blog.id
    on_the_wire = (await raw.get("/marketing-activity", params={"id": blog.id})).json()
    assert (
        blog.model_dump(mode="json", by_alias=True, exclude_none=True)
        == on_the_wire["marketingActivity"]
    )
    assert blog.blog_seo_data is not None and blog.source is not None
    assert blog.blog_seo_data.model_extra is not None
    keyword = blog.blog_seo_data.model_extra["primaryKeyword"]
    assert blog.source.model_extra == {"type": "KEYWORDS", "keywords": [keyword]}
    assert all(a.blog_seo_data is None for a in everything if a.marketing_activity_type != "BLOG")
    created = await site.create_marketing_activity(NEW)
    assert (created.asset, created.blog_seo_data, created.source) == (None, None, None)


@pytest.mark.parametrize("field", ["title", "description"])
async def test_3000_characters_at_most(site: SiteClient, clock: ManualClock, field: str) -> None:
    await active_plan(site, clock)
    longest = await site.create_marketing_activity({**NEW, field: "x" * 3000})
    assert len(getattr(longest, field)) == 3000
    with pytest.raises(InvalidArgument) as caught:
        await site.create_marketing_activity({**NEW, field: "x" * 3001})
    assert [v.field for v in caught.value.violations] == [f"marketingActivity.{field}"]
