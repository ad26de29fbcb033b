"""The shim moves this process and every Python process it starts, `mpr` included."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from tests.timeshift import YEARS_AHEAD, shifted

pytestmark = pytest.mark.dated
NOW = "from datetime import UTC, datetime; print(datetime.now(UTC).isoformat())"


def years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def real_now() -> datetime:
    hatch = time_machine.escape_hatch
    return datetime.fromtimestamp(hatch.time.time() if hatch.is_travelling() else time.time(), UTC)


def child_now(env: dict[str, str]) -> datetime:
    done = subprocess.run(
        [sys.executable, "-c", NOW], env=env, capture_output=True, text=True, check=True
    )
    return datetime.fromisoformat(done.stdout.strip())


def unshifted() -> dict[str, str]:
    return {**os.environ, YEARS_AHEAD: "0"}


def test_this_process_runs_as_many_years_ahead_as_asked() -> None:
    """In CI's shifted runs this fails if the shim did not load (say, another sitecustomize)."""
    years = int(os.environ.get(YEARS_AHEAD) or 0)
    drift = datetime.now(UTC) - years_after(real_now(), years)
    assert abs(drift) < timedelta(minutes=5), (years, drift)


def test_a_child_python_runs_years_ahead() -> None:
    ahead = child_now(shifted(7))
    assert abs(ahead - years_after(real_now(), 7)) < timedelta(minutes=5)
    assert abs(child_now(unshifted()) - real_now()) < timedelta(minutes=5)


def test_the_mpr_program_runs_years_ahead(tmp_path: Path) -> None:
    """A one-off event two years from now is past for an `mpr` seven years ahead, not before."""
    when = years_after(real_now(), 2).strftime("%Y-%m-%dT%H:%M:%SZ")
    site = tmp_path / "site.yaml"
    site.write_text(
        "version: 1\nsite:\n  id: 11111111-2222-4333-8444-555555555555\n  name: Shifted\n"
        f'events:\n  - {{name: Later, date: "{when}"}}\n',
        encoding="utf-8",
    )
    mpr = str(Path(sys.executable).with_name("mpr"))

    def validate(env: dict[str, str]) -> str:
        done = subprocess.run(
            [mpr, "validate", str(site)], env=env, capture_output=True, text=True, check=True
        )
        return done.stderr

    assert f"{when} is in the past" in validate(shifted(7))
    assert "in the past" not in validate(unshifted())


def test_a_shifted_process_refuses_to_start_one_that_would_lose_the_shift() -> None:
    script = (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', 'pass'], env={'PATH': ''}, check=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=shifted(3), capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "given an environment without the clock shift of this run" in done.stderr
    kept = script.replace("{'PATH': ''}", "{'PATH': '', 'TIMESHIFT_YEARS': '0'}")
    assert subprocess.run([sys.executable, "-c", kept], env=shifted(3)).returncode == 0
