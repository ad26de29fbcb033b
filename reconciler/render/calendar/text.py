"""The calendar as a week grid for a terminal: a row per day, its entries beside it.

Connected-calendar events come last in a day, apart from the site's own. A rule after the
last day of the policy's horizon shows where apply stops scheduling.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.engine.calendar import Day, Entry, SiteCalendar
from reconciler.render import inert
from reconciler.render.calendar import words

_DAY = 16  # "Mon 30 Nov today"
WORDS = 72
"""Where a post's words are cut on the grid (`--format json` of the plan has them whole)."""


def render(calendars: Sequence[SiteCalendar]) -> str:
    return "\n".join(render_site(c) for c in calendars)


def render_site(calendar: SiteCalendar) -> str:
    head = f"{calendar.label} — {calendar.source}"
    if calendar.error:
        return f"{head}\n  ! error: {calendar.error}\n"
    lines = [head, f"  {words.frame(calendar)}", f"  {words.horizon(calendar)}"]
    lines += [f"  ! {note}" for note in calendar.notes]
    lines.append(f"  {words.LEGEND}")
    for week in words.weeks(calendar):
        lines += _week(calendar, week)
    return "\n".join(lines) + "\n"


def _week(calendar: SiteCalendar, days: Sequence[Day]) -> list[str]:
    first, last = days[0].date, days[-1].date
    week = first.isocalendar().week
    lines = ["", f"  Week {week}: {words.long_date(first)} – {words.long_date(last)}"]
    for day in days:
        lines += _day(day)
        if day.horizon_ends:
            lines.append(f"  {'─' * _DAY}─┼─ {words.horizon_mark(calendar)}")
    return lines


def _day(day: Day) -> list[str]:
    label = words.day_name(day.date) + (" today" if day.today else "")
    rows = [line for entry in (*day.own, *day.connected) for line in _entry(entry)]
    first, *rest = rows or [""]
    lines = [f"  {label.ljust(_DAY)} │ {first}".rstrip()]
    return lines + [f"  {'':{_DAY}} │ {row}" for row in rest]


def _entry(entry: Entry) -> list[str]:
    when = words.clock(entry.at)
    texts = [
        f"{label}: “{inert.one_line(post.text or '(no text)', WORDS)}”"
        for post, label in words.post_words(entry.posts)
    ]
    return [
        f"{when} {words.entry_line(entry)}",
        *(f"{'':{len(when)}}   {line}" for line in words.post_lines(entry.posts)),
        *(f"{'':{len(when)}}     {line}" for line in texts),
    ]
