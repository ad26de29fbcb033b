"""`mpr plan`: show what apply would change; never writes to Wix."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from dataclasses import replace

import click

from reconciler.cli import exitcodes
from reconciler.cli.app import App
from reconciler.cli.color import echo_plan
from reconciler.cli.options import (
    comment_limit_option,
    comment_option,
    format_option,
    github_option,
    paths_argument,
    with_app,
)
from reconciler.cli.outfile import save
from reconciler.engine import bounded, calendar
from reconciler.engine.calendar import SiteCalendar
from reconciler.engine.fleet import make_plan, plan_sites
from reconciler.engine.plan import Plan
from reconciler.errors import ConfigError
from reconciler.gitops.github import check_runner_files
from reconciler.gitops.publish import publish
from reconciler.model.site import DesiredSite


async def make(
    app: App,
    sites: Sequence[DesiredSite],
    paths: Sequence[str],
    upcoming: dict[str, SiteCalendar] | None = None,
) -> Plan:
    """Observe and plan every selected site (shared with drift); fill `upcoming`, when given,
    with the next 14 days of each site that changes (for the pull-request comment)."""
    runtime = app.display.attach(app.runtime())
    async with app.client(sites) as client, app.display.showing(names(sites), announce=False):
        work = await plan_sites(client, sites, runtime, keep_live=upcoming is not None)
    if upcoming is not None:
        upcoming.update(calendar.upcoming(work, now=runtime.clock.now()))
    return stamp(app, make_plan(work, runtime, paths, app.selectors))


def refuse_saved_plans(paths: Sequence[str]) -> None:
    """ConfigError for a path that holds a plan saved with `--out` rather than site files.

    Told apart by its shape (a JSON object with format_version and sites), so a site file
    that happens to be JSON is still the loader's to judge."""
    for path in paths:
        if not (path.endswith(".json") and os.path.isfile(path)):
            continue
        try:
            body = json.loads(bounded.read_text(path, bounded.SAVED_PLAN))
        except (OSError, ValueError):
            continue
        if isinstance(body, dict) and {"format_version", "sites"} <= body.keys():
            raise ConfigError(
                f"{path} is a saved plan: use `mpr apply {path}` or `mpr show {path}`"
            )


def names(sites: Sequence[DesiredSite]) -> dict[str, str]:
    """Each site's name by id, as the progress shows them."""
    return {site.id: site.name for site in sites}


def stamp(app: App, plan: Plan) -> Plan:
    """The plan with the shard it was made for, so `apply PLANFILE` applies the same one,
    and the digests of the files it was made from, so a stale one names what changed."""
    return replace(plan, shard=str(app.shard or ""), files=dict(app.digests))


@click.command()
@paths_argument
@with_app
@format_option
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Also save the plan (JSON) for `mpr apply FILE`."
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0: no changes, 2: changes, 1: error.")
@comment_option
@comment_limit_option
@github_option
def plan(
    app: App,
    paths: tuple[str, ...],
    fmt: str,
    out: str | None,
    detailed_exitcode: bool,
    comment_file: str | None,
    comment_limit: int,
    github: bool,
) -> int:
    """Show what `mpr apply` would change on each site declared in PATHS."""
    refuse_saved_plans(paths)
    sites = app.load(paths)
    if github:
        check_runner_files(app.env)
    upcoming: dict[str, SiteCalendar] | None = {} if comment_file or github else None
    result = asyncio.run(make(app, sites, paths, upcoming))
    if out:
        save(out, result.dumps(), "the plan")
    echo_plan(result, fmt, app.env)
    publish(
        app.env,
        result,
        comment_file=comment_file,
        github=github,
        limit=comment_limit,
        upcoming=upcoming,
    )
    if result.has_errors:
        return exitcodes.ERROR
    if detailed_exitcode and result.has_changes:
        return exitcodes.CHANGES
    return exitcodes.OK
