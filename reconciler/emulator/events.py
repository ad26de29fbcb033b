"""Calendar Event V1 rules: input validation, recurrence expansion, QueryEvents.

Rules (SPEC §2.5, §3.4, §5.6–5.8):
* an event needs ``date`` or ``recurringRule`` (400 otherwise); when both are sent the rule
  wins and ``date`` is dropped; ``name`` is required, ``name``/``description`` ≤ 3000 chars;
* ``RecurringRule = {frequency: WEEKLY|MONTHLY|YEARLY, startDate, endDate?, interval?≥1}``,
  expanded with ``dateutil.rrule`` (RFC 5545: a monthly rule on the 31st skips short months);
* QueryEvents needs both ``query.filter.date.$gte`` and ``$lte`` (inclusive); returns one-time
  events in range and recurring events with ≥1 occurrence in range (with up to 100
  ``recurringOccurrences``, all in range), ascending by date, hard cap 100, no paging.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from dateutil import rrule

from reconciler.emulator.clock import parse_wire, to_wire
from reconciler.emulator.errors import EmulatorError, invalid
from reconciler.emulator.records import CalendarEvent, Json, RecurringRule

QUERY_CAP = 100
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
"""[I] The dates an event may carry: Wix keeps Unix-time milliseconds; the emulator takes
1970 to 2100 (the range `mpr validate` allows) and answers 400 RANGE outside it."""
OCCURRENCE_CAP = 100
MAX_TEXT = 3000
FREQUENCIES: dict[str, Literal[0, 1, 2]] = {
    "WEEKLY": rrule.WEEKLY,
    "MONTHLY": rrule.MONTHLY,
    "YEARLY": rrule.YEARLY,
}


@dataclass(frozen=True)
class EventFields:
    """The caller-settable part of an event, validated."""

    name: str
    description: str | None
    date: datetime | None
    rule: RecurringRule | None


def occurrences(
    rule: RecurringRule, start: datetime, end: datetime, limit: int = OCCURRENCE_CAP
) -> list[datetime]:
    """Occurrences of ``rule`` within ``[start, end]`` (inclusive), at most ``limit``."""
    if end < start:
        return []
    recurrence = rrule.rrule(
        FREQUENCIES[rule.frequency], dtstart=rule.start, interval=rule.interval, until=rule.end
    )
    out: list[datetime] = []
    for when in recurrence.xafter(start, count=limit, inc=True):
        if when > end:
            break
        out.append(when)
    return out


def parse_event(raw: Any, where: str) -> EventFields:
    """Validate an incoming CalendarEvent object; read-only fields are ignored.

    Raises a 400 ``EmulatorError`` naming the field (``where`` is its JSON path prefix).
    """
    if not isinstance(raw, dict):
        raise invalid(where, "must be an object", "REQUIRED_FIELD")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid(f"{where}.name", "is required", "REQUIRED_FIELD")
    if len(name) > MAX_TEXT:
        raise invalid(f"{where}.name", f"must be at most {MAX_TEXT} characters", "MAX_LENGTH")
    description = raw.get("description")
    if description is not None and not isinstance(description, str):
        raise invalid(f"{where}.description", "must be a string", "FORMAT")
    if description is not None and len(description) > MAX_TEXT:
        raise invalid(
            f"{where}.description", f"must be at most {MAX_TEXT} characters", "MAX_LENGTH"
        )
    rule = _parse_rule(raw.get("recurringRule"), f"{where}.recurringRule")
    date = None
    if rule is None:
        if raw.get("date") is None:
            raise invalid(
                where,
                "either date or recurringRule is required",
                "REQUIRED_FIELD",
                "event needs a date or a recurringRule",
            )
        date = _event_date(raw["date"], f"{where}.date")
    return EventFields(name, description, date, rule)


def _date(value: Any, where: str) -> datetime:
    try:
        return parse_wire(value)
    except (TypeError, ValueError):
        raise invalid(where, "must be an RFC 3339 date-time", "FORMAT") from None


def _event_date(value: Any, where: str) -> datetime:
    moment = _date(value, where)
    if not EARLIEST <= moment <= LATEST:
        raise invalid(where, "must be between 1970-01-01 and 2100-12-31", "RANGE")
    return moment


def _parse_rule(raw: Any, where: str) -> RecurringRule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid(where, "must be an object", "FORMAT")
    frequency = raw.get("frequency")
    if not isinstance(frequency, str) or frequency not in FREQUENCIES:
        raise invalid(f"{where}.frequency", "must be one of WEEKLY, MONTHLY, YEARLY", "ENUM")
    if raw.get("startDate") is None:
        raise invalid(f"{where}.startDate", "is required", "REQUIRED_FIELD")
    start = _event_date(raw["startDate"], f"{where}.startDate")
    end = None if raw.get("endDate") is None else _event_date(raw["endDate"], f"{where}.endDate")
    if end is not None and end < start:
        raise invalid(f"{where}.endDate", "must not be before startDate", "RANGE")
    interval = raw.get("interval", 1)
    if interval is None:
        interval = 1
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
        raise invalid(f"{where}.interval", "must be an integer >= 1", "MIN")
    return RecurringRule(str(frequency), start, end, interval)


def apply_fields(event: CalendarEvent, fields: EventFields, now: datetime) -> None:
    """Full replacement of the settable fields (UpdateEvent has no field mask)."""
    event.name = fields.name
    event.description = fields.description
    event.date = fields.date
    event.rule = fields.rule
    event.updated = now


def query_window(body: Json) -> tuple[datetime, datetime]:
    """``(gte, lte)`` from ``{query: {filter: {date: {$gte, $lte}}}}``; 400 if either is missing."""
    query = body.get("query")
    flt = query.get("filter") if isinstance(query, dict) else None
    rng = flt.get("date") if isinstance(flt, dict) else None
    rng = rng if isinstance(rng, dict) else {}
    bounds = []
    for op in ("$gte", "$lte"):
        where = f"query.filter.date.{op}"
        if rng.get(op) is None:
            raise invalid(where, "is required", "REQUIRED_FIELD")
        bounds.append(_date(rng[op], where))
    return bounds[0], bounds[1]


def query_events(events: list[CalendarEvent], gte: datetime, lte: datetime) -> list[Json]:
    """QueryEvents result: in-range events, ascending by (first in-range) date, ≤ 100."""
    found: list[tuple[datetime, str, Json]] = []
    for event in events:
        if event.rule is not None:
            dates = occurrences(event.rule, gte, lte)
            if not dates:
                continue
            wire = event.to_wire()
            wire["recurringOccurrences"] = [{"date": to_wire(d)} for d in dates]
            found.append((dates[0], event.id, wire))
        elif event.date is not None and gte <= event.date <= lte:
            found.append((event.date, event.id, event.to_wire()))
    found.sort(key=lambda f: (f[0], f[1]))
    return [wire for _, _, wire in found[:QUERY_CAP]]


def ensure_writable(event: CalendarEvent | None, event_id: str) -> CalendarEvent:
    """The event, or a 428 for an unknown id (not 404) or a connected-calendar event."""
    if event is None:
        raise EmulatorError(428, "EVENT_NOT_FOUND", f"event {event_id} does not exist")
    if event.read_only:
        raise EmulatorError(
            428,
            "EVENT_READ_ONLY",
            f"event {event_id} comes from a connected calendar and is read-only",
        )
    return event
