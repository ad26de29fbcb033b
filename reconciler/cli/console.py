"""Terminal output helpers: progress lines on a terminal, silence in CI logs."""

from __future__ import annotations

import os
import sys
from typing import TextIO

import click


class ProgressLines:
    """One line per site, redrawn in place; only on an interactive terminal outside CI."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and not os.environ.get("CI")
        self.lines: dict[str, str] = {}

    def __call__(self, site_id: str, message: str) -> None:
        if not self.enabled:
            return
        drawn = len(self.lines)
        self.lines[site_id] = message
        if drawn:
            self.stream.write(f"\x1b[{drawn}F")
        for site, text in self.lines.items():
            self.stream.write(f"\x1b[2K{site}: {text}\n")
        self.stream.flush()


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)
