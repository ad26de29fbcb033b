"""`mpr drift`: does the live state still match the YAML? For a nightly check; never writes.

Exit 0: every site's live settings and events match its file; 2: some drifted (the report
says where); 1: a site could not be read or the files are invalid. Work that is merely due
(drafts to schedule, an INACTIVE plan to regenerate) is not drift: `mpr plan` shows it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import click

from reconciler.cli import exitcodes
from reconciler.cli.app import App
from reconciler.cli.color import echo_plan
from reconciler.cli.options import (
    comment_limit_option,
    format_option,
    github_option,
    issue_option,
    paths_argument,
    with_app,
)
from reconciler.cli.plan_cmd import make, refuse_saved_plans
from reconciler.engine.drift import drift_only, drifted
from reconciler.engine.plan import Plan, SitePlan
from reconciler.gitops.github import check_runner_files
from reconciler.gitops.publish import publish
from reconciler.render.markdown import DRIFT_MARKER


@click.command()
@paths_argument
@with_app(regenerate=False)
@format_option
@issue_option
@comment_limit_option
@github_option
def drift(
    app: App,
    paths: tuple[str, ...],
    fmt: str,
    comment_file: str | None,
    comment_limit: int,
    github: bool,
) -> int:
    """Report the sites in PATHS whose live settings or events differ from the YAML."""
    refuse_saved_plans(paths)
    sites = app.load(paths)
    if github:
        check_runner_files(app.env)
    report = drift_only(asyncio.run(make(app, sites, paths)))
    echo_plan(report, fmt, app.env)
    found = drifted(report)
    if fmt == "text":
        click.echo(_summary(report, found))
    publish(
        app.env,
        report,
        comment_file=comment_file,
        github=github,
        limit=comment_limit,
        title="mpr drift",
        marker=DRIFT_MARKER,
    )
    if report.has_errors:
        return exitcodes.ERROR
    return exitcodes.CHANGES if found else exitcodes.OK


def _summary(report: Plan, found: Sequence[SitePlan]) -> str:
    """`Drift: 1 of 3 site(s) differ from the YAML: harbor; 1 could not be read.` (a site
    that could not be read is not counted among the calm ones)."""
    names = ", ".join(s.name or s.site_id for s in found)
    line = f"Drift: {len(found)} of {len(report.sites)} site(s) differ from the YAML"
    line += f": {names}" if found else ""
    unread = sum(1 for s in report.sites if s.error)
    return line + (f"; {unread} could not be read." if unread else ".")
