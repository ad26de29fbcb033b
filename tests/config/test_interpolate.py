"""`${ENV}` interpolation: string values only, `$${` escapes, unset variables located."""

from __future__ import annotations

import pytest

from reconciler.config import load_sites
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
    _, problems = _run("a: ${} ${-x} ${OPEN\n", {})
    assert [p.split(": ", 2)[2].split(":")[0] for p in problems] == [
        "malformed reference '${}'",
        "malformed reference '${-x}'",
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
