"""`mpr calendar --format ics`: parsed back with icalendar and compared (issue #14)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from icalendar import Calendar, Component, vCategory

from reconciler.cli import exitcodes
from tests.conftest import Mpr


def exported(mpr: Mpr, crumb: str) -> Calendar:
    result = mpr("calendar", crumb, "--weeks", "2", "--format", "ics", "--out", "c.ics")
    assert result.code == exitcodes.OK, result.err
    return Calendar.from_ical(Path("c.ics").read_bytes())


def category(event: Component) -> str:
    """The event's first category (mpr writes one CATEGORIES line per event)."""
    categories = event["categories"]
    assert isinstance(categories, vCategory), categories
    return str(categories.cats[0])


def at(day: int, hour: int, minute: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_events_and_scheduled_posts_read_back(mpr: Mpr, crumb: str) -> None:
    calendar = exported(mpr, crumb)
    assert str(calendar["version"]) == "2.0"
    found = sorted(
        (e.decoded("dtstart"), str(e["summary"]), category(e)) for e in calendar.walk("VEVENT")
    )
    activity = "Customer stories: a customer question"
    spotlight = "Spotlight: Fresh Bread Friday"
    product = "Product spotlight: a behind-the-scenes look"
    assert found == [
        (at(25, 9, 11), f"FACEBOOK post: scheduled — {activity}", "post"),
        (at(25, 9, 11), f"INSTAGRAM post: scheduled — {activity}", "post"),
        (at(27, 8, 0), "◆ Fresh Bread Friday (weekly)", "event"),
        (at(27, 9, 45), f"FACEBOOK post: draft ★ apply schedules it — {spotlight}", "post"),
        (at(27, 9, 45), f"INSTAGRAM post: draft ★ apply schedules it — {spotlight}", "post"),
        (at(27, 9, 45), f"INSTAGRAM story: draft ★ apply schedules it — {spotlight}", "post"),
        (at(27, 9, 54), f"FACEBOOK post: draft ★ apply schedules it — {product}", "post"),
        (at(27, 9, 54), f"INSTAGRAM post: draft ★ apply schedules it — {product}", "post"),
        (at(3, 9, 0, 12), "◆ Holiday Cake Sale", "event"),
        (at(4, 8, 0, 12), "◆ Fresh Bread Friday (weekly)", "event"),
    ], "drafts that stay drafts and connected-calendar events are not exported"


def test_uids_are_unique_and_stable_across_runs(mpr: Mpr, crumb: str) -> None:
    first = [str(e["uid"]) for e in exported(mpr, crumb).walk("VEVENT")]
    again = [str(e["uid"]) for e in exported(mpr, crumb).walk("VEVENT")]
    assert len(set(first)) == len(first) == 10
    assert first == again
    assert "event:Holiday Cake Sale:2026-12-03@11111111-2222-4333-8444-555555555555.mpr" in first


def test_a_site_that_cannot_be_read_adds_nothing_and_the_others_are_exported(
    mpr: Mpr, crumb: str
) -> None:
    Path("other.yaml").write_text(
        "version: 1\nsite: {id: 99999999-2222-4333-8444-555555555555, name: Gone}\n",
        encoding="utf-8",
    )
    result = mpr(
        "calendar", crumb, "other.yaml", "--weeks", "2", "--format", "ics", "--out", "c.ics"
    )
    assert result.code == exitcodes.ERROR
    calendar = Calendar.from_ical(Path("c.ics").read_bytes())
    assert str(calendar["x-wr-calname"]) == "mpr: Crumb & Co, Gone"
    assert len(calendar.walk("VEVENT")) == len(exported(mpr, crumb).walk("VEVENT"))
