"""Read a site's live state with the fewest calls, and map the wire to the domain (only here).

The floor is three reads, made concurrently: GetMarketingSettings, GetSocialMarketingPlan and
one QueryEvents. QueryEvents only sees a date window and returns at most 100 events with no
paging (SPEC.md §3.4.4), so the windows cover the next year (which holds an occurrence of
every live weekly, monthly or yearly rule) plus a small window around every declared event
dated outside it; a window that comes back with 100 events is split in two and read again,
so a managed event is never missed and then created twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from reconciler.errors import ApiError, UnexpectedAnswer
from reconciler.model.events import CalendarEvent, RecurringRule, in_range, utc
from reconciler.model.plan_state import Activity, Draft, PlanState
from reconciler.model.site import DesiredSite, LiveSite
from reconciler.wix import SiteClient, wire

QUERY_CAP = 100
LOOK_BACK = timedelta(days=1)
LOOK_AHEAD = timedelta(days=400)
_MIN_SPLIT = timedelta(minutes=1)

Window = tuple[datetime, datetime]


async def observe(site: SiteClient, desired: DesiredSite, now: datetime) -> LiveSite:
    """Read settings, events and plan concurrently; raise ApiError when any read fails."""
    settings_read = asyncio.ensure_future(site.get_marketing_settings())
    plan_read = asyncio.ensure_future(site.get_social_marketing_plan())
    events_read = asyncio.ensure_future(read_events(site, event_windows(desired.events, now)))
    async with cancelled_on_failure(settings_read, plan_read, events_read):
        settings, plan, events = await asyncio.gather(settings_read, plan_read, events_read)
    events = connected_marked(events, settings_calendars(settings.settings))
    _declared_readable(site, desired)
    document = {"settings": settings.settings, "overrides": settings.overrides}
    return LiveSite(
        settings_document=document,
        events=events,
        plan=to_plan_state(plan),
        notes=tuple(site.notes),
    )


def connected_marked(
    events: Sequence[CalendarEvent], calendars: Iterable[str]
) -> tuple[CalendarEvent, ...]:
    """`events` with those of the given connected calendars marked read-only.

    No read-only flag is documented (SPEC §5.8): a connected-calendar event is told by its
    `calendarId` being one of the site's connected calendars: the ids of its live
    `settings.calendar` (known from the settings read), and those GetCalendarOptions offers
    (read only when a plan would write an event of another calendar: `needs_calendars`).
    """
    connected = set(calendars)
    return tuple(
        replace(e, read_only=True) if e.calendar_id in connected and not e.read_only else e
        for e in events
    )


def settings_calendars(settings: Mapping[str, Any]) -> list[str]:
    """The calendar ids of a live `settings` object (`settings.calendar.ids`)."""
    calendar = settings.get("calendar")
    ids = calendar.get("ids") if isinstance(calendar, Mapping) else None
    return [i for i in ids or () if isinstance(i, str)] if isinstance(ids, list) else []


async def with_offered_calendars(site: SiteClient, live: LiveSite) -> LiveSite:
    """`live` with the events of every calendar GetCalendarOptions offers marked read-only."""
    offered = [o.id for o in await site.get_calendar_options()]
    return replace(live, events=connected_marked(live.events, offered))


def _declared_readable(site: SiteClient, desired: DesiredSite) -> None:
    """Stop when a live event the file declares was skipped as unreadable: mpr would
    otherwise create it again, at every run."""
    declared = {e.name for e in desired.events}
    unreadable = [n for n in site.unreadable_events if n in declared]
    if unreadable:
        raise UnexpectedAnswer(
            f"QueryEvents: the live event {unreadable[0]!r}, which the site file declares, "
            "could not be read (see the warning about it); mpr will not create it again",
            method="POST",
            path="/events/query",
        )
    if declared and None in site.unreadable_events:
        raise UnexpectedAnswer(
            "QueryEvents: a live event came without a name (see the warning about it), so "
            "mpr cannot tell whether it is one the site file declares; it will not create "
            "that event again",
            method="POST",
            path="/events/query",
        )


@contextlib.asynccontextmanager
async def cancelled_on_failure(*reads: asyncio.Future[Any]) -> AsyncIterator[None]:
    """When the block fails, cancel the reads still running before the error goes on.

    A read left running after its site failed (a refused credential, say) would outlive the
    run's client and fail again when it closes: a lost connection, retried and logged, about
    a site already reported."""
    try:
        yield
    except BaseException:
        for read in reads:
            read.cancel()
        await asyncio.gather(*reads, return_exceptions=True)
        raise


def event_windows(declared: Sequence[CalendarEvent], now: datetime) -> list[Window]:
    """The QueryEvents windows that see every live event mpr may need to match or prune."""
    start, end = utc(now) - LOOK_BACK, utc(now) + LOOK_AHEAD
    windows = [(start, end)]
    for event in declared:
        moment = event.next_date(now)
        if moment is None or not in_range(moment):
            # Wix holds no date outside [EARLIEST, LATEST] (a rule may fire past it): look
            # where the event is anchored instead. Near Python's own limits (years 1 and
            # 9999) the window arithmetic below would overflow.
            moment = event.anchor_date()
        if moment is not None and in_range(moment) and not start <= moment <= end:
            windows.append((moment - timedelta(seconds=1), moment + timedelta(seconds=1)))
    return _merge(windows)


def _merge(windows: list[Window]) -> list[Window]:
    merged: list[Window] = []
    for low, high in sorted(windows):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return merged


async def read_events(site: SiteClient, windows: Sequence[Window]) -> tuple[CalendarEvent, ...]:
    """Every event seen in any window, once each (by id), in the order first seen."""
    seen: dict[str, CalendarEvent] = {}
    reads = [asyncio.ensure_future(_read_window(site, *window)) for window in windows]
    async with cancelled_on_failure(*reads):
        found = await asyncio.gather(*reads)
    for event in (e for events in found for e in events):
        seen.setdefault(event.id or f"{event.name}@{event.date}", event)
    return tuple(seen.values())


async def _read_window(site: SiteClient, start: datetime, end: datetime) -> list[CalendarEvent]:
    found = await site.query_events(start, end)
    if len(found) < QUERY_CAP:
        return [to_event(e) for e in found]
    if end - start <= _MIN_SPLIT:
        raise ApiError(
            f"{QUERY_CAP} calendar events (QueryEvents' cap) between "
            f"{start:%Y-%m-%d %H:%M:%S} and {end:%H:%M:%S}: there may be more, and QueryEvents "
            "cannot page, so mpr cannot tell whether it saw them all; move some of these "
            "events to other times",
            method="POST",
            path="/events/query",
        )
    middle = start + (end - start) / 2
    early, late = await asyncio.gather(
        _read_window(site, start, middle), _read_window(site, middle, end)
    )
    return early + late


def to_event(event: wire.CalendarEvent) -> CalendarEvent:
    """Wire event → domain event."""
    rule = event.recurring_rule
    return CalendarEvent(
        name=event.name,
        description=event.description or None,
        date=event.date,
        recurring_rule=RecurringRule(
            frequency=rule.frequency or "",
            start_date=rule.start_date,
            end_date=rule.end_date,
            interval=rule.interval or 1,
            extras=dict(rule.model_extra or {}),
        )
        if rule is not None and rule.start_date is not None
        else None,
        id=event.id,
        read_only=bool(event.read_only),
        calendar_id=event.calendar_id,
        extras=dict(event.model_extra or {}),
    )


def to_plan_state(plan: wire.SocialMarketingPlan) -> PlanState:
    """Wire plan → domain plan."""
    return PlanState(
        status=plan.status,
        activities=tuple(
            to_activity(a.marketing_activity_id, a, a.items) for a in plan.marketing_activities
        ),
    )


def to_activity(
    activity_id: str, activity: wire.PlanActivity | None, items: Sequence[wire.Item]
) -> Activity:
    """Wire activity (and its items) → domain activity."""
    return Activity(
        id=activity_id,
        date=activity.date if activity else None,
        title=activity.title if activity else "",
        type=activity.marketing_activity_type if activity else None,
        drafts=tuple(to_draft(i) for i in items),
    )


def to_draft(item: wire.Item) -> Draft:
    """Wire item → domain draft."""
    return Draft(
        id=item.id,
        channel=item.channel.name if item.channel else "",
        type=item.type or "POST",
        status=item.status or "",
        account_id=item.channel.account_id if item.channel else None,
        **_content(item),
    )


def _content(item: wire.Item) -> dict[str, Any]:
    """The item's one content object (SPEC.md §2.3): the member whose name ends in Post,
    Story, Reel, Photo, Video or Short and whose value is an object."""
    for key, value in (item.model_extra or {}).items():
        if item.reads_extra(key, value):
            return {"content_key": key, "content": value}
    return {}
