"""The emulator's notion of "now", and the wire format of instants.

Every time-dependent rule (generation completion, INACTIVE after idling, "today", the
post horizon, past-dated drafts) asks an injected :class:`Clock`, never ``datetime.now``.
``RealClock`` is the default for ``serve``; ``ManualClock`` is for tests. Both can be moved
forward (the real one through an offset) so the control plane can time-travel either.
"""

from __future__ import annotations

import calendar
import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the emulator needs from a clock: an aware UTC ``now`` that can be moved."""

    def now(self) -> datetime:
        """The current instant (timezone-aware, UTC)."""
        ...

    def advance(self, seconds: float) -> datetime:
        """Move forward by ``seconds``; return the new now."""
        ...

    def set(self, when: datetime) -> datetime:
        """Jump to ``when`` (naive means UTC); return the new now."""
        ...


def as_utc(when: datetime) -> datetime:
    """``when`` as an aware UTC datetime (a naive value is taken to be UTC already)."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


class RealClock:
    """Wall-clock time plus an offset that ``advance``/``set`` move (never backwards-safe)."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def set(self, when: datetime) -> datetime:
        with self._lock:
            self._offset = as_utc(when) - datetime.now(UTC)
        return self.now()


class ManualClock:
    """A clock that only moves when told to; the default start is 2026-11-27 09:00 UTC."""

    DEFAULT_START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __init__(self, start: datetime | None = None) -> None:
        self._now = as_utc(start) if start is not None else self.DEFAULT_START
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> datetime:
        with self._lock:
            self._now = as_utc(when)
            return self._now


def to_wire(when: datetime) -> str:
    """RFC 3339 with milliseconds and ``Z``, e.g. ``2026-11-27T09:00:00.000Z``."""
    utc = as_utc(when)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_wire(text: str) -> datetime:
    """Parse an RFC 3339 / ISO-8601 instant (``Z``, offsets, or a bare date).

    A value without a zone is taken as UTC. Raises ``ValueError`` on anything else.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expected an RFC 3339 date-time string")
    value = text.strip()
    if value.endswith(("z", "Z")):
        value = value[:-1] + "+00:00"
    try:
        return as_utc(datetime.fromisoformat(value))
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError(f"{text!r} is out of range") from None


def start_of_day(when: datetime) -> datetime:
    """Midnight UTC of ``when``'s day ("today" in the plan's sense is a UTC day)."""
    return datetime.combine(as_utc(when).date(), time(0), tzinfo=UTC)


def end_of_next_month(when: datetime) -> datetime:
    """The last millisecond of the calendar month after ``when``'s month."""
    day = as_utc(when).date()
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    return datetime.combine(date(year, month, last), time(23, 59, 59, 999000), tzinfo=UTC)


def end_of_next_week(when: datetime) -> datetime:
    """The last millisecond of the Sunday that closes the ISO week after ``when``'s week."""
    day = as_utc(when).date()
    sunday = day + timedelta(days=6 - day.weekday() + 7)
    return datetime.combine(sunday, time(23, 59, 59, 999000), tzinfo=UTC)


def end_of_day_after(when: datetime, days: int) -> datetime:
    """The last millisecond of the UTC day ``days`` days after ``when``'s day."""
    day = as_utc(when).date() + timedelta(days=days)
    return datetime.combine(day, time(23, 59, 59, 999000), tzinfo=UTC)
