"""Recurrence arithmetic and the wire spelling of times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from reconciler.model.events import CalendarEvent, RecurringRule, wire_time

START = datetime(2026, 11, 6, 8, tzinfo=UTC)


def test_wire_time_is_utc_with_milliseconds() -> None:
    moment = datetime(2026, 11, 27, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert wire_time(moment) == "2026-11-27T09:00:00.123Z"


def test_weekly_occurrences_within_an_inclusive_window() -> None:
    rule = RecurringRule("WEEKLY", START)
    found = rule.occurrences(START, START + timedelta(days=14))
    assert found == [START, START + timedelta(days=7), START + timedelta(days=14)]


def test_yearly_rule_with_interval_and_end() -> None:
    rule = RecurringRule("YEARLY", START, end_date=datetime(2031, 1, 1, tzinfo=UTC), interval=2)
    assert rule.next_occurrence(datetime(2027, 1, 1, tzinfo=UTC)) == START.replace(year=2028)
    assert rule.next_occurrence(datetime(2031, 1, 1, tzinfo=UTC)) is None


def test_a_rule_that_ends_before_it_starts_never_fires() -> None:
    assert not RecurringRule("MONTHLY", START, end_date=START - timedelta(days=1)).fires()


def test_date_is_not_content_of_a_recurring_event() -> None:
    rule = RecurringRule("WEEKLY", START)
    with_date = CalendarEvent("x", date=START, recurring_rule=rule)
    assert with_date.content() == CalendarEvent("x", recurring_rule=rule).content()
    assert "date" not in with_date.to_json()
