"""Calendar events (one-time or recurring), their identity and their recurrence arithmetic.

A managed event's identity is its `name`: the YAML has no ids, and Wix assigns them. Two
events are "the same content" when `content()` is equal; UpdateEvent is a whole-event
replace (SPEC.md §3.4.2), so any difference in content means one PUT of the whole event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from dateutil import rrule

_RRULE_FREQ: dict[str, Literal[0, 1, 2]] = {
    "YEARLY": rrule.YEARLY,
    "MONTHLY": rrule.MONTHLY,
    "WEEKLY": rrule.WEEKLY,
}


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
"""The dates mpr accepts in a site file: what Wix stores (Unix time, milliseconds), and far
enough from Python's own limits (years 1 and 9999) that no window or occurrence arithmetic
around them can overflow. The emulator refuses dates outside them too."""


def in_range(moment: datetime) -> bool:
    """Whether `moment` lies within [EARLIEST, LATEST] (a naive datetime is taken as UTC).

    Never raises: comparing aware datetimes does not convert them, so a time near year 1 or
    9999 with an offset is judged without overflowing.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return EARLIEST <= moment <= LATEST


def utc(moment: datetime) -> datetime:
    """Return `moment` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def wire_time(moment: datetime) -> str:
    """Spell a time the way Wix does: RFC 3339, UTC, milliseconds, `Z`."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc(moment).microsecond // 1000:03d}Z"


def parse_wire_time(text: str) -> datetime:
    """Parse an RFC 3339 time as Wix spells it ("…Z" or an offset) into an aware UTC datetime."""
    return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


@dataclass(frozen=True)
class RecurringRule:
    """How a recurring event repeats (SPEC.md §2.5; the shape is an [I] choice, see §5.7)."""

    frequency: str
    start_date: datetime
    end_date: datetime | None = None
    interval: int = 1
    extras: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Members of a live rule that mpr does not know: never compared, sent back on update."""

    def _rule(self) -> rrule.rrule:
        if self.frequency not in _RRULE_FREQ:
            # A live rule without a frequency mpr knows (Wix never documented the rule):
            # no occurrence can be computed; it reads as one that never fires.
            return rrule.rrule(rrule.YEARLY, dtstart=utc(self.start_date), count=0)
        return rrule.rrule(
            _RRULE_FREQ[self.frequency],
            dtstart=utc(self.start_date),
            interval=max(self.interval, 1),
            until=utc(self.end_date) if self.end_date else None,
        )

    def occurrences(self, start: datetime, end: datetime, limit: int = 100) -> list[datetime]:
        """Occurrences within [start, end], both inclusive, at most `limit` of them."""
        found: list[datetime] = []
        for moment in self._rule().xafter(utc(start), inc=True):
            if moment > utc(end) or len(found) >= limit:
                break
            found.append(moment)
        return found

    def next_occurrence(self, after: datetime) -> datetime | None:
        """The first occurrence at or after `after`, or None when the rule has ended."""
        moment: datetime | None = self._rule().after(utc(after), inc=True)
        return moment

    def fires(self) -> bool:
        """Whether the rule produces at least one occurrence at all."""
        return self._rule().after(utc(self.start_date), inc=True) is not None

    def to_json(self) -> dict[str, Any]:
        """The wire/YAML shape: camelCase, times in Wix's spelling, defaults left out."""
        body: dict[str, Any] = {
            "frequency": self.frequency,
            "startDate": wire_time(self.start_date),
        }
        if self.end_date is not None:
            body["endDate"] = wire_time(self.end_date)
        if self.interval != 1:
            body["interval"] = self.interval
        return body


@dataclass(frozen=True)
class CalendarEvent:
    """A calendar event, desired or live; live ones carry `id`, connected-calendar ones are RO."""

    name: str
    description: str | None = None
    date: datetime | None = None
    recurring_rule: RecurringRule | None = None
    id: str | None = None
    read_only: bool = False
    """A live event mpr must never write: from one of the site's connected calendars."""
    calendar_id: str | None = field(default=None, compare=False)
    """The calendar a live event belongs to (how a connected-calendar event is told)."""
    extras: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Members of a live event that mpr does not know: never compared, sent back on update."""

    def content(self) -> tuple[Any, ...]:
        """What an UpdateEvent would replace: compared to decide whether to send one."""
        # The API ignores `date` when a rule is present (SPEC.md §2.5), so it is not content then.
        date = None if self.recurring_rule else (wire_time(self.date) if self.date else None)
        rule = tuple(sorted(self.recurring_rule.to_json().items())) if self.recurring_rule else None
        return (self.name, self.description or None, date, rule)

    def to_json(self) -> dict[str, Any]:
        """The writable body for CreateEvent / UpdateEvent."""
        body: dict[str, Any] = {"name": self.name}
        if self.description:
            body["description"] = self.description
        if self.recurring_rule is not None:
            body["recurringRule"] = self.recurring_rule.to_json()
        elif self.date is not None:
            body["date"] = wire_time(self.date)
        return body

    def next_date(self, after: datetime) -> datetime | None:
        """When the event next happens at or after `after` (None: never again)."""
        if self.recurring_rule is not None:
            return self.recurring_rule.next_occurrence(after)
        if self.date is not None and utc(self.date) >= utc(after):
            return utc(self.date)
        return None

    def anchor_date(self) -> datetime | None:
        """A date on which a QueryEvents window is sure to return this event, if any."""
        if self.recurring_rule is not None:
            return utc(self.recurring_rule.start_date)
        return utc(self.date) if self.date else None
