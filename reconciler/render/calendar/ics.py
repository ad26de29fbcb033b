"""The calendar as iCalendar (RFC 5545) for any calendar app, written with `icalendar`.

Exported: the site's events (not those apply deletes, nor connected-calendar events, which
already live in their own calendar) and the posts that are or will be scheduled or
published; drafts that stay drafts are not. Each occurrence is one VEVENT with a UID stable
across runs, so re-importing updates rather than duplicates. Times are UTC.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta

from icalendar import Calendar, Event

from reconciler.engine.calendar import Entry, Post, SiteCalendar
from reconciler.render import inert
from reconciler.render.calendar import words

PRODID = "-//mpr//Marketing Plan Reconciler//EN"
_LENGTH = timedelta(minutes=30)  # Wix gives events and activities a moment, not a duration


def render(calendars: Sequence[SiteCalendar]) -> str:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "mpr: " + ", ".join(c.name or c.site_id for c in calendars))
    for calendar in calendars:
        for event in _events(calendar):
            cal.add_component(event)
    written: bytes = cal.to_ical()
    return written.decode("utf-8")


def _events(calendar: SiteCalendar) -> Iterator[Event]:
    for day in calendar.days:
        for entry in day.own:
            if entry.kind == "event" and entry.change != "delete":
                yield _event(calendar, entry, entry.uid, words.entry_line(entry), "event")
            yield from (
                _event(
                    calendar,
                    entry,
                    f"post:{post.draft_id}",
                    _post_title(entry, post),
                    "post",
                    _post_words(post),
                )
                for post in entry.posts
                if post.goes_out
            )


def _post_title(entry: Entry, post: Post) -> str:
    return f"{words.post_line(post)} — {entry.title or entry.activity_type}"


def _post_words(post: Post) -> str:
    """The post's words and image for the event's description (controls spelled out;
    icalendar escapes what RFC 5545 needs)."""
    said = inert.visible(post.text).strip() or "(no text)"
    return said + (f"\n\nImage: {inert.visible(post.image)}" if post.image else "")


def _event(
    calendar: SiteCalendar, entry: Entry, uid: str, title: str, kind: str, words: str = ""
) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{calendar.site_id}.mpr")
    event.add("dtstamp", calendar.now)
    event.add("dtstart", entry.at)
    event.add("dtend", entry.at + _LENGTH)
    event.add("summary", title)
    event.add("categories", [kind])
    where = f"{calendar.label} — {calendar.source}"
    event.add("description", f"{words}\n\n{where}" if words else where)
    return event
