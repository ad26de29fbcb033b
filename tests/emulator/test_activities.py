"""Marketing Activity V1 on the wire: POST /items and PATCH /items/{id}."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.emulator import ManualClock

from .support import app_code, generated_plan, violations

ACTIVITY = {"title": "Flash sale reminder", "description": "Sale ends Sunday.",
            "targetDate": "2026-12-09T09:00:00Z", "marketingActivityType": "SOCIAL_MARKETING"}


async def test_create_needs_a_plan(client: httpx.AsyncClient) -> None:
    r = await client.post("/items", json={"marketingActivity": ACTIVITY})
    assert (r.status_code, app_code(r)) == (428, "PLAN_NOT_FOUND")


async def test_create_joins_the_plan(client: httpx.AsyncClient, clock: ManualClock) -> None:
    await generated_plan(client, clock)
    r = await client.post("/items", json={"marketingActivity": ACTIVITY})
    assert r.status_code == 200
    created = r.json()["marketingActivity"]
    assert created["targetDate"] == "2026-12-09T09:00:00.000Z"
    assert {k: created[k] for k in ("title", "description", "marketingActivityType")} == {
        k: ACTIVITY[k] for k in ("title", "description", "marketingActivityType")}
    plan = (await client.get("/marketing-plan")).json()
    entry = next(a for a in plan["marketingActivities"]
                 if a["marketingActivityId"] == created["id"])
    assert entry["date"] == created["targetDate"] and entry["items"] == []
    r = await client.post("/items", json=ACTIVITY)  # fields at top level are accepted too
    assert r.status_code == 200


@pytest.mark.parametrize("change", [
    {"title": None}, {"description": ""}, {"targetDate": None},
    {"marketingActivityType": None}, {"marketingActivityType": "UNKNOWN"},
])
async def test_create_missing_fields_is_428(
    client: httpx.AsyncClient, clock: ManualClock, change: dict[str, Any]
) -> None:
    await generated_plan(client, clock)
    r = await client.post("/items", json={"marketingActivity": {**ACTIVITY, **change}})
    assert r.status_code == 428


async def test_create_bad_values_are_400(client: httpx.AsyncClient) -> None:
    r = await client.post("/items", json={"marketingActivity": {
        **ACTIVITY, "marketingActivityType": "PODCAST"}})
    assert (r.status_code, violations(r)) == (400, [
        "marketingActivity.marketingActivityType"])


async def test_update_with_mask(client: httpx.AsyncClient, clock: ManualClock) -> None:
    await generated_plan(client, clock)
    created = (await client.post("/items", json={"marketingActivity": ACTIVITY})).json()[
        "marketingActivity"]
    clock.advance(30)
    r = await client.patch(f"/items/{created['id']}", json={
        "marketingActivity": {"targetDate": "2026-12-10T09:00:00Z", "title": "ignored",
                              "marketingActivityType": "BLOG"},
        "fieldMask": "targetDate"})
    updated = r.json()["marketingActivity"]
    assert updated["targetDate"] == "2026-12-10T09:00:00.000Z"
    assert updated["title"] == ACTIVITY["title"]
    assert updated["marketingActivityType"] == "SOCIAL_MARKETING"  # immutable
    assert updated["createdDate"] == "2026-11-27T09:00:30.000Z"
    assert updated["updatedDate"] == "2026-11-27T09:01:00.000Z"
    r = await client.patch(f"/items/{created['id']}", json={
        "marketingActivity": {"marketingActivityType": "BLOG"},
        "fieldMask": "marketingActivityType"})
    assert (r.status_code, violations(r)) == (400, ["fieldMask"])
    r = await client.patch(f"/items/{created['id']}", json={
        "marketingActivity": {"title": "x"}, "fieldMask": ["title"]})
    assert r.json()["message"] == "Failed to parse request message"
    r = await client.patch("/items/00000000-0000-4000-8000-000000000000", json={
        "marketingActivity": {"title": "x"}, "fieldMask": "title"})
    assert (r.status_code, app_code(r)) == (404, "NOT_FOUND")
