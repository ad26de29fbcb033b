"""`mpr history`: read the audit trail apply keeps (its log file, or the git store's notes)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import click

from reconciler.cli import exitcodes
from reconciler.cli.audit import AUDIT_NAME
from reconciler.cli.console import warn
from reconciler.cli.options import AUDIT_OFF, DEFAULT_STATE_FILE, format_choice, store_options
from reconciler.cli.store import GIT, StoreChoice
from reconciler.engine.audit import read_log
from reconciler.errors import ConfigError
from reconciler.gitops.history import select_entries
from reconciler.render.history import render_history


@click.command("history")
@click.option(
    "--audit-log",
    "paths",
    multiple=True,
    type=click.Path(dir_okay=False),
    envvar="MPR_AUDIT_LOG",
    help="The audit log(s) to read, in order; repeatable; default apply's "
    "(.mpr/audit.jsonl, next to MPR_STATE_FILE) [env MPR_AUDIT_LOG].",
)
@click.option(
    "--site",
    "selectors",
    multiple=True,
    metavar="SEL",
    help="Only these sites: a site id or a name glob; !SEL leaves sites out. Repeatable.",
)
@click.option(
    "--commit",
    default=None,
    help="Only entries of this commit: HEAD, a branch, a sha or a prefix of one.",
)
@store_options
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the last N entries.")
@format_choice(["text", "json"], "text for people; json: the entries as JSON lines.")
def history(
    paths: tuple[str, ...],
    selectors: tuple[str, ...],
    commit: str | None,
    limit: int | None,
    fmt: str,
    store: str,
    store_remote: str,
) -> int:
    """Show what apply did, site by site, with the commit and actor of each change: each
    write once, with its outcome.

    With --store git, every runner's applies, from the notes in refs/notes/mpr (unless
    --audit-log names files).
    """
    if store == GIT and not paths:
        entries, problems = StoreChoice(store, store_remote).entries([])
    else:
        entries, problems = read_log(_logs(paths))
    for problem in problems:
        warn(problem)
    for selector in selectors:
        if "=" in selector:
            raise click.UsageError(
                f"--site {selector}: the audit log has no labels; select by site id or name"
            )
    chosen = select_entries(entries, selectors=selectors, commit=commit, limit=limit)
    if fmt == "json":
        for entry in chosen:
            click.echo(json.dumps(asdict(entry), ensure_ascii=False))
    else:
        click.echo(render_history(chosen), nl=False)
    return exitcodes.OK


def _logs(paths: tuple[str, ...]) -> list[str]:
    """The files to read: those named (each must exist), else apply's default log."""
    if any(path.strip().lower() == AUDIT_OFF for path in paths):
        raise ConfigError(
            "the audit log is turned off (MPR_AUDIT_LOG=off): pass --audit-log FILE to read one"
        )
    for path in paths:
        if not os.path.exists(path):
            raise ConfigError(
                f"cannot read the audit log {path}: there is no such file (mpr apply writes "
                f"it; by default to {default_log()})"
            )
    if paths:
        return list(paths)
    default = default_log()
    if not default.is_file():
        click.echo(f"note: no audit log at {default} yet: mpr apply writes it there", err=True)
    return [str(default)]


def default_log() -> Path:
    """Where apply keeps its audit log by default: next to the state file."""
    state_file = os.environ.get("MPR_STATE_FILE") or DEFAULT_STATE_FILE
    return Path(state_file).parent / AUDIT_NAME
