"""`mpr --help` lists every command without importing any of them (start-up stays fast)."""

from __future__ import annotations

import subprocess
import sys

from reconciler.cli import _COMMANDS

PROBE = """
import sys
from reconciler.cli import run
code = run(["--help"])
names = ("pydantic", "httpx", "yaml", "deepdiff", "reconciler.engine")
heavy = sorted(m for m in names if m in sys.modules)
print("HEAVY:", ",".join(heavy), "CODE:", code)
"""


def test_root_help_lists_every_command_and_imports_none_of_them() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    for name, (_, _, summary) in _COMMANDS.items():
        assert f"  {name}" in result.stdout and summary in result.stdout
    assert "HEAVY:  CODE: 0" in result.stdout


def test_every_listed_command_loads() -> None:
    import click

    from reconciler.cli import cli

    ctx = click.Context(cli)
    for name in _COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name is not None
