"""Colour on a terminal, and only there: `--no-color` and NO_COLOR (no-color.org) turn it
off, and output that goes to a file or a pipe is never coloured."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping
from typing import TextIO

import click

from reconciler.cli import NO_COLOR_KEY
from reconciler.engine.plan import Plan
from reconciler.render import render_plan
from reconciler.render.paint import Paint, Role, plain
from reconciler.render.text import DEFAULT_WIDTH

_COLOURS: dict[Role, str | None] = {
    "add": "green",
    "remove": "red",
    "change": "yellow",
    "warn": "yellow",
    "error": "red",
    "strong": None,
}
_BOLD = frozenset({"error", "strong"})


def styled(text: str, role: Role) -> str:
    """`text` in the terminal colour of `role`."""
    return click.style(text, fg=_COLOURS[role], bold=True if role in _BOLD else None)


def wants_color(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Whether output to `stream` is coloured: a terminal, without --no-color or NO_COLOR."""
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get(NO_COLOR_KEY):
        return False
    if env.get("NO_COLOR"):
        return False
    return stream.isatty()


def painter(stream: TextIO, env: Mapping[str, str]) -> Paint:
    """The painter for what is written to `stream`."""
    return styled if wants_color(stream, env) else plain


def echo_plan(plan: Plan, fmt: str, env: Mapping[str, str]) -> None:
    """Print `plan` on stdout in `fmt`; text is coloured when stdout is a terminal."""
    width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    click.echo(render_plan(plan, fmt, painter(sys.stdout, env), width), nl=False)
