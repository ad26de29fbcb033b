"""Marketing Settings V1 on the wire: get, field-mask upsert, defaults, options."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.emulator import ManualClock

from .support import CAL, SITE, app_code, violations


async def upsert(client: httpx.AsyncClient, settings: dict[str, Any], mask: Any,
                 overrides: dict[str, Any] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"settings": settings}
    if overrides is not None:
        body["overrides"] = overrides
    return await client.post("/marketing-settings",
                             json={"marketingSettings": body, "fieldMask": mask})


async def stored(client: httpx.AsyncClient) -> dict[str, Any]:
    return dict((await client.get("/marketing-settings")).json()["marketingSettings"])


async def test_fresh_site_has_only_derived_fields(client: httpx.AsyncClient) -> None:
    r = await client.get("/marketing-settings", params={"fieldSet": "ANYTHING"})
    assert r.json() == {"marketingSettings": {
        "id": SITE,
        "settings": {"language": "en", "businessLocation": {}, "targetLocations": []},
        "overrides": {}}}


async def test_upsert_changes_only_masked_paths(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    r = await upsert(client, {"toneOfVoice": "friendly", "pointOfView": "FIRST_PERSON",
                              "marketingPlanGoal": {"goalKey": "DRIVE_TRAFFIC"}},
                     "settings.toneOfVoice,settings.marketingPlanGoal",
                     {"blogs": {"frequency": {"interval": "MONTH", "count": 2}}})
    assert r.status_code == 200
    body = r.json()["marketingSettings"]
    assert body["createdAt"] == body["updatedAt"] == "2026-11-27T09:00:00.000Z"
    assert body["settings"] == {"toneOfVoice": "friendly",
                                "marketingPlanGoal": {"goalKey": "DRIVE_TRAFFIC"},
                                "language": "en", "businessLocation": {}, "targetLocations": []}
    assert body["overrides"] == {}
    clock.advance(60)
    r = await upsert(client, {}, "overrides.blogs.frequency",
                     {"blogs": {"frequency": {"interval": "MONTH", "count": 2}}})
    body = r.json()["marketingSettings"]
    assert body["overrides"] == {"blogs": {"frequency": {"interval": "MONTH", "count": 2}}}
    assert body["settings"]["toneOfVoice"] == "friendly"
    assert (body["createdAt"], body["updatedAt"]) == (
        "2026-11-27T09:00:00.000Z", "2026-11-27T09:01:00.000Z")
    assert await stored(client) == body


async def test_masked_null_or_empty_clears(client: httpx.AsyncClient) -> None:
    await upsert(client, {"toneOfVoice": "x", "socialChannels": ["FACEBOOK"]},
                 "settings.toneOfVoice,settings.socialChannels",
                 {"blogs": {"frequency": {"interval": "WEEK", "count": 1}}})
    await upsert(client, {"toneOfVoice": None, "socialChannels": []},
                 "settings.toneOfVoice,settings.socialChannels")
    r = await upsert(client, {}, "overrides.blogs.frequency", {"blogs": {"frequency": None}})
    body = r.json()["marketingSettings"]
    assert "toneOfVoice" not in body["settings"] and "socialChannels" not in body["settings"]
    assert body["overrides"] == {}


@pytest.mark.parametrize("mask", [["settings.toneOfVoice"], {"paths": ["settings.toneOfVoice"]}])
async def test_field_mask_must_be_a_string(client: httpx.AsyncClient, mask: Any) -> None:
    r = await upsert(client, {"toneOfVoice": "x"}, mask)
    assert r.status_code == 400
    assert r.json()["message"] == "Failed to parse request message"


async def test_mask_path_absent_from_body_is_428(client: httpx.AsyncClient) -> None:
    r = await upsert(client, {"toneOfVoice": "x"}, "settings.toneOfVoice,settings.pointOfView")
    assert (r.status_code, app_code(r)) == (428, "INVALID_FIELD_MASK_ERROR")
    assert "toneOfVoice" not in (await stored(client))["settings"]  # nothing applied


@pytest.mark.parametrize("settings,field", [
    ({"pointOfView": "FOURTH_PERSON"}, "marketingSettings.settings.pointOfView"),
    ({"frequency": {"interval": "WEEK", "count": 31}},
     "marketingSettings.settings.frequency.count"),
    ({"frequency": {"interval": "DAY", "count": 1}},
     "marketingSettings.settings.frequency.interval"),
    ({"marketingTools": ["BLOG"]}, "marketingSettings.settings.marketingTools[0]"),
    ({"socialChannels": ["YOUTUBE"]}, "marketingSettings.settings.socialChannels[0]"),
    ({"marketingPlanGoal": {"goalKey": "WIN"}},
     "marketingSettings.settings.marketingPlanGoal.goalKey"),
    ({"toneOfVoice": 3}, "marketingSettings.settings.toneOfVoice"),
    ({"colour": "red"}, "marketingSettings.settings.colour"),
])
async def test_invalid_values_are_400_naming_the_field(
    client: httpx.AsyncClient, settings: dict[str, Any], field: str
) -> None:
    key = next(iter(settings))
    r = await upsert(client, settings, f"settings.{key}")
    assert r.status_code == 400
    assert violations(r) == [field]


async def test_missing_mask_or_settings_is_400(client: httpx.AsyncClient) -> None:
    r = await client.post("/marketing-settings", json={"marketingSettings": {"settings": {}}})
    assert (r.status_code, violations(r)) == (400, ["fieldMask"])
    r = await client.post("/marketing-settings", json={"fieldMask": "settings.toneOfVoice"})
    assert (r.status_code, violations(r)) == (400, ["marketingSettings"])


async def test_read_only_fields_are_ignored(client: httpx.AsyncClient) -> None:
    r = await upsert(client, {"language": "fr", "businessLocation": {"city": "Paris"},
                              "toneOfVoice": "calm"},
                     "settings.language,settings.businessLocation,settings.toneOfVoice")
    body = r.json()["marketingSettings"]["settings"]
    assert body["language"] == "en" and body["businessLocation"] == {}
    assert body["toneOfVoice"] == "calm"


async def test_whole_settings_path(client: httpx.AsyncClient) -> None:
    await upsert(client, {"toneOfVoice": "a"}, "settings.toneOfVoice")
    r = await upsert(client, {"imageGuidelines": "bright"}, "settings")
    body = r.json()["marketingSettings"]["settings"]
    assert "toneOfVoice" not in body and body["imageGuidelines"] == "bright"


async def test_defaults(client: httpx.AsyncClient) -> None:
    r = await client.get("/marketing-settings/defaults")
    assert r.json() == {"marketingSettings": {"settings": {
        "socialChannels": ["FACEBOOK", "INSTAGRAM"], "calendar": {"ids": []},
        "marketingPlanGoal": {"goalKey": "BRAND_AWARENESS"},
        "frequency": {"interval": "WEEK", "count": 3}}}}
    r = await client.get("/marketing-settings/defaults",
                         params={"fieldMask": "marketingPlanGoal,socialChannels"})
    assert set(r.json()["marketingSettings"]["settings"]) == {"marketingPlanGoal",
                                                              "socialChannels"}
    r = await client.get("/marketing-settings/defaults", params={"fieldMask": "toneOfVoice"})
    assert (r.status_code, violations(r)) == (400, ["fieldMask"])


async def test_options(client: httpx.AsyncClient) -> None:
    goals = (await client.get("/marketing-settings/plan-goal-options")).json()["options"]
    assert [g["planGoalKey"] for g in goals] == [
        "DRIVE_TRAFFIC", "BRAND_AWARENESS", "BOOST_SALES", "COLLECT_LEADS"]
    assert all(g["title"] and g["description"] for g in goals)
    povs = (await client.get("/marketing-settings/point-of-view-options")).json()["options"]
    assert [p["pointOfViewKey"] for p in povs] == [
        "FIRST_PERSON", "SECOND_PERSON", "THIRD_PERSON"]
    cals = (await client.get("/marketing-settings/calendar-options")).json()
    assert cals == {"options": [{"id": CAL, "name": "US holidays", "title": "US holidays"}]}
