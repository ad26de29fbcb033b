"""The calendar as one self-contained HTML page: printable, readable on a phone, accessible.

No external asset (the style is inline, there is no script, image or font), real table
semantics (a `<caption>` per week, `<th scope="col">` and `<th scope="row">`), and every mark
says what it means in words as well as in colour. Under 40em wide each day becomes a block
whose cells name their column, so a phone needs no sideways scrolling.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from reconciler.engine.calendar import Day, Entry, Post, SiteCalendar
from reconciler.render import inert
from reconciler.render.calendar import words

OWN = "Events and plan"
CONNECTED = "Connected calendars (read-only)"

STYLE = """
:root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.4; }
body { margin: 0 auto; max-width: 64rem; padding: 1rem; color: #1a1a1a; background: #fff; }
table { border-collapse: collapse; width: 100%; margin: 0 0 1.5rem; table-layout: fixed; }
caption { text-align: left; font-weight: 600; padding: .5rem 0; }
th, td { border: 1px solid #8a8a8a; padding: .4rem .5rem; vertical-align: top; text-align: left; }
thead th { background: #ececec; }
thead th:first-child { width: 9.5rem; }
thead th:last-child { width: 30%; }
ul { margin: 0; padding-left: 1.1rem; }
.today th[scope=row] { background: #fff4c2; }
.horizon td { border-top: 3px double #1a1a1a; font-weight: 600; }
.apply { font-weight: 700; text-decoration: underline; }
.connected { color: #4a4a4a; font-style: italic; }
.note { border-left: 4px solid #1a1a1a; padding-left: .5rem; }
blockquote { margin: .2rem 0 .4rem; padding-left: .5rem; border-left: 2px solid #8a8a8a; }
@media (max-width: 40em) {
  table, thead, tbody, tr, th, td, caption { display: block; width: auto; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  tr { border: 1px solid #8a8a8a; margin-bottom: .5rem; }
  th, td { border: 0; }
  td:empty { display: none; }
  td::before { content: attr(data-label) ": "; font-weight: 600; }
}
@media print {
  body { max-width: none; padding: 0; }
  table { break-inside: avoid; }
  section { break-before: page; }
  section:first-of-type { break-before: auto; }
}
"""


def render(calendars: Sequence[SiteCalendar]) -> str:
    sections = "".join(_site(index, c) for index, c in enumerate(calendars))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Marketing calendar</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>Marketing calendar</h1>\n<p>{escape(words.LEGEND)}</p>\n{sections}"
        "</main>\n</body>\n</html>\n"
    )


def _site(index: int, calendar: SiteCalendar) -> str:
    head = (
        f'<section aria-labelledby="site-{index}">\n'
        f'<h2 id="site-{index}">{escape(calendar.label)}</h2>\n'
        f"<p><code>{escape(calendar.source)}</code></p>\n"
    )
    if calendar.error:
        error = f'<p class="note"><strong>Error:</strong> {_spans(calendar.error)}</p>\n'
        return f"{head}{error}</section>\n"
    notes = "".join(
        f'<p class="note"><strong>Note:</strong> {_spans(n)}</p>\n' for n in calendar.notes
    )
    weeks = "".join(_week(calendar, week) for week in words.weeks(calendar))
    frame = f"<p>{escape(words.frame(calendar))}<br>{escape(words.horizon(calendar))}</p>\n"
    return f"{head}{frame}{notes}{weeks}</section>\n"


def _spans(text: str) -> str:
    """`text` escaped, its `code spans` (as notes and errors write commands) as <code>."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code span, the text as it is
        return escape(text)
    return "".join(
        f"<code>{escape(part)}</code>" if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )


def _week(calendar: SiteCalendar, days: Sequence[Day]) -> str:
    first, last = days[0].date, days[-1].date
    rows = []
    for day in days:
        rows.append(_row(day))
        if day.horizon_ends:
            mark = escape(words.horizon_mark(calendar))
            rows.append(f'<tr class="horizon"><td colspan="3">{mark}</td></tr>\n')
    return (
        f"<table>\n<caption>Week {first.isocalendar().week}: {words.long_date(first)} – "
        f'{words.long_date(last)}</caption>\n<thead><tr><th scope="col">Day</th>'
        f'<th scope="col">{OWN}</th><th scope="col">{CONNECTED}</th></tr></thead>\n'
        f"<tbody>\n{''.join(rows)}</tbody>\n</table>\n"
    )


def _row(day: Day) -> str:
    label = escape(words.day_name(day.date))
    today = ' <strong class="tag">(today)</strong>' if day.today else ""
    kind = ' class="today"' if day.today else ""
    return (
        f'<tr{kind}><th scope="row"><time datetime="{day.date.isoformat()}">{label}</time>'
        f"{today}</th>{_cell(OWN, day.own)}{_cell(CONNECTED, day.connected)}</tr>\n"
    )


def _cell(label: str, entries: Sequence[Entry]) -> str:
    if not entries:
        return f'<td data-label="{label}"></td>'
    items = "".join(_item(e) for e in entries)
    return f'<td data-label="{label}"><ul>{items}</ul></td>'


def _item(entry: Entry) -> str:
    posts = "".join(f"<li>{_marked(line)}</li>" for line in words.post_lines(entry.posts))
    posts += "".join(_words(post, label) for post, label in words.post_words(entry.posts))
    nested = f"<ul>{posts}</ul>" if posts else ""
    when = f'<time datetime="{entry.at.isoformat()}">{words.clock(entry.at)}</time>'
    return f'<li class="{entry.kind}">{when} {_marked(words.entry_line(entry))}{nested}</li>'


def _words(post: Post, label: str) -> str:
    """A post's words (AI output: escaped, controls spelled out) and a link to its image."""
    said = inert.html_text(post.text) if post.text.strip() else "<em>(no text)</em>"
    url = inert.web_link(post.image) if post.image else None
    link = f' <a href="{escape(url)}">image</a>' if url else ""
    return f'<li class="words">{escape(label)}:{link}<blockquote>{said}</blockquote></li>'


def _marked(line: str) -> str:
    """Escaped, with what apply would do (from the ★ on) emphasised in words and weight."""
    plain, apply = words.split_apply(line)
    return escape(plain) + (f'<strong class="apply">{escape(apply)}</strong>' if apply else "")
