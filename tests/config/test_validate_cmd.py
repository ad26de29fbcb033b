"""`mpr validate`: exact output in both formats, and exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner

from reconciler.cli.validate_cmd import github_annotation, summary, validate
from reconciler.errors import Problem
from tests.config.conftest import NOW, SIGNED_IN, Writer, site

OTHER_ID = "22222222-3333-4444-8555-666666666666"


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """`mpr validate` reads the wall clock: hold it at the config tests' NOW."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WIX_API_KEY", raising=False)
    return tmp_path


def _broken_tree(write: Writer) -> None:
    write(site("settings:\n  pointOfView: FIRST\n  tone: x\n"), "a.yaml")
    write(
        site('events:\n  - {name: Old, date: "2001-01-01T00:00:00Z"}\n', OTHER_ID) + SIGNED_IN,
        "b.yaml",
    )


def test_valid_files_exit_0_with_a_summary(in_tmp: Path, write: Writer) -> None:
    write(site() + SIGNED_IN, "a.yaml")
    write(site(site_id=OTHER_ID) + SIGNED_IN, "b.yaml")
    result = CliRunner().invoke(validate, ["."])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "2 site files valid\n")


def test_warnings_alone_still_exit_0(in_tmp: Path, write: Writer) -> None:
    write(site('events:\n  - {name: Old, date: "2001-01-01T00:00:00Z"}\n') + SIGNED_IN, "a.yaml")
    result = CliRunner().invoke(validate, ["a.yaml"])
    assert result.exit_code == 0
    assert result.stderr == (
        "a.yaml:6:23: events[0].date: warning: 2001-01-01T00:00:00Z is in the past: the plan no"
        " longer uses this event; move or remove it\n"
        "1 site file valid, 1 warning\n"
    )


def test_a_rule_that_ends_the_moment_it_starts_fires_once_and_is_valid(
    in_tmp: Path, write: Writer
) -> None:
    once = (
        "events:\n  - name: Opening night\n    recurringRule: {frequency: WEEKLY,"
        ' startDate: "2099-01-31T09:00:00Z", endDate: "2099-01-31T09:00:00Z"}\n'
    )  # late in the range Wix stores, so the rule never ages into the past
    write(site(once) + SIGNED_IN, "a.yaml")
    result = CliRunner().invoke(validate, ["a.yaml"])
    assert (result.exit_code, result.stderr) == (0, "1 site file valid\n"), result.stderr


def test_text_format_lists_every_problem_on_stderr_and_exits_1(in_tmp: Path, write: Writer) -> None:
    _broken_tree(write)
    result = CliRunner().invoke(validate, [".", "--format", "text"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "a.yaml:6:16: settings.pointOfView: unknown value 'FIRST' (did you mean FIRST_PERSON?);"
        " allowed: FIRST_PERSON, SECOND_PERSON, THIRD_PERSON",
        "a.yaml:7:3: settings.tone: unknown field 'tone'; did you mean 'toneOfVoice'?",
        "b.yaml:6:23: events[0].date: warning: 2001-01-01T00:00:00Z is in the past: the plan no"
        " longer uses this event; move or remove it",
        "2 errors, 1 warning in 2 files",
    ]


def test_a_file_with_an_error_is_not_told_about_auth_until_it_is_fixed(
    in_tmp: Path, write: Writer
) -> None:
    """Only the error, though the file has no `auth` either: the warning about signing in
    comes once the file is valid (a file with errors is never a site mpr would sign in to)."""
    twice = '  - {name: Sale, date: "2099-01-01T00:00:00Z"}\n'
    write(site("events:\n" + twice + twice.replace("01-01", "02-01")), "a.yaml")
    result = CliRunner().invoke(validate, ["a.yaml"])
    assert result.exit_code == 1
    assert result.stderr == (
        "a.yaml:7:12: events[1].name: duplicate event name 'Sale' (first at events[0].name, "
        "line 6)\n1 error in 1 file\n"
    )


def test_the_summary_counts_the_files_the_errors_are_in(in_tmp: Path, write: Writer) -> None:
    write(site("settings:\n  pointOfView: FIRST\n  tone: x\n  toneOfVoice: 3\n"), "a.yaml")
    for name, number in (("b.yaml", 2), ("c.yaml", 3), ("d.yaml", 4)):
        write(site(site_id=f"{number}" * 8 + OTHER_ID[8:]) + SIGNED_IN, name)
    result = CliRunner().invoke(validate, ["."])
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.stderr.splitlines()[:-1]] == ["a.yaml"] * 3
    assert result.stderr.splitlines()[-1] == "3 errors in 1 of 4 files"


def test_github_format_prints_annotations_on_stdout(in_tmp: Path, write: Writer) -> None:
    _broken_tree(write)
    result = CliRunner().invoke(validate, ["a.yaml", "b.yaml", "--format", "github"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=a.yaml,line=6,col=16,title=settings.pointOfView::unknown value 'FIRST'"
        " (did you mean FIRST_PERSON?); allowed: FIRST_PERSON, SECOND_PERSON, THIRD_PERSON",
        "::error file=a.yaml,line=7,col=3,title=settings.tone::unknown field 'tone';"
        " did you mean 'toneOfVoice'?",
        "::warning file=b.yaml,line=6,col=23,title=events[0].date::2001-01-01T00:00:00Z is in"
        " the past: the plan no longer uses this event; move or remove it",
    ]
    assert result.stderr == "2 errors, 1 warning in 2 files\n"


def test_a_path_that_cannot_be_looked_at_says_why_not_a_crash(in_tmp: Path) -> None:
    """A name past the system's limit, a loop of links, a file taken for a folder."""
    (in_tmp / "loop.yaml").symlink_to("loop.yaml")
    Path("site.yaml").write_text("version: 1\n", encoding="utf-8")
    long = "x" * 300 + ".yaml"
    result = CliRunner().invoke(validate, [long, "loop.yaml", "site.yaml/inner.yaml"])
    assert result.exit_code == 1
    assert result.stderr == (
        "cannot be read: Too many levels of symbolic links: loop.yaml\n"
        "no such file or directory: site.yaml/inner.yaml\n"
        f"cannot be read: File name too long: {long}\n"
        "3 errors in 3 files\n"
    )


def test_a_file_named_alone_has_the_current_folder_as_its_config_tree(
    in_tmp: Path, write: Writer
) -> None:
    """`mpr validate site.yaml`: the tree is `.`, and a defaults file above it is outside. The
    message says "the current folder": a bare "." would read as the end of the sentence."""
    write(site("defaults: ../_shared.yaml\n") + SIGNED_IN, "site.yaml")
    (in_tmp.parent / "_shared.yaml").write_text("version: 1\n", encoding="utf-8")
    result = CliRunner().invoke(validate, ["site.yaml"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "site.yaml:5:11: defaults: ../_shared.yaml is outside the config tree (the current "
        "folder): move it into that folder (a name starting with _ keeps it from being read as a "
        "site file)"
    )


def test_a_link_out_of_the_current_folder_names_it_in_words(in_tmp: Path, write: Writer) -> None:
    outside = in_tmp.parent / "elsewhere.yaml"
    outside.write_text(site() + SIGNED_IN, encoding="utf-8")
    (in_tmp / "linked.yaml").symlink_to(outside)
    result = CliRunner().invoke(validate, ["."])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"linked.yaml:1:1: a link to {outside.resolve()}, outside the config tree (the current "
        "folder): not read (name the file on the command line to read it)"
    )


def test_a_device_named_as_a_site_file_is_refused_in_full(in_tmp: Path) -> None:
    result = CliRunner().invoke(validate, ["/dev/zero"])
    assert result.exit_code == 1
    assert result.stderr == (
        "not a regular file or a folder: name a site file or a folder of them: /dev/zero\n"
        "1 error in 1 file\n"
    )


def test_a_missing_path_is_an_error_not_a_crash(in_tmp: Path) -> None:
    result = CliRunner().invoke(validate, ["nowhere.yaml"])
    assert result.exit_code == 1
    assert result.stderr == "no such file or directory: nowhere.yaml\n1 error in 1 file\n"
    annotated = CliRunner().invoke(validate, ["nowhere.yaml", "--format", "github"])
    assert annotated.stdout == (
        "::error file=nowhere.yaml,title=mpr validate::no such file or directory\n"
    )


def test_a_site_without_auth_is_warned_once_for_every_such_file(
    in_tmp: Path, write: Writer
) -> None:
    write(site(), "a.yaml")
    write(site(site_id=OTHER_ID), "b.yaml")
    write("version: 1\n" + SIGNED_IN, "_defaults.yaml")
    write(site(site_id="3" * 8 + OTHER_ID[8:]) + "defaults: _defaults.yaml\n", "c.yaml")
    result = CliRunner().invoke(validate, ["."])
    assert result.exit_code == 0, "a warning: Wix refuses the key, the emulator may not"
    warning, last = result.stderr.splitlines()
    assert warning.startswith("warning: 2 site files (a.yaml, b.yaml): no `auth` (nor in its ")
    assert "mpr would sign in with the API key in WIX_API_KEY, and Wix refuses" in warning
    assert "`auth: {wixApp: {instanceId: ...}}`" in warning
    assert last == "3 site files valid, 2 warnings"
    annotated = CliRunner().invoke(validate, ["a.yaml", "c.yaml", "--format", "github"])
    assert annotated.stdout.startswith("::warning file=a.yaml,title=auth::no `auth`")
    assert annotated.stdout.count("::warning") == 1


def test_paths_are_required(in_tmp: Path) -> None:
    assert CliRunner().invoke(validate, []).exit_code != 0


def test_annotations_escape_what_github_would_misread() -> None:
    problem = Problem("dir,x/a:b.yaml", 3, 4, "", "50% off\nnext line", "warning")
    assert github_annotation(problem) == (
        "::warning file=dir%2Cx/a%3Ab.yaml,line=3,col=4,title=mpr validate::50%25 off%0Anext line"
    )


def test_the_summary_counts_in_words() -> None:
    error = Problem("f", 1, 1, "", "x")
    warning = Problem("f", 1, 1, "", "y", "warning")
    assert summary(1, [], [], ["f"]) == "1 site file valid"
    assert summary(3, [], [warning, warning], ["f"]) == "3 site files valid, 2 warnings"
    assert summary(0, [error], [], ["f"]) == "1 error in 1 file"
    assert summary(2, [error, error], [warning], ["f", "g", "h", "i"]) == (
        "2 errors, 1 warning in 1 of 4 files"
    ), "the files the problems are in, of those checked"
    elsewhere = Problem("g", 1, 1, "", "z")
    assert summary(0, [error, elsewhere], [], ["f", "g"]) == "2 errors in 2 files"
