"""What reaches a generated plan: events, topics, frequency, tools, posts, horizon."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from reconciler.emulator import Emulator, EmulatorConfig, ManualClock

from .support import HEADERS, SITE, START, generated_plan, make_client, site_fixture

CONTENT_KEYS = {
    "FACEBOOK": "facebookPost", "INSTAGRAM": "instagramPost", "LINKEDIN": "linkedinPost",
    "PINTEREST": "pinterestPost", "GBP": "gbpPost", "TIKTOK": "tiktokPhoto",
    "TWITTER": "twitterPost",
}


async def plan_for(clock: ManualClock, **site: Any) -> dict[str, Any]:
    emu = Emulator(EmulatorConfig(lenient_auth=True, generation_seconds=0, seed=1), clock)
    emu.load_fixtures({"sites": [site_fixture(**site)]})
    async with make_client(emu) as client:
        await client.post("/marketing-plan/generate-marketing-plan")
        return dict((await client.get("/marketing-plan")).json())


def by_type(plan: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [a for a in plan["marketingActivities"] if a["marketingActivityType"] == kind]


async def test_activities_cover_today_to_end_of_next_month_at_nine(clock: ManualClock) -> None:
    plan = await plan_for(clock)
    dates = [datetime.fromisoformat(a["date"]) for a in plan["marketingActivities"]]
    assert min(dates).date() >= START.date()
    assert max(dates) <= datetime(2026, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
    assert max(dates).month == 12
    assert all(d.hour == 9 for d in dates)
    for activity in plan["marketingActivities"]:
        assert set(activity) >= {"marketingActivityId", "date", "title", "description",
                                 "marketingActivityType", "items"}
        assert activity["date"].endswith(".000Z")


async def test_default_is_three_social_activities_per_week(clock: ManualClock) -> None:
    plan = await plan_for(clock)
    social = by_type(plan, "SOCIAL_MARKETING")
    weeks = Counter(datetime.fromisoformat(a["date"]).isocalendar()[1] for a in social)
    assert weeks[50] == 3 and weeks[51] == 3  # full weeks in December
    assert {a["marketingActivityType"] for a in plan["marketingActivities"]} == {
        "SOCIAL_MARKETING"}


async def test_frequency_override_wins_over_settings(clock: ManualClock) -> None:
    plan = await plan_for(
        clock, settings={"frequency": {"interval": "WEEK", "count": 2}},
        overrides={"socialMarketing": {"frequency": {"interval": "WEEK", "count": 5}}})
    weeks = Counter(datetime.fromisoformat(a["date"]).isocalendar()[1]
                    for a in by_type(plan, "SOCIAL_MARKETING"))
    assert weeks[50] == 5
    plan = await plan_for(clock, settings={"frequency": {"interval": "MONTH", "count": 4}})
    december = [a for a in by_type(plan, "SOCIAL_MARKETING") if a["date"][5:7] == "12"]
    assert len(december) == 4


async def test_calendar_events_reach_the_plan(clock: ManualClock) -> None:
    events = [
        {"name": "Store anniversary", "date": "2026-12-10T00:00:00Z"},
        {"name": "Weekly live Q&A", "recurringRule": {
            "frequency": "WEEKLY", "startDate": "2026-12-01T17:00:00Z",
            "endDate": "2026-12-20T00:00:00Z"}},
        {"name": "Too late", "date": "2027-03-01T00:00:00Z"},
    ]
    plan = await plan_for(clock, events=events)
    titles = [a["title"] for a in plan["marketingActivities"]]
    assert sum("Store anniversary" in t for t in titles) == 1
    assert sum("Weekly live Q&A" in t for t in titles) == 3
    assert not any("Too late" in t for t in titles)


async def test_connected_calendar_events_follow_settings_calendar_ids(
    clock: ManualClock,
) -> None:
    events = [{"name": "Google event", "date": "2026-12-10T00:00:00Z", "readOnly": True}]
    plan = await plan_for(clock, events=events)
    assert any("Google event" in a["title"] for a in plan["marketingActivities"])
    plan = await plan_for(clock, events=events, settings={"calendar": {"ids": []}})
    assert not any("Google event" in a["title"] for a in plan["marketingActivities"])


async def test_topics_cycle_and_excluded_never_mentioned(clock: ManualClock) -> None:
    topics = {"included": ["Sourdough", "Pastry"], "excluded": ["tips", "gluten"]}
    plan = await plan_for(clock, settings={"topics": topics})
    social = by_type(plan, "SOCIAL_MARKETING")
    assert [a["title"].split(":")[0] for a in social[:4]] == [
        "Sourdough", "Pastry", "Sourdough", "Pastry"]
    text = " ".join(a["title"] + " " + a["description"] for a in social).lower()
    assert "tips" not in text and "gluten" not in text


async def test_topic_change_reaches_plan_only_after_regeneration(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    await generated_plan(client, clock)
    await client.post("/marketing-settings", json={
        "marketingSettings": {"settings": {"topics": {"included": ["Kayaking"]}}},
        "fieldMask": "settings.topics"})
    plan = (await client.get("/marketing-plan")).json()
    assert not any("Kayaking" in a["title"] for a in plan["marketingActivities"])
    plan = await generated_plan(client, clock, "regenerate-marketing-plan")
    assert any("Kayaking" in a["title"] for a in plan["marketingActivities"])


async def test_blogs_use_keyword_research_refreshed_only_by_keyword_regeneration(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    async def upsert(topics: list[str]) -> None:
        await client.post("/marketing-settings", json={"marketingSettings": {"settings": {
            "marketingTools": ["BLOGS"], "topics": {"included": topics}}},
            "fieldMask": "settings.marketingTools,settings.topics"})

    def blog_titles(plan: dict[str, Any]) -> set[str]:
        return {a["title"] for a in by_type(plan, "BLOG")}

    await upsert(["Espresso"])
    assert blog_titles(await generated_plan(client, clock)) == {"Blog: Espresso guide"}
    await upsert(["Matcha"])
    plan = await generated_plan(client, clock, "regenerate-marketing-plan")
    assert blog_titles(plan) == {"Blog: Espresso guide"}  # stale keyword research
    plan = await generated_plan(
        client, clock, "regenerate-marketing-plan-with-keyword-research")
    assert blog_titles(plan) == {"Blog: Matcha guide"}
    assert not by_type(plan, "SOCIAL_MARKETING")


async def test_blog_and_email_frequencies(clock: ManualClock) -> None:
    plan = await plan_for(clock, settings={"marketingTools": ["SOCIAL_MARKETING", "BLOGS",
                                                             "EMAIL_MARKETING"]},
                          overrides={"blogs": {"frequency": {"interval": "MONTH", "count": 2}}})
    december = [a for a in plan["marketingActivities"] if a["date"][5:7] == "12"]
    kinds = Counter(a["marketingActivityType"] for a in december)
    assert kinds["BLOG"] == 2 and kinds["EMAIL_MARKETING"] == 1
    assert all(a["items"] == [] for a in plan["marketingActivities"]
               if a["marketingActivityType"] != "SOCIAL_MARKETING")


async def test_posts_only_for_near_term_social_activities(clock: ManualClock) -> None:
    plan = await plan_for(clock)
    horizon = datetime(2026, 12, 6, 23, 59, 59, 999000, tzinfo=UTC)  # end of next week
    for activity in plan["marketingActivities"]:
        near = datetime.fromisoformat(activity["date"]) <= horizon
        assert bool(activity["items"]) == near, activity["date"]


async def test_premium_horizon_widens_post_window(clock: ManualClock) -> None:
    plan = await plan_for(clock, premium={"postsHorizonDays": 20})
    with_items = [a["date"] for a in plan["marketingActivities"] if a["items"]]
    assert max(with_items) > "2026-12-07" and max(with_items) <= "2026-12-17T23:59:59.999Z"


async def test_post_items_shape(clock: ManualClock) -> None:
    plan = await plan_for(clock)
    activity = next(a for a in plan["marketingActivities"] if a["items"])
    posts = [i for i in activity["items"] if i["type"] == "POST"]
    assert [p["channel"]["name"] for p in posts] == list(CONTENT_KEYS)
    urls = set()
    for post in posts:
        channel = post["channel"]["name"]
        content = post[CONTENT_KEYS[channel]]
        assert post["status"] == "DRAFT"
        assert content.get("caption") or content["description"]
        media = content["mediaWrapper"]["media"]
        assert media[0]["type"] == "IMAGE"
        urls.add(media[0]["url"])
        assert ("accountId" in post["channel"]) == (channel in ("FACEBOOK", "INSTAGRAM"))
    assert len(urls) == 1  # one AI image shared across channels


async def test_every_third_social_activity_has_a_story(clock: ManualClock) -> None:
    plan = await plan_for(clock)
    social = [a for a in by_type(plan, "SOCIAL_MARKETING") if a["items"]]
    stories = [[i for i in a["items"] if i["type"] == "STORY"] for a in social]
    assert [len(s) for s in stories][:3] == [0, 0, 1]
    assert "instagramStory" in stories[2][0] and stories[2][0]["channel"]["name"] == "INSTAGRAM"


async def test_no_posts_without_social_marketing_tool(clock: ManualClock) -> None:
    plan = await plan_for(clock, settings={"marketingTools": ["EMAIL_MARKETING"]})
    assert plan["marketingActivities"]
    assert all(a["items"] == [] for a in plan["marketingActivities"])


async def test_generation_is_deterministic(clock: ManualClock) -> None:
    first = await plan_for(clock)
    second = await plan_for(clock)
    assert first == second


async def test_settings_are_read_when_generation_starts(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    await client.post("/marketing-plan/generate-marketing-plan")
    await client.post("/marketing-settings", json={
        "marketingSettings": {"settings": {"topics": {"included": ["Late topic"]}}},
        "fieldMask": "settings.topics"})
    clock.advance(timedelta(minutes=1).total_seconds())
    plan = (await client.get("/marketing-plan")).json()
    assert not any("Late topic" in a["title"] for a in plan["marketingActivities"])


async def test_auto_created_site_is_published(clock: ManualClock) -> None:
    config = EmulatorConfig(lenient_auth=True, generation_seconds=0, auto_create_sites=True)
    emu = Emulator(config, clock)
    async with make_client(emu, {**HEADERS, "wix-site-id": SITE}) as client:
        await client.post("/marketing-plan/generate-marketing-plan")
        plan = (await client.get("/marketing-plan")).json()
    assert plan["status"] == "ACTIVE"
    assert any(a["items"] for a in plan["marketingActivities"])
