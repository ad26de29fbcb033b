"""Values from the environment are data, never options of a subprocess (#23, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from reconciler.errors import CredentialUnavailable
from reconciler.gitops import gitinfo
from reconciler.wix.credentials import CommandCredential
from tests.conftest import Mpr
from tests.gitops.conftest import SITE, seed, site_file
from tests.gitops.test_audit import git


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository (the working directory) with one commit of one site file."""
    git("init", "-q", "-b", "main")
    path = site_file(tmp_path / "sites", "crumb", SITE, "settings:\n  toneOfVoice: warm\n")
    git("add", "."), git("commit", "-qm", "first")
    return path


@pytest.mark.parametrize("variable", ["MPR_COMMIT", "GITHUB_SHA"])
def test_a_commit_variable_that_starts_with_a_dash_is_one_error_and_no_option(
    mpr: Mpr,
    emulator: Emulator,
    repository: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    """`git diff --output=FILE` would truncate FILE: the value is refused before any git call
    that could read it as an option, and before any write to Wix."""
    seed(emulator, {"id": SITE})
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me\n")
    monkeypatch.setenv(variable, f"--output={victim}")
    result = mpr("apply", str(repository), "--auto-approve", "--audit-log", "a.jsonl")
    assert result.code == exitcodes.ERROR
    assert victim.read_text() == "keep me\n"
    assert result.err.strip().splitlines() == [
        f"Error: environment variable {variable} is '--output={victim}', which is not a commit "
        "of this repository: set it to a commit id (as `git rev-parse HEAD` prints it), or "
        "unset it to apply the commit checked out here"
    ]
    assert emulator.writes() == []


def test_a_commit_named_by_a_ref_or_an_unknown_id_is_still_accepted(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = git("rev-parse", "HEAD")
    assert gitinfo.given_commit({"MPR_COMMIT": "main"}) == "main"
    assert gitinfo.given_commit({"GITHUB_SHA": "d" * 40}) == "d" * 40  # not in this clone
    assert gitinfo.full_commit("main") == head


def test_commits_read_from_audit_lines_are_never_options(repository: Path, tmp_path: Path) -> None:
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me\n")
    head = git("rev-parse", "HEAD")
    assert gitinfo.is_ancestor(f"--output={victim}", head) is None
    assert gitinfo.changed_since(f"--output={victim}", ["sites"]) is None
    assert gitinfo.full_commit("--output=" + str(victim)) is None
    assert victim.read_text() == "keep me\n"
    assert gitinfo.is_ancestor(head, head) is True


def test_a_credential_command_is_never_given_a_value_that_starts_with_a_dash() -> None:
    credential = CommandCredential("wix token --site {siteId}", "--upload=evil")
    with pytest.raises(CredentialUnavailable, match=r"was not run: its \{siteId\} '--upload"):
        credential.argv()
