"""The `mpr` program as users run it: a subprocess talking HTTP to a server at WIX_API_BASE_URL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator, EmulatorConfig, serve_in_thread

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KEY = "IST.e2e-key-0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def server() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(
        config=EmulatorConfig(
            generation_seconds=0.2, posts_seconds=0.1, accepted_api_keys=frozenset({KEY})
        )
    )
    emulator.load_fixtures_file(EXAMPLES / "_emulator" / "sites.yaml")
    with serve_in_thread(emulator) as base_url:
        yield emulator, base_url


def mpr(*argv: str, base_url: str, key: str = KEY, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WIX_API_BASE_URL": base_url, "WIX_API_KEY": key, "CI": "true"}
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_plan_apply_plan_over_http(server: tuple[Emulator, str], tmp_path: Path) -> None:
    emulator, base_url = server
    sites = str(EXAMPLES / "sites")
    first = mpr("plan", sites, "--detailed-exitcode", base_url=base_url, cwd=tmp_path)
    assert first.returncode == exitcodes.CHANGES, first.stderr
    assert emulator.writes() == []

    applied = mpr("apply", sites, "--auto-approve", base_url=base_url, cwd=tmp_path)
    assert applied.returncode == exitcodes.OK, applied.stdout + applied.stderr
    assert "Apply: 3 site(s): 3 changed, 0 failed" in applied.stdout
    assert (tmp_path / ".mpr" / "state.json").exists()

    writes = len(emulator.writes())
    again = mpr("plan", sites, "--detailed-exitcode", base_url=base_url, cwd=tmp_path)
    assert again.returncode == exitcodes.OK, again.stdout
    assert len(emulator.writes()) == writes
    for output in (first, applied, again):
        assert KEY not in output.stdout + output.stderr


def test_a_wrong_key_is_an_error_that_says_what_to_fix(
    server: tuple[Emulator, str], tmp_path: Path
) -> None:
    _, base_url = server
    result = mpr("plan", str(EXAMPLES / "sites"), base_url=base_url, key="wrong", cwd=tmp_path)
    assert result.returncode == exitcodes.ERROR
    assert "HTTP 401" in result.stdout and "WIX_API_KEY" in result.stdout
