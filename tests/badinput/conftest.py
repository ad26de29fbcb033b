"""`mpr` run in-process against an emulator that would accept any site: a broken file must be
refused on its own merits, before a single request (let alone a write) reaches Wix."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from reconciler.cli import run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.runtime import Runtime
from tests.conftest import EmulatorTime, emulator_client

PROBLEM = re.compile(r"^(?:warning: )?(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<column>\d+): ")
"""A problem as mpr prints it: `file:line:col: [field:] message` (warnings prefixed)."""


@dataclass
class Result:
    code: int
    out: str
    err: str

    def problems(self) -> list[re.Match[str]]:
        """Every `file:line:col:` line on stderr."""
        found = (PROBLEM.match(line) for line in self.err.splitlines())
        return [m for m in found if m]


Mpr = Callable[..., Result]


@pytest.fixture
def open_emulator(emulator: Emulator) -> Emulator:
    """The shared emulator, serving any site id it is asked about."""
    emulator.configure(auto_create_sites=True)
    return emulator


@pytest.fixture
def mpr(
    open_emulator: Emulator, engine_time: EmulatorTime, capsys: pytest.CaptureFixture[str]
) -> Mpr:
    client = emulator_client(open_emulator)

    hooks = Hooks(
        client=client,
        runtime=lambda: Runtime(clock=engine_time, journal=MemoryJournal(), min_poll_delay=5.0),
    )

    def invoke(*argv: str) -> Result:
        capsys.readouterr()
        code = run(list(argv), obj=hooks)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke
