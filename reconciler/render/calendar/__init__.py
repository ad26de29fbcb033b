"""Calendars (engine.calendar) as text, Markdown, HTML or iCalendar; one module per format.

Strings out, no I/O here. `words` holds what every format says, so they agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reconciler.engine.calendar import SiteCalendar

FORMATS = ("text", "markdown", "html", "ics")


def render_calendars(calendars: Sequence[SiteCalendar], fmt: str) -> str:
    """The calendars in `fmt`, one of FORMATS."""
    from reconciler.render.calendar import html, ics, markdown, text

    renderers: dict[str, Callable[[Sequence[SiteCalendar]], str]] = {
        "text": text.render,
        "markdown": markdown.render,
        "html": html.render,
        "ics": ics.render,
    }
    return renderers[fmt](calendars)
