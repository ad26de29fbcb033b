"""No credential reaches a site's settings, a plan or Wix through a site file (#23, item 1).

`${…}` of a credential is refused at file:line:col by `validate` and by `plan` before any
request; a desired value that holds a credential's value anyway is refused before any request.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.cli.conftest import SITE, write_site
from tests.conftest import Mpr

SECRET = "app-secret-that-must-stay-home-42"
AUTH = "auth:\n  wixApp: {instanceId: 9a3f6c1e-1111-4e2a-9b7c-5d8e0f1a2b3c, appSecretEnv: NW_APP}\n"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NW_APP", SECRET)
    monkeypatch.setenv("WIX_APP_ID", "public-app-id")
    monkeypatch.setenv("CI_DEPLOY_TOKEN", "token-that-must-stay-home-42")


@pytest.mark.parametrize(
    ("variable", "why"),
    [
        ("NW_APP", "auth.wixApp.appSecretEnv at "),
        ("CI_DEPLOY_TOKEN", "its name says it holds a credential"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "plan"])
@pytest.mark.usefixtures("env")
def test_interpolating_a_credential_is_refused_before_any_request(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, command: str, variable: str, why: str
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    path = write_site(tmp_path, body=AUTH + f"settings:\n  toneOfVoice: 'hi ${{{variable}}}'\n")
    result = mpr(command, str(path))
    assert result.code == exitcodes.ERROR
    assert f"{path}:9:16: settings.toneOfVoice: ${{{variable}}} would copy a secret" in result.err
    assert why in result.err
    assert "must-stay-home" not in result.out + result.err
    assert emulator.requests == []


@pytest.mark.usefixtures("env")
def test_a_desired_value_holding_a_credential_is_refused_before_any_request(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """Pasted as text, not interpolated: `validate` cannot know it is the secret's value, the
    plan does (the environment says so) and sends nothing."""
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    event = (
        f"events:\n  - name: Sale\n    date: '2026-12-01T09:00:00Z'\n    description: x {SECRET}\n"
    )
    path = write_site(tmp_path, body=AUTH + event)
    result = mpr("plan", str(path))
    assert result.code == exitcodes.ERROR
    assert result.err.strip().endswith(
        f"{path}: events['Sale'].description holds the value of the environment variable "
        "NW_APP, a credential: it would be shown by every plan and written to Wix; remove it "
        "from the site file (secrets never belong in one)"
    )
    assert SECRET not in result.out + result.err
    assert emulator.requests == []
