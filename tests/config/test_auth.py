"""The `auth` block: how a site signs in, what validate says about it, what defaults share."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import load_sites
from reconciler.errors import ConfigInvalid
from reconciler.model.auth import ApiKeyAuth, WixAppAuth, WixUserAuth
from tests.config.conftest import NOW, Writer, site

INSTANCE = "9a3f6c1e-1111-4e2a-9b7c-5d8e0f1a2b3c"


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigInvalid) as caught:
        load_sites([path], env={}, now=NOW)
    return [str(p) for p in caught.value.problems if p.severity == "error"]


def test_without_auth_a_site_signs_in_with_the_api_key(write: Writer) -> None:
    (loaded,) = load_sites([write(site())], env={}, now=NOW).sites
    assert loaded.auth == ApiKeyAuth("WIX_API_KEY")


def test_each_kind_reads_into_the_model(write: Writer, tmp_path: Path) -> None:
    write(site(f"auth:\n  wixApp: {{instanceId: {INSTANCE}}}\n"), "a.yaml")
    write(
        site(
            "auth:\n  wixUser:\n    command: 'wix token --site {siteId} --app {instanceId}'\n"
            "    cacheFor: 5m\n    timeout: 9s\n",
            "22222222-3333-4444-8555-666666666666",
        ),
        "b.yaml",
    )
    write(
        site("auth:\n  apiKey: {env: OTHER_KEY}\n", "33333333-4444-4555-8666-777777777777"),
        "c.yaml",
    )
    app, user, key = (s.auth for s in load_sites([tmp_path], env={}, now=NOW).sites)
    assert app == WixAppAuth(INSTANCE, "WIX_APP_ID", "WIX_APP_SECRET")
    assert user == WixUserAuth("wix token --site {siteId} --app {instanceId}", 300.0, 9.0)
    assert key == ApiKeyAuth("OTHER_KEY")


def test_a_defaults_file_shares_the_app_variables_and_the_site_gives_its_instance(
    write: Writer, tmp_path: Path
) -> None:
    write(
        "version: 1\nauth:\n  wixApp: {appIdEnv: AGENCY_APP_ID, appSecretEnv: AGENCY_SECRET}\n",
        "_defaults.yaml",
    )
    write(site(f"defaults: _defaults.yaml\nauth:\n  wixApp: {{instanceId: {INSTANCE}}}\n"))
    (loaded,) = load_sites([tmp_path], env={}, now=NOW).sites
    assert loaded.auth == WixAppAuth(INSTANCE, "AGENCY_APP_ID", "AGENCY_SECRET")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            f"auth:\n  wixApp: {{instanceId: {INSTANCE}}}\n  apiKey: {{}}\n",
            "site.yaml:6:3: auth: give exactly one of wixApp, wixUser, apiKey (given: wixApp, "
            "apiKey; a defaults file may set one already)",
        ),
        ("auth: {}\n", "site.yaml:5:7: auth: give exactly one of wixApp, wixUser, apiKey"),
        (
            "auth:\n  wixApp: {appIdEnv: MY_APP}\n",
            "site.yaml:6:11: auth.wixApp: instanceId is required: the app's instance id on this "
            "site (README: Connecting to Wix)",
        ),
        (
            "auth:\n  wixUser: {command: 'wix token --site {site}'}\n",
            "site.yaml:6:22: auth.wixUser.command: may use only the placeholders {siteId} and "
            "{instanceId} (write {{ and }} for literal braces)",
        ),
        *(
            (
                f"auth:\n  wixUser: {{command: 'wix token {placeholder}'}}\n",
                "site.yaml:6:22: auth.wixUser.command: may use only the placeholders {siteId} "
                "and {instanceId} (write {{ and }} for literal braces)",
            )
            for placeholder in ("{siteId.id}", "{siteId[0]}", "{instanceId[0]}")
        ),
        (
            "auth:\n  wixUser: {command: '   '}\n",
            "site.yaml:6:22: auth.wixUser.command: names no program to run",
        ),
        (
            "auth:\n  wixUser: {command: '\"\" --site {siteId}'}\n",
            "site.yaml:6:22: auth.wixUser.command: names no program to run",
        ),
        (
            "auth:\n  wixUser: {command: 'wix token \"unclosed'}\n",
            "site.yaml:6:22: auth.wixUser.command: cannot be split into words like a shell "
            "would: No closing quotation",
        ),
        (
            "auth:\n  wixApp: {instanceId: not-a-guid}\n",
            "site.yaml:6:24: auth.wixApp.instanceId: expected a GUID like "
            "11111111-2222-4333-8444-555555555555, got 'not-a-guid'",
        ),
        (
            "auth:\n  apiKey: {env: my-key}\n",
            "site.yaml:6:17: auth.apiKey.env: expected the name of an environment variable "
            "(letters, digits and _, not starting with a digit)",
        ),
        (  # the secret pasted where its variable's name goes is not repeated
            "auth:\n  wixApp: {instanceId: " + INSTANCE + ", appSecretEnv: 'hunter2 of 39 c'}\n",
            "site.yaml:6:76: auth.wixApp.appSecretEnv: expected the name of an environment "
            "variable (letters, digits and _, not starting with a digit)",
        ),
        (
            "auth:\n  wixApp: {instanceId: " + INSTANCE + ", appSecret: hunter2}\n",
            "site.yaml:6:62: auth.wixApp.appSecret: unknown field 'appSecret'; did you mean "
            "'appSecretEnv'?",
        ),
    ],
    ids=[
        "two-kinds",
        "none",
        "no-instance",
        "placeholder",
        "attribute",
        "site-index",
        "instance-index",
        "blank",
        "empty-program",
        "quote",
        "guid",
        "env-name",
        "secret-as-env-name",
        "secret-in-yaml",
    ],
)
def test_a_bad_auth_block_is_located(write: Writer, body: str, expected: str) -> None:
    found = problems(write(site(body)))
    assert len(found) == 1, found
    assert found[0].split("/")[-1] == expected
