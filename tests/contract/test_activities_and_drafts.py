"""Marketing Activity V1 and the per-activity draft methods through the client."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from reconciler.emulator import Emulator, ManualClock
from reconciler.errors import FailedPrecondition, InvalidArgument, NotFound
from reconciler.wix import PlanActivity, SiteClient, WixClient, may_have_been_applied

from .support import (
    CONNECTED,
    MISSING_ID,
    NO_PREMIUM,
    POSTS_SECONDS,
    TODAY,
    active_plan,
    logged,
    with_items,
)

NEW_ACTIVITY = {
    "title": "Flash sale reminder",
    "description": "Remind followers the sale ends Sunday.",
    "targetDate": TODAY + timedelta(days=12),
    "marketingActivityType": "SOCIAL_MARKETING",
}


async def test_create_and_update_marketing_activity(
    site: SiteClient, clock: ManualClock, emulator: Emulator
) -> None:
    await active_plan(site, clock)
    created = await site.create_marketing_activity(NEW_ACTIVITY)
    assert created.id
    assert created.title == NEW_ACTIVITY["title"]
    assert created.target_date == NEW_ACTIVITY["targetDate"]
    assert created.marketing_activity_type == "SOCIAL_MARKETING"
    assert logged(emulator, "CreateMarketingActivity")[0].body["marketingActivity"][
        "targetDate"] == "2026-12-05T09:00:00.000Z"

    plan = await site.get_social_marketing_plan()
    same = next(a for a in plan.marketing_activities if a.marketing_activity_id == created.id)
    assert same.date == created.target_date and same.items == []

    moved = TODAY + timedelta(days=13)
    updated = await site.update_marketing_activity(
        created.id, {"title": "Last call", "targetDate": moved, "description": "ignored"},
        ["title", "targetDate"],
    )
    assert updated.id == created.id
    assert updated.title == "Last call"
    assert updated.target_date == moved
    assert updated.description == NEW_ACTIVITY["description"]  # not masked: unchanged
    (record,) = logged(emulator, "UpdateMarketingActivity")
    assert record.method == "PATCH" and record.path.endswith(f"/items/{created.id}")
    assert record.body["fieldMask"] == "title,targetDate"


async def test_update_with_an_unmaskable_field_is_rejected(
    site: SiteClient, clock: ManualClock
) -> None:
    await active_plan(site, clock)
    created = await site.create_marketing_activity(NEW_ACTIVITY)
    assert created.id
    with pytest.raises(InvalidArgument) as caught:  # SPEC: "error"; emulator: 400 (§3.3.2)
        await site.update_marketing_activity(
            created.id, {"marketingActivityType": "BLOG"}, ["marketingActivityType"]
        )
    assert caught.value.status == 400
    assert [v.field for v in caught.value.violations] == ["fieldMask"]
    with pytest.raises(NotFound):
        await site.update_marketing_activity(MISSING_ID, {"title": "x"}, ["title"])


async def test_create_requires_every_field_and_a_real_type(
    site: SiteClient, clock: ManualClock
) -> None:
    await active_plan(site, clock)
    for broken in (
        {**NEW_ACTIVITY, "marketingActivityType": "UNKNOWN"},
        {k: v for k, v in NEW_ACTIVITY.items() if k != "title"},
    ):
        with pytest.raises(FailedPrecondition) as caught:  # SPEC §1.6: 428
            await site.create_marketing_activity(broken)
        assert caught.value.status == 428


async def test_create_without_a_plan_is_failed_precondition(site: SiteClient) -> None:
    with pytest.raises(FailedPrecondition) as caught:
        await site.create_marketing_activity(NEW_ACTIVITY)
    assert caught.value.code == "PLAN_NOT_FOUND"  # emulator choice


@pytest.mark.parametrize("method", ["schedule_drafts", "generate_social_posts"])
async def test_21_ids_is_invalid_argument(
    site: SiteClient, emulator: Emulator, method: str
) -> None:
    ids = [str(uuid.UUID(int=n + 1, version=4)) for n in range(21)]
    with pytest.raises(InvalidArgument) as caught:
        await getattr(site, method)(ids)
    error = caught.value
    assert error.status == 400
    key = "draftIds" if method == "schedule_drafts" else "marketingActivityIds"
    assert [v.field for v in error.violations] == [key]
    assert not may_have_been_applied(error)
    assert len(emulator.requests) == 1  # not retried


async def test_schedule_without_premium_is_failed_precondition(
    wix: WixClient, emulator: Emulator
) -> None:
    site = wix.site(NO_PREMIUM)
    plan = await site.get_social_marketing_plan()
    assert plan.status == "ACTIVE"
    drafts = [i.id for a in with_items(plan) for i in a.items][:5]
    assert drafts
    with pytest.raises(FailedPrecondition) as caught:
        await site.schedule_drafts(drafts)
    error = caught.value
    assert error.status == 428
    assert error.code == "FEATURE_NOT_AVAILABLE"  # invented; SPEC says key on 428 + method
    assert error.request_id
    assert not may_have_been_applied(error)
    assert len(logged(emulator, "ScheduleDrafts")) == 1
    after = await site.get_social_marketing_plan()
    assert {i.status for a in after.marketing_activities for i in a.items} == {"DRAFT"}


def _story_activity(activities: list[PlanActivity]) -> PlanActivity:
    return next(a for a in activities if any(i.type == "STORY" for i in a.items))


async def _posts(site: SiteClient, activity_id: str) -> dict[str, dict[str, object]]:
    (entry,) = await site.get_marketing_activity_posts([activity_id])
    return {i.id: {"status": i.status, "type": i.type, **(i.model_extra or {})}
            for i in entry.items}


def _media_url(item: dict[str, object]) -> str:
    content = next(v for k, v in item.items() if k.endswith(("Post", "Story", "Photo")))
    assert isinstance(content, dict)
    return str(content["mediaWrapper"]["media"][0]["url"])


async def test_media_updates_and_clears(site: SiteClient, clock: ManualClock) -> None:
    plan = await active_plan(site, clock)
    activity = _story_activity(with_items(plan))
    aid = activity.marketing_activity_id

    snapshot = await site.update_marketing_activity_posts_media(aid, "https://example.com/n.jpg")
    assert snapshot.marketing_activity_id == aid
    posts = [i for i in snapshot.items if i.type == "POST"]
    assert posts and all(
        _media_url({**(i.model_extra or {})}) == "https://example.com/n.jpg" for i in posts
    )
    story = await site.update_marketing_activity_stories_media(
        aid, "https://example.com/s.mp4", media_index=0
    )
    (story_item,) = [i for i in story.items if i.type == "STORY"]
    media = (story_item.model_extra or {})["instagramStory"]["mediaWrapper"]["media"]
    assert media[0] == {"type": "VIDEO", "url": "https://example.com/s.mp4"}
    whole = await site.update_marketing_activity_stories_media(aid, "https://example.com/w.jpg")
    (story_item,) = [i for i in whole.items if i.type == "STORY"]
    media = (story_item.model_extra or {})["instagramStory"]["mediaWrapper"]["media"]
    assert media == [{"type": "IMAGE", "url": "https://example.com/w.jpg"}]  # whole story

    # schedule one connected post, then clear: only the DRAFT posts go, stories stay
    facebook = next(i for i in posts if i.channel and i.channel.name == CONNECTED[0])
    assert [i.id for i in await site.schedule_drafts([facebook.id])] == [facebook.id]
    await site.clear_marketing_activity_posts(aid)
    left = await _posts(site, aid)
    assert {(v["type"], v["status"]) for v in left.values()} == {
        ("POST", "SCHEDULED"), ("STORY", "DRAFT")
    }
    await site.clear_marketing_activity_stories(aid)
    assert {(v["type"], v["status"]) for v in (await _posts(site, aid)).values()} == {
        ("POST", "SCHEDULED")
    }


async def test_regenerations_return_a_snapshot_then_change_later(
    site: SiteClient, clock: ManualClock
) -> None:
    plan = await active_plan(site, clock)
    activity = _story_activity(with_items(plan))
    aid = activity.marketing_activity_id
    before = await _posts(site, aid)

    snapshot = await site.regenerate_marketing_activity_posts(aid)
    assert snapshot.marketing_activity_id == aid
    assert {i.id for i in snapshot.items} == set(before)  # transient: the old drafts
    clock.advance(POSTS_SECONDS + 1)
    regenerated = await _posts(site, aid)
    assert set(regenerated) == set(before)  # same item ids, new content
    assert any(regenerated[k] != before[k] for k in before if before[k]["type"] == "POST")

    await site.regenerate_marketing_activity_posts_media(aid)
    clock.advance(POSTS_SECONDS + 1)
    media_only = await _posts(site, aid)
    post_ids = [k for k, v in before.items() if v["type"] == "POST"]
    assert all(_media_url(media_only[k]) != _media_url(regenerated[k]) for k in post_ids)

    stories = await site.regenerate_marketing_activity_stories(aid)
    assert any(i.type == "STORY" for i in stories.items)
    for call in (
        site.regenerate_marketing_activity_posts,
        site.regenerate_marketing_activity_posts_media,
        site.regenerate_marketing_activity_stories,
        site.clear_marketing_activity_posts,
        site.clear_marketing_activity_stories,
    ):
        with pytest.raises(NotFound):  # emulator choice, SPEC §5.25
            await call(MISSING_ID)
