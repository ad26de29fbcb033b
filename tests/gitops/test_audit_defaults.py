"""Audit is on by default: where apply keeps it, how to turn it off, what history reads.

These applies run with the journal on disk (only the client is injected), as a user's do,
in a working directory of their own.
"""

from __future__ import annotations

import getpass
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from reconciler.gitops import gitinfo
from tests.conftest import Mpr
from tests.gitops.conftest import OTHER, SITE, seed, site_file

QUIET = "policy:\n  schedule: {enabled: false}\n"
"""Nothing to do on a site whose plan is ACTIVE: apply writes only its `apply` line."""


@pytest.fixture
def on_disk(hooks: Hooks) -> Hooks:
    """The emulator as the server, but the runtime (journal, lock, audit) as a user gets it."""
    return Hooks(client=hooks.client)


@pytest.fixture(autouse=True)
def no_git_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Git's global and system configuration out of sight: the machine's name is not ours."""
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def quiet_site(emulator: Emulator, tmp_path: Path) -> Path:
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    return site_file(tmp_path / "sites", "crumb", SITE, QUIET)


def test_apply_keeps_the_audit_log_next_to_the_state_file(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, on_disk: Hooks
) -> None:
    path = quiet_site(emulator, tmp_path)
    result = mpr("apply", str(path), "--auto-approve", obj=on_disk)
    assert result.code == exitcodes.OK, result.err
    (line,) = lines(tmp_path / ".mpr" / "audit.jsonl")
    assert (line["site"], line["action"], line["result"]) == (SITE, "apply", "unchanged")
    assert line["actor"] == "tester", "USER, when neither CI nor Git names anyone"
    assert "dirty" not in line

    history = mpr("history")
    assert history.code == exitcodes.OK
    assert history.err == ""
    assert history.out == (
        f"{line['time']}  crumb ({SITE})  apply: unchanged  (no commit) by tester\n1 entry.\n"
    )


@pytest.mark.parametrize(
    ("how", "env"), [(("--no-audit",), None), ((), "off"), (("--audit-log", "OFF"), None)]
)
def test_the_audit_log_can_be_turned_off(
    mpr: Mpr,
    emulator: Emulator,
    tmp_path: Path,
    on_disk: Hooks,
    monkeypatch: pytest.MonkeyPatch,
    how: tuple[str, ...],
    env: str | None,
) -> None:
    if env:
        monkeypatch.setenv("MPR_AUDIT_LOG", env)
    path = quiet_site(emulator, tmp_path)
    result = mpr("apply", str(path), "--auto-approve", *how, obj=on_disk)
    assert result.code == exitcodes.OK, result.err
    assert not (tmp_path / ".mpr" / "audit.jsonl").exists()
    assert not (tmp_path / "OFF").exists()


def test_history_with_no_log_yet_says_where_apply_writes_it(mpr: Mpr) -> None:
    result = mpr("history")
    assert (result.code, result.out, result.err) == (
        exitcodes.OK,
        "0 entries.\n",
        "note: no audit log at .mpr/audit.jsonl yet: mpr apply writes it there\n",
    )


def test_history_of_a_log_that_is_not_there_is_an_error(
    mpr: Mpr, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = mpr("history", "--audit-log", "missing.jsonl")
    assert (result.code, result.out, result.err) == (
        exitcodes.ERROR,
        "",
        "Error: cannot read the audit log missing.jsonl: there is no such file (mpr apply "
        "writes it; by default to .mpr/audit.jsonl)\n",
    )
    monkeypatch.setenv("MPR_AUDIT_LOG", "off")
    off = mpr("history")
    assert (off.code, off.err) == (
        exitcodes.ERROR,
        "Error: the audit log is turned off (MPR_AUDIT_LOG=off): pass --audit-log FILE to "
        "read one\n",
    )


def test_uncommitted_yaml_is_applied_with_a_warning_and_recorded_dirty(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, on_disk: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("USER")
    path = quiet_site(emulator, tmp_path)
    git("init", "-q", "-b", "main")
    git("config", "user.email", "dana@example.com")
    git("add", "sites"), git("commit", "-qm", "crumb")
    head = git("rev-parse", "HEAD")

    clean = mpr("apply", "sites", "--auto-approve", obj=on_disk)
    assert clean.code == exitcodes.OK and "warning" not in clean.err, clean.err
    path.write_text(path.read_text() + "settings: {toneOfVoice: calm}  # not committed\n")
    seed(emulator, {"id": OTHER, "plan": {"status": "ACTIVE"}})
    site_file(tmp_path / "sites", "new", OTHER, QUIET)  # untracked counts too
    (tmp_path / "sites" / "notes.txt").write_text("not a site file: not applied")
    dirty = mpr("apply", "sites", "--auto-approve", "--no-regenerate", obj=on_disk)
    assert dirty.code == exitcodes.OK
    assert dirty.err.splitlines()[0] == (
        f"warning: the files applied differ from commit {head[:12]} (not committed: "
        "sites/crumb.yaml, sites/new.yaml): they are applied as they are, and the audit log "
        "records these writes as dirty"
    )
    first, *second = lines(tmp_path / ".mpr" / "audit.jsonl")
    assert "dirty" not in first and [line["dirty"] for line in second] == [True] * 4
    assert [line["action"] for line in second][:2] == ["settings.upsert"] * 2
    assert {line["commit"] for line in [first, *second]} == {head}
    assert {line["actor"] for line in [first, *second]} == {"dana@example.com"}


def test_the_actor_falls_back_from_ci_to_git_to_the_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert gitinfo.actor({"GITHUB_ACTOR": "octocat", "USER": "u"}) == "octocat"
    assert gitinfo.actor({"MPR_ACTOR": "bot", "GITHUB_ACTOR": "octocat"}) == "bot"
    assert gitinfo.actor({"USER": "u", "LOGNAME": "l"}) == "u"
    assert gitinfo.actor({"LOGNAME": "l"}) == "l"
    monkeypatch.setattr(getpass, "getuser", lambda: "from-passwd")  # the module gitinfo uses
    assert gitinfo.actor({}) == "from-passwd"

    def nobody() -> str:
        raise KeyError("uid 1000 has no name")

    monkeypatch.setattr(getpass, "getuser", nobody)
    assert gitinfo.actor({}) == "unknown"
    git("init", "-q")
    git("config", "user.name", "Dana")
    assert gitinfo.actor({"USER": "u"}) == "Dana"
    git("config", "user.email", "dana@example.com")
    assert gitinfo.actor({"USER": "u"}) == "dana@example.com"


def test_uncommitted_yaml_is_not_warned_about_when_nothing_will_be_written(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, on_disk: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("USER")
    path = quiet_site(emulator, tmp_path)
    git("init", "-q", "-b", "main")
    git("config", "user.email", "dana@example.com")
    git("add", "sites"), git("commit", "-qm", "crumb")
    assert mpr("apply", "sites", "--auto-approve", obj=on_disk).code == exitcodes.OK

    path.write_text(path.read_text() + "# an edit nobody committed, that changes nothing\n")
    again = mpr("apply", "sites", "--auto-approve", obj=on_disk)
    assert again.code == exitcodes.OK
    assert "No changes. Nothing to apply." in again.out
    assert "differ from commit" not in again.err, again.err
