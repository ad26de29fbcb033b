"""A site's weeks ahead as a calendar: days → entries, built from desired + live state + plan.

Pure data, no I/O and no rendering (reconciler/render/calendar draws it). What `apply` would
do is taken from the site's plan (engine.planning), never decided again here: a draft is
marked "apply schedules it" when the plan's draft step sends it, an activity "apply generates
its posts" when the plan asks for them, an event with the plan's create/update/delete.

Every time is UTC, the way Wix stores them; a day is a UTC calendar day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from reconciler.engine.fleet import SiteWork
from reconciler.engine.plan import SitePlan
from reconciler.model.events import CalendarEvent, utc
from reconciler.model.plan_state import Activity
from reconciler.model.site import DesiredSite, LiveSite

EntryKind = Literal["event", "connected", "activity"]
EventChange = Literal["", "create", "update", "delete", "unmanaged"]
_ORDER: dict[str, int] = {"event": 0, "connected": 1, "activity": 2}
_MAX_OCCURRENCES = 400  # a daily-dense window of a year; more is never drawn


@dataclass(frozen=True)
class Post:
    """One post or story draft of an activity on its channel."""

    draft_id: str
    channel: str
    status: str
    """draft, scheduled or published (Wix's status in lower case)."""
    story: bool = False
    will_schedule: bool = False
    """The plan's draft step sends this draft to ScheduleDrafts."""
    text: str = ""
    """The words it posts (or would): its caption, or title and description."""
    image: str = ""
    """Its media URL (the activity's AI image), or ""."""
    held: str = ""
    """Why a content rule keeps it a draft ("rule: what it found"); "" when none does."""

    @property
    def goes_out(self) -> bool:
        """Whether it is, or after apply will be, scheduled or published."""
        return self.will_schedule or self.status in ("scheduled", "published")


@dataclass(frozen=True)
class Entry:
    """Something on a day: a calendar event (the site's or a connected calendar's) or an
    activity of the live plan with its posts."""

    kind: EntryKind
    at: datetime
    title: str
    uid: str
    """Stable across runs (for calendar apps): the event name or the activity id, and the day."""
    change: EventChange = ""
    """For events: what apply does to it ("unmanaged": live, not in the file, left alone)."""
    repeats: str = ""
    """For an occurrence of a recurring event: its frequency in lower case (weekly…)."""
    activity_type: str = ""
    generates_posts: bool = False
    """The plan asks Wix to generate this activity's missing posts."""
    posts: tuple[Post, ...] = ()


@dataclass(frozen=True)
class Day:
    """One UTC calendar day and what is on it, in time order."""

    date: date
    entries: tuple[Entry, ...]
    in_horizon: bool
    """Within the policy's scheduling horizon (from now to now + horizonDays)."""
    today: bool = False
    horizon_ends: bool = False
    """The horizon's last day: renderers draw its end after it."""

    @property
    def own(self) -> tuple[Entry, ...]:
        """The site's own events and the plan's activities."""
        return tuple(e for e in self.entries if e.kind != "connected")

    @property
    def connected(self) -> tuple[Entry, ...]:
        """Events of connected calendars (read-only), which renderers set apart."""
        return tuple(e for e in self.entries if e.kind == "connected")


@dataclass(frozen=True)
class SiteCalendar:
    """One site's days from `start` (a run of whole days), with what frames them."""

    site_id: str
    name: str
    source: str
    now: datetime
    days: tuple[Day, ...]
    horizon_end: datetime | None
    """The last moment apply schedules drafts for; None when policy.schedule is off."""
    horizon_days: int
    notes: tuple[str, ...] = ()
    error: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.site_id})" if self.name else self.site_id

    @property
    def busy_days(self) -> tuple[Day, ...]:
        return tuple(day for day in self.days if day.entries)


def build_calendar(
    desired: DesiredSite,
    live: LiveSite,
    plan: SitePlan,
    *,
    now: datetime,
    start: date,
    days: int,
) -> SiteCalendar:
    """The site's calendar for `days` days from `start` (UTC), with apply's intentions marked."""
    first = datetime.combine(start, time.min, UTC)
    last = first + timedelta(days=days) - timedelta(microseconds=1)
    entries = [
        *_declared_events(desired.events, plan, first, last),
        *_live_events(live.events, desired, plan, first, last),
        *_activities(live.plan.activities, plan, first, last),
    ]
    schedule = desired.policy.schedule
    horizon_end = utc(now) + timedelta(days=schedule.horizon_days) if schedule.enabled else None
    return SiteCalendar(
        site_id=desired.id,
        name=desired.name,
        source=desired.source,
        now=utc(now),
        days=_days(entries, start, days, utc(now), horizon_end),
        horizon_end=horizon_end,
        horizon_days=schedule.horizon_days,
        notes=tuple(_notes(plan, schedule.enabled)),
    )


def site_calendars(
    work: Sequence[SiteWork], *, now: datetime, start: date, days: int
) -> list[SiteCalendar]:
    """One calendar per planned site, in order; a site that could not be read carries why."""
    return [
        build_calendar(w.desired, w.live, w.plan, now=now, start=start, days=days)
        if w.live is not None
        else SiteCalendar(
            w.desired.id,
            w.desired.name,
            w.desired.source,
            utc(now),
            (),
            None,
            0,
            error=w.plan.error or "the live state was not read",
        )
        for w in work
    ]


def upcoming(work: Sequence[SiteWork], *, now: datetime, days: int = 14) -> dict[str, SiteCalendar]:
    """The next `days` days (from today) of every site whose plan changes something, by id:
    what a pull-request comment shows will be posted where and when after the merge."""
    return {
        w.desired.id: build_calendar(
            w.desired, w.live, w.plan, now=now, start=utc(now).date(), days=days
        )
        for w in work
        if w.live is not None and w.plan.has_changes
    }


def _days(
    entries: Iterable[Entry],
    start: date,
    count: int,
    now: datetime,
    horizon_end: datetime | None,
) -> tuple[Day, ...]:
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_day[entry.at.date()].append(entry)
    result = []
    for offset in range(count):
        day = start + timedelta(days=offset)
        ordered = sorted(by_day[day], key=lambda e: (e.at, _ORDER[e.kind], e.title, e.uid))
        end = horizon_end.date() if horizon_end else None
        inside = end is not None and now.date() <= day <= end
        result.append(Day(day, tuple(ordered), inside, day == now.date(), day == end))
    return tuple(result)


def _occurrences(event: CalendarEvent, first: datetime, last: datetime) -> list[datetime]:
    if event.recurring_rule is not None:
        return event.recurring_rule.occurrences(first, last, limit=_MAX_OCCURRENCES)
    if event.date is not None and first <= utc(event.date) <= last:
        return [utc(event.date)]
    return []


def _event_entries(
    event: CalendarEvent, kind: EntryKind, change: EventChange, first: datetime, last: datetime
) -> list[Entry]:
    repeats = event.recurring_rule.frequency.lower() if event.recurring_rule else ""
    return [
        Entry(kind, at, event.name, f"{kind}:{event.name}:{at.date()}", change, repeats)
        for at in _occurrences(event, first, last)
    ]


def _declared_events(
    events: Sequence[CalendarEvent], plan: SitePlan, first: datetime, last: datetime
) -> list[Entry]:
    changes: Mapping[str, EventChange] = {
        c.name: c.op for c in plan.events if c.op in ("create", "update")
    }
    return [
        entry
        for event in events
        for entry in _event_entries(event, "event", changes.get(event.name, ""), first, last)
    ]


def _live_events(
    events: Sequence[CalendarEvent],
    desired: DesiredSite,
    plan: SitePlan,
    first: datetime,
    last: datetime,
) -> list[Entry]:
    """Connected-calendar events, and live events the file does not declare (kept or deleted)."""
    declared = {e.name for e in desired.events}
    deleted = {c.event_id for c in plan.deletes}
    found: list[Entry] = []
    for event in events:
        if event.read_only:
            found += _event_entries(event, "connected", "", first, last)
        elif event.id in deleted:
            found += _event_entries(event, "event", "delete", first, last)
        elif event.name not in declared:
            found += _event_entries(event, "event", "unmanaged", first, last)
    return found


def _activities(
    activities: Sequence[Activity], plan: SitePlan, first: datetime, last: datetime
) -> list[Entry]:
    sent = {draft_id for ids in plan.drafts.schedule.values() for draft_id in ids}
    held = {h.id: f"{h.rule}: {h.detail}" for h in plan.drafts.held}
    generating = set(plan.drafts.generate_posts_for)
    return [
        Entry(
            "activity",
            utc(a.date),
            a.title,
            f"activity:{a.id}",
            activity_type=a.type or "",
            generates_posts=a.id in generating,
            posts=tuple(
                Post(
                    d.id,
                    d.channel,
                    d.status.lower(),
                    d.type == "STORY",
                    d.id in sent,
                    d.text,
                    d.image,
                    held.get(d.id, ""),
                )
                for d in sorted(a.drafts, key=lambda d: (d.channel, d.type, d.id))
            ),
        )
        for a in activities
        if a.date is not None and first <= utc(a.date) <= last
    ]


def _notes(plan: SitePlan, scheduling: bool) -> list[str]:
    notes = []
    if plan.action.runs:
        notes.append(
            f"apply first runs `{plan.action.kind}` ({plan.action.reason}): the plan's "
            "activities shown here are replaced, and which drafts get scheduled is decided "
            "after the generation"
        )
    if not scheduling:
        notes.append("policy.schedule.enabled is false: apply schedules no drafts")
    return notes
