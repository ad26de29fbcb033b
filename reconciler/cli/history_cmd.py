"""`mpr history`: read the audit log that `mpr apply --audit-log` writes."""

from __future__ import annotations

import json
from dataclasses import asdict
from fnmatch import fnmatchcase

import click

from reconciler.cli import exitcodes
from reconciler.cli.console import warn
from reconciler.engine.audit import AuditEntry, read_log
from reconciler.render.history import render_history


@click.command("history")
@click.option(
    "--audit-log",
    "paths",
    multiple=True,
    type=click.Path(dir_okay=False),
    envvar="MPR_AUDIT_LOG",
    help="The audit log(s) to read, in order; repeatable [env MPR_AUDIT_LOG].",
)
@click.option(
    "--site",
    "selectors",
    multiple=True,
    metavar="SEL",
    help="Only these sites: a site id or a name glob. Repeatable.",
)
@click.option("--commit", default=None, help="Only entries of this commit (a prefix will do).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the last N entries.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people; json: the entries as JSON lines.",
)
def history(
    paths: tuple[str, ...],
    selectors: tuple[str, ...],
    commit: str | None,
    limit: int | None,
    fmt: str,
) -> int:
    """Show what apply did, site by site, with the commit and actor of each change."""
    if not paths:
        raise click.UsageError("no audit log: pass --audit-log FILE or set MPR_AUDIT_LOG")
    entries, problems = read_log(list(paths))
    for problem in problems:
        warn(problem)
    for selector in selectors:
        if "=" in selector:
            raise click.UsageError(
                f"--site {selector}: the audit log has no labels; select by site id or name"
            )
    chosen = [e for e in entries if _wanted(e, selectors, commit)]
    if limit is not None:
        chosen = chosen[-limit:]
    if fmt == "json":
        for entry in chosen:
            click.echo(json.dumps(asdict(entry), ensure_ascii=False))
    else:
        click.echo(render_history(chosen), nl=False)
    return exitcodes.OK


def _wanted(entry: AuditEntry, selectors: tuple[str, ...], commit: str | None) -> bool:
    if commit and not (entry.commit or "").lower().startswith(commit.lower()):
        return False
    if not selectors:
        return True
    for selector in selectors:
        wanted = selector.strip().lower()
        if wanted == entry.site.lower() or fnmatchcase(entry.site_name.lower(), wanted):
            return True
    return False
