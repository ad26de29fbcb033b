"""`mpr calendar PATH…`: each site's weeks ahead as a calendar; reads only, never writes.

The calendar starts on the Monday of the `--from` week (today by default, from the
runtime's clock) and shows whole weeks, in UTC.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import click

from reconciler.cli import exitcodes
from reconciler.cli.app import App
from reconciler.cli.options import format_choice, paths_argument, with_app
from reconciler.cli.outfile import save
from reconciler.engine.calendar import SiteCalendar, site_calendars
from reconciler.engine.fleet import plan_sites
from reconciler.errors import ConfigError
from reconciler.model.events import EARLIEST, LATEST, in_range
from reconciler.model.site import DesiredSite
from reconciler.render.calendar import FORMATS, render_calendars


async def read_calendars(
    app: App, sites: Sequence[DesiredSite], start: date | None, weeks: int
) -> list[SiteCalendar]:
    runtime = app.runtime()
    async with app.client(sites) as client:
        work = await plan_sites(client, sites, runtime)
    now = runtime.clock.now()
    first = start or now.date()
    monday = first - timedelta(days=first.weekday())
    return site_calendars(work, now=now, start=monday, days=7 * weeks)


@click.command("calendar")
@paths_argument
@with_app
@click.option(
    "--from",
    "start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="DATE",
    help="Show the weeks from the one holding this day (YYYY-MM-DD; default: today, UTC).",
)
@click.option(
    "--weeks", type=click.IntRange(1, 53), default=4, show_default=True, help="How many weeks."
)
@format_choice(
    FORMATS,
    "text: a week grid; markdown: GitHub; html: one printable page; ics: calendar apps.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file, not stdout.")
def calendar(
    app: App,
    paths: tuple[str, ...],
    start: datetime | None,
    weeks: int,
    fmt: str,
    out: str | None,
) -> int:
    """Show the weeks ahead of each site in PATHS: events, the plan's activities, each
    channel's posts, and what apply would schedule."""
    if start is not None and not in_range(start):
        raise ConfigError(
            f"--from {start:%Y-%m-%d} is outside the dates Wix stores ({EARLIEST:%Y-%m-%d} "
            f"to {LATEST:%Y-%m-%d}): pick a day within them"
        )
    sites = app.load(paths)
    found = asyncio.run(read_calendars(app, sites, start.date() if start else None, weeks))
    rendered = render_calendars(found, fmt)
    if out:
        save(out, rendered, "the calendar")
    else:
        click.echo(rendered, nl=False)
    return exitcodes.ERROR if any(c.error for c in found) else exitcodes.OK
