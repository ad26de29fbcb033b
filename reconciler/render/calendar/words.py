"""The words every calendar format shares: what an entry, a post and the frame say.

Each mark is a symbol *and* words ("★ apply schedules it"), so no format relies on colour or
on a symbol alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from reconciler.engine.calendar import Day, Entry, Post, SiteCalendar

EVENT = "◆"
CONNECTED = "○"
ACTIVITY = "▸"
APPLY = "★"
LEGEND = (
    f"{EVENT} event · {CONNECTED} connected calendar (read-only) · {ACTIVITY} plan activity · "
    f"{APPLY} what apply would do"
)
_CHANGE = {
    "create": f"{APPLY} apply creates it",
    "update": f"{APPLY} apply updates it",
    "delete": f"{APPLY} apply deletes it",
    "unmanaged": "not in the file (kept)",
}


def day_name(day: date) -> str:
    """`Mon 30 Nov`."""
    return day.strftime("%a %d %b")


def long_date(day: date) -> str:
    """`Mon 2026-11-30`."""
    return day.strftime("%a %Y-%m-%d")


def clock(moment: datetime) -> str:
    """`09:00` (UTC)."""
    return moment.strftime("%H:%M")


def entry_line(entry: Entry) -> str:
    """An event or an activity in one line, without its posts or its time."""
    if entry.kind == "activity":
        kind = entry.activity_type or "activity"
        tail = f" {APPLY} apply generates its posts" if entry.generates_posts else ""
        return f"{ACTIVITY} {kind}: {entry.title or '(untitled)'}{tail}"
    mark = CONNECTED if entry.kind == "connected" else EVENT
    repeats = f" ({entry.repeats})" if entry.repeats else ""
    change = f" {_CHANGE[entry.change]}" if entry.change else ""
    return f"{mark} {entry.title}{repeats}{change}"


def split_apply(line: str) -> tuple[str, str]:
    """`line` cut before its ★: (what is, what apply would do); the second is "" when none."""
    mark = line.find(APPLY)
    return (line, "") if mark < 0 else (line[:mark], line[mark:])


def post_line(post: Post) -> str:
    """`FACEBOOK post: draft ★ apply schedules it`."""
    kind = "story" if post.story else "post"
    tail = f" {APPLY} apply schedules it" if post.will_schedule else ""
    return f"{post.channel or '(no channel)'} {kind}: {post.status or 'unknown'}{tail}"


_STATUS_RANK = {"published": 0, "scheduled": 1, "draft": 2}


def post_lines(posts: Sequence[Post]) -> list[str]:
    """An activity's posts, one line per status: `FACEBOOK, INSTAGRAM posts: scheduled`.

    Published and scheduled first, then what apply schedules, then what stays a draft.
    """
    groups: dict[tuple[int, bool, str, bool], list[str]] = defaultdict(list)
    for post in posts:
        rank = _STATUS_RANK.get(post.status, 3)
        groups[(rank, not post.will_schedule, post.status, post.story)].append(
            post.channel or "(no channel)"
        )
    lines = []
    for (_, stays, status, story), channels in sorted(groups.items()):
        kind = ("story" if story else "post") + ("s" if len(channels) > 1 else "")
        tail = "" if stays else f" {APPLY} apply schedules {'them' if len(channels) > 1 else 'it'}"
        lines.append(f"{', '.join(channels)} {kind}: {status or 'unknown'}{tail}")
    return lines


def weeks(calendar: SiteCalendar) -> list[Sequence[Day]]:
    """The calendar's days, seven at a time (a calendar starts on a Monday)."""
    return [calendar.days[start : start + 7] for start in range(0, len(calendar.days), 7)]


def frame(calendar: SiteCalendar) -> str:
    """The dates shown and today, in one line (times are UTC)."""
    first, last = calendar.days[0].date, calendar.days[-1].date
    return f"{long_date(first)} to {long_date(last)} (UTC); today {long_date(calendar.now.date())}"


def horizon(calendar: SiteCalendar) -> str:
    """What the policy's scheduling horizon is, in words."""
    if calendar.horizon_end is None:
        return "apply schedules no drafts (policy.schedule.enabled: false)"
    return (
        f"apply schedules drafts up to {long_date(calendar.horizon_end.date())} "
        f"{clock(calendar.horizon_end)} (policy.schedule.horizonDays: {calendar.horizon_days})"
    )


def horizon_mark(calendar: SiteCalendar) -> str:
    """The line drawn after the horizon's last day."""
    end = calendar.horizon_end
    when = f"{long_date(end.date())} {clock(end)}" if end else ""
    return f"policy horizon ends {when}: apply schedules no draft after it"


def post_words(posts: Sequence[Post]) -> list[tuple[Post, str]]:
    """(post, label) for each post whose words a reader should see: the ones that are or
    will be scheduled or published, and the ones a content rule holds back (with why).
    The words themselves are AI output: each format makes them inert (render.inert)."""
    shown = []
    for post in posts:
        kind = "story" if post.story else "post"
        if post.held:
            shown.append((post, f"{post.channel} {kind} held ({post.held})"))
        elif post.goes_out:
            shown.append((post, f"{post.channel} {kind}"))
    return shown
