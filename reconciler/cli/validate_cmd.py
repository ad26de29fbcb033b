"""`mpr validate PATH...`: check site files offline (YAML, schema, semantics); no network.

Every problem goes to stderr as `file:line:col: path: message`, or to stdout as GitHub
Actions annotations with `--format github`; a one-line summary follows on stderr.
Exit 0 when valid (warnings allowed), 1 when any error was found.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import click

from reconciler.cli import exitcodes
from reconciler.errors import Problem


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="text: file:line:col lines on stderr; github: workflow annotations on stdout.",
)
def validate(paths: tuple[str, ...], output_format: str) -> None:
    """Check site files (or directories of them) without calling Wix."""
    from reconciler.config import check_sites

    result = check_sites(paths, now=datetime.now(UTC))
    for problem in result.problems:
        if output_format == "github":
            click.echo(github_annotation(problem))
        else:
            click.echo(str(problem), err=True)
    click.echo(summary(len(result.sites), result.errors, result.warnings, result.files), err=True)
    if result.errors:
        raise click.exceptions.Exit(exitcodes.ERROR)


def github_annotation(problem: Problem) -> str:
    """One `::error file=...::message` workflow command (values escaped as GitHub requires)."""
    level = "warning" if problem.severity == "warning" else "error"
    properties = {
        "file": problem.file,
        "line": str(problem.line),
        "col": str(problem.column),
        "title": problem.path or "mpr validate",
    }
    spelled = ",".join(f"{key}={_escape(value, True)}" for key, value in properties.items())
    return f"::{level} {spelled}::{_escape(problem.message, False)}"


def _escape(text: str, in_property: bool) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if in_property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def summary(
    site_count: int, errors: Sequence[Problem], warnings: Sequence[Problem], files: Sequence[str]
) -> str:
    """The last line: "3 site files valid[, 1 warning]" or "2 errors, 1 warning in 4 files"."""
    if not errors:
        text = f"{_count(site_count, 'site file')} valid"
        return text + (f", {_count(len(warnings), 'warning')}" if warnings else "")
    found = _count(len(errors), "error")
    if warnings:
        found += f", {_count(len(warnings), 'warning')}"
    return f"{found} in {_count(len(files), 'file')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
