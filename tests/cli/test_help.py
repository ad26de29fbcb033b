"""`mpr --help` lists every command without importing any of them (start-up stays fast)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reconciler.cli import _COMMANDS, run

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


def test_every_listed_command_loads(capsys: pytest.CaptureFixture[str]) -> None:
    """`mpr NAME --help` works for every command `mpr --help` lists: its usage line names it,
    the command loaded is the one of that name, and its own help text follows."""
    import click

    from reconciler.cli import cli

    descriptions = {}
    for name in sorted(_COMMANDS):
        code = run([name, "--help"])
        out, err = capsys.readouterr()
        assert (code, err) == (0, ""), name
        usage, blank, description, *_ = out.splitlines()
        assert usage.startswith(f"Usage: mpr {name} [OPTIONS]"), out
        assert blank == "" and description.startswith("  "), out
        command = cli.get_command(click.Context(cli), name)
        assert command is not None and command.name == name
        descriptions[name] = description.strip()
    assert len(set(descriptions.values())) == len(_COMMANDS), descriptions
