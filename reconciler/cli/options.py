"""Options shared by several commands, declared once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

paths_argument = click.argument("paths", nargs=-1, required=True, type=click.Path())

site_option = click.option(
    "--site",
    "selectors",
    multiple=True,
    metavar="SEL",
    help="Only these sites: a site id, a name glob, or label=value. Repeatable.",
)
parallelism_option = click.option(
    "--parallelism",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="How many sites to work on at once.",
)
emulator_option = click.option(
    "--emulator",
    "emulator_fixture",
    metavar="FIXTURE",
    type=click.Path(exists=True, dir_okay=False),
    help="Run against an in-process Wix emulator seeded from this fixture file.",
)
state_option = click.option(
    "--state-file",
    default=".mpr/state.json",
    show_default=True,
    envvar="MPR_STATE_FILE",
    type=click.Path(dir_okay=False),
    help="Where apply records a regenerate it made due, in case it is cut short.",
)
no_regenerate_option = click.option(
    "--no-regenerate",
    is_flag=True,
    help="Report a due regenerate as a skipped step instead of running it.",
)


def common(func: F) -> F:
    """The options every command that talks to Wix takes."""
    for option in (no_regenerate_option, state_option, emulator_option, parallelism_option):
        func = option(func)
    return site_option(func)
