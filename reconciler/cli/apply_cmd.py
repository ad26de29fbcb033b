"""`mpr apply`: make the live sites match the YAML (or apply exactly a saved plan)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from reconciler.cli import exitcodes
from reconciler.cli.app import App, Hooks
from reconciler.cli.options import common, paths_argument
from reconciler.engine.fleet import apply_sites, check_fresh, check_safe, make_plan, plan_sites
from reconciler.engine.plan import Plan
from reconciler.engine.report import ApplyReport
from reconciler.errors import ConfigInvalid, Problem, Refused
from reconciler.model.site import DesiredSite
from reconciler.render import render_plan, render_report


def read_saved_plan(path: str) -> Plan:
    """Load a plan written by `mpr plan --out`."""
    try:
        body = json.loads(Path(path).read_text(encoding="utf-8"))
        return Plan.from_json(body)
    except (ValueError, KeyError, TypeError) as exc:
        problem = Problem(path, 1, 1, "", f"not a plan file written by `mpr plan --out`: {exc}")
        raise ConfigInvalid([problem]) from exc


def confirm(auto_approve: bool) -> None:
    """Ask before writing, Terraform-style; refuse without a terminal."""
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise Refused("apply needs confirmation: run it in a terminal or pass --auto-approve")
    if not click.confirm("Apply these changes?", default=False, err=True):
        raise Refused("apply cancelled: nothing was changed")


async def run_apply(
    app: App,
    sites: Sequence[DesiredSite],
    paths: Sequence[str],
    selectors: Sequence[str],
    saved: Plan | None,
    auto_approve: bool,
) -> ApplyReport | None:
    runtime = app.runtime()
    async with app.client() as client:
        work = await plan_sites(client, sites, runtime, app.parallelism)
        fresh = make_plan(work, runtime, paths, selectors)
        if saved is not None:
            check_fresh(saved, work)
        click.echo(render_plan(fresh, "text"), nl=False)
        if not fresh.has_changes and not fresh.has_errors:
            return ApplyReport(())
        if not app.force:
            check_safe(work)
        if fresh.has_changes:
            confirm(auto_approve or saved is not None)
        return await apply_sites(client, work, runtime, app.parallelism)


@click.command()
@paths_argument
@common
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option(
    "--force", is_flag=True, help="Apply even when a site's deletions pass policy.deleteGuard."
)
@click.pass_context
def apply(
    ctx: click.Context,
    paths: tuple[str, ...],
    selectors: tuple[str, ...],
    parallelism: int,
    emulator_fixture: str | None,
    state_file: str,
    no_regenerate: bool,
    auto_approve: bool,
    force: bool,
) -> int:
    """Apply the YAML in PATHS (or exactly the saved plan in PATHS, a JSON file) to Wix."""
    app = App(
        emulator_fixture=emulator_fixture,
        state_file=state_file,
        parallelism=parallelism,
        no_regenerate=no_regenerate,
        force=force,
        hooks=ctx.find_object(Hooks) or Hooks(),
    )
    saved = None
    if len(paths) == 1 and paths[0].endswith(".json"):
        saved = read_saved_plan(paths[0])
        paths, selectors = saved.sources, saved.selectors
    sites = app.load(paths, selectors)
    report = asyncio.run(run_apply(app, sites, paths, selectors, saved, auto_approve))
    if report is None or not report.outcomes:
        click.echo("No changes. Nothing to apply.")
        return exitcodes.OK
    click.echo(render_report(report), nl=False)
    if report.failed:
        return exitcodes.ERROR
    if report.timed_out:
        return exitcodes.TIMED_OUT
    return exitcodes.OK
