"""The calendar as GitHub Markdown: a table per week, and a short "next days" list for comments.

Cells hold plain text only: `|`, `<`, `>` and `@` are escaped the way the plan comment does
(render.markdown), so a title cannot break the table or notify anyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from reconciler.engine.calendar import Day, Entry, Post, SiteCalendar
from reconciler.render import inert
from reconciler.render.calendar import words
from reconciler.render.drafts import markdown_link


def render(calendars: Sequence[SiteCalendar]) -> str:
    return "\n".join(render_site(c) for c in calendars)


def render_site(calendar: SiteCalendar) -> str:
    head = f"### {escape(calendar.label)}\n\n`{escape(calendar.source)}`\n"
    if calendar.error:
        return f"{head}\n> **Error:** {escape(calendar.error)}\n"
    lines = [head, f"{escape(words.frame(calendar))}; {escape(words.horizon(calendar))}\n"]
    lines += [f"> **Note:** {escape(note)}\n" for note in calendar.notes]
    lines.append(f"{words.LEGEND}\n")
    lines += [_week(calendar, week) for week in words.weeks(calendar)]
    return "\n".join(lines)


def _week(calendar: SiteCalendar, days: Sequence[Day]) -> str:
    first, last = days[0].date, days[-1].date
    rows = [
        f"#### Week {first.isocalendar().week}: {words.long_date(first)} – {words.long_date(last)}",
        "",
        "| day | events and plan | connected calendars |",
        "| --- | --- | --- |",
    ]
    for day in days:
        rows.append(_row(day))
        if day.horizon_ends:
            rows.append(f"| **horizon** | **{escape(words.horizon_mark(calendar))}** | |")
    return "\n".join(rows) + "\n"


def _row(day: Day) -> str:
    label = words.day_name(day.date)
    label = f"**{label} (today)**" if day.today else label
    own = "<br>".join(line for e in day.own for line in entry_lines(e))
    connected = "<br>".join(line for e in day.connected for line in entry_lines(e))
    return f"| {label} | {own} | {connected} |"


def entry_lines(entry: Entry, *, texts: bool = True) -> list[str]:
    """An entry and its posts as escaped lines; what apply would do in bold. With `texts`,
    each post's words follow (inert: AI output), with a link to its image."""
    when = words.clock(entry.at)
    head = _bold_apply(escape(f"{when} {words.entry_line(entry)}"))
    lines = [head, *(_bold_apply(escape(f"↳ {line}")) for line in words.post_lines(entry.posts))]
    if texts:
        lines += [_post_words(post, label) for post, label in words.post_words(entry.posts)]
    return lines


def _post_words(post: Post, label: str) -> str:
    said = inert.markdown(inert.one_line(post.text)) if post.text.strip() else "*(no text)*"
    link = markdown_link(post.image)
    return f"&nbsp;&nbsp;{escape(label)}: “{said}”" + (f" ({link})" if link else "")


def next_days(calendar: SiteCalendar) -> str:
    """The busy days only, as a list (what a pull-request comment has room for): events,
    activities, and the posts that are or will be scheduled; drafts left as drafts are not."""
    title = f"**{escape(calendar.name or calendar.site_id)}: the next {len(calendar.days)} days**"
    if calendar.error:
        return f"{title}: not shown ({escape(calendar.error)})\n"
    title += f" (UTC) — {escape(words.horizon(calendar))}"
    busy = calendar.busy_days
    if not busy:
        return f"{title}: nothing on the calendar\n"
    lines = [title, "", *(f"> {escape(note)}\n" for note in calendar.notes)]
    for day in busy:
        shown = (replace(e, posts=_going_out(e.posts)) for e in (*day.own, *day.connected))
        entries = [line for e in shown for line in entry_lines(e, texts=False)]
        lines.append(f"- **{words.day_name(day.date)}**: " + "; ".join(entries))
    return "\n".join(lines) + "\n"


def upcoming_sections(calendars: Mapping[str, SiteCalendar]) -> dict[str, str]:
    """Each site's `next_days`, by site id, as a section of the plan comment."""
    return {site_id: "\n" + next_days(c) for site_id, c in calendars.items()}


def _going_out(posts: Sequence[Post]) -> tuple[Post, ...]:
    return tuple(p for p in posts if p.will_schedule or p.status in ("scheduled", "published"))


def _bold_apply(line: str) -> str:
    """Bold from the ★ on: what apply would do stands out without colour."""
    plain, apply = words.split_apply(line)
    return f"{plain}**{apply}**" if apply else plain


def escape(raw: str) -> str:
    """`raw` as text inside a table cell: one line, no markup, no @mention."""
    flat = " ".join(raw.split("\n"))
    flat = flat.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return flat.replace("@", "@\u2060")
