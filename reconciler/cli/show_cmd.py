"""`mpr show PLANFILE`: a plan saved with `mpr plan --out`, as people or machines read it.

Like `terraform show`: reads the file only (no site files, no network), so a reviewer can
look at exactly the plan a pipeline saved. A file that is not a saved plan is one error.
"""

from __future__ import annotations

import os

import click

from reconciler.cli import exitcodes
from reconciler.cli.apply_cmd import read_saved_plan
from reconciler.cli.color import echo_plan
from reconciler.cli.options import format_option


@click.command()
@click.argument("planfile", type=click.Path(dir_okay=False))
@format_option
def show(planfile: str, fmt: str) -> int:
    """Show the plan saved in PLANFILE (by `mpr plan --out PLANFILE`)."""
    echo_plan(read_saved_plan(planfile), fmt, os.environ)
    return exitcodes.OK
