"""Deterministic "AI": builds plan activities and post/story drafts from the inputs.

Rules (SPEC §5.18–5.20, README "Generation"):
* the window is start of today (UTC) → end of next month, times 09:00–10:00 UTC;
* SOCIAL_MARKETING activities: ``count`` per WEEK/MONTH/YEAR from
  ``overrides.socialMarketing.frequency`` → ``settings.frequency`` → WEEK×3, titles cycling
  through ``topics.included`` (generic themes if none) and scrubbed of ``topics.excluded``;
* BLOG (``BLOGS`` tool) and EMAIL_MARKETING activities: their override frequency, else
  MONTH×1; blog titles come from the keyword research, which is derived from the topics;
* one activity per calendar-event occurrence in the window, its title containing the name;
* default tools when unset: [SOCIAL_MARKETING];
* every activity says what it was planned from in ``source`` (a topic, keywords or a calendar
  event) and BLOG ones carry ``blogSeoData``; titles and descriptions hold ≤ 3,000 characters.
The same (site id, generation number, settings/events content, seed) always yields the same
plan, so tests can assert exactly what reached it. Ids are assigned by the caller.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from reconciler.emulator.activities import clip
from reconciler.emulator.clock import end_of_next_month, start_of_day, to_wire
from reconciler.emulator.events import occurrences
from reconciler.emulator.records import CalendarEvent, GenerationInputs, Json

DEFAULT_TOOLS = ("SOCIAL_MARKETING",)
DEFAULT_SOCIAL_FREQUENCY = ("WEEK", 3)
DEFAULT_TOOL_FREQUENCY = ("MONTH", 1)
GENERIC_THEMES = (
    "Behind the scenes",
    "Customer stories",
    "Product spotlight",
    "Tips and how-tos",
    "Meet the team",
    "Seasonal highlights",
)
ANGLES = (
    "quick tips",
    "a customer question",
    "a behind-the-scenes look",
    "a short poll",
    "a success story",
    "a how-to",
)
GOALS = {
    "DRIVE_TRAFFIC": "drive traffic to the site",
    "BRAND_AWARENESS": "grow brand awareness",
    "BOOST_SALES": "boost sales",
    "COLLECT_LEADS": "collect new leads",
}
TOOL_ACTIVITY_TYPE = {
    "SOCIAL_MARKETING": "SOCIAL_MARKETING",
    "BLOGS": "BLOG",
    "EMAIL_MARKETING": "EMAIL_MARKETING",
}


@dataclass(frozen=True)
class PlannedActivity:
    """An activity before it gets an id (and before ``asset``, which names the site)."""

    date: datetime
    title: str
    description: str
    type: str
    source: Json
    blog_seo_data: Json | None = None
    story: bool = False


def _planned(
    when: datetime, title: str, description: str, kind: str, source: Json, keyword: str = ""
) -> PlannedActivity:
    """A planned activity within the V1 limits; a BLOG one gets SEO data for ``keyword``."""
    title, description = clip(title), clip(description)
    seo = None
    if kind == "BLOG":
        seo = {"title": title, "primaryKeyword": keyword, "slug": _slug(keyword)}
    return PlannedActivity(when, title, description, kind, source, seo)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100] or "post"


def content_seed(site_id: str, generation: int, inputs: GenerationInputs, seed: object) -> str:
    """Hash of everything a run depends on; changes when settings or events change."""
    payload = {
        "site": site_id,
        "generation": generation,
        "seed": str(seed),
        "settings": inputs.settings,
        "overrides": inputs.overrides,
        "events": [e.to_wire() for e in inputs.events],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def research_keywords(settings: Json) -> list[str]:
    """Keyword research: one keyword phrase per included topic (generic themes if none)."""
    topics = _included(settings) or list(GENERIC_THEMES[:3])
    return [f"{topic} guide" for topic in topics]


def plan_activities(
    inputs: GenerationInputs, keywords: list[str], seed: str, stories_every: int
) -> list[PlannedActivity]:
    """All activities of one run, sorted by date (stories flagged on every Nth social one)."""
    rng = random.Random(seed)
    start = start_of_day(inputs.started)
    end = end_of_next_month(inputs.started)
    tools = list(inputs.settings.get("marketingTools") or DEFAULT_TOOLS)
    planned: list[PlannedActivity] = []
    if "SOCIAL_MARKETING" in tools:
        planned += _social(inputs, start, end, rng)
    if "BLOGS" in tools:
        planned += _tool_activities(inputs, "blogs", "BLOG", keywords, start, end, rng)
    if "EMAIL_MARKETING" in tools:
        themes = _included(inputs.settings) or list(GENERIC_THEMES)
        planned += _tool_activities(
            inputs, "emailMarketing", "EMAIL_MARKETING", themes, start, end, rng
        )
    event_type = TOOL_ACTIVITY_TYPE.get(tools[0], "SOCIAL_MARKETING")
    if "SOCIAL_MARKETING" in tools:
        event_type = "SOCIAL_MARKETING"
    planned += _event_activities(inputs, event_type, start, end, rng)
    planned.sort(key=lambda p: (p.date, p.title))
    return _flag_stories(planned, stories_every)


def _included(settings: Json) -> list[str]:
    topics = settings.get("topics") or {}
    return [str(t) for t in topics.get("included") or [] if str(t).strip()]


def _excluded(settings: Json) -> list[str]:
    topics = settings.get("topics") or {}
    return [str(t) for t in topics.get("excluded") or [] if str(t).strip()]


def _frequency(
    inputs: GenerationInputs, tool_key: str, default: tuple[str, int]
) -> tuple[str, int]:
    override = (inputs.overrides.get(tool_key) or {}).get("frequency")
    shared = inputs.settings.get("frequency") if tool_key == "socialMarketing" else None
    chosen = override or shared
    if not chosen:
        return default
    return str(chosen.get("interval") or default[0]), int(chosen.get("count") or default[1])


def _slots(start: datetime, end: datetime, interval: str, count: int) -> Iterator[date]:
    """``count`` days spread evenly over each week/month/year overlapping the window."""
    first, last = start.date(), end.date()
    period = _period_start(first, interval)
    while period <= last:
        following = _next_period(period, interval)
        length = (following - period).days
        for i in range(count):
            day = period + timedelta(days=(i * length) // count)
            if first <= day <= last:
                yield day
        period = following


def _period_start(day: date, interval: str) -> date:
    if interval == "WEEK":
        return day - timedelta(days=day.weekday())
    if interval == "YEAR":
        return date(day.year, 1, 1)
    return date(day.year, day.month, 1)


def _next_period(period: date, interval: str) -> date:
    if interval == "WEEK":
        return period + timedelta(days=7)
    if interval == "YEAR":
        return date(period.year + 1, 1, 1)
    return (
        date(period.year + 1, 1, 1)
        if period.month == 12
        else date(period.year, period.month + 1, 1)
    )


def _at_nine(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(9, rng.randrange(60)), tzinfo=UTC)


def _scrub(text: str, excluded: list[str]) -> str:
    """Remove every excluded topic (case-insensitive) so the text never mentions it."""
    for term in excluded:
        text = re.sub(re.escape(term), "", text, flags=re.IGNORECASE)
    return re.sub(r"\s{2,}", " ", text).strip()


def _social(
    inputs: GenerationInputs, start: datetime, end: datetime, rng: random.Random
) -> list[PlannedActivity]:
    excluded = _excluded(inputs.settings)
    themes = (
        _included(inputs.settings)
        or [t for t in GENERIC_THEMES if not any(x.lower() in t.lower() for x in excluded)]
        or ["Our news"]
    )
    goal = _goal_phrase(inputs.settings)
    interval, count = _frequency(inputs, "socialMarketing", DEFAULT_SOCIAL_FREQUENCY)
    out = []
    for i, day in enumerate(_slots(start, end, interval, count)):
        theme, angle = themes[i % len(themes)], ANGLES[i % len(ANGLES)]
        title = _scrub(f"{theme}: {angle}", excluded) or "Social post"
        description = _scrub(f"Share {angle} about {theme} to {goal}.", excluded)
        source = {"type": "TOPIC", "topic": _scrub(theme, excluded)}
        out.append(_planned(_at_nine(day, rng), title, description, "SOCIAL_MARKETING", source))
    return out


def _goal_phrase(settings: Json) -> str:
    goal = settings.get("marketingPlanGoal") or {}
    if goal.get("customGoal"):
        return str(goal["customGoal"])
    return GOALS.get(str(goal.get("goalKey")), GOALS["BRAND_AWARENESS"])


def _tool_activities(
    inputs: GenerationInputs,
    tool_key: str,
    kind: str,
    subjects: list[str],
    start: datetime,
    end: datetime,
    rng: random.Random,
) -> list[PlannedActivity]:
    interval, count = _frequency(inputs, tool_key, DEFAULT_TOOL_FREQUENCY)
    subjects = subjects or list(GENERIC_THEMES)
    out = []
    for i, day in enumerate(_slots(start, end, interval, count)):
        subject = subjects[i % len(subjects)]
        if kind == "BLOG":
            title, text = f"Blog: {subject}", f"Write an SEO article targeting '{subject}'."
            source: Json = {"type": "KEYWORDS", "keywords": [subject]}
        else:
            title, text = f"Newsletter: {subject}", f"Email subscribers about {subject}."
            source = {"type": "TOPIC", "topic": subject}
        out.append(_planned(_at_nine(day, rng), title, text, kind, source, subject))
    return out


def _event_activities(
    inputs: GenerationInputs, kind: str, start: datetime, end: datetime, rng: random.Random
) -> list[PlannedActivity]:
    wanted = (inputs.settings.get("calendar") or {}).get("ids")
    out = []
    for event in inputs.events:
        if event.read_only and wanted is not None and event.calendar_id not in wanted:
            continue
        for when in _event_dates(event, start, end):
            title = f"Spotlight: {event.name}"
            text = f"Promote {event.name} ({when:%d %B %Y})."
            source = {
                "type": "CALENDAR_EVENT",
                "calendarEvent": {"id": event.id, "name": event.name, "date": to_wire(when)},
            }
            out.append(_planned(_at_nine(when.date(), rng), title, text, kind, source, event.name))
    return out


def _event_dates(event: CalendarEvent, start: datetime, end: datetime) -> list[datetime]:
    if event.rule is not None:
        return occurrences(event.rule, start, end)
    if event.date is not None and start <= event.date <= end:
        return [event.date]
    return []


def _flag_stories(planned: list[PlannedActivity], every: int) -> list[PlannedActivity]:
    out, social = [], 0
    for p in planned:
        if p.type == "SOCIAL_MARKETING":
            social += 1
            if every > 0 and social % every == 0:
                p = replace(p, story=True)
        out.append(p)
    return out


# --- post and story drafts (Publisher items, SPEC §2.3, §5.19–5.20) ---------------------

CONTENT_KEYS = {
    "FACEBOOK": "facebookPost",
    "INSTAGRAM": "instagramPost",
    "LINKEDIN": "linkedinPost",
    "PINTEREST": "pinterestPost",
    "GBP": "gbpPost",
    "TIKTOK": "tiktokPhoto",
    "TWITTER": "twitterPost",
}
STORY_KEY = "instagramStory"
ALL_CONTENT_KEYS = (*CONTENT_KEYS.values(), STORY_KEY)
CAPTION_STYLES = (
    "{title}. {description}",
    "New: {title}! {description}",
    "{title} ({description})",
)


def image_url(activity_id: str, variant: int) -> str:
    """The one AI image shared by all of an activity's posts for this variant."""
    digest = hashlib.sha256(f"{activity_id}:{variant}".encode()).hexdigest()[:16]
    return f"https://static.wixstatic.com/media/emu_{digest}~mv2.jpg"


def media(url: str) -> Json:
    """A ``mediaWrapper`` holding one image (or video, judged by the extension)."""
    kind = "VIDEO" if url.lower().endswith((".mp4", ".mov", ".webm")) else "IMAGE"
    return {"media": [{"type": kind, "url": url}]}


def caption(title: str, description: str, variant: int) -> str:
    return CAPTION_STYLES[variant % len(CAPTION_STYLES)].format(
        title=title, description=description
    )


def post_content(channel: str, text: str, url: str, title: str) -> Json:
    """The channel's content object as Wix shapes it (SPEC §2.3): the words in `caption`,
    or in `title`/`description` where the channel has those (Pinterest, GBP, TikTok), each
    within the channel's documented length, and the activity's one image."""
    image = media(url)
    tag = "#" + "".join(w.capitalize() for w in re.findall(r"\w+", title)[:3])
    if channel == "PINTEREST":
        return {"title": title[:100], "description": text[:800], "mediaWrapper": image}
    if channel == "GBP":
        return {"description": text[:1500], "mediaWrapper": image, "callToAction": "LEARN_MORE"}
    if channel == "TIKTOK":
        return {
            "title": title[:90],
            "description": f"{text} {tag}"[:4000],
            "privacyLevel": "PUBLIC_TO_EVERYONE",
            "mediaWrapper": image,
        }
    words = {
        "INSTAGRAM": f"{text}\n\n{tag}"[:2200],
        "LINKEDIN": f"{text}\n\nMore on our website.",
        "TWITTER": text[:280],
    }
    return {"caption": words.get(channel, text), "mediaWrapper": image}


def draft_item(
    item_id: str,
    channel: str,
    accounts: dict[str, str],
    kind: str,
    content_key: str,
    content: Json,
    now: datetime,
) -> Json:
    """A DRAFT Publisher item; ``channel.accountId`` only for connected channels."""
    chan: Json = {"name": channel}
    if channel in accounts:
        chan["accountId"] = accounts[channel]
    stamp = to_wire(now)
    return {
        "id": item_id,
        "channel": chan,
        "type": kind,
        "status": "DRAFT",
        content_key: content,
        "draftInfo": {"createdDate": stamp, "updatedDate": stamp},
    }


def content_key_of(item: Json) -> str | None:
    """Which content object an item carries (``facebookPost``, ``instagramStory``…)."""
    return next((k for k in ALL_CONTENT_KEYS if k in item), None)
