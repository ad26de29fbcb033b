"""Every broken file of the corpus, through the real command line: `mpr plan` and `mpr apply`
refuse it with its exact errors (file:line:col: field: message) and Wix hears nothing.

The corpus is tests/fixtures/sites/invalid (each case with its `.expected` lines, checked
line for line against the loader by tests/config/test_corpus.py) plus the oversized files
generated below, which are too big to keep in the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.config.yamlio import MAX_FILE_BYTES
from reconciler.emulator import Emulator
from tests.badinput.conftest import Mpr
from tests.config.conftest import FIXTURES

INVALID = FIXTURES / "invalid"
KEY_IN_CORPUS = "fixture-api-key-value"
"""tests/fixtures/sites/invalid/env_key_literal.yaml pastes this value of WIX_API_KEY."""
CASES = sorted(p.stem for p in INVALID.glob("*.expected"))
CATEGORIES = {
    "malformed YAML": [
        "malformed_yaml",
        "tab_indentation",
        "two_documents",
        "undefined_alias",
        "not_utf8",
        "nul_byte",
        "not_a_mapping",
        "empty",
        "unsupported_tag",
        "unsupported_include_tag",
    ],
    "duplicate keys": ["duplicate_key", "duplicate_nested_keys"],
    "wrong types": ["wrong_types", "wrong_scalar_types", "events_not_a_list", "bad_guid"],
    "unknown fields": [
        "unknown_field_suggestion",
        "unknown_field_no_suggestion",
        "unknown_event_field",
        "unknown_override_tool",
        "read_only_settings",
    ],
    "unknown enum values": ["unknown_enum", "enum_wrong_case"],
    "past one-off dates": ["past_one_off"],
    "impossible recurrence rules": [
        "rule_never_fires",
        "rule_interval_zero",
        "rule_impossible",
        "both_date_and_rule",
        "neither_date_nor_rule",
    ],
    "duplicate event keys": ["duplicate_event_names", "duplicate_site_ids"],
    "missing site id": ["missing_site_id", "site_id_null"],
    "secrets written inline": ["inline_secret", "env_key_literal", "secrets_in_events"],
    "YAML bombs": ["yaml_bomb", "merge_bomb", "recursive_alias", "deep_nesting"],
}
HUGE = {
    "huge_comment.yaml": lambda: b"version: 1\n" + b"#" * MAX_FILE_BYTES + b"\n",
    "huge_value.yaml": lambda: (
        b"version: 1\nsite:\n  id: bbbbbbbb-0000-4000-8000-000000000200\nsettings:\n"
        b"  toneOfVoice: " + b"warm " * (MAX_FILE_BYTES // 4) + b"\n"
    ),
    "huge_event_list.yaml": lambda: (
        b"version: 1\nsite:\n  id: bbbbbbbb-0000-4000-8000-000000000201\nevents:\n"
        + b"".join(
            b'  - {name: "Event %06d", date: "2027-01-01T09:00:00Z"}\n' % i for i in range(25_000)
        )
    ),
}


def case_path(case: str) -> str:
    return f"invalid/{case}" if (INVALID / case).is_dir() else f"invalid/{case}.yaml"


def expected(case: str) -> list[str]:
    return (INVALID / f"{case}.expected").read_text(encoding="utf-8").splitlines()


def errors_of(case: str) -> list[str]:
    return [line for line in expected(case) if ": warning: " not in line]


@pytest.fixture
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    monkeypatch.setenv("WIX_API_KEY", KEY_IN_CORPUS)
    monkeypatch.delenv("MPR_FIXTURE_UNSET", raising=False)


def test_the_corpus_has_40_broken_files_and_every_category() -> None:
    files = [p for p in INVALID.rglob("*.yaml")] + list(HUGE)
    assert len(files) >= 40, len(files)
    assert all(case in CASES for cases in CATEGORIES.values() for case in cases), [
        case for cases in CATEGORIES.values() for case in cases if case not in CASES
    ]
    assert len(CASES) >= 40


@pytest.mark.usefixtures("in_fixtures")
@pytest.mark.parametrize("command", ["plan", "apply"])
@pytest.mark.parametrize("case", [c for c in CASES if errors_of(c)])
def test_a_broken_file_is_refused_with_its_errors_before_any_request(
    case: str, command: str, mpr: Mpr, open_emulator: Emulator
) -> None:
    argv = [command, case_path(case)] + (["--auto-approve"] if command == "apply" else [])
    result = mpr(*argv)
    assert result.code == exitcodes.ERROR, result.out + result.err
    errors = errors_of(case)
    assert result.err.startswith(f"Error: {len(errors)} error(s) in the configuration:\n")
    printed = result.err.splitlines()[1:]
    assert printed == errors
    assert all(m["file"].startswith("invalid/") and int(m["line"]) >= 1 for m in result.problems())
    assert result.out == ""
    assert open_emulator.requests == []


@pytest.mark.usefixtures("in_fixtures")
@pytest.mark.parametrize("case", [c for c in CASES if not errors_of(c)])
def test_a_suspicious_file_is_planned_with_located_warnings_and_never_written(
    case: str, mpr: Mpr, open_emulator: Emulator
) -> None:
    result = mpr("plan", case_path(case))
    assert result.code == exitcodes.OK, result.err
    warnings = [m for m in result.problems() if m.string.startswith("warning: ")]
    assert warnings and all(m["file"] == case_path(case) for m in warnings), result.err
    assert open_emulator.writes() == []


@pytest.mark.usefixtures("in_fixtures")
def test_validate_reports_every_error_of_the_corpus_at_once(mpr: Mpr) -> None:
    result = mpr("validate", "invalid")
    assert result.code == exitcodes.ERROR
    every = {line for case in CASES for line in expected(case)}
    said = [line for line in result.err.splitlines()[:-1] if "no `auth`" not in line]
    assert set(said) == every
    errors = sum(len(errors_of(case)) for case in CASES)
    assert result.err.splitlines()[-1].startswith(f"{errors} errors, ")


@pytest.mark.usefixtures("in_fixtures")
def test_github_annotations_name_the_file_and_line_of_every_error(mpr: Mpr) -> None:
    result = mpr("validate", "--format", "github", "invalid")
    annotations = [line for line in result.out.splitlines() if line.startswith("::error ")]
    assert len(annotations) == sum(len(errors_of(case)) for case in CASES)
    assert all(",line=" in a and "file=invalid/" in a for a in annotations)


@pytest.mark.parametrize("name", sorted(HUGE))
def test_a_huge_file_is_refused_unread_before_any_request(
    name: str, mpr: Mpr, open_emulator: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(HUGE[name]())
    assert path.stat().st_size > MAX_FILE_BYTES
    result = mpr("apply", str(path), "--auto-approve")
    assert result.code == exitcodes.ERROR
    assert result.err.splitlines()[1] == (
        f"{path}:1:1: the file is larger than 1 MiB ({MAX_FILE_BYTES} bytes); a site file never is"
    )
    assert open_emulator.requests == []
