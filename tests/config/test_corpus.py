"""The fixture corpus: every invalid case gives exactly its `.expected` lines; valid ones none."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import check_sites, load_sites
from reconciler.errors import ConfigInvalid
from tests.config.conftest import FIXTURES, NOW

ENV = {"WIX_API_KEY": "fixture-api-key-value"}
VALID_ENV = {
    "MPR_FIXTURE_SITE_ID": "aaaaaaaa-0000-4000-8000-000000000006",
    "MPR_FIXTURE_REGION": "eu",
    "MPR_FIXTURE_GUIDELINES": "be nice",
}
CASES = sorted(p.stem for p in (FIXTURES / "invalid").glob("*.expected"))


def _case_path(case: str) -> str:
    directory = FIXTURES / "invalid" / case
    return f"invalid/{case}" if directory.is_dir() else f"invalid/{case}.yaml"


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES)
def test_invalid_case_reports_exactly_the_expected_lines(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    expected = Path("invalid", f"{case}.expected").read_text(encoding="utf-8").splitlines()

    result = check_sites([_case_path(case)], env=ENV, now=NOW)

    assert [str(problem) for problem in result.problems] == expected
    assert all(problem.line >= 1 and problem.column >= 1 for problem in result.problems)


@pytest.mark.parametrize("case", CASES)
def test_load_sites_raises_with_every_problem_exactly_when_there_is_an_error(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    result = check_sites([_case_path(case)], env=ENV, now=NOW)
    if not result.errors:
        loaded = load_sites([_case_path(case)], env=ENV, now=NOW)
        assert loaded.warnings == result.problems
        return
    with pytest.raises(ConfigInvalid) as raised:
        load_sites([_case_path(case)], env=ENV, now=NOW)
    assert raised.value.problems == result.problems
    shown = str(raised.value).splitlines()
    assert shown[0] == f"{len(result.errors)} error(s) in the configuration:"
    assert shown[1:] == [str(p) for p in result.errors]


def test_the_whole_invalid_directory_reports_every_file_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(FIXTURES)
    expected = sorted(
        line
        for case in CASES
        for line in Path("invalid", f"{case}.expected").read_text(encoding="utf-8").splitlines()
    )
    result = check_sites(["invalid"], env=ENV, now=NOW)
    # Together, the duplicate-ids case also clashes with no other file: every id is distinct.
    assert sorted(str(problem) for problem in result.problems) == expected


def test_valid_fixtures_load_without_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    result = load_sites(["valid"], env=VALID_ENV, now=NOW)
    assert result.warnings == ()
    assert [site.source for site in result.sites] == [
        "valid/anchors.yaml",
        "valid/full.yaml",
        "valid/interpolated.yaml",
        "valid/minimal.yaml",
        "valid/unmanaged_and_null.yaml",
        "valid/with_defaults.yaml",
    ]
    assert "valid/_shared.yaml" in result.files
