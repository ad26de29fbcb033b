"""Issue #11, findings 4 and 5: the audit log as a file that outlives crashes and full disks.

A line of the wrong shape is skipped with a warning that names the file, the line and the
key (it no longer crashes `mpr history` or every later apply); a last line left torn by a
killed run is never glued to the next one; a full disk or a folder that cannot be written is
one clear error, every earlier line intact and no write sent that the log cannot show.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from reconciler.engine.audit import AuditLog, Provenance, read_log
from reconciler.engine.report import ActionRecord, SiteOutcome
from reconciler.errors import ConfigError
from tests.conftest import Mpr
from tests.gitops.conftest import SITE, seed, site_file

A = "a" * 40
BODY = "settings:\n  toneOfVoice: dry\npolicy: {schedule: {enabled: false}}\n"
GOOD = {"time": "2026-11-20T09:00:00Z", "site": SITE, "action": "apply", "result": "unchanged"}


def whole_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of the log, each of which must be a whole JSON object."""
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("commit", 12345, "a string or null, got a number"),
        ("site", ["x"], "a string, got a list"),
        ("result", {"a": 1}, "a string, got an object"),
        ("time", None, "a string, got null"),
        ("dirty", "yes", "true or false, got a string"),
    ],
)
def test_a_line_of_the_wrong_shape_is_skipped_and_named(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, field: str, value: Any, kind: str
) -> None:
    log = tmp_path / "audit.jsonl"
    bad = {**GOOD, "result": "applied", field: value}
    log.write_text(json.dumps(GOOD) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    warning = (
        f"warning: {log}:2: not an audit entry (`{field}` must be {kind}); skipped (fix or "
        "remove the line to silence this)"
    )

    history = mpr("history", "--audit-log", str(log))
    assert history.code == exitcodes.OK
    assert history.err.splitlines() == [warning]
    assert history.out.splitlines()[-1] == "1 entry."

    seed(emulator, {"id": SITE})
    site = site_file(tmp_path / "sites", "crumb", SITE, BODY)
    for _ in range(2):  # and not only once: the line stays, every later apply goes on
        applied = mpr("apply", str(site), "--auto-approve", "--audit-log", str(log))
        assert applied.code == exitcodes.OK, applied.err
        assert warning in applied.err.splitlines()


def test_a_line_escaping_half_a_character_is_skipped_and_a_whole_one_is_read(
    mpr: Mpr, tmp_path: Path
) -> None:
    """JSON lets a lone surrogate be escaped ("\\udc00"): no character, so no entry; an
    escaped pair (an emoji as some tools write it) is one character, and reads. A JSON value
    that is no object is no entry either."""
    log = tmp_path / "audit.jsonl"
    half = json.dumps({**GOOD, "detail": "\udc00"})
    whole = json.dumps({**GOOD, "detail": "\U0001f600"})
    assert "\\udc00" in half and "\\ud83d\\ude00" in whole
    dirty, unsure = json.dumps({**GOOD, "dirty": True}), json.dumps({**GOOD, "dirty": "yes"})
    log.write_text(
        f"{json.dumps(GOOD)}\n{half}\n{whole}\n[1, 2]\n{dirty}\n{unsure}\n\n"
        f'{{"time": }}\n{"[" * 100_000}\n',
        encoding="utf-8",
    )

    history = mpr("history", "--audit-log", str(log))
    assert history.code == exitcodes.OK
    assert history.err.splitlines() == [
        f"warning: {log}:2: not an audit entry (a \\ud800-\\udfff escape that stands for no "
        "character); skipped (fix or remove the line to silence this)",
        f"warning: {log}:4: not an audit entry (expected a JSON object, got a list); skipped "
        "(fix or remove the line to silence this)",
        f"warning: {log}:6: not an audit entry (`dirty` must be true or false, got a string); "
        "skipped (fix or remove the line to silence this)",
        # (line 7 is blank) whole, as it ends its object: not taken for a line cut short
        f"warning: {log}:8: not an audit entry (not valid JSON at column 10: Expecting value); "
        "skipped (fix or remove the line to silence this)",
        f"warning: {log}:9: not an audit entry (JSON nested too deeply); skipped (fix or "
        "remove the line to silence this)",
    ]
    assert history.out.splitlines()[-1] == "3 entries."


@pytest.mark.parametrize(
    "tail",
    [
        '{"time": "2026-11-20T10:00:00Z", "si',  # cut mid-line
        json.dumps({**GOOD, "time": "2026-11-20T10:00:00Z"}),  # whole, but its newline lost
    ],
)
def test_a_torn_last_line_is_never_glued_to_the_next(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, tail: str
) -> None:
    log = tmp_path / "audit.jsonl"
    log.write_text(json.dumps(GOOD) + "\n" + tail, encoding="utf-8")
    seed(emulator, {"id": SITE})
    site = site_file(tmp_path / "sites", "crumb", SITE, BODY)
    applied = mpr("apply", str(site), "--auto-approve", "--audit-log", str(log))
    assert applied.code == exitcodes.OK, applied.err

    text = log.read_text(encoding="utf-8")
    assert text.startswith(json.dumps(GOOD) + "\n" + tail + "\n")
    entries, problems = read_log([log])
    new = [e for e in entries if e.time != GOOD["time"] and e.time != "2026-11-20T10:00:00Z"]
    assert {e.action for e in new} >= {"settings.upsert", "apply"}
    if tail.endswith("}"):
        assert problems == [] and len(entries) == 2 + len(new)
    else:
        assert problems == [
            f"{log}:2: not an audit entry (not valid JSON at column 34: Unterminated string "
            "starting at; cut short by a killed run or a full disk?); skipped (fix or remove "
            "the line to silence this)"
        ]


def test_a_log_cut_after_its_first_byte_is_not_glued_to_either(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    log.write_text("{", encoding="utf-8")  # the first run was killed one byte into its line
    seed(emulator, {"id": SITE})
    site = site_file(tmp_path / "sites", "crumb", SITE, BODY)
    applied = mpr("apply", str(site), "--auto-approve", "--audit-log", str(log))
    assert applied.code == exitcodes.OK, applied.err
    assert log.read_text(encoding="utf-8").startswith("{\n{")
    entries, problems = read_log([log])
    assert [p.split(": not an audit entry")[0] for p in problems] == [f"{log}:1"]
    assert {e.action for e in entries} >= {"settings.upsert", "apply"}


class FullDisk:
    """os.write that fills the disk on the `at`-th write to the audit log: half of that
    write lands, then ENOSPC (as a real full disk does)."""

    def __init__(self, log: Path, at: int) -> None:
        self.log, self.at, self.count = log.resolve(), at, 0
        self.real = os.write

    def __call__(self, fd: int, data: bytes) -> int:
        try:
            target = Path(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            return self.real(fd, data)
        if target != self.log:
            return self.real(fd, data)
        self.count += 1
        if self.count < self.at:
            return self.real(fd, data)
        if self.count == self.at and len(data) > 1:
            return self.real(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_the_system_takes_in_pieces_lands_whole(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """os.write may write less than it was given (a network file system, a signal): the rest
    follows, once, so every line is whole and none is doubled."""
    log = tmp_path / "audit.jsonl"
    real = os.write

    def in_pieces(fd: int, data: bytes) -> int:
        if Path(os.readlink(f"/proc/self/fd/{fd}")) == log.resolve():
            return real(fd, data[:50])
        return real(fd, data)

    monkeypatch.setattr(os, "write", in_pieces)
    seed(emulator, {"id": SITE})
    site = site_file(tmp_path / "sites", "crumb", SITE, BODY)
    applied = mpr("apply", str(site), "--auto-approve", "--audit-log", str(log))
    assert applied.code == exitcodes.OK, applied.err
    entries, problems = read_log([log])
    assert problems == []
    assert [e.action for e in entries].count("apply") == 1
    assert {e.action for e in entries} >= {"settings.upsert", "apply"}


def test_a_full_disk_stops_the_writes_and_keeps_every_earlier_line(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "audit.jsonl"
    log.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    seed(emulator, {"id": SITE})
    site = site_file(tmp_path / "sites", "crumb", SITE, BODY)
    monkeypatch.setattr(os, "write", FullDisk(log, at=1))  # the first intent line

    applied = mpr("apply", str(site), "--auto-approve", "--audit-log", str(log))
    assert applied.code == exitcodes.ERROR
    message = (
        f"cannot append to the audit log {log}: No space left on device; mpr sends no further "
        "write to Wix, and every earlier line is intact (a write whose outcome could not be "
        "recorded is settled from the live state by the next apply). Free some space or make "
        "the folder writable, then run apply again"
    )
    assert message in applied.out + applied.err
    assert emulator.writes() == []
    assert whole_lines(log) == [GOOD]

    monkeypatch.undo()  # space freed: the next run applies, and logs, everything
    again = mpr("apply", str(site), "--auto-approve", "--audit-log", str(log))
    assert again.code == exitcodes.OK, again.err
    lines = whole_lines(log)
    assert lines[0] == GOOD
    assert [(e["action"], e["result"]) for e in lines[1:]][-1] == ("apply", "applied")


def test_a_full_disk_mid_write_leaves_no_torn_line(tmp_path: Path) -> None:
    log_path = tmp_path / "audit.jsonl"
    log = AuditLog(log_path, Provenance(commit=A))
    log.record(SITE, ActionRecord("settings.upsert", "settings.toneOfVoice", None, "dry"))
    log.save()
    before = log_path.read_bytes()
    real = os.write
    full = FullDisk(log_path, at=1)
    os.write = full  # type: ignore[assignment]
    try:
        log.record(SITE, ActionRecord("event.create", "Sale", None, {"name": "Sale"}))
        with pytest.raises(Exception, match="No space left on device"):
            log.save()
        with pytest.raises(Exception, match="No space left on device"):
            log.outcome(SITE, "applied")  # once broken, the log takes nothing more
    finally:
        os.write = real
    assert full.count == 2  # half a line, then ENOSPC; nothing more was even tried
    assert log_path.read_bytes() == before


def test_an_audit_log_that_cannot_be_created_is_refused_before_any_request(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "logs").write_text("a file, not a folder", encoding="utf-8")
    log = tmp_path / "logs" / "audit.jsonl"
    seed(emulator, {"id": SITE})
    site = site_file(tmp_path / "sites", "crumb", SITE, BODY)
    applied = mpr("apply", str(site), "--auto-approve", "--audit-log", str(log))
    assert applied.code == exitcodes.ERROR
    assert applied.err.splitlines()[-1] == (
        f"Error: cannot write the audit log {log}: {tmp_path / 'logs'} is a file, not a folder; "
        "make the folder writable "
        "or pass another --audit-log (or MPR_AUDIT_LOG), then run again"
    )
    assert emulator.requests == []


def test_a_write_settling_after_the_log_broke_keeps_its_outcome(tmp_path: Path) -> None:
    """The write's intent could not be written, so it was not sent and the site fails; the
    broken log must not turn that into 'unexpected error … a bug in mpr' (the run ends with
    the log's own error)."""
    log = AuditLog(tmp_path / "audit.jsonl", Provenance(commit=A))
    outcome = SiteOutcome(SITE, "Crumb")
    outcome.sink = lambda record: log.record(SITE, record)
    outcome.attempt("settings.upsert", "settings.toneOfVoice")
    real = os.write
    os.write = FullDisk(tmp_path / "audit.jsonl", at=0)  # type: ignore[assignment]
    try:
        with pytest.raises(Exception, match="No space left on device") as broke:
            log.save()  # the barrier before the send: nothing is sent
        outcome.failed("failed", str(broke.value))  # what apply does next; must not raise
    finally:
        os.write = real
    assert outcome.status == "failed" and "No space left on device" in (outcome.error or "")
    with pytest.raises(Exception, match="No space left on device"):
        log.outcome(SITE, "failed")  # the run's end says the log broke


def test_a_log_that_cannot_be_opened_again_says_why(tmp_path: Path) -> None:
    """Someone replaced the log by a folder while apply ran: the next append says so."""
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, Provenance())
    path.unlink()
    path.mkdir()
    log.outcome(SITE, "unchanged")
    with pytest.raises(ConfigError) as failed:
        log.save()
    assert str(failed.value).startswith(
        f"cannot append to the audit log {path}: Is a directory; mpr sends no further write"
    )
