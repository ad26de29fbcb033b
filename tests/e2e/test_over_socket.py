"""The `mpr` program as users run it: a subprocess talking HTTP to a server at WIX_API_BASE_URL.

The emulator is faithful, as Wix is: the example sites sign in as its Wix app (app id and
secret from the environment, instance ids from the site files); API keys are refused.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator, EmulatorConfig, serve_in_thread

pytestmark = pytest.mark.dated  # the examples, mpr and the emulator on the real clock

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
APP_ID = "3c9b7a15-0e2d-4f6a-8b1c-2d3e4f5a6b7c"
APP_SECRET = "e2e-app-secret-0123456789abcdefghijklmnop"
KEY = "IST.e2e-key-0123456789abcdefghijklmnopqrstuvwxyz"
SITE = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def server() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(
        config=EmulatorConfig(
            generation_seconds=0.2, posts_seconds=0.1, app_id=APP_ID, app_secret=APP_SECRET
        )
    )
    emulator.load_fixtures_file(EXAMPLES / "_emulator" / "sites.yaml")
    with serve_in_thread(emulator) as base_url:
        yield emulator, base_url


def app_env(base_url: str) -> dict[str, str]:
    """The variables the example sites name: the direct sites' and the agency's app."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "NORTHWIND_"))}
    return {
        **env,
        "WIX_API_BASE_URL": base_url,
        "WIX_APP_ID": APP_ID,
        "WIX_APP_SECRET": APP_SECRET,
        "NORTHWIND_WIX_APP_ID": APP_ID,
        "NORTHWIND_WIX_APP_SECRET": APP_SECRET,
        "CI": "true",
    }


def mpr(*argv: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def token_requests(emulator: Emulator) -> list[str]:
    """The instance id of every token request the emulator received."""
    return [r.body["instance_id"] for r in emulator.requests if r.path == "/oauth2/token"]


def test_plan_apply_plan_over_http(server: tuple[Emulator, str], tmp_path: Path) -> None:
    emulator, base_url = server
    sites, env = str(EXAMPLES / "sites"), app_env(base_url)
    first = mpr("plan", sites, "--detailed-exitcode", env=env, cwd=tmp_path)
    assert first.returncode == exitcodes.CHANGES, first.stderr
    assert emulator.writes() == []
    instances = sorted(emulator.app_credentials()["instances"].values())
    assert sorted(token_requests(emulator)) == instances, "one token per app instance"

    applied = mpr("apply", sites, "--auto-approve", env=env, cwd=tmp_path)
    assert applied.returncode == exitcodes.OK, applied.stdout + applied.stderr
    assert "Apply: 3 site(s): 3 changed, 0 failed" in applied.stdout
    assert (tmp_path / ".mpr" / "state.json").exists()

    # The agency reviews its clients' words (policy.schedule.afterGeneration: review): the
    # drafts its generation made wait for this plan, which shows them; the next apply
    # schedules them, and then nothing is left to do.
    review = mpr("plan", sites, "--detailed-exitcode", env=env, cwd=tmp_path)
    assert review.returncode == exitcodes.CHANGES, review.stdout + review.stderr
    assert re.search(r"^ +FACEBOOK \w{3} \d\d \w{3} \d\d:\d\d E[SD]T: “", review.stdout, re.M)
    reviewed = mpr("apply", sites, "--auto-approve", env=env, cwd=tmp_path)
    assert reviewed.returncode == exitcodes.OK, reviewed.stdout + reviewed.stderr

    writes = len(emulator.writes())
    again = mpr("plan", sites, "--detailed-exitcode", env=env, cwd=tmp_path)
    assert again.returncode == exitcodes.OK, again.stdout
    assert len(emulator.writes()) == writes
    issued = set(emulator.backend.identities.tokens)
    for output in (first, applied, review, reviewed, again):
        text = output.stdout + output.stderr
        assert APP_SECRET not in text
        assert not [token for token in issued if token in text]


def test_an_api_key_is_refused_with_what_to_configure(
    server: tuple[Emulator, str], tmp_path: Path
) -> None:
    _, base_url = server
    (tmp_path / "site.yaml").write_text(f"version: 1\nsite: {{id: {SITE}, name: Crumb}}\n")
    env = {**app_env(base_url), "WIX_API_KEY": KEY}
    result = mpr("plan", "site.yaml", env=env, cwd=tmp_path)
    assert result.returncode == exitcodes.ERROR
    # The key is every site's: the run stops at the first refusal and says so once.
    assert "HTTP 403 → PERMISSION_DENIED" in result.stderr
    assert "Wix refused the API key in WIX_API_KEY" in result.stderr
    assert "configure `auth: {wixApp: ...}`" in result.stderr
    assert KEY not in result.stdout + result.stderr


def test_missing_app_variables_are_named_before_any_request(
    server: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, base_url = server
    env = app_env(base_url)
    del env["WIX_APP_SECRET"], env["NORTHWIND_WIX_APP_ID"]
    result = mpr("plan", str(EXAMPLES / "sites"), env=env, cwd=tmp_path)
    assert result.returncode == exitcodes.ERROR
    errors = [line for line in result.stderr.splitlines() if "is not set" in line]
    assert len(errors) == 2, result.stderr
    assert "environment variable WIX_APP_SECRET is not set" in result.stderr
    assert "crumb-bakery.yaml" in result.stderr and "inkwell-paper.yaml" in result.stderr
    assert "environment variable NORTHWIND_WIX_APP_ID is not set" in result.stderr
    assert emulator.requests == []


def test_a_refused_token_is_reported_per_site_with_no_lost_connection_retried(
    tmp_path: Path,
) -> None:
    """All three reads of a site are in flight when the first 403 comes back: the two others
    are cancelled with it, not left to fail on the closing client as "lost the connection",
    retried and logged after the site was reported (#13)."""
    emulator = Emulator(config=EmulatorConfig(latency_seconds=0.05))
    emulator.load_fixtures_file(EXAMPLES / "_emulator" / "sites.yaml")
    for n, site in enumerate((SITE, "33333333-4444-4555-8666-777777777777")):
        (tmp_path / f"s{n}.yaml").write_text(
            f"version: 1\nsite:\n  id: {site}\n  name: Shop {n}\n"
            "auth:\n  wixUser: {command: 'echo not-a-token'}\n",
            encoding="utf-8",
        )
    with serve_in_thread(emulator) as base_url:
        env = {**app_env(base_url), "MPR_AUDIT_LOG": "off"}
        result = mpr("plan", str(tmp_path), env=env, cwd=tmp_path)
    assert result.returncode == exitcodes.ERROR, result.stderr
    assert result.stdout.count("HTTP 403 → PERMISSION_DENIED") == 2, result.stdout
    assert "lost the connection" not in result.stderr and "try 2 of" not in result.stderr
