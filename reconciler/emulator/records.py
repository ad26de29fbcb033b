"""The emulator's in-memory records: sites, plans, activities, events, pending jobs.

Plain mutable dataclasses owned by ``state.Backend``; rules live elsewhere. Draft items
(Publisher items) are kept as wire-shaped dicts because clients see them verbatim.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reconciler.emulator.clock import to_wire

CHANNELS: tuple[str, ...] = (
    "FACEBOOK",
    "INSTAGRAM",
    "LINKEDIN",
    "PINTEREST",
    "GBP",
    "TIKTOK",
    "TWITTER",
)
Json = dict[str, Any]


@dataclass
class SiteProfile:
    """Facts about the site that the API does not let a caller change (fixture-driven)."""

    published: bool = True
    unpublished_outcome: str = "FAILED"
    connected_channels: dict[str, str] = field(default_factory=dict)
    """Connected channel name → Publisher account id."""
    schedule_posts: bool = True
    posts_horizon_days: int | None = None
    language: str = "en"
    business_location: Json = field(default_factory=dict)
    target_locations: list[Json] = field(default_factory=list)
    calendars: list[Json] = field(default_factory=list)
    """Connected (external) calendars: ``{id, name}``; their events are read-only."""
    plan_goals: tuple[str, ...] | None = None
    """The plan-goal keys GetPlanGoalOptions offers here (None: every one)."""
    points_of_view: tuple[str, ...] | None = None
    """The point-of-view keys GetPointOfViewOptions offers here (None: every one)."""
    instance_id: str | None = None
    """The app instance id of the emulator's app on this site (derived from the id if unset)."""


@dataclass
class RecurringRule:
    """SPEC §5.7 shape: ``{frequency, startDate, endDate?, interval?}``."""

    frequency: str
    start: datetime
    end: datetime | None = None
    interval: int = 1

    def to_wire(self) -> Json:
        out: Json = {"frequency": self.frequency, "startDate": to_wire(self.start)}
        if self.end is not None:
            out["endDate"] = to_wire(self.end)
        if self.interval != 1:
            out["interval"] = self.interval
        return out


@dataclass
class CalendarEvent:
    """A one-time (``date``) or recurring (``rule``) marketing-calendar event."""

    id: str
    calendar_id: str
    name: str
    created: datetime
    updated: datetime
    description: str | None = None
    date: datetime | None = None
    rule: RecurringRule | None = None
    read_only: bool = False

    def to_wire(self) -> Json:
        out: Json = {"id": self.id, "calendarId": self.calendar_id, "name": self.name}
        if self.description is not None:
            out["description"] = self.description
        if self.rule is not None:
            out["recurringRule"] = self.rule.to_wire()
        elif self.date is not None:
            out["date"] = to_wire(self.date)
        out["createdDate"] = to_wire(self.created)
        out["updatedDate"] = to_wire(self.updated)
        # No read-only member (SPEC §5.8, updated 2026-12-06): Wix documents none, so a
        # connected calendar's event is told by its `calendarId` and by the 428 on a write.
        return out


@dataclass
class Activity:
    """One plan activity; Marketing Activity V1 ``id``/``targetDate`` are the same record.

    ``asset``, ``blog_seo_data`` and ``source`` are the read-only V1 objects (SPEC §2.4) that
    a generation fills in; an activity created through the API has none. There are no
    created/updated dates: the V1 object has none (SPEC §2.4, 2026-11-27).
    """

    id: str
    date: datetime
    title: str
    description: str
    type: str
    asset: Json | None = None
    blog_seo_data: Json | None = None
    source: Json | None = None
    items: list[Json] = field(default_factory=list)
    story_planned: bool = False
    variant: int = 0
    """Bumped by every post (re)generation so image and captions visibly change."""

    def to_plan_wire(self, *, frozen: bool = True) -> Json:
        """The GetSocialMarketingPlan entry (SPEC §2.2).

        `frozen=False` shares the item dicts instead of copying them: only for an answer that
        is encoded under the backend lock before anything can change them (the read path,
        where copying every draft was a fifth of a plan's cost).
        """
        return {
            "marketingActivityId": self.id,
            "date": to_wire(self.date),
            "title": self.title,
            "description": self.description,
            "marketingActivityType": self.type,
            "items": copy.deepcopy(self.items) if frozen else self.items,
        }

    def to_posts_wire(self, *, frozen: bool = True) -> Json:
        """The GetMarketingActivityPosts / snapshot entry (SPEC §3.1.8, §5.4, §5.5)."""
        return {
            "marketingActivityId": self.id,
            "items": copy.deepcopy(self.items) if frozen else self.items,
            "videoCandidates": [],
        }

    def to_activity_wire(self) -> Json:
        """The Marketing Activity V1 object (SPEC §2.4); read-only objects only when set."""
        out: Json = {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "targetDate": to_wire(self.date),
            "marketingActivityType": self.type,
        }
        for key, value in (
            ("asset", self.asset),
            ("blogSeoData", self.blog_seo_data),
            ("source", self.source),
        ):
            if value is not None:
                out[key] = copy.deepcopy(value)
        return out


@dataclass
class GenerationInputs:
    """What a generation run read when it started (settings are read only then, §1.14)."""

    settings: Json
    overrides: Json
    events: list[CalendarEvent]
    started: datetime


@dataclass
class GenerationJob:
    """A running Generate / Regenerate / RegenerateWithKeywordResearch."""

    kind: str
    """``generate`` (full replacement), ``regenerate`` or ``keyword``."""
    started: datetime
    duration: float
    reads_needed: int
    inputs: GenerationInputs
    fail: bool
    reads_seen: int = 0


@dataclass
class PostJob:
    """A pending GenerateSocialPosts / Regenerate*Posts* run for some activities."""

    kind: str
    """``posts`` (new drafts), ``regen_posts``, ``regen_media`` or ``regen_stories``."""
    activity_ids: list[str]
    started: datetime
    duration: float
    reads_needed: int
    reads_seen: int = 0


@dataclass
class Plan:
    """The site's one plan: its status, activities (by id) and the running job."""

    status: str = "NEVER_CREATED"
    id: str | None = None
    activities: dict[str, Activity] = field(default_factory=dict)
    job: GenerationJob | None = None
    generations: int = 0

    def sorted_activities(self) -> list[Activity]:
        return sorted(self.activities.values(), key=lambda a: (a.date, a.id))


@dataclass
class Site:
    """Everything the emulator holds for one ``wix-site-id``."""

    id: str
    calendar_id: str
    profile: SiteProfile
    settings: Json = field(default_factory=dict)
    overrides: Json = field(default_factory=dict)
    settings_created: datetime | None = None
    settings_updated: datetime | None = None
    events: dict[str, CalendarEvent] = field(default_factory=dict)
    plan: Plan = field(default_factory=Plan)
    post_jobs: list[PostJob] = field(default_factory=list)
    last_engagement: datetime | None = None
    fail_next_generations: int = 0
    keywords: list[str] | None = None
    """Keyword research results (from topics); refreshed only by keyword research."""
    answers: Json = field(default_factory=dict)
    """Recorded answers (`mpr doctor --record`), replayed as they are: method name →
    ``{"status": int, "body": {...}}``. A method recorded here never reaches the state."""

    def find_item(self, item_id: str) -> tuple[Activity, Json] | None:
        """The activity and draft item with ``item_id``, or ``None``."""
        for activity in self.plan.activities.values():
            for item in activity.items:
                if item.get("id") == item_id:
                    return activity, item
        return None
