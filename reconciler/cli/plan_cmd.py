"""`mpr plan`: show what apply would change; never writes to Wix."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from reconciler.cli import exitcodes
from reconciler.cli.app import App, Hooks
from reconciler.cli.options import (
    comment_limit_option,
    comment_option,
    common,
    github_option,
    paths_argument,
)
from reconciler.cli.publish import publish
from reconciler.config.shard import Shard
from reconciler.engine.fleet import make_plan, plan_sites
from reconciler.engine.plan import Plan
from reconciler.model.site import DesiredSite
from reconciler.render import render_plan


async def make(
    app: App,
    sites: Sequence[DesiredSite],
    paths: Sequence[str],
    selectors: Sequence[str],
    shard: Shard | None = None,
) -> Plan:
    """Observe and plan every selected site (shared with apply and drift)."""
    runtime = app.runtime()
    async with app.client() as client:
        work = await plan_sites(client, sites, runtime, app.parallelism)
    return replace(make_plan(work, runtime, paths, selectors), shard=str(shard or ""))


@click.command()
@paths_argument
@common
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for people, json for machines, markdown for PR comments.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Also save the plan (JSON) for `mpr apply FILE`."
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0: no changes, 2: changes, 1: error.")
@comment_option
@comment_limit_option
@github_option
@click.pass_context
def plan(
    ctx: click.Context,
    paths: tuple[str, ...],
    selectors: tuple[str, ...],
    parallelism: int,
    emulator_fixture: str | None,
    state_file: str,
    no_regenerate: bool,
    shard: Shard | None,
    fmt: str,
    out: str | None,
    detailed_exitcode: bool,
    comment_file: str | None,
    comment_limit: int,
    github: bool,
) -> int:
    """Show what `mpr apply` would change on each site declared in PATHS."""
    app = App(
        emulator_fixture=emulator_fixture,
        state_file=state_file,
        parallelism=parallelism,
        no_regenerate=no_regenerate,
        hooks=ctx.find_object(Hooks) or Hooks(),
    )
    sites = app.load(paths, selectors, shard)
    result = asyncio.run(make(app, sites, paths, selectors, shard))
    if out:
        Path(out).write_text(result.dumps(), encoding="utf-8")
    click.echo(render_plan(result, fmt), nl=False)
    publish(app.env, result, comment_file=comment_file, github=github, limit=comment_limit)
    if result.has_errors:
        return exitcodes.ERROR
    if detailed_exitcode and result.has_changes:
        return exitcodes.CHANGES
    return exitcodes.OK
