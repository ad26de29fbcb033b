"""Post and story drafts: generation, polling, scheduling, clearing, media edits.

Rules (SPEC §1.12, §3.1.7–3.1.16, §5.3–5.5, §5.13, §5.19–5.20, §5.24–5.27):
* GenerateSocialPosts (1–20 GUIDs) answers ``{}``; drafts appear after ``posts_seconds`` and
  ``posts_reads`` polls; DRAFT posts are replaced, SCHEDULED/PUBLISHED ones and stories kept;
  unknown ids are ignored; ``socialChannels``/``SOCIAL_MARKETING`` are not re-checked;
* ScheduleDrafts (1–20 ids) schedules DRAFT items on connected channels at the activity date
  and silently skips the rest (unconnected, non-DRAFT, unknown, past-dated, TWITTER after
  2026-07-31); it returns only newly scheduled items; 428 ``FEATURE_NOT_AVAILABLE`` when the
  site's premium lacks scheduling;
* Clear* remove DRAFT posts (or DRAFT stories) only; Regenerate* answer a snapshot at once and
  change the drafts later; Update*Media change DRAFT media synchronously and answer the
  post-update snapshot; unknown activity ids there → 404 ``NOT_FOUND``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reconciler.emulator.clock import to_wire
from reconciler.emulator.context import Context
from reconciler.emulator.errors import EmulatorError, invalid, not_found
from reconciler.emulator.generation import (
    CONTENT_KEYS,
    STORY_KEY,
    caption,
    content_key_of,
    draft_item,
    image_url,
    media,
    post_content,
)
from reconciler.emulator.ids import is_guid
from reconciler.emulator.records import CHANNELS, Activity, Json, PostJob, Site

TWITTER_SUNSET = datetime(2026, 7, 31, 23, 59, 59, 999000, tzinfo=UTC)


def build_drafts(ctx: Context, site: Site, activity: Activity, with_story: bool) -> list[Json]:
    """One DRAFT POST per supported channel sharing one image (+ an Instagram story)."""
    now = ctx.clock.now()
    url = image_url(activity.id, activity.variant)
    text = caption(activity.title, activity.description, activity.variant)
    accounts = site.profile.connected_channels
    items = [
        draft_item(
            ctx.ids.new(),
            ch,
            accounts,
            "POST",
            CONTENT_KEYS[ch],
            post_content(ch, text, url, activity.title),
            now,
        )
        for ch in CHANNELS
    ]
    if with_story:
        items.append(
            draft_item(
                ctx.ids.new(),
                "INSTAGRAM",
                accounts,
                "STORY",
                STORY_KEY,
                {"mediaWrapper": media(url)},
                now,
            )
        )
    return items


def id_list(body: Json, key: str, limit: int) -> list[str]:
    """``body[key]`` as 1–``limit`` GUID strings, de-duplicated in order; else 400."""
    raw = body.get(key)
    if not isinstance(raw, list) or not raw:
        raise invalid(key, "must contain at least 1 id", "MIN_SIZE")
    if len(raw) > limit:
        raise invalid(key, f"must contain at most {limit} ids", "MAX_SIZE")
    for i, value in enumerate(raw):
        if not is_guid(value):
            raise invalid(f"{key}[{i}]", "must be a GUID", "FORMAT")
    return list(dict.fromkeys(str(v) for v in raw))


def generate_posts(ctx: Context, site: Site, body: Json) -> Json:
    ids = id_list(body, "marketingActivityIds", 20)
    _queue(ctx, site, "posts", ids)
    return {}


def _queue(ctx: Context, site: Site, kind: str, ids: list[str]) -> None:
    site.post_jobs.append(
        PostJob(kind, ids, ctx.clock.now(), ctx.config.posts_seconds, ctx.config.posts_reads)
    )


def activity_posts(site: Site, ids: list[str]) -> Json:
    """GetMarketingActivityPosts: known ids in request order; unknown ones omitted."""
    found = [site.plan.activities[i] for i in ids if i in site.plan.activities]
    return {"marketingActivities": [a.to_posts_wire(frozen=False) for a in found]}


def schedule(ctx: Context, site: Site, body: Json) -> Json:
    ids = id_list(body, "draftIds", 20)
    if not site.profile.schedule_posts:
        raise EmulatorError(
            428,
            "FEATURE_NOT_AVAILABLE",
            "the site's premium plan does not include scheduling posts",
        )
    now, scheduled = ctx.clock.now(), []
    for draft_id in ids:
        found = site.find_item(draft_id)
        if found is None or not _schedulable(site, *found, now):
            continue
        activity, item = found
        item["status"] = "SCHEDULED"
        item["scheduledDate"] = to_wire(activity.date)
        _touch(item, now)
        scheduled.append(dict(item))
    return {"items": scheduled}


def _schedulable(site: Site, activity: Activity, item: Json, now: datetime) -> bool:
    channel = str((item.get("channel") or {}).get("name"))
    if item.get("status") != "DRAFT" or channel not in site.profile.connected_channels:
        return False
    if activity.date < now:
        return False
    return not (channel == "TWITTER" and activity.date > TWITTER_SUNSET)


def _touch(item: Json, now: datetime) -> None:
    item.setdefault("draftInfo", {})["updatedDate"] = to_wire(now)


def find_activity(site: Site, body: Json) -> Activity:
    """The activity named by ``body.marketingActivityId``; 400 if missing, 404 if unknown."""
    activity_id = body.get("marketingActivityId")
    if not is_guid(activity_id):
        raise invalid("marketingActivityId", "is required and must be a GUID", "REQUIRED_FIELD")
    activity = site.plan.activities.get(str(activity_id))
    if activity is None:
        raise not_found("NOT_FOUND", f"marketing activity {activity_id} not found")
    return activity


def _is_story(item: Json) -> bool:
    return item.get("type") == "STORY"


def _drafts(activity: Activity, stories: bool) -> list[Json]:
    return [i for i in activity.items if i.get("status") == "DRAFT" and _is_story(i) == stories]


def clear(site: Site, body: Json, stories: bool) -> Json:
    """Remove the activity's DRAFT posts (or DRAFT stories); answer ``{}``."""
    activity = find_activity(site, body)
    doomed = {id(i) for i in _drafts(activity, stories)}
    activity.items = [i for i in activity.items if id(i) not in doomed]
    return {}


def regenerate(ctx: Context, site: Site, body: Json, kind: str) -> Json:
    """Answer the current snapshot; queue the change (none when there is nothing to redo)."""
    activity = find_activity(site, body)
    snapshot = {"marketingActivity": activity.to_posts_wire()}
    if _drafts(activity, kind == "regen_stories"):
        _queue(ctx, site, kind, [activity.id])
    return snapshot


def update_media(ctx: Context, site: Site, body: Json, stories: bool) -> Json:
    """Replace the media of DRAFT posts (or story frames) now; answer the new snapshot."""
    activity = find_activity(site, body)
    url = body.get("mediaUrl")
    if not isinstance(url, str) or not url.strip():
        raise invalid("mediaUrl", "is required", "REQUIRED_FIELD")
    index = body.get("mediaIndex") if stories else None
    if index is not None and (isinstance(index, bool) or not isinstance(index, int) or index < 0):
        raise invalid("mediaIndex", "must be an integer >= 0", "MIN")
    now = ctx.clock.now()
    for item in _drafts(activity, stories):
        _set_media(item, url, index)
        _touch(item, now)
    return {"marketingActivity": activity.to_posts_wire()}


def _set_media(item: Json, url: str, index: int | None) -> None:
    key = content_key_of(item)
    if key is None:
        return
    content: dict[str, Any] = item[key]
    if index is None:
        content["mediaWrapper"] = media(url)
        return
    frames = content.setdefault("mediaWrapper", {"media": []}).setdefault("media", [])
    if index < len(frames):
        # A story without a frame at that index is documented to stay unchanged.
        frames[index] = media(url)["media"][0]


def complete_post_job(ctx: Context, site: Site, job: PostJob) -> None:
    """Apply a finished post job to the activities that still exist."""
    for activity_id in job.activity_ids:
        activity = site.plan.activities.get(activity_id)
        if activity is None:
            continue
        activity.variant += 1
        if job.kind == "posts":
            _replace_posts(ctx, site, activity)
        else:
            _redo(ctx, activity, job.kind)


def _replace_posts(ctx: Context, site: Site, activity: Activity) -> None:
    kept = [i for i in activity.items if i.get("status") != "DRAFT" or _is_story(i)]
    has_story = any(_is_story(i) for i in kept)
    fresh = build_drafts(ctx, site, activity, with_story=activity.story_planned and not has_story)
    activity.items = kept + fresh


def _redo(ctx: Context, activity: Activity, kind: str) -> None:
    now = ctx.clock.now()
    url = image_url(activity.id, activity.variant)
    text = caption(activity.title, activity.description, activity.variant)
    for item in _drafts(activity, kind == "regen_stories"):
        channel = str(item["channel"]["name"])
        key = content_key_of(item)
        if key is None:
            continue
        if kind == "regen_posts" and key != STORY_KEY:
            item[key] = post_content(channel, text, url, activity.title)
        else:
            item[key]["mediaWrapper"] = media(url)
        _touch(item, now)


def edit_draft(site: Site, draft_id: str, changes: Json, now: datetime) -> Json:
    """Merge `changes` into the content object of item `draft_id` (a dashboard edit)."""
    found = site.find_item(draft_id)
    key = None if found is None else content_key_of(found[1])
    if found is None or key is None:
        raise KeyError(f"draft {draft_id}")
    item = found[1]
    item[key] = {**item[key], **changes}
    _touch(item, now)
    return dict(item)
