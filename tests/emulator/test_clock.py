"""Clocks and the wire format of instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reconciler.emulator import ManualClock, RealClock
from reconciler.emulator.clock import end_of_next_month, end_of_next_week, parse_wire, to_wire


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2026, 1, 1))
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)
    assert clock.advance(1.5) == datetime(2026, 1, 1, 0, 0, 1, 500000, tzinfo=UTC)
    assert clock.set(datetime(2027, 2, 3, tzinfo=UTC)) == clock.now()


@pytest.mark.dated
def test_real_clock_can_time_travel() -> None:
    clock = RealClock()
    ahead = clock.advance(timedelta(days=50).total_seconds())
    assert ahead - datetime.now(UTC) > timedelta(days=49)
    target = datetime(2030, 1, 1, tzinfo=UTC)
    assert abs(clock.set(target) - target) < timedelta(seconds=1)


def test_wire_format() -> None:
    assert to_wire(datetime(2026, 11, 27, 9, 0, 0, 123456, tzinfo=UTC)) == (
        "2026-11-27T09:00:00.123Z")
    assert parse_wire("2026-11-27T10:00:00+01:00") == datetime(2026, 11, 27, 9, tzinfo=UTC)
    assert parse_wire("2026-11-27") == datetime(2026, 11, 27, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_wire("tomorrow")


def test_windows() -> None:
    friday = datetime(2026, 11, 27, 9, tzinfo=UTC)
    assert to_wire(end_of_next_week(friday)) == "2026-12-06T23:59:59.999Z"
    assert to_wire(end_of_next_month(friday)) == "2026-12-31T23:59:59.999Z"
    assert to_wire(end_of_next_month(datetime(2026, 12, 5, tzinfo=UTC))) == (
        "2027-01-31T23:59:59.999Z")
