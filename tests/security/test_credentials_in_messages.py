"""Credentials mpr did not send itself but meets in a message: what a failing credential
command says on its standard error, and a password in WIX_API_BASE_URL."""

from __future__ import annotations

import base64
import socket
import sys
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from tests.conftest import Mpr

SITE = "11111111-2222-4333-8444-555555555555"
MINTED = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtcHItdXNlciJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV"
PRINTED = "wix-user-token-Printed-On-Stdout-4c6d8e0f1a2b"
COMMAND = f"""import base64, sys
print({PRINTED!r})
sys.stderr.write("minted {MINTED} but could not cache it\\n")
sys.stderr.write("the token printed was " + base64.b64encode({PRINTED!r}.encode()).decode())
sys.stderr.write("\\nsee /usr/local/lib/wix-cli/errors.log\\n")
sys.exit(3)
"""


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def site(folder: Path, auth: str = "") -> Path:
    path = folder / "site.yaml"
    path.write_text(f"version: 1\nsite: {{id: {SITE}}}\n{auth}settings: {{toneOfVoice: calm}}\n")
    return path


def test_a_failing_credential_command_shows_its_stderr_without_a_token(
    mpr: Mpr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    script = tmp_path / "token.py"
    script.write_text(COMMAND)
    monkeypatch.setenv("WIX_API_BASE_URL", f"http://127.0.0.1:{closed_port}")
    path = site(tmp_path, f"auth:\n  wixUser: {{command: '{sys.executable} {script}'}}\n")
    result = mpr("plan", str(path), obj=_from_environment())
    said = result.out + result.err
    assert result.code == exitcodes.ERROR
    assert "exited with status 3; it said: minted *** but could not cache it" in said
    assert "the token printed was ***" in said
    assert "/usr/local/lib/wix-cli/errors.log" in said  # a path stays readable
    for secret in (MINTED, PRINTED, base64.b64encode(PRINTED.encode()).decode()[:20]):
        assert secret not in said


@pytest.mark.parametrize("password", ["hunter2-but-longer", "pw", "p%40ss:w@rd"])
def test_a_password_in_the_base_url_is_refused_and_never_printed(
    mpr: Mpr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, closed_port: int, password: str
) -> None:
    monkeypatch.setenv("WIX_API_BASE_URL", f"http://mpr-user:{password}@127.0.0.1:{closed_port}")
    monkeypatch.setenv("WIX_API_KEY", "IST.some-api-key-0123456789")
    for argv in (["plan", str(site(tmp_path))], ["drift", str(site(tmp_path))]):
        result = mpr(*argv, obj=_from_environment())
        said = result.out + result.err
        assert result.code == exitcodes.ERROR
        assert result.err.startswith(
            "Error: WIX_API_BASE_URL holds a user name or password (http://mpr-user:***@127.0.0.1"
        ), said
        assert password not in said and password.replace("%40", "@") not in said


def test_a_password_in_a_base_url_that_is_not_a_url_is_never_printed(
    mpr: Mpr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIX_API_BASE_URL", "ftp://mpr-user:hunter2-secret@wix.example")
    monkeypatch.setenv("WIX_API_KEY", "IST.some-api-key-0123456789")
    result = mpr("plan", str(site(tmp_path)), obj=_from_environment())
    assert result.code == exitcodes.ERROR
    assert "ftp://mpr-user:***@wix.example" in result.err
    assert "hunter2" not in result.out + result.err


def _from_environment() -> object:
    from reconciler.cli.app import Hooks

    return Hooks()
