"""No credential reaches a site's settings, a plan or Wix through a site file (#23, item 1).

`${…}` of a credential is refused at file:line:col by `validate` and by `plan` before any
request; a desired value that holds a credential's value anyway is refused before any request.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.cli.credentials import refuse_credentials_in
from reconciler.emulator import Emulator
from reconciler.errors import ConfigError
from reconciler.model.events import CalendarEvent
from reconciler.model.settings import ManagedSettings
from reconciler.model.site import DesiredSite, SiteId
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
def test_a_credential_put_together_from_harmless_halves_is_refused_before_any_request(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The secret is in no variable and nowhere in the file as written: only the values
    the plan would send hold it."""
    monkeypatch.setenv("HALF_A", SECRET[:12])
    monkeypatch.setenv("HALF_B", SECRET[12:])
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    event = (
        "events:\n  - name: Sale\n    date: '2026-12-01T09:00:00Z'\n"
        "    description: x ${HALF_A}${HALF_B}\n"
    )
    path = write_site(tmp_path, body=AUTH + event)
    for command in ("validate", "plan"):
        result = mpr(command, str(path))
        assert result.code == exitcodes.ERROR
        assert f"{path}:11:18: events[0].description: looks like an API key" in result.err
        assert SECRET not in result.out + result.err
    assert emulator.requests == []


def test_a_desired_value_holding_a_credential_is_refused_whatever_put_it_there() -> None:
    """Belt and braces behind the loader: the values a plan would send are looked at too."""
    settings = ManagedSettings({"settings.toneOfVoice": f"say {SECRET}"})
    events = (CalendarEvent("Sale"), CalendarEvent(f"Sale {SECRET}"))
    site = DesiredSite(SiteId(SITE), "Crumb", "a.yaml", settings=settings, events=events)
    with pytest.raises(ConfigError) as refused:
        refuse_credentials_in([site], {"NW_APP": SECRET, "SHORT_TOKEN": "say"})
    assert str(refused.value).splitlines() == [
        f"a.yaml: {where} holds the value of the environment variable NW_APP, a credential: "
        "it would be shown by every plan and written to Wix; remove it from the site file "
        "(secrets never belong in one)"
        for where in ("settings.toneOfVoice", "events[1].name")
    ]


@pytest.mark.usefixtures("env")
def test_a_credential_pasted_as_text_is_refused_by_validate_where_it_is(
    mpr: Mpr, tmp_path: Path
) -> None:
    """The environment holds the app secret an auth block names: pasted, it is found."""
    path = write_site(tmp_path, body=AUTH + f"settings:\n  toneOfVoice: 'say {SECRET}'\n")
    result = mpr("validate", str(path))
    assert result.code == exitcodes.ERROR
    assert f"{path}:9:16: settings.toneOfVoice: looks like an API key or token" in result.err
    assert SECRET not in result.out + result.err
