"""`mpr options PATH…`: what each site offers for the goal, the point of view and calendars.

The seeds' second flow: read the plan-goal and point-of-view options (and calendars and
defaults), then write settings from them. Reads only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import click

from reconciler.cli import exitcodes
from reconciler.cli.app import App
from reconciler.cli.options import paths_argument, text_or_json_option, with_app
from reconciler.engine.fleet import every
from reconciler.engine.options import read_options
from reconciler.errors import ApiError
from reconciler.model.site import DesiredSite
from reconciler.render.options import SiteOptionsRead, render_options


async def read_all(app: App, sites: Sequence[DesiredSite]) -> list[SiteOptionsRead]:
    async with app.client(sites) as client:

        async def one(site: DesiredSite) -> SiteOptionsRead:
            try:
                return site, await read_options(client.site(site.id)), ""
            except ApiError as exc:
                return site, None, str(exc)

        return await every(sites, one)


@click.command("options")
@paths_argument
@with_app
@text_or_json_option
def options(app: App, paths: tuple[str, ...], fmt: str) -> int:
    """Show the live options of the sites in PATHS: plan goals, points of view, calendars
    and the settings defaults (values a site file may use)."""
    sites = app.load(paths)
    found = asyncio.run(read_all(app, sites))
    click.echo(render_options(found, fmt), nl=False)
    return exitcodes.ERROR if any(options is None for _, options, _ in found) else exitcodes.OK
