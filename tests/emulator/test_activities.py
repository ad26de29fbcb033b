"""Marketing Activity V1 on the wire: POST and GET /marketing-activity, PATCH /items/{id},
POST /marketing-activities/query (SPEC §3.3, 2026-11-27)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.emulator import Emulator, ManualClock

from .support import SITE, app_code, generated_plan, violations

ACTIVITY = {"title": "Flash sale reminder", "description": "Sale ends Sunday.",
            "targetDate": "2026-12-09T09:00:00Z", "marketingActivityType": "SOCIAL_MARKETING"}
MISSING = "00000000-0000-4000-8000-000000000000"
TOOLS = {"marketingSettings": {"settings": {"marketingTools": [
    "SOCIAL_MARKETING", "BLOGS", "EMAIL_MARKETING"]}}, "fieldMask": "settings.marketingTools"}


async def _create(client: httpx.AsyncClient, **change: Any) -> dict[str, Any]:
    r = await client.post("/marketing-activity", json={"marketingActivity": {**ACTIVITY, **change}})
    assert r.status_code == 200, r.text
    return dict(r.json()["marketingActivity"])


async def _query(client: httpx.AsyncClient, **flt: Any) -> list[dict[str, Any]]:
    r = await client.post("/marketing-activities/query", json={"query": {"filter": flt}})
    assert r.status_code == 200, r.text
    return list(r.json()["marketingActivities"])


# --- Create and Update ----------------------------------------------------------------------


async def test_create_needs_a_plan(client: httpx.AsyncClient) -> None:
    r = await client.post("/marketing-activity", json={"marketingActivity": ACTIVITY})
    assert (r.status_code, app_code(r)) == (428, "PLAN_NOT_FOUND")


async def test_the_old_create_path_is_not_found(
    client: httpx.AsyncClient, clock: ManualClock, emu: Emulator
) -> None:
    await generated_plan(client, clock)
    before = (await client.get("/marketing-plan")).json()
    r = await client.post("/items", json={"marketingActivity": ACTIVITY})
    assert (r.status_code, app_code(r)) == (404, "NOT_FOUND")
    assert (await client.get("/marketing-plan")).json() == before


async def test_create_joins_the_plan(client: httpx.AsyncClient, clock: ManualClock) -> None:
    await generated_plan(client, clock)
    created = await _create(client)
    assert created == {"id": created["id"], **ACTIVITY, "targetDate": "2026-12-09T09:00:00.000Z"}
    plan = (await client.get("/marketing-plan")).json()
    entry = next(a for a in plan["marketingActivities"]
                 if a["marketingActivityId"] == created["id"])
    assert entry["date"] == created["targetDate"] and entry["items"] == []
    r = await client.post("/marketing-activity", json=ACTIVITY)  # top-level fields work too
    assert r.status_code == 200


async def test_read_only_fields_sent_on_create_are_ignored(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    await generated_plan(client, clock)
    created = await _create(client, id=MISSING, source={"type": "MINE"}, asset={"id": "x"},
                            blogSeoData={"slug": "x"}, createdDate="2026-01-01T00:00:00Z")
    assert created["id"] != MISSING
    assert set(created) == {"id", "title", "description", "targetDate", "marketingActivityType"}


@pytest.mark.parametrize("change", [
    {"title": None}, {"description": ""}, {"targetDate": None},
    {"marketingActivityType": None}, {"marketingActivityType": "UNKNOWN"},
])
async def test_create_missing_fields_is_428(
    client: httpx.AsyncClient, clock: ManualClock, change: dict[str, Any]
) -> None:
    await generated_plan(client, clock)
    r = await client.post("/marketing-activity", json={"marketingActivity": {**ACTIVITY, **change}})
    assert r.status_code == 428


async def test_create_bad_values_are_400(client: httpx.AsyncClient) -> None:
    r = await client.post("/marketing-activity", json={"marketingActivity": {
        **ACTIVITY, "marketingActivityType": "PODCAST"}})
    assert (r.status_code, violations(r)) == (400, [
        "marketingActivity.marketingActivityType"])


@pytest.mark.parametrize("field", ["title", "description"])
async def test_title_and_description_hold_3000_characters(
    client: httpx.AsyncClient, clock: ManualClock, field: str
) -> None:
    await generated_plan(client, clock)
    created = await _create(client, **{field: "x" * 3000})
    assert len(created[field]) == 3000
    r = await client.post("/marketing-activity", json={"marketingActivity": {
        **ACTIVITY, field: "x" * 3001}})
    assert (r.status_code, violations(r)) == (400, [f"marketingActivity.{field}"])
    r = await client.patch(f"/items/{created['id']}", json={
        "marketingActivity": {field: "y" * 3001}, "fieldMask": field})
    assert (r.status_code, violations(r)) == (400, [f"marketingActivity.{field}"])
    got = (await client.get("/marketing-activity", params={"id": created["id"]})).json()
    assert got["marketingActivity"][field] == "x" * 3000


async def test_update_with_mask(client: httpx.AsyncClient, clock: ManualClock) -> None:
    await generated_plan(client, clock)
    created = await _create(client)
    clock.advance(30)
    r = await client.patch(f"/items/{created['id']}", json={
        "marketingActivity": {"targetDate": "2026-12-10T09:00:00Z", "title": "ignored",
                              "marketingActivityType": "BLOG"},
        "fieldMask": "targetDate"})
    updated = r.json()["marketingActivity"]
    assert updated == {**created, "targetDate": "2026-12-10T09:00:00.000Z"}  # type immutable
    r = await client.patch(f"/items/{created['id']}", json={
        "marketingActivity": {"marketingActivityType": "BLOG"},
        "fieldMask": "marketingActivityType"})
    assert (r.status_code, violations(r)) == (400, ["fieldMask"])
    r = await client.patch(f"/items/{created['id']}", json={
        "marketingActivity": {"title": "x"}, "fieldMask": ["title"]})
    assert r.json()["message"] == "Failed to parse request message"
    r = await client.patch(f"/items/{MISSING}", json={
        "marketingActivity": {"title": "x"}, "fieldMask": "title"})
    assert (r.status_code, app_code(r)) == (404, "NOT_FOUND")


# --- Get -------------------------------------------------------------------------------------


async def test_get_answers_what_create_and_update_answered(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    await generated_plan(client, clock)
    created = await _create(client)
    r = await client.get("/marketing-activity", params={"id": created["id"]})
    assert r.json() == {"marketingActivity": created}
    updated = (await client.patch(f"/items/{created['id']}", json={
        "marketingActivity": {"title": "Last call"}, "fieldMask": "title"})).json()
    r = await client.get("/marketing-activity", params={"id": created["id"]})
    assert r.json() == updated


async def test_get_an_unknown_id_is_404(client: httpx.AsyncClient, clock: ManualClock) -> None:
    await generated_plan(client, clock)
    r = await client.get("/marketing-activity", params={"id": MISSING})
    assert (r.status_code, app_code(r)) == (404, "NOT_FOUND")


@pytest.mark.parametrize("params", [{}, {"id": ""}, {"id": "not-a-guid"}])
async def test_get_a_missing_or_malformed_id_is_400(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    r = await client.get("/marketing-activity", params=params)
    assert (r.status_code, violations(r)) == (400, ["id"])


async def test_generated_activities_carry_the_read_only_objects(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    assert (await client.post("/marketing-settings", json=TOOLS)).status_code == 200
    await generated_plan(client, clock)
    found = await _query(client)
    kinds = {a["marketingActivityType"] for a in found}
    assert kinds == {"SOCIAL_MARKETING", "BLOG", "EMAIL_MARKETING"}
    for activity in found:
        assert activity["asset"] == {"type": "SITE", "id": SITE}
        assert activity["source"]["type"] in ("TOPIC", "KEYWORDS", "CALENDAR_EVENT")
        assert ("blogSeoData" in activity) == (activity["marketingActivityType"] == "BLOG")
        assert "createdDate" not in activity and "updatedDate" not in activity
    blog = next(a for a in found if a["marketingActivityType"] == "BLOG")
    keyword = blog["source"]["keywords"][0]
    assert blog["blogSeoData"]["primaryKeyword"] == keyword
    assert blog["blogSeoData"]["title"] == blog["title"]


async def test_an_event_with_a_3000_character_name_plans_activities_within_the_limit(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    name = "N" * 3000
    r = await client.post("/events", json={"calendarEvent": {
        "name": name, "date": "2026-12-01T10:00:00Z"}})
    assert r.status_code == 200
    await generated_plan(client, clock)
    (spotlight,) = [a for a in await _query(client) if a["source"]["type"] == "CALENDAR_EVENT"]
    assert len(spotlight["title"]) == 3000 and len(spotlight["description"]) == 3000
    assert spotlight["source"]["calendarEvent"]["name"] == name
    got = await client.get("/marketing-activity", params={"id": spotlight["id"]})
    assert got.json()["marketingActivity"] == spotlight


# --- Query -----------------------------------------------------------------------------------


async def test_query_filters_by_dates_inclusively_and_by_type(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    assert (await client.post("/marketing-settings", json=TOOLS)).status_code == 200
    await generated_plan(client, clock)
    everything = await _query(client)
    dates = [a["targetDate"] for a in everything]
    assert dates == sorted(dates) and len(everything) > 10
    first, last = everything[2]["targetDate"], everything[-3]["targetDate"]
    window = await _query(client, startDate=first, endDate=last)
    assert window == [a for a in everything if first <= a["targetDate"] <= last]
    assert window[0]["targetDate"] == first and window[-1]["targetDate"] == last
    blogs = await _query(client, marketingActivityType="BLOG")
    assert blogs and blogs == [a for a in everything if a["marketingActivityType"] == "BLOG"]
    late_email = await _query(client, startDate=first, marketingActivityType="EMAIL_MARKETING")
    assert late_email == [a for a in everything if a["targetDate"] >= first
                          and a["marketingActivityType"] == "EMAIL_MARKETING"]
    assert await _query(client, startDate=last, endDate=first) == []


async def test_query_by_ids_answers_known_ones_sorted_by_date(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    await generated_plan(client, clock)
    everything = await _query(client)
    early, late = everything[0], everything[5]
    found = await _query(client, ids=[late["id"], MISSING, early["id"], late["id"]])
    assert found == [early, late]


@pytest.mark.parametrize("other", [
    {"startDate": "2026-11-27T00:00:00Z"},
    {"endDate": "2026-12-31T00:00:00Z"},
    {"marketingActivityType": "BLOG"},
])
async def test_query_ids_with_another_filter_is_400(
    client: httpx.AsyncClient, clock: ManualClock, other: dict[str, str]
) -> None:
    await generated_plan(client, clock)
    some = (await _query(client))[0]["id"]
    r = await client.post("/marketing-activities/query",
                          json={"query": {"filter": {"ids": [some], **other}}})
    assert (r.status_code, violations(r)) == (400, ["query.filter.ids"])


@pytest.mark.parametrize(("flt", "field"), [
    ({"startDate": "next week"}, "query.filter.startDate"),
    ({"endDate": 5}, "query.filter.endDate"),
    ({"marketingActivityType": "UNKNOWN"}, "query.filter.marketingActivityType"),
    ({"ids": ["not-a-guid"]}, "query.filter.ids[0]"),
    ({"ids": "0d6a9c1e-3f42-4b7a-8e15-6c2b9d0e4a71"}, "query.filter.ids"),
    ({"title": "Flash sale"}, "query.filter.title"),
    ([], "query.filter"),
])
async def test_query_bad_filters_are_400(
    client: httpx.AsyncClient, flt: Any, field: str
) -> None:
    r = await client.post("/marketing-activities/query", json={"query": {"filter": flt}})
    assert (r.status_code, violations(r)) == (400, [field])


async def test_query_ignores_sort_and_paging_and_answers_everything(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    busy = {"marketingSettings": {"settings": {"frequency": {"interval": "WEEK", "count": 30}}},
            "fieldMask": "settings.frequency"}
    assert (await client.post("/marketing-settings", json=busy)).status_code == 200
    await generated_plan(client, clock)
    everything = await _query(client)
    assert len(everything) > 100  # more than QueryEvents' cap: there is no paging here
    r = await client.post("/marketing-activities/query", json={"query": {
        "sort": [{"fieldName": "targetDate", "order": "DESC"}],
        "paging": {"limit": 2, "offset": 3}, "cursorPaging": {"limit": 1}}})
    assert r.json()["marketingActivities"] == everything
    assert (await client.post("/marketing-activities/query", json={})).json()[
        "marketingActivities"] == everything


async def test_query_and_get_are_reads(
    client: httpx.AsyncClient, clock: ManualClock, emu: Emulator
) -> None:
    await generated_plan(client, clock)
    writes = len(emu.writes(SITE))
    some = (await _query(client, ids=[]))[0]["id"]  # an empty ids list is no filter
    await client.get("/marketing-activity", params={"id": some})
    assert len(emu.writes(SITE)) == writes


async def test_query_without_a_plan_answers_none(client: httpx.AsyncClient) -> None:
    assert await _query(client) == []
