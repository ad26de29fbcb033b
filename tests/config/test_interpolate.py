"""`${ENV}` interpolation: string values only, `$${` escapes, unset variables located."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import check_sites, load_sites
from reconciler.config.interpolate import interpolate
from reconciler.config.yamlio import parse_yaml
from reconciler.errors import ConfigInvalid
from tests.config.conftest import NOW, SITE_ID, Writer, site


def _run(text: str, env: dict[str, str]) -> tuple[object, list[str]]:
    tree, problems = interpolate(parse_yaml(text, "f.yaml").tree, env)
    return tree, [str(p) for p in problems]


def test_references_are_replaced_inside_strings() -> None:
    tree, problems = _run('a: "x ${A} y ${B_2}"\nb: ["${A}"]\n', {"A": "1", "B_2": "two"})
    assert tree == {"a": "x 1 y two", "b": ["1"]}
    assert problems == []


def test_a_doubled_dollar_escapes() -> None:
    tree, _ = _run("a: $${A} and $$ and $${B}\n", {"A": "no"})
    assert tree == {"a": "${A} and $$ and ${B}"}


def test_keys_and_non_strings_are_never_touched() -> None:
    tree, problems = _run("${A}: 1\nb: 2\nc: true\n", {"A": "x"})
    assert tree == {"${A}": 1, "b": 2, "c": True}
    assert problems == []


def test_the_result_stays_a_string() -> None:
    tree, _ = _run("count: ${N}\n", {"N": "3"})
    assert tree == {"count": "3"}


def test_an_unset_variable_names_file_line_and_field() -> None:
    _, problems = _run("a:\n  b: [ok, 'x ${NOPE}']\n", {})
    assert problems == [
        "f.yaml:2:11: a.b[1]: environment variable NOPE is not set (used as ${NOPE})"
    ]


def test_malformed_references_are_errors() -> None:
    text = "a: ${} ${-x} ${OPEN\nb: ${my-var}/${OTHER}\nc: ${OPEN ends at a space\n"
    _, problems = _run(text, {"OTHER": "set"})
    assert [p.split(": ", 2)[2].split(":")[0] for p in problems] == [
        "malformed reference '${}'",
        "malformed reference '${-x}'",
        "malformed reference '${OPEN'",
        "malformed reference '${my-var}'",
        "malformed reference '${OPEN'",
    ]


def test_load_sites_reads_os_environ_by_default(
    write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(site("settings:\n  toneOfVoice: ${MPR_TEST_TONE}\n"))
    monkeypatch.setenv("MPR_TEST_TONE", "cheerful")
    (loaded,) = load_sites([path], now=NOW).sites
    assert loaded.settings.values == {"settings.toneOfVoice": "cheerful"}

    monkeypatch.delenv("MPR_TEST_TONE")
    with pytest.raises(ConfigInvalid) as raised:
        load_sites([path], now=NOW)
    assert "MPR_TEST_TONE is not set" in str(raised.value)


def test_an_interpolated_site_id_is_validated_after_interpolation(write: Writer) -> None:
    path = write("version: 1\nsite: {id: '${SITE}'}\n")
    assert load_sites([path], env={"SITE": SITE_ID}, now=NOW).sites[0].id == SITE_ID
    with pytest.raises(ConfigInvalid) as raised:
        load_sites([path], env={"SITE": "nope"}, now=NOW)
    assert "site.id: expected a GUID" in str(raised.value)


def _checked(
    folder: Path, text: str, env: dict[str, str], files: dict[str, str] | None = None
) -> list[str]:
    """Every error `check_sites` finds in these files, as `file:line:col: message`."""
    for name, body in {"site.yaml": text, **(files or {})}.items():
        (folder / name).write_text(body, encoding="utf-8")
    errors = check_sites([folder], env=env, now=NOW).errors
    return [str(p).replace(f"{folder}/", "") for p in errors]


APP = (
    "auth:\n  wixApp: {instanceId: 9a3f6c1e-1111-4e2a-9b7c-5d8e0f1a2b3c, appSecretEnv: AGENCY_S}\n"
)


@pytest.mark.parametrize(
    ("reference", "extra", "why"),
    [
        (  # the variable's name says nothing: the auth block naming it does (#23)
            "${AGENCY_S}",
            {},
            "auth.wixApp.appSecretEnv at site.yaml:6:76 names it for a credential",
        ),
        (  # neither name says secret: the auth block makes AGENCY_S's value one, in COPY too
            "${COPY}",
            {"COPY": "see hunter2-hunter2"},
            "its value holds a credential's",
        ),
    ],
    ids=["named", "a-copy-of-its-value"],
)
def test_a_variable_an_auth_block_names_for_a_secret_is_refused_where_it_is_used(
    tmp_path: Path, reference: str, extra: dict[str, str], why: str
) -> None:
    env = {"AGENCY_S": "hunter2-hunter2", "WIX_APP_ID": "app-id-1", **extra}
    text = site(APP + f"settings:\n  toneOfVoice: 'we say {reference}'\n")
    assert _checked(tmp_path, text, env) == [
        f"site.yaml:8:16: settings.toneOfVoice: {reference} would copy a secret into the site's "
        f"settings and every plan output ({why}): site files never need it"
    ]


def test_a_secret_named_by_a_later_site_file_is_refused_in_every_file(tmp_path: Path) -> None:
    """The names are learned from every file before any is checked, whatever their order
    (a.yaml, without a defaults file, comes before the one naming the variable)."""
    plain = site(site_id="22222222-2222-4333-8444-555555555555")
    namer = site(APP, site_id="33333333-2222-4333-8444-555555555555")
    text = site("settings:\n  toneOfVoice: ${AGENCY_S}\n")
    env = {"AGENCY_S": "hunter2-hunter2", "WIX_APP_ID": "app-id-1"}
    found = _checked(tmp_path, text, env, {"a.yaml": plain, "b.yaml": namer})
    assert [line.split(" would")[0] for line in found] == [
        "site.yaml:6:16: settings.toneOfVoice: ${AGENCY_S}"
    ]
    assert "(auth.wixApp.appSecretEnv at b.yaml:6:76 names it for a credential)" in found[0]


def test_a_secret_named_by_another_site_or_a_defaults_file_is_refused_too(tmp_path: Path) -> None:
    other = site("defaults: _shared.yaml\n", site_id="22222222-2222-4333-8444-555555555555")
    shared = "auth:\n  apiKey: {env: STAGING_CRED}\n"
    env = {"STAGING_CRED": "k" * 20}
    text = site("settings:\n  toneOfVoice: ${STAGING_CRED}\n")
    found = _checked(tmp_path, text, env, {"other.yaml": other, "_shared.yaml": shared})
    assert [line.split(" would")[0] for line in found] == [
        "site.yaml:6:16: settings.toneOfVoice: ${STAGING_CRED}"
    ]
    assert "(auth.apiKey.env at " in found[0] and "_shared.yaml:2:17 names it" in found[0]
    assert "k" * 20 not in str(found)


@pytest.mark.parametrize(
    "name", ["WIX_APP_SECRET", "MY_SECRET_THING", "NPM_TOKEN", "gh_token", "DB_PASSWORD", "S3_KEY"]
)
def test_a_variable_whose_name_says_it_holds_a_secret_is_refused(name: str) -> None:
    _, problems = _run(f"a: '${{{name}}}'\n", {name: "value-of-it"})
    assert problems == [
        f"f.yaml:1:4: a: ${{{name}}} would copy a secret into the site's settings and every plan "
        "output (its name says it holds a credential): site files never need it"
    ]


def test_the_app_id_and_ordinary_names_are_not_credentials() -> None:
    """The app id is public (Wix shows it in every install link of the app)."""
    env = {"WIX_APP_ID": "app-id-1", "KEYWORDS": "bread", "MONKEY": "m"}
    tree, problems = _run("a: '${WIX_APP_ID} ${KEYWORDS} ${MONKEY}'\n", env)
    assert (tree, problems) == ({"a": "app-id-1 bread m"}, [])


def test_a_variable_holding_a_credential_value_is_refused_whatever_its_name() -> None:
    env = {"WIX_APP_SECRET": "s3cret-value-9", "COPY": "see s3cret-value-9 here"}
    _, problems = _run("a: '${COPY}'\n", env)
    assert [p.split(" (")[1].split(")")[0] for p in problems] == ["its value holds a credential's"]
