"""`mpr validate PATH...`: check site files offline (YAML, schema, semantics).

Every problem goes to stderr as `file:line:col: path: message`, or to stdout as GitHub
Actions annotations with `--format github`; a one-line summary follows on stderr.
Exit 0 when valid (warnings allowed), 1 when any error was found. `--online` then reads each
valid site's live options (never its state, never a write) and reports every goal, point of
view and calendar the site does not offer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from reconciler.cli import exitcodes
from reconciler.cli.options import emulator_option, format_choice
from reconciler.errors import Problem
from reconciler.model.site import DesiredSite

if TYPE_CHECKING:  # the client's imports wait until --online asks for them
    from reconciler.cli.app import App


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@format_choice(
    ["text", "github"],
    "text: file:line:col lines on stderr; github: workflow annotations on stdout.",
    "output_format",
)
@click.option(
    "--online",
    is_flag=True,
    help="Also check goals, points of view and calendars against each site's live options "
    "(reads only).",
)
@emulator_option
def validate(
    paths: tuple[str, ...], output_format: str, online: bool, emulator_fixture: str | None
) -> None:
    """Check site files (or directories of them); without --online, Wix is not called."""
    from reconciler.config import check_sites

    result = check_sites(paths, now=datetime.now(UTC))
    for problem in result.problems:
        if output_format == "github":
            click.echo(github_annotation(problem))
        else:
            click.echo(str(problem), err=True)
    unsigned = [Problem(file, 0, 0, "auth", NO_AUTH, "warning") for file in result.without_auth]
    if output_format == "github":
        for problem in unsigned:
            click.echo(github_annotation(problem))
    elif unsigned:
        click.echo(no_auth_warning(result.without_auth), err=True)
    warnings = [*result.warnings, *unsigned]
    click.echo(summary(len(result.sites), result.errors, warnings, result.files), err=True)
    if result.errors:
        raise click.exceptions.Exit(exitcodes.ERROR)
    if online and not _online_valid(result.sites, emulator_fixture, output_format):
        raise click.exceptions.Exit(exitcodes.ERROR)


def _online_valid(sites: Sequence[DesiredSite], fixture: str | None, output_format: str) -> bool:
    """Report each value the live sites do not offer; whether there was none."""
    from reconciler.cli.app import App, Hooks

    app = App(
        emulator_fixture=fixture, hooks=click.get_current_context().find_object(Hooks) or Hooks()
    )
    problems = asyncio.run(_live_problems(app, sites))
    for problem in problems:
        if output_format == "github":
            click.echo(f"::error title=mpr validate --online::{_escape(problem, False)}")
        else:
            click.echo(problem, err=True)
    verdict = f"{len(problems)} problem(s)" if problems else "every value offered"
    click.echo(f"online: {verdict} on {len(sites)} site(s)", err=True)
    return not problems


async def _live_problems(app: App, sites: Sequence[DesiredSite]) -> list[str]:
    from reconciler.engine.fleet import every
    from reconciler.engine.options import live_option_problems
    from reconciler.errors import ApiError

    async with app.client(sites) as client:

        async def one(site: DesiredSite) -> list[str]:
            try:
                return await live_option_problems(client.site(site.id), site)
            except ApiError as exc:
                return [f"{site.source}: cannot read the options of {site.display_name}: {exc}"]

        found = await every(sites, one)
    return [problem for problems in found for problem in problems]


NO_AUTH = (
    "no `auth` (nor in its defaults): mpr would sign in with the API key in WIX_API_KEY, and "
    "Wix refuses API keys for the Marketing Plan APIs (they accept only a Wix app or a Wix "
    "user); add `auth: {wixApp: {instanceId: ...}}` or `auth: {wixUser: {command: ...}}` "
    "(README: Connecting to Wix). Only the emulator's --lenient-auth accepts the key"
)


def no_auth_warning(files: Sequence[str]) -> str:
    """One line for every site file without `auth`, however many there are."""
    shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
    return f"warning: {_count(len(files), 'site file')} ({shown}): {NO_AUTH}"


def github_annotation(problem: Problem) -> str:
    """One `::error file=...::message` workflow command (values escaped as GitHub requires)."""
    level = "warning" if problem.severity == "warning" else "error"
    properties = {"file": problem.file}
    if problem.line:  # 0: the path itself, no position in it
        properties |= {"line": str(problem.line), "col": str(problem.column)}
    properties["title"] = problem.path or "mpr validate"
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
    """The last line: "3 site files valid[, 1 warning]" or "2 errors, 1 warning in 1 of 4
    files" (the files the problems are in, of those checked)."""
    if not errors:
        text = f"{_count(site_count, 'site file')} valid"
        return text + (f", {_count(len(warnings), 'warning')}" if warnings else "")
    found = _count(len(errors), "error")
    if warnings:
        found += f", {_count(len(warnings), 'warning')}"
    at_fault = {problem.file for problem in (*errors, *warnings)}
    if at_fault < set(files):
        return f"{found} in {len(at_fault)} of {_count(len(files), 'file')}"
    return f"{found} in {_count(len(at_fault), 'file')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
