"""Run the tests (and every Python process they start) with the clock moved years ahead.

`TIMESHIFT_YEARS=N` plus this directory on PYTHONPATH makes every Python interpreter
that starts with that environment import `sitecustomize.py` from here, which starts a
`time_machine.travel` to the real now + N years (ticking) before anything else runs: pytest
itself, and the `mpr` subprocesses, `mpr emulator serve` and uvicorn servers it starts. Nothing
else is patched by hand. `.ci/run` uses it; by hand:

    PYTHONPATH=$PWD/tests/timeshift TIMESHIFT_YEARS=5 python -m pytest

(an absolute path: children may run elsewhere). A test that builds a clean environment for a
subprocess must carry `carried()` into it, or that subprocess would run at the real date.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

YEARS_AHEAD = "TIMESHIFT_YEARS"
"""How many years ahead the clock is moved (unset or 0: not moved). Not an MPR_ name: tests
that give `mpr` a clean configuration drop MPR_* variables, and must keep this one."""

DIRECTORY = Path(__file__).resolve().parent
"""The directory to put on PYTHONPATH: it holds the `sitecustomize` shim."""


def carried(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables that move a child's clock too, as this process has them (none if unset)."""
    source = os.environ if env is None else env
    return {name: source[name] for name in (YEARS_AHEAD, "PYTHONPATH") if source.get(name)}


def shifted(years: int, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`env` (default: this process's environment) for a child whose clock is `years` ahead."""
    base = dict(os.environ if env is None else env)
    path = [str(DIRECTORY), *filter(None, base.get("PYTHONPATH", "").split(os.pathsep))]
    return {**base, YEARS_AHEAD: str(years), "PYTHONPATH": os.pathsep.join(path)}
