"""The audit log (`apply --audit-log`), `mpr history`, and the commit-ordering guard."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from reconciler.engine.audit import (
    AuditEntry,
    AuditLog,
    Provenance,
    check_order,
    last_applied,
    read_log,
)
from reconciler.engine.report import ActionRecord
from reconciler.errors import ConfigError, OutOfOrderCommit
from tests.conftest import TEST_KEY, Mpr
from tests.gitops.conftest import OTHER, SITE, seed, site_file

THIRD = "33333333-2222-4333-8444-555555555555"

KEY = "IST.audit-log-must-never-hold-this-key-9f8e7d6c5b4a"
A, B, C = "a" * 40, "b" * 40, "c" * 40


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_line_per_settled_write_with_provenance(tmp_path: Path, new_york: None) -> None:
    log = AuditLog(
        tmp_path / "deep" / "audit.jsonl",
        Provenance(
            commit=A, actor="alice", run="42", repository="acme/sites", ref="refs/heads/main"
        ),
        names={SITE: "Crumb"},
        secrets=[KEY, "short"],
        now=lambda: datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
        identities={SITE: "wix-app"},
    )
    log.record(
        SITE,
        ActionRecord(
            "settings.upsert", "settings.toneOfVoice", {"t": None}, {"t": f"tone {KEY}"}, "ok"
        ),
    )
    log.record(
        SITE,
        ActionRecord(
            "posts.generate",
            "120 activities",
            [f"old-{n}" for n in range(50)],
            [f"id-{n}" for n in range(120)],
            "failed",
            f"boom {KEY}",
        ),
    )
    log.outcome(SITE, "failed", "boom")
    log.outcome(OTHER, "unchanged")  # a site without a name or an identity given
    log.save()
    first, second, third, fourth = lines(tmp_path / "deep" / "audit.jsonl")
    assert first == {
        "time": "2026-11-23T09:30:00Z",
        "site": SITE,
        "site_name": "Crumb",
        "action": "settings.upsert",
        "target": "settings.toneOfVoice",
        "before": {"t": None},
        "after": {"t": "tone [redacted]"},
        "result": "ok",
        "detail": "",
        "commit": A,
        "actor": "alice",
        "run": "42",
        "repository": "acme/sites",
        "ref": "refs/heads/main",
        "identity": "wix-app",
    }
    assert second["detail"] == "boom [redacted]"
    assert second["before"] == [f"old-{n}" for n in range(50)]  # 50 is shown whole
    assert len(second["after"]) == 51 and second["after"][-1] == "… 70 more"
    assert (third["action"], third["result"], third["detail"]) == ("apply", "failed", "boom")
    assert fourth == {
        **first,
        "site": OTHER,
        "site_name": "",
        "action": "apply",
        "target": "",
        "before": None,
        "after": None,
        "result": "unchanged",
        "detail": "",
        "identity": None,
    }
    assert KEY not in (tmp_path / "deep" / "audit.jsonl").read_text()


def test_reading_skips_a_torn_line_and_finds_the_last_applied_commit(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    entries = [
        {"time": "t1", "site": SITE, "action": "settings.upsert", "result": "ok", "commit": A},
        {"time": "t2", "site": SITE, "action": "apply", "result": "applied", "commit": B},
        {"time": "t3", "site": SITE, "action": "event.create", "result": "failed", "commit": C},
        {"time": "t4", "site": OTHER, "action": "apply", "result": "unchanged", "commit": None},
    ]
    text = "\n".join(json.dumps(e) for e in entries) + '\n{"time": "t5", "si'
    path.write_text(text + "\n[1, 2]\n", encoding="utf-8")
    found, problems = read_log([path, tmp_path / "missing.jsonl"])
    assert [e.time for e in found] == ["t1", "t2", "t3", "t4"]
    assert len(problems) == 2 and problems[0].startswith(f"{path}:5: not an audit entry")
    last = last_applied(found)
    assert set(last) == {SITE} and last[SITE].commit == B


def test_reading_several_logs_keeps_every_entry_and_problem_of_each(tmp_path: Path) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    entry = {"time": "t1", "site": SITE, "action": "apply", "result": "applied"}
    first.write_text(json.dumps(entry) + "\n[1]\n", encoding="utf-8")
    second.write_text("{\n" + json.dumps({**entry, "time": "t2"}) + "\n", encoding="utf-8")
    found, problems = read_log([tmp_path / "missing.jsonl", first, second])
    assert [e.time for e in found] == ["t1", "t2"]
    assert [p.split(": not an audit entry")[0] for p in problems] == [f"{first}:2", f"{second}:1"]


def test_a_socket_named_as_the_audit_log_is_one_message_naming_what_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a short name: a socket's path is at most 108 bytes
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind("audit.sock")
        with pytest.raises(ConfigError) as refused:
            read_log(["audit.sock"])
    assert str(refused.value) == (
        "audit.sock is a socket: mpr reads the audit log only from a regular file; name a file "
        "with --audit-log or MPR_AUDIT_LOG"
    )


def ancestry(pairs: dict[tuple[str, str], bool | None]) -> Any:
    return lambda older, newer: pairs.get((older, newer))


def test_the_ordering_rule() -> None:
    applied: dict[str, Any] = {"result": "applied", "actor": "bob", "run": "7"}
    last = {
        SITE: AuditEntry("2026-11-23T09:00:00Z", SITE, commit=B, **applied),
        OTHER: AuditEntry("2026-11-23T09:05:00Z", OTHER, commit=B, **applied),
    }
    sites = {THIRD: "Quay", SITE: "Crumb", OTHER: "Harbor"}  # a site never applied comes first
    with pytest.raises(OutOfOrderCommit) as refused:
        check_order(sites, last, A, ancestry({(A, B): True}))
    assert str(refused.value) == (
        f"refusing to apply commit {A[:12]}: it is older than the commit last applied to these "
        f"sites, and applying it would roll them back:\n  Crumb ({SITE}): {B[:12]} was applied "
        "at 2026-11-23T09:00:00Z by bob (run 7)\n"
        f"  Harbor ({OTHER}): {B[:12]} was applied at 2026-11-23T09:05:00Z by bob (run 7)\n"
        "apply the newest commit instead, or pass --allow-out-of-order to roll back on purpose"
    )
    assert check_order(sites, last, C, ancestry({(C, B): False})) == []  # newer (or a revert)
    assert check_order(sites, last, B, ancestry({})) == []  # the same commit again
    assert check_order(sites, last, B[:12], ancestry({})) == []  # spelled short
    assert check_order(sites, last, None, ancestry({})) == []  # no commit: nothing to compare
    assert check_order(sites, last, C, ancestry({})) == [  # Git cannot tell: warn, go on
        "cannot tell whether commit cccccccccccc is older than the one last applied (Git does "
        "not know one of them: fetch the full history, e.g. actions/checkout with "
        f"fetch-depth: 0); applying anyway:\n  Crumb ({SITE}): last applied {B[:12]}\n"
        f"  Harbor ({OTHER}): last applied {B[:12]}"
    ]


def test_an_out_of_order_refusal_leaves_out_what_the_last_apply_did_not_record() -> None:
    """A local apply records no run, an unknown actor none, and a site may have no name."""
    last = {SITE: AuditEntry("2026-11-23T09:00:00Z", SITE, commit=B, result="applied")}
    with pytest.raises(OutOfOrderCommit) as refused:
        check_order({SITE: ""}, last, A, ancestry({(A, B): True}))
    assert f"\n  {SITE}: {B[:12]} was applied at 2026-11-23T09:00:00Z\n" in str(refused.value)


# --- through the command line ----------------------------------------------------------


BODY = """settings:
  toneOfVoice: warm and playful
  socialChannels: [FACEBOOK]
events:
  - name: Black Friday Sale
    date: "2026-11-27T09:00:00Z"
"""


def test_apply_writes_the_log_and_history_reads_it(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIX_API_KEY", KEY)
    monkeypatch.setenv("GITHUB_SHA", A)
    monkeypatch.setenv("GITHUB_ACTOR", "alice")
    monkeypatch.setenv("GITHUB_RUN_ID", "1001")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/sites")
    seed(emulator, {"id": SITE, "connectedChannels": ["FACEBOOK"]}, {"id": OTHER})
    folder = tmp_path / "sites"
    site_file(folder, "crumb", SITE, BODY)
    site_file(folder, "harbor", OTHER, label="harbor")

    result = mpr("apply", str(folder), "--auto-approve", "--audit-log", "audit.jsonl")
    assert result.code == exitcodes.OK, result.err
    log_text = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    assert KEY not in log_text and TEST_KEY not in log_text
    entries = lines(tmp_path / "audit.jsonl")
    crumb = [e for e in entries if e["site"] == SITE]
    assert [(e["action"], e["result"]) for e in crumb][:6] == [
        ("settings.upsert", "intent"),
        ("settings.upsert", "ok"),
        ("event.create", "intent"),
        ("event.create", "ok"),
        ("plan.generate", "intent"),
        ("plan.generate", "ok"),
    ], "every write: its intent before it is sent, its outcome after"
    assert crumb[-1]["action"] == "apply" and crumb[-1]["result"] == "applied"
    assert {e["commit"] for e in entries} == {A}
    assert {e["actor"] for e in entries} == {"alice"}
    assert {e["run"] for e in entries} == {"1001"}
    assert crumb[0]["after"] == {
        "settings.socialChannels": ["FACEBOOK"],
        "settings.toneOfVoice": "warm and playful",
    }
    for site in (SITE, OTHER):  # the sites' lines interleave; each site's pair up
        writes = [e for e in entries if e["action"] != "apply" and e["site"] == site]
        assert [e["result"] for e in writes] == ["intent", "ok"] * (len(writes) // 2)
    harbor = [e for e in entries if e["site"] == OTHER]
    assert [(e["action"], e["result"]) for e in harbor] == [
        ("plan.generate", "intent"),
        ("plan.generate", "ok"),
        ("apply", "applied"),
    ]

    text = mpr("history", "--audit-log", "audit.jsonl", "--site", "crumb")
    assert text.code == exitcodes.OK
    assert (
        f"crumb ({SITE})  settings.upsert settings.socialChannels, settings.toneOfVoice: ok"
        f"  {A[:12]} by alice (run 1001)" in text.out
    )
    assert OTHER not in text.out
    settled = [e for e in crumb if e["result"] != "intent"]
    assert text.out.rstrip().endswith(f"{len(settled)} entries."), "each write once"
    assert ": intent" not in text.out

    as_json = mpr(
        "history", "--site", OTHER, "--format", "json", "--limit", "1", "--audit-log", "audit.jsonl"
    )
    assert [json.loads(line)["action"] for line in as_json.out.splitlines()] == ["apply"]
    monkeypatch.setenv("MPR_AUDIT_LOG", "audit.jsonl")
    assert mpr("history", "--commit", "bbbb").out.strip() == "0 entries."
    assert mpr("history", "--site", "client=crumb").code == exitcodes.USAGE
    monkeypatch.delenv("MPR_AUDIT_LOG")
    assert mpr("history").out == "0 entries.\n", "apply's default log, not written here yet"

    again = mpr("apply", str(folder), "--auto-approve", "--audit-log", "audit.jsonl")
    assert again.code == exitcodes.OK
    tail = lines(tmp_path / "audit.jsonl")[len(entries) :]
    assert sorted((e["site"], e["action"], e["result"]) for e in tail) == [
        (SITE, "apply", "unchanged"),
        (OTHER, "apply", "unchanged"),
    ]


def git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_an_older_commit_is_refused(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(emulator, {"id": SITE})
    folder = tmp_path / "sites"
    git("init", "-q", "-b", "main")
    site_file(folder, "crumb", SITE, "settings:\n  toneOfVoice: first\n")
    git("add", "."), git("commit", "-qm", "first")
    older = git("rev-parse", "HEAD")
    site_file(folder, "crumb", SITE, "settings:\n  toneOfVoice: second\n")
    git("commit", "-qam", "second")
    newer = git("rev-parse", "HEAD")
    path = str(folder / "crumb.yaml")

    assert mpr("apply", path, "--auto-approve", "--audit-log", "a.jsonl").code == exitcodes.OK
    assert lines(tmp_path / "a.jsonl")[0]["commit"] == newer, "git rev-parse HEAD outside CI"

    git("checkout", "-q", older)
    emulator.clear_requests()
    refused = mpr("apply", path, "--auto-approve", "--audit-log", "a.jsonl")
    assert refused.code == exitcodes.REFUSED, refused.err
    assert f"refusing to apply commit {older[:12]}: it is older than" in refused.err
    assert emulator.writes() == []

    forced = mpr("apply", path, "--auto-approve", "--audit-log", "a.jsonl", "--allow-out-of-order")
    assert forced.code == exitcodes.OK, forced.err
    assert emulator.snapshot(SITE)["marketingSettings"]["settings"]["toneOfVoice"] == "first"

    git("checkout", "-q", "main")
    assert mpr("apply", path, "--auto-approve", "--audit-log", "a.jsonl").code == exitcodes.OK

    monkeypatch.setenv("GITHUB_SHA", "d" * 40)  # a commit this clone does not have
    unknown = mpr("apply", path, "--auto-approve", "--audit-log", "a.jsonl")
    assert unknown.code == exitcodes.OK
    assert "cannot tell whether commit dddddddddddd is older" in unknown.err


def git_commit(folder: Path) -> str:
    """A repository in `folder` with one commit; its full id."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.email=a@example.com", "-c", "user.name=a", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    git("init", "-q")
    (folder / "README").write_text("sites\n")
    git("add", "README")
    git("commit", "-q", "-m", "first")
    return git("rev-parse", "HEAD")


def write_line(path: Path, **fields: Any) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"time": "2026-11-23T09:30:00Z", "site": SITE, **fields}) + "\n")


def test_history_names_a_commit_as_git_does_and_shows_each_write_once(
    mpr: Mpr, tmp_path: Path
) -> None:
    head = git_commit(tmp_path)
    log = tmp_path / "audit.jsonl"
    write = {"site_name": "crumb", "action": "event.create", "target": "Sale", "run": "7"}
    write_line(log, **write, result="intent", commit=head)
    write_line(log, **write, result="ok", commit=head)
    write_line(log, **{**write, "target": "Cut short"}, result="intent", commit=A)
    write_line(log, site_name="crumb", action="apply", result="applied", commit=head)

    for name in ("HEAD", head[:7], head):
        shown = mpr("history", "--commit", name, "--audit-log", str(log))
        assert shown.code == exitcodes.OK, shown.err
        assert shown.out.splitlines() == [
            f"2026-11-23T09:30:00Z  crumb ({SITE})  event.create Sale: ok  {head[:12]} (run 7)",
            f"2026-11-23T09:30:00Z  crumb ({SITE})  apply: applied  {head[:12]}",
            "2 entries.",
        ], name
    unsettled = mpr("history", "--commit", "aaaaaaa", "--audit-log", str(log))
    assert "event.create Cut short: intent" in unsettled.out, "an intent nothing settled stays"
    as_json = mpr("history", "--format", "json", "--audit-log", str(log))
    assert [json.loads(line)["result"] for line in as_json.out.splitlines()] == [
        "ok",
        "intent",
        "applied",
    ]


def test_a_commit_named_by_its_seven_character_prefix_is_the_one_last_applied() -> None:
    last = {SITE: AuditEntry(time="t1", site=SITE, commit="ABCDEF1", result="applied")}
    older = ancestry({("abcdef1" + "0" * 33, "ABCDEF1"): True})
    assert check_order({SITE: "Crumb"}, last, "abcdef1" + "0" * 33, older) == []


def test_a_line_keeps_its_fields_in_order_and_its_text_as_written(tmp_path: Path) -> None:
    """The file is read by people too (grep, less): fields in one order, accents unescaped."""
    log = AuditLog(
        tmp_path / "audit.jsonl",
        Provenance(),
        names={SITE: "Padaria Lusitânia"},
        now=lambda: datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
    )
    log.outcome(SITE, "unchanged")
    log.save()
    assert (tmp_path / "audit.jsonl").read_text(encoding="utf-8").startswith(
        f'{{"time": "2026-11-23T09:30:00Z", "site": "{SITE}", "site_name": "Padaria Lusitânia", '
        '"action": "apply", '
    )


def test_a_secret_with_accents_is_redacted_too(tmp_path: Path) -> None:
    secret = "palavra-passe-secreta-ção-2026"
    log = AuditLog(tmp_path / "audit.jsonl", Provenance(), secrets=[secret])
    log.outcome(SITE, "failed", f"sign-in refused for {secret}")
    log.save()
    (line,) = lines(tmp_path / "audit.jsonl")
    assert line["detail"] == "sign-in refused for [redacted]"


def test_every_secret_is_redacted_whole_the_longest_first_and_tokens_of_the_run_too(
    tmp_path: Path,
) -> None:
    """A secret inside a longer one must not leave the longer one's ends in the log; a
    secret of 8 characters is long enough to mask; a token issued during the run goes
    through the run's own redaction."""
    inner, outer, short = "zzzz-inner-1", "key-zzzz-inner-1-outer", "eight-ch"
    log = AuditLog(
        tmp_path / "logs" / "ci" / "audit.jsonl",  # folders made as needed
        Provenance(),
        secrets=[inner, outer, short],
        redact=lambda text: text.replace("tok-of-this-run", "[redacted]"),
    )
    log.outcome(SITE, "failed", f"{outer} / {inner} / {short} / tok-of-this-run")
    log.save()
    (line,) = lines(tmp_path / "logs" / "ci" / "audit.jsonl")
    assert line["detail"] == "[redacted] / [redacted] / [redacted] / [redacted]"


def test_a_new_audit_log_is_readable_by_all_and_writable_by_its_owner(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask: the mode asked for is what the file gets
    try:
        AuditLog(tmp_path / "audit.jsonl", Provenance())
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "audit.jsonl").stat().st_mode) == 0o644
