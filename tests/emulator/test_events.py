"""Calendar Event V1 on the wire: create, update, delete, QueryEvents rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.emulator import Emulator, EmulatorConfig, ManualClock

from .support import CAL, app_code, make_client, site_fixture, violations

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def window(gte: str = "2026-08-01T00:00:00.000Z",
           lte: str = "2026-09-30T23:59:59.999Z") -> dict[str, Any]:
    return {"query": {"filter": {"date": {"$gte": gte, "$lte": lte}}}}


async def create(client: httpx.AsyncClient, **event: Any) -> dict[str, Any]:
    r = await client.post("/events", json={"calendarEvent": event})
    assert r.status_code == 200, r.text
    return dict(r.json()["calendarEvent"])


async def query(client: httpx.AsyncClient, body: dict[str, Any]) -> list[dict[str, Any]]:
    r = await client.post("/events/query", json=body)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"events"}
    return list(r.json()["events"])


async def test_create_returns_event_with_ids_and_dates(client: httpx.AsyncClient) -> None:
    event = await create(client, name="Store anniversary", description="10 years",
                         date="2026-09-20T00:00:00Z", id="ignored", readOnly=True)
    assert event["name"] == "Store anniversary" and event["description"] == "10 years"
    assert event["date"] == "2026-09-20T00:00:00.000Z"
    assert event["id"] != "ignored" and event["calendarId"] != CAL
    assert event["createdDate"] == event["updatedDate"] == "2026-11-27T09:00:00.000Z"
    assert "readOnly" not in event


async def test_recurring_rule_wins_over_date(client: httpx.AsyncClient) -> None:
    rule = {"frequency": "YEARLY", "startDate": "2026-09-20T00:00:00Z"}
    event = await create(client, name="Anniversary", date="2026-01-01T00:00:00Z",
                         recurringRule=rule)
    assert "date" not in event
    assert event["recurringRule"] == {"frequency": "YEARLY",
                                      "startDate": "2026-09-20T00:00:00.000Z"}


@pytest.mark.parametrize("event,field", [
    ({"name": "No when"}, "calendarEvent"),
    ({"date": "2026-09-20T00:00:00Z"}, "calendarEvent.name"),
    ({"name": "x" * 3001, "date": "2026-09-20T00:00:00Z"}, "calendarEvent.name"),
    ({"name": "Bad date", "date": "soon"}, "calendarEvent.date"),
    ({"name": "r", "recurringRule": {"frequency": "DAILY", "startDate": "2026-09-20T00:00:00Z"}},
     "calendarEvent.recurringRule.frequency"),
    ({"name": "r", "recurringRule": {"frequency": "WEEKLY", "startDate": "2026-09-20T00:00:00Z",
                                     "interval": 0}}, "calendarEvent.recurringRule.interval"),
])
async def test_create_validation(client: httpx.AsyncClient, event: dict[str, Any],
                                 field: str) -> None:
    r = await client.post("/events", json={"calendarEvent": event})
    assert (r.status_code, violations(r)) == (400, [field])


async def test_update_is_full_replacement_and_echoes_key(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    event = await create(client, name="Sale", description="d", date="2026-09-20T00:00:00Z")
    clock.advance(60)
    rule = {"frequency": "MONTHLY", "startDate": "2026-09-01T10:00:00Z", "interval": 2}
    for key in ("event", "calendarEvent"):
        r = await client.put(f"/events/{event['id']}",
                             json={key: {"name": f"Sale via {key}", "recurringRule": rule}})
        assert r.status_code == 200
        updated = r.json()[key]
        assert set(r.json()) == {key}
        assert updated["name"] == f"Sale via {key}" and "description" not in updated
        assert "date" not in updated and updated["recurringRule"]["interval"] == 2
        assert updated["createdDate"] == event["createdDate"]
        assert updated["updatedDate"] == "2026-11-27T09:01:00.000Z"


async def test_update_and_delete_unknown_is_428(client: httpx.AsyncClient) -> None:
    r = await client.put(f"/events/{UNKNOWN}",
                         json={"event": {"name": "x", "date": "2026-09-20T00:00:00Z"}})
    assert r.status_code == 428
    assert (await client.delete(f"/events/{UNKNOWN}")).status_code == 428


async def test_update_without_date_or_rule_is_400(client: httpx.AsyncClient) -> None:
    event = await create(client, name="Sale", date="2026-09-20T00:00:00Z")
    r = await client.put(f"/events/{event['id']}", json={"event": {"name": "Sale"}})
    assert r.status_code == 400


async def test_delete(client: httpx.AsyncClient) -> None:
    event = await create(client, name="Sale", date="2026-09-20T00:00:00Z")
    r = await client.delete(f"/events/{event['id']}")
    assert (r.status_code, r.json()) == (200, {})
    assert await query(client, window()) == []


async def test_query_window_and_order(client: httpx.AsyncClient) -> None:
    await create(client, name="late", date="2026-09-30T23:59:59.999Z")
    await create(client, name="early", date="2026-08-01T00:00:00Z")
    await create(client, name="outside", date="2026-10-01T00:00:00Z")
    await create(client, name="weekly", recurringRule={
        "frequency": "WEEKLY", "startDate": "2026-07-28T17:00:00Z"})
    await create(client, name="ended", recurringRule={
        "frequency": "WEEKLY", "startDate": "2026-01-01T00:00:00Z",
        "endDate": "2026-02-01T00:00:00Z"})
    events = await query(client, window())
    assert [e["name"] for e in events] == ["early", "weekly", "late"]
    weekly = events[1]
    assert weekly["recurringOccurrences"][0] == {"date": "2026-08-04T17:00:00.000Z"}
    assert len(weekly["recurringOccurrences"]) == 9
    assert all("recurringOccurrences" not in e for e in (events[0], events[2]))


async def test_query_caps(client: httpx.AsyncClient) -> None:
    for day in range(1, 29):
        for hour in range(4):
            await create(client, name=f"e{day}-{hour}",
                         date=f"2026-08-{day:02d}T{hour:02d}:00:00Z")
    await create(client, name="daily-ish", recurringRule={
        "frequency": "WEEKLY", "startDate": "2020-01-01T00:00:00Z"})
    events = await query(client, {"query": {
        "filter": {"date": {"$gte": "2020-01-01T00:00:00Z", "$lte": "2026-12-31T00:00:00Z"}},
        "paging": {"limit": 5}, "sort": [{"fieldName": "name", "order": "DESC"}]}})
    assert len(events) == 100
    assert events[0]["name"] == "daily-ish"
    assert len(events[0]["recurringOccurrences"]) == 100


@pytest.mark.parametrize("body", [
    {}, {"query": {"filter": {"date": {"$gte": "2026-08-01T00:00:00Z"}}}},
    {"query": {"filter": {"date": {"$lte": "2026-08-01T00:00:00Z"}}}},
    {"query": {"filter": {"date": {"$gte": "x", "$lte": "2026-08-01T00:00:00Z"}}}},
])
async def test_query_needs_both_bounds(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    r = await client.post("/events/query", json=body)
    assert r.status_code == 400
    assert violations(r)[0].startswith("query.filter.date.$")


async def test_connected_calendar_events_are_read_only(clock: ManualClock) -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True), clock)
    emu.load_fixtures({"sites": [site_fixture(events=[
        {"name": "Google event", "date": "2026-08-10T00:00:00Z", "readOnly": True}])]})
    async with make_client(emu) as client:
        events = await query(client, window())
        assert [(e["name"], e["calendarId"]) for e in events] == [("Google event", CAL)]
        assert "readOnly" not in events[0]  # none documented: told by its calendarId
        r = await client.put(f"/events/{events[0]['id']}",
                             json={"event": {"name": "x", "date": "2026-08-10T00:00:00Z"}})
        assert (r.status_code, app_code(r)) == (428, "EVENT_READ_ONLY")
        r = await client.delete(f"/events/{events[0]['id']}")
        assert (r.status_code, app_code(r)) == (428, "EVENT_READ_ONLY")
