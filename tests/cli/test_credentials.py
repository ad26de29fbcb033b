"""Site `auth` + environment → credentials, checked before any request; the emulator's help."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.cli.app import Hooks
from reconciler.cli.credentials import EmulatorApp, site_credentials
from reconciler.cli.emulator_cmd import sign_in_help
from reconciler.emulator import Emulator, EmulatorConfig, serve_in_thread
from reconciler.errors import ConfigError
from reconciler.model.auth import ApiKeyAuth, WixAppAuth, WixUserAuth
from reconciler.model.site import NO_FILE, DesiredSite, SiteId
from reconciler.wix.auth import Redactor
from reconciler.wix.credentials import ApiKeyCredential, AppCredential, CommandCredential
from tests.conftest import Mpr

A, B, C = (f"{n}{n}{n}{n}{n}{n}{n}{n}-2222-4333-8444-555555555555" for n in (1, 2, 3))
INSTANCE = "9a3f6c1e-1111-4e2a-9b7c-5d8e0f1a2b3c"


def desired(site_id: str, auth: object, source: str) -> DesiredSite:
    return DesiredSite(SiteId(site_id), "", source, auth=auth)  # type: ignore[arg-type]


def test_each_missing_variable_is_one_message_naming_the_files() -> None:
    sites = [
        desired(A, WixAppAuth(INSTANCE), "sites/a.yaml"),
        desired(B, WixAppAuth(INSTANCE), "sites/b.yaml"),
        desired(C, ApiKeyAuth(), "sites/c.yaml"),
    ]
    with pytest.raises(ConfigError) as caught:
        site_credentials(sites, {"WIX_APP_ID": "app"}, Redactor())
    assert str(caught.value).splitlines() == [
        "environment variable WIX_APP_SECRET is not set: it holds the Wix app's secret, "
        "needed by 2 site file(s): sites/a.yaml, sites/b.yaml (README: Connecting to Wix)",
        "environment variable WIX_API_KEY is not set: it holds the API key, needed by 1 site "
        "file(s): sites/c.yaml (README: Connecting to Wix)",
    ]


def test_a_secret_with_a_line_break_is_refused_without_echoing_it() -> None:
    sites = [desired(A, WixAppAuth(INSTANCE), "a.yaml")]
    env = {"WIX_APP_ID": "app", "WIX_APP_SECRET": "s3cr3t-value\nmore"}
    with pytest.raises(ConfigError) as caught:
        site_credentials(sites, env, Redactor())
    assert str(caught.value) == (
        "environment variable WIX_APP_SECRET holds a control character (code 10) at position "
        "13, such as a line break: copy the value again without it"
    )


def test_every_kind_gets_its_credential_and_secrets_are_masked() -> None:
    sites = [
        desired(A, WixAppAuth(INSTANCE, "AGENCY_ID", "AGENCY_SECRET"), "a.yaml"),
        desired(B, WixUserAuth("wix token --site {siteId}"), "b.yaml"),
        desired(C, ApiKeyAuth("OTHER_KEY"), "c.yaml"),
    ]
    env = {"AGENCY_ID": "app-1", "AGENCY_SECRET": "agency-secret-1", "OTHER_KEY": "other-key-1"}
    redactor = Redactor()
    resolve = site_credentials(sites, env, redactor)
    app, user, key = resolve(A), resolve(B), resolve(C)
    assert isinstance(app, AppCredential) and app.app_id == "app-1"
    assert app.instance_id == INSTANCE
    assert isinstance(user, CommandCredential) and user.argv()[-1] == B
    assert isinstance(key, ApiKeyCredential) and key.variable == "OTHER_KEY"
    assert resolve("unknown") is None
    assert redactor.redact("agency-secret-1 other-key-1") == "*** ***"


def test_a_site_named_by_id_is_named_so_where_its_credential_comes_from() -> None:
    """`mpr doctor SITE-ID` or `mpr options SITE-ID`: no file, so messages name the site."""
    sites = [
        desired(A, WixUserAuth("wix token --site {siteId}"), NO_FILE),
        desired(B, WixAppAuth(INSTANCE), NO_FILE),
        desired(C, ApiKeyAuth(), NO_FILE),
    ]
    env = {"WIX_APP_ID": "a", "WIX_APP_SECRET": "s", "WIX_API_KEY": "k"}
    resolve = site_credentials(sites, env, Redactor())
    user = resolve(A)
    assert user is not None and user.origin == f"auth.wixUser.command of site {A}"
    app = resolve(B)
    assert app is not None and app.origin == f"auth.wixApp of site {B}"
    with pytest.raises(ConfigError) as caught:
        site_credentials(sites[2:], {}, Redactor())
    assert str(caught.value) == (
        "environment variable WIX_API_KEY is not set: it holds the API key, needed by site "
        f"{C} (README: Connecting to Wix)"
    )


def test_the_in_process_emulator_signs_in_as_its_own_app_whatever_the_environment() -> None:
    sites = [desired(A, WixAppAuth(INSTANCE), "a.yaml")]
    resolve = site_credentials(sites, {}, Redactor(), emulator=EmulatorApp("emu-app", "emu-sec"))
    credential = resolve(A)
    assert isinstance(credential, AppCredential) and credential.app_id == "emu-app"


def test_serve_says_what_to_export_and_each_instance_id() -> None:
    app: dict[str, object] = {
        "appId": "the-app",
        "appSecret": "the-secret",
        "instances": {A: INSTANCE},
    }
    assert sign_in_help("http://127.0.0.1:8080", app, lenient=False).splitlines() == [
        "Sign in as the emulator's Wix app (API keys are refused, as Wix does):",
        "  export WIX_API_BASE_URL=http://127.0.0.1:8080",
        "  export WIX_APP_ID=the-app",
        "  export WIX_APP_SECRET=the-secret",
        "App instance ids (auth.wixApp.instanceId in each site file):",
        f"  site {A} → instance {INSTANCE}",
        "A Wix user token for a site, as `wix token --site ID` would print it:",
        "  mpr emulator token --site SITE_ID",
    ]


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(EmulatorConfig(generation_seconds=0, posts_seconds=0))
    emulator.load_fixtures(
        {"sites": [{"id": A, "instanceId": INSTANCE, "plan": {"status": "ACTIVE"}}]}
    )
    with serve_in_thread(emulator) as url:
        yield emulator, url


def run(*argv: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *argv],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("WIX_")}, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_a_site_signs_in_with_the_emulators_token_command(
    served: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, url = served
    mpr = f"{sys.executable} -m reconciler emulator token --site {{siteId}}"
    (tmp_path / "site.yaml").write_text(
        f"version: 1\nsite: {{id: {A}}}\nauth:\n  wixUser: {{command: '{mpr}'}}\n"
        "settings: {toneOfVoice: calm}\n"
    )
    result = run(
        "plan", "site.yaml", "--detailed-exitcode", env={"WIX_API_BASE_URL": url}, cwd=tmp_path
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "settings.toneOfVoice" in result.stdout
    assert {r.status for r in emulator.requests} == {200}
    tokens = list(emulator.backend.identities.tokens)
    assert len(tokens) == 1 and tokens[0] not in result.stdout + result.stderr


@pytest.mark.slow
def test_import_signs_in_as_the_app_and_keeps_that_auth_in_the_file(
    served: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, url = served
    app = emulator.app_credentials()
    env = {
        "WIX_API_BASE_URL": url,
        "WIX_APP_ID": str(app["appId"]),
        "WIX_APP_SECRET": str(app["appSecret"]),
    }
    result = run("import", f"{A}=Crumb", "--instance-id", f"{A}={INSTANCE}", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "crumb.yaml").read_text()
    assert f"auth:\n  wixApp:\n    instanceId: {INSTANCE}\n" in text
    again = run("plan", "crumb.yaml", "--detailed-exitcode", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert [r.path for r in emulator.requests].count("/oauth2/token") == 2, "one per run"


def test_a_wrong_app_secret_names_the_variable_it_came_from(
    served: tuple[Emulator, str], tmp_path: Path, mpr: Mpr, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, url = served
    (tmp_path / "site.yaml").write_text(
        f"version: 1\nsite: {{id: {A}}}\nauth:\n  wixApp: {{instanceId: {INSTANCE}, "
        "appIdEnv: AGENCY_APP_ID, appSecretEnv: AGENCY_APP_SECRET}\n"
        "settings: {toneOfVoice: calm}\n"
    )
    monkeypatch.setenv("WIX_API_BASE_URL", url)
    monkeypatch.setenv("AGENCY_APP_ID", str(emulator.app_credentials()["appId"]))
    monkeypatch.setenv("AGENCY_APP_SECRET", "not-the-secret-42")
    result = mpr("plan", str(tmp_path / "site.yaml"), obj=Hooks())
    assert result.code == exitcodes.ERROR
    assert "check the app secret in AGENCY_APP_SECRET and the app id in AGENCY_APP_ID" in (
        result.err
    )
    assert f"auth.wixApp of {tmp_path / 'site.yaml'}" in result.err
    assert "no credential was sent" not in result.err
    assert "WIX_API_KEY" not in result.err
    assert "not-the-secret-42" not in result.out + result.err
