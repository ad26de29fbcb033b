"""Post/story drafts on the wire: async generation, polling, scheduling, clearing, media."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from reconciler.emulator import Emulator, EmulatorConfig, ManualClock

from .support import SITE, app_code, generated_plan, make_client, site_fixture, violations

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def first_with_items(plan: dict[str, Any], story: bool = False) -> dict[str, Any]:
    return next(a for a in plan["marketingActivities"] if a["items"] and (
        not story or any(i["type"] == "STORY" for i in a["items"])))


def without_items(plan: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in plan["marketingActivities"] if not a["items"])


async def posts(client: httpx.AsyncClient, *ids: str) -> list[dict[str, Any]]:
    r = await client.post("/marketing-activity-posts", json={"marketingActivityIds": list(ids)})
    assert r.status_code == 200, r.text
    return list(r.json()["marketingActivities"])


async def test_generate_social_posts_is_asynchronous(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    target = without_items(plan)["marketingActivityId"]
    r = await client.post("/marketing-plan/generate-social-posts",
                          json={"marketingActivityIds": [target, UNKNOWN]})
    assert (r.status_code, r.json()) == (200, {})
    assert (await posts(client, target))[0]["items"] == []
    clock.advance(5)
    entry = (await posts(client, target, UNKNOWN))
    assert [e["marketingActivityId"] for e in entry] == [target]  # unknown id omitted
    assert len(entry[0]["items"]) >= 7
    assert entry[0]["videoCandidates"] == []
    in_plan = {a["marketingActivityId"]: a for a in
               (await client.get("/marketing-plan")).json()["marketingActivities"]}
    assert in_plan[target]["items"] == entry[0]["items"]


async def test_posts_reads_knob(clock: ManualClock) -> None:
    config = EmulatorConfig(lenient_auth=True, generation_seconds=0, posts_seconds=0, posts_reads=1)
    emu = Emulator(config, clock)
    emu.load_fixtures({"sites": [site_fixture()]})
    async with make_client(emu) as client:
        await client.post("/marketing-plan/generate-marketing-plan")
        plan = (await client.get("/marketing-plan")).json()
        target = without_items(plan)["marketingActivityId"]
        await client.post("/marketing-plan/generate-social-posts",
                          json={"marketingActivityIds": [target]})
        assert (await posts(client, target))[0]["items"] == []
        assert (await posts(client, target))[0]["items"]


async def test_posts_in_turn_knob_ends_one_job_per_polling_read(clock: ManualClock) -> None:
    config = EmulatorConfig(
        lenient_auth=True, generation_seconds=0, posts_seconds=0, posts_in_turn=True
    )
    emu = Emulator(config, clock)
    emu.load_fixtures({"sites": [site_fixture()]})
    async with make_client(emu) as client:
        await client.post("/marketing-plan/generate-marketing-plan")
        plan = (await client.get("/marketing-plan")).json()
        first, second = [a["marketingActivityId"] for a in plan["marketingActivities"]
                         if not a["items"]][:2]
        for target in (first, second):
            await client.post("/marketing-plan/generate-social-posts",
                              json={"marketingActivityIds": [target]})
        found = {e["marketingActivityId"]: bool(e["items"])
                 for e in await posts(client, first, second)}
        assert found == {first: True, second: False}
        found = {e["marketingActivityId"]: bool(e["items"])
                 for e in await posts(client, first, second)}
        assert found == {first: True, second: True}


@pytest.mark.parametrize("count", [0, 21])
async def test_generate_social_posts_bounds(client: httpx.AsyncClient, count: int) -> None:
    r = await client.post("/marketing-plan/generate-social-posts",
                          json={"marketingActivityIds": [UNKNOWN] * count})
    assert r.status_code == 400
    assert violations(r) == ["marketingActivityIds"]


async def test_ids_must_be_guids_and_get_posts_bounds(client: httpx.AsyncClient) -> None:
    r = await client.post("/marketing-plan/generate-social-posts",
                          json={"marketingActivityIds": ["not-a-guid"]})
    assert (r.status_code, violations(r)) == (400, ["marketingActivityIds[0]"])
    r = await client.post("/marketing-activity-posts", json={"marketingActivityIds": []})
    assert r.status_code == 400
    r = await client.post("/marketing-activity-posts",
                          json={"marketingActivityIds": [UNKNOWN] * 101})
    assert r.status_code == 400
    assert await posts(client, *([UNKNOWN] * 100)) == []


async def test_schedule_drafts_schedules_only_connected_drafts(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    activity = first_with_items(plan)
    ids = [i["id"] for i in activity["items"]]
    r = await client.post("/marketing-plan/schedule-drafts", json={"draftIds": ids})
    assert r.status_code == 200
    items = r.json()["items"]
    assert {i["channel"]["name"] for i in items} == {"FACEBOOK", "INSTAGRAM"}
    assert all(i["status"] == "SCHEDULED" and i["scheduledDate"] == activity["date"]
               for i in items)
    again = await client.post("/marketing-plan/schedule-drafts", json={"draftIds": ids})
    assert again.json() == {"items": []}  # non-DRAFT ids silently ignored
    after = (await posts(client, activity["marketingActivityId"]))[0]["items"]
    statuses = {i["channel"]["name"] + i["type"]: i["status"] for i in after}
    assert statuses["LINKEDINPOST"] == "DRAFT" and statuses["FACEBOOKPOST"] == "SCHEDULED"


async def test_schedule_skips_past_dated_drafts(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    activity = first_with_items(plan)
    clock.set(datetime.fromisoformat(activity["date"]).replace(hour=11))
    ids = [i["id"] for i in activity["items"]]
    r = await client.post("/marketing-plan/schedule-drafts", json={"draftIds": ids})
    assert r.json() == {"items": []}


async def test_twitter_drafts_after_sunset_are_skipped() -> None:
    clock = ManualClock(datetime(2026, 7, 20, 8, 0, tzinfo=UTC))
    emu = Emulator(EmulatorConfig(lenient_auth=True, generation_seconds=0), clock)
    emu.load_fixtures({"sites": [site_fixture(connectedChannels=["TWITTER"],
                                              premium={"postsHorizonDays": 20})]})
    async with make_client(emu) as client:
        await client.post("/marketing-plan/generate-marketing-plan")
        plan = (await client.get("/marketing-plan")).json()
        scheduled = {}
        for activity in plan["marketingActivities"]:
            tweet = [i["id"] for i in activity["items"] if i["channel"]["name"] == "TWITTER"]
            if tweet:
                r = await client.post("/marketing-plan/schedule-drafts", json={"draftIds": tweet})
                scheduled[activity["date"]] = bool(r.json()["items"])
    assert any(scheduled.values()) and not all(scheduled.values())
    assert all(ok == (day <= "2026-07-31T23:59:59.999Z") for day, ok in scheduled.items())


async def test_schedule_drafts_premium_denied_is_428(clock: ManualClock) -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True, generation_seconds=0), clock)
    emu.load_fixtures({"sites": [site_fixture(premium={"schedulePosts": False})]})
    async with make_client(emu) as client:
        r = await client.post("/marketing-plan/schedule-drafts",
                              json={"draftIds": ["11111111-0000-4000-8000-000000000000"]})
    assert (r.status_code, app_code(r)) == (428, "FEATURE_NOT_AVAILABLE")


@pytest.mark.parametrize("count", [0, 21])
async def test_schedule_drafts_bounds(client: httpx.AsyncClient, count: int) -> None:
    r = await client.post("/marketing-plan/schedule-drafts", json={"draftIds": [UNKNOWN] * count})
    assert (r.status_code, violations(r)) == (400, ["draftIds"])


async def test_clear_posts_keeps_stories_and_scheduled(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    activity = first_with_items(plan, story=True)
    facebook = next(i["id"] for i in activity["items"] if i["channel"]["name"] == "FACEBOOK")
    await client.post("/marketing-plan/schedule-drafts", json={"draftIds": [facebook]})
    body = {"marketingActivityId": activity["marketingActivityId"]}
    r = await client.patch("/marketing-plan/clear-marketing-activity-posts", json=body)
    assert (r.status_code, r.json()) == (200, {})
    left = (await posts(client, activity["marketingActivityId"]))[0]["items"]
    assert sorted((i["type"], i["status"]) for i in left) == [
        ("POST", "SCHEDULED"), ("STORY", "DRAFT")]
    await client.patch("/marketing-plan/clear-marketing-activity-stories", json=body)
    left = (await posts(client, activity["marketingActivityId"]))[0]["items"]
    assert [(i["type"], i["status"]) for i in left] == [("POST", "SCHEDULED")]


@pytest.mark.parametrize("method,path", [
    ("PATCH", "clear-marketing-activity-posts"), ("PATCH", "clear-marketing-activity-stories"),
    ("POST", "regenerate-marketing-activity-posts"),
    ("POST", "regenerate-marketing-activity-posts-media"),
    ("POST", "regenerate-marketing-activity-stories"),
    ("PATCH", "update-marketing-activity-posts-media"),
    ("PATCH", "update-marketing-activity-stories-media"),
])
async def test_per_activity_methods_unknown_and_missing_ids(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    url = f"/marketing-plan/{path}"
    body = {"marketingActivityId": UNKNOWN, "mediaUrl": "https://x/y.jpg"}
    r = await client.request(method, url, json=body)
    assert (r.status_code, app_code(r)) == (404, "NOT_FOUND")
    r = await client.request(method, url, json={})
    assert (r.status_code, violations(r)) == (400, ["marketingActivityId"])


async def test_regenerate_posts_answers_snapshot_then_changes(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    activity = first_with_items(plan)
    body = {"marketingActivityId": activity["marketingActivityId"]}
    r = await client.post("/marketing-plan/regenerate-marketing-activity-posts", json=body)
    assert r.json()["marketingActivity"]["items"] == activity["items"]  # transient snapshot
    clock.advance(5)
    new = (await posts(client, activity["marketingActivityId"]))[0]["items"]
    old_fb = next(i for i in activity["items"] if i["channel"]["name"] == "FACEBOOK")
    new_fb = next(i for i in new if i["id"] == old_fb["id"])
    assert new_fb["facebookPost"]["caption"] != old_fb["facebookPost"]["caption"]
    assert new_fb["facebookPost"]["mediaWrapper"] != old_fb["facebookPost"]["mediaWrapper"]


async def test_regenerate_media_keeps_captions(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    activity = first_with_items(plan)
    await client.post("/marketing-plan/regenerate-marketing-activity-posts-media",
                      json={"marketingActivityId": activity["marketingActivityId"]})
    clock.advance(5)
    new = (await posts(client, activity["marketingActivityId"]))[0]["items"]
    assert [i["facebookPost"]["caption"] for i in new if "facebookPost" in i] == [
        i["facebookPost"]["caption"] for i in activity["items"] if "facebookPost" in i]
    assert new[0]["facebookPost"]["mediaWrapper"] != activity["items"][0]["facebookPost"][
        "mediaWrapper"]


async def test_regenerate_stories_without_story_is_final_snapshot(
    client: httpx.AsyncClient, clock: ManualClock, emu: Emulator
) -> None:
    plan = await generated_plan(client, clock)
    activity = first_with_items(plan)
    assert not any(i["type"] == "STORY" for i in activity["items"])
    r = await client.post("/marketing-plan/regenerate-marketing-activity-stories",
                          json={"marketingActivityId": activity["marketingActivityId"]})
    assert r.json() == {"marketingActivity": {
        "marketingActivityId": activity["marketingActivityId"], "items": activity["items"],
        "videoCandidates": []}}
    assert emu.snapshot(SITE)["pendingPostJobs"] == []


async def test_update_media_is_synchronous(client: httpx.AsyncClient, clock: ManualClock) -> None:
    plan = await generated_plan(client, clock)
    activity = first_with_items(plan, story=True)
    aid = activity["marketingActivityId"]
    r = await client.patch("/marketing-plan/update-marketing-activity-posts-media",
                           json={"marketingActivityId": aid, "mediaUrl": "https://m/new.jpg"})
    items = r.json()["marketingActivity"]["items"]
    assert all(i["facebookPost"]["mediaWrapper"]["media"] == [
        {"type": "IMAGE", "url": "https://m/new.jpg"}] for i in items if "facebookPost" in i)
    story = next(i for i in items if i["type"] == "STORY")
    assert story["instagramStory"]["mediaWrapper"]["media"][0]["url"] != "https://m/new.jpg"
    r = await client.patch("/marketing-plan/update-marketing-activity-stories-media",
                           json={"marketingActivityId": aid, "mediaUrl": "https://m/s.mp4",
                                 "mediaIndex": 3})
    story = next(i for i in r.json()["marketingActivity"]["items"] if i["type"] == "STORY")
    assert len(story["instagramStory"]["mediaWrapper"]["media"]) == 1  # no frame 3: unchanged
    assert story["instagramStory"]["mediaWrapper"]["media"][0]["url"] != "https://m/s.mp4"
    r = await client.patch("/marketing-plan/update-marketing-activity-stories-media",
                           json={"marketingActivityId": aid, "mediaUrl": "https://m/s.mp4",
                                 "mediaIndex": 0})
    story = next(i for i in r.json()["marketingActivity"]["items"] if i["type"] == "STORY")
    assert story["instagramStory"]["mediaWrapper"]["media"] == [
        {"type": "VIDEO", "url": "https://m/s.mp4"}]
    r = await client.patch("/marketing-plan/update-marketing-activity-posts-media",
                           json={"marketingActivityId": aid})
    assert (r.status_code, violations(r)) == (400, ["mediaUrl"])


async def test_generate_posts_replaces_drafts_and_keeps_scheduled(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    activity = first_with_items(plan)
    facebook = next(i for i in activity["items"] if i["channel"]["name"] == "FACEBOOK")
    await client.post("/marketing-plan/schedule-drafts", json={"draftIds": [facebook["id"]]})
    await client.post("/marketing-plan/generate-social-posts",
                      json={"marketingActivityIds": [activity["marketingActivityId"]]})
    clock.advance(5)
    items = (await posts(client, activity["marketingActivityId"]))[0]["items"]
    old_ids = {i["id"] for i in activity["items"]}
    assert [i["id"] for i in items if i["id"] in old_ids] == [facebook["id"]]
    assert len([i for i in items if i["status"] == "DRAFT"]) == 7


async def test_regenerate_stories_changes_story_media_only(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    activity = first_with_items(plan, story=True)
    await client.post("/marketing-plan/regenerate-marketing-activity-stories",
                      json={"marketingActivityId": activity["marketingActivityId"]})
    clock.advance(5)
    items = (await posts(client, activity["marketingActivityId"]))[0]["items"]
    before = {i["id"]: i for i in activity["items"]}
    for item in items:
        changed = item != before[item["id"]]
        assert changed == (item["type"] == "STORY")
