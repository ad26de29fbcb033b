"""Issue #23, item 5: inputs that were "unexpected error … bug in mpr" are one clear message.

Each names the file (and key, or line:col) or the variable, says what is wrong and what to
do, exits 1, and sends nothing to Wix: a state file's time stamps, a saved plan's recurring
rule, `calendar --from` far away, a duration of 10^17 hours, a folder where the apply lock
goes, a GITHUB_OUTPUT that cannot be written, and a terminal that speaks only latin-1.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from reconciler.engine.lock import apply_lock
from reconciler.errors import LockHeld
from tests.badinput.test_bounded_reads import Run, mpr_on_disk, one_error
from tests.cli.conftest import SITE, write_site

__all__ = ["mpr_on_disk"]  # the fixture, shared

REPO = Path(__file__).resolve().parents[2]
SINCE = "2026-11-20T10:00:00.000Z"


def mutating(emulator: Emulator) -> list[str]:
    return [f"{r.method} {r.path}" for r in emulator.requests if r.mutating]


@pytest.mark.parametrize(
    ("key", "stamp"),
    [("sent", "garbage"), ("sent", "9999-12-31T23:59:59Z"), ("since", "9999-12-31T23:59:59Z")],
)
def test_a_state_file_time_stamp_mpr_cannot_use_is_one_message(
    mpr_on_disk: Run, emulator: Emulator, tmp_path: Path, key: str, stamp: str
) -> None:
    entry = {"kind": "regenerate", "since": SINCE, "sent": SINCE, "upcoming": []} | {key: stamp}
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"pending": {SITE: entry}}))
    site = write_site(tmp_path, body="settings: {toneOfVoice: dry}\n")
    for command in (["plan"], ["apply", "--auto-approve"]):
        result = mpr_on_disk(command[0], str(site), "--state-file", str(state), *command[1:])
        one_error(
            result,
            f"{state}: the state file is damaged: `pending.{SITE}.{key}` must be a time",
            repr(stamp),
            "move it aside",
        )
    assert emulator.requests == []


RULE = "sites[0].events[0].after.recurringRule"
START = "2026-12-03T15:00:00.000Z"
A_TIME = "expected a time such as 2026-11-27T09:00:00.000Z within 1970-2100, got"


def saved_plan_with_rule(mpr_on_disk: Run, tmp_path: Path, rule: object) -> Path:
    """A saved plan of one recurring event whose rule is replaced by `rule`."""
    rule_yaml = "{frequency: MONTHLY, startDate: '2026-12-03T15:00:00Z'}"
    body = f"events:\n  - name: Bread day\n    recurringRule: {rule_yaml}\n"
    site = write_site(tmp_path, body=body)
    plan = tmp_path / "plan.json"
    assert mpr_on_disk("plan", str(site), "--out", str(plan)).code == exitcodes.OK
    saved = json.loads(plan.read_text())
    saved["sites"][0]["events"][0]["after"]["recurringRule"] = rule
    plan.write_text(json.dumps(saved))
    return plan


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"frequency": "MONTHLY"}, f"{RULE}.startDate: {A_TIME} nothing"),
        ("monthly", f"{RULE}: expected an object, got a string"),
        (
            {"frequency": "MONTHLY", "startDate": "garbage"},
            f"{RULE}.startDate: {A_TIME} a string 'garbage'",
        ),
        (
            {"frequency": "MONTHLY", "startDate": "9999-12-31T23:59:59Z"},
            f"{RULE}.startDate: {A_TIME} a string '9999-12-31T23:59:59Z'",
        ),
        ({"frequency": 7, "startDate": START}, f"{RULE}.frequency: expected a string such as"),
        (
            {"frequency": "WEEKLY", "startDate": START, "interval": "2"},
            f"{RULE}.interval: expected a whole number from 1 to 1000",
        ),
        (
            {"frequency": "WEEKLY", "startDate": START, "interval": 0},
            f"{RULE}.interval: expected a whole number from 1 to 1000",
        ),
        (
            {"frequency": "WEEKLY", "startDate": START, "interval": 1001},
            f"{RULE}.interval: expected a whole number from 1 to 1000",
        ),
        (
            {"frequency": "WEEKLY", "startDate": START, "interval": True},
            f"{RULE}.interval: expected a whole number from 1 to 1000",
        ),
        (
            {"frequency": "WEEKLY", "startDate": START, "endDate": 5},
            f"{RULE}.endDate: {A_TIME} a number",
        ),
    ],
    ids=[
        "no start",
        "a string",
        "garbage start",
        "year 9999",
        "a number",
        "interval text",
        "interval 0",
        "interval 1001",
        "interval true",
        "end a number",
    ],
)
def test_a_saved_plan_with_a_malformed_recurring_rule_is_one_message(
    mpr_on_disk: Run, emulator: Emulator, tmp_path: Path, rule: object, problem: str
) -> None:
    plan = saved_plan_with_rule(mpr_on_disk, tmp_path, rule)
    emulator.clear_requests()
    for command in ("show", "apply"):
        one_error(
            mpr_on_disk(command, str(plan)),
            f"{plan} is not a plan file written by `mpr plan --out`: ",
            problem,
            "make the plan again",
        )
    assert emulator.requests == []


@pytest.mark.parametrize("interval", [None, 1, 1000], ids=["none", "1", "1000"])
def test_a_saved_plan_with_an_interval_from_1_to_1000_or_none_is_read(
    mpr_on_disk: Run, tmp_path: Path, interval: int | None
) -> None:
    rule: dict[str, object] = {"frequency": "WEEKLY", "startDate": START}
    if interval is not None:
        rule["interval"] = interval
    plan = saved_plan_with_rule(mpr_on_disk, tmp_path, rule)
    shown = mpr_on_disk("show", str(plan))
    assert shown.code == exitcodes.OK, shown.out + shown.err
    assert "Bread day" in shown.out


def test_calendar_from_a_day_wix_cannot_store_is_one_message(
    mpr_on_disk: Run, tmp_path: Path
) -> None:
    site = write_site(tmp_path)
    for day in ("9999-12-31", "1900-01-01"):
        one_error(
            mpr_on_disk("calendar", str(site), "--from", day),
            f"--from {day} is outside the dates Wix stores (1970-01-01 to 2100-12-31)",
        )


@pytest.mark.parametrize("timeout", ["99999999999999999h", "604801", "8d"])
def test_a_duration_beyond_a_week_is_refused_at_its_line(
    mpr_on_disk: Run, tmp_path: Path, timeout: str
) -> None:
    site = write_site(tmp_path, body=f"policy:\n  wait: {{timeout: {timeout}}}\n")
    result = mpr_on_disk("validate", str(site))
    assert result.code == exitcodes.ERROR
    said = "policy.wait.timeout: " if timeout != "8d" else "policy.wait.timeout: bad duration"
    assert f"{site}:7:19: {said}" in result.err, result.err
    assert "bug in mpr" not in result.err


def test_a_week_is_the_longest_duration_and_is_fine(mpr_on_disk: Run, tmp_path: Path) -> None:
    site = write_site(tmp_path, body="policy:\n  wait: {timeout: 168h}\n")
    assert mpr_on_disk("validate", str(site)).code == exitcodes.OK


def test_a_folder_where_the_apply_lock_goes_is_one_message(
    mpr_on_disk: Run, emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / ".mpr" / "apply.lock").mkdir(parents=True)
    site = write_site(tmp_path, body="settings: {toneOfVoice: dry}\n")
    state = tmp_path / ".mpr" / "state.json"
    result = mpr_on_disk("apply", str(site), "--state-file", str(state), "--auto-approve")
    one_error(result, f"the apply lock {tmp_path / '.mpr' / 'apply.lock'} is a folder: remove it")
    assert emulator.requests == []


@pytest.mark.parametrize("where", ["a folder", "under a missing folder"])
def test_a_github_output_that_cannot_be_written_stops_before_any_write(
    mpr_on_disk: Run,
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    target = tmp_path / ("out" if where == "a folder" else "missing/out")
    if where == "a folder":
        target.mkdir()
    monkeypatch.setenv("GITHUB_OUTPUT", str(target))
    site = write_site(tmp_path, body="settings: {toneOfVoice: dry}\n")
    state = str(tmp_path / ".mpr" / "state.json")
    for argv in (
        ["apply", str(site), "--state-file", state, "--auto-approve", "--github"],
        ["plan", str(site), "--github"],
        ["drift", str(site), "--github"],
    ):
        one_error(
            mpr_on_disk(*argv),
            f"GITHUB_OUTPUT names {target}, which mpr cannot write (",
            "run without --github",
        )
    assert emulator.requests == []


def test_a_latin_1_terminal_gets_the_whole_output() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    env = {k: v for k, v in env.items() if not k.startswith(("WIX_", "MPR_", "GITHUB_"))}
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", "sites", "--emulator", "_emulator/sites.yaml"],
        cwd=REPO / "examples",
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    out, err = done.stdout.decode("latin-1"), done.stderr.decode("latin-1")
    assert done.returncode == exitcodes.OK, err
    assert "bug in mpr" not in err and "UnicodeEncodeError" not in err
    assert "Harbor Dental Studio (22222222-3333-4444-8555-666666666666) ? sites/" in out
    assert out.rstrip().splitlines()[-1].startswith("Plan: ")


def test_a_file_written_under_an_ascii_locale_is_utf8_whole(tmp_path: Path) -> None:
    """The C locale with its UTF-8 coercion turned off: Python's default file encoding is
    then ASCII, and `calendar --out` still writes the calendar's symbols, in UTF-8."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "MPR_", "GITHUB_"))}
    env |= {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}
    out = tmp_path / "calendar.md"
    command = ["calendar", "sites", "--emulator", "_emulator/sites.yaml", "--format", "markdown"]
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", *command, "--out", str(out)],
        cwd=REPO / "examples",
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == exitcodes.OK, done.stderr.decode("ascii", "replace")
    text = out.read_bytes().decode("utf-8")
    assert "\u25c6 event \u00b7 \u25cb connected calendar (read-only)" in text


def test_a_held_apply_lock_refuses_a_second_apply_naming_its_holder(
    mpr_on_disk: Run, emulator: Emulator, tmp_path: Path
) -> None:
    """In-process (the subprocess race is tests/e2e/test_one_writer.py): the lock held by
    another apply, whose note says who and since when."""
    site = write_site(tmp_path, body="settings: {toneOfVoice: dry}\n")
    state = tmp_path / ".mpr" / "state.json"
    since = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    with apply_lock(tmp_path / ".mpr", now=lambda: since, command="mpr apply sites/"):
        note = json.loads((tmp_path / ".mpr" / "apply.lock.json").read_text())
        result = mpr_on_disk(
            "apply",
            str(site),
            "--state-file",
            str(state),
            "--auto-approve",
            "--lock-timeout",
            "0.2",
        )
    assert result.code == exitcodes.REFUSED, result.out + result.err
    assert (
        f"mpr apply sites/ (pid {os.getpid()} on {note['host']}, by {note['user']}) since "
        f"2026-11-23T08:30:00Z holds the apply lock of {tmp_path / '.mpr'} after waiting "
        "0.2 s: one apply at a time writes to Wix. Wait for it to finish (or pass "
        "--lock-timeout SECONDS to wait); a killed run releases the lock by itself"
    ) in result.err
    assert emulator.writes() == []
    assert not (tmp_path / ".mpr" / "apply.lock.json").exists(), "the note goes with the lock"


def test_the_lock_note_says_since_when_in_utc_and_an_unknown_user_as_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_york: None
) -> None:
    def no_user() -> str:
        raise KeyError("uid 12345 has no name")  # a container user without a passwd line

    monkeypatch.setattr(getpass, "getuser", no_user)
    since = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    with apply_lock(tmp_path, now=lambda: since, command="mpr apply sites/"):
        with pytest.raises(LockHeld) as held, apply_lock(tmp_path):
            pass
    assert str(held.value) == (
        f"mpr apply sites/ (pid {os.getpid()} on {socket.gethostname()}, by unknown) since "
        f"2026-11-23T08:30:00Z holds the apply lock of {tmp_path}: one apply at a time writes "
        "to Wix. Wait for it to finish (or pass --lock-timeout SECONDS to wait); a killed run "
        "releases the lock by itself"
    )


def test_a_lock_note_that_cannot_be_written_does_not_stop_the_apply(tmp_path: Path) -> None:
    """The lock is what keeps a second apply out; the note only says who holds it."""
    (tmp_path / "apply.lock.json").mkdir()
    with apply_lock(tmp_path):
        with pytest.raises(LockHeld) as held, apply_lock(tmp_path):
            pass
    assert str(held.value).startswith(f"another mpr apply holds the apply lock of {tmp_path}: ")


def test_a_lock_note_that_cannot_be_read_still_refuses_saying_another_apply(
    mpr_on_disk: Run, emulator: Emulator, tmp_path: Path
) -> None:
    site = write_site(tmp_path, body="settings: {toneOfVoice: dry}\n")
    state = tmp_path / ".mpr" / "state.json"
    with apply_lock(tmp_path / ".mpr"):
        (tmp_path / ".mpr" / "apply.lock.json").write_text("{not json")
        result = mpr_on_disk("apply", str(site), "--state-file", str(state), "--auto-approve")
    assert result.code == exitcodes.REFUSED, result.out + result.err
    assert f"another mpr apply holds the apply lock of {tmp_path / '.mpr'}: one apply" in (
        result.err
    )
    assert emulator.writes() == []


@pytest.fixture
def dry_site(emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site file in the current folder (apply's state and lock go to ./.mpr), its site
    known to the emulator."""
    monkeypatch.chdir(tmp_path)
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    return write_site(tmp_path, body="settings: {toneOfVoice: dry}\n")


@pytest.mark.parametrize(
    "command",
    [
        ["plan", "{long}.yaml"],
        ["plan", "{long}.json"],  # a saved plan's name
        ["drift", "{long}"],
        ["apply", "{site}", "--auto-approve", "--force", "{long}"],
        ["options", "{long}"],
        ["history", "--audit-log", "{long}"],
        ["apply", "{site}", "--auto-approve", "--audit-log", "{long}"],
        ["plan", "{site}", "--comment", "{long}"],
        ["import", SITE, "--out", "{long}"],
    ],
    ids=[
        "plan",
        "plan-saved",
        "drift",
        "apply-force",
        "options",
        "history",
        "apply-audit-log",
        "plan-comment",
        "import-out",
    ],
)
def test_a_name_longer_than_the_system_allows_is_one_message(
    mpr_on_disk: Run, emulator: Emulator, tmp_path: Path, dry_site: Path, command: list[str]
) -> None:
    """The system refuses even to look up such a name (ENAMETOOLONG): what mpr says is the
    usual word on a path it cannot use, never "a bug in mpr"."""
    args = [a.format(long="x" * 300, site=dry_site) for a in command]
    result = mpr_on_disk(*args)
    assert result.code in (exitcodes.ERROR, exitcodes.USAGE), result.out + result.err
    assert "unexpected error" not in result.out + result.err
    assert "x" * 300 in result.err, "the name is said"
    assert mutating(emulator) == []


def test_an_audit_log_mpr_cannot_read_says_why_and_what_to_do(
    mpr_on_disk: Run, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    site = write_site(tmp_path, body="settings: {toneOfVoice: dry}\n")
    log = "x" * 300
    result = mpr_on_disk("apply", str(site), "--auto-approve", "--audit-log", log)
    assert result.code == exitcodes.ERROR
    assert result.err.splitlines()[-1] == (
        f"Error: cannot read the audit log {log}: File name too long; name another with "
        "--audit-log (or MPR_AUDIT_LOG)"
    )
    assert mutating(emulator) == []


@pytest.mark.parametrize(
    "command",
    [
        ["plan", "{site}", "--out", "{behind}"],
        ["calendar", "{site}", "--out", "{behind}"],
        ["plan", "{site}", "--comment", "{behind}"],
        ["drift", "{site}", "--comment", "{behind}"],
        ["apply", "{site}", "--auto-approve", "--audit-log", "{behind}"],
        ["apply", "{site}", "--auto-approve", "--state-file", "{behind}"],
        ["import", SITE, "--out", "{behind}"],
    ],
    ids=[
        "plan-out",
        "calendar-out",
        "plan-comment",
        "drift-comment",
        "audit-log",
        "state",
        "import",
    ],
)
def test_a_file_mpr_writes_behind_a_plain_file_names_that_file(
    mpr_on_disk: Run, emulator: Emulator, tmp_path: Path, dry_site: Path, command: list[str]
) -> None:
    """`taken` is a file where a folder must be: every option says so in the same words, never
    the system's "File exists" that names neither."""
    (tmp_path / "taken").write_text("a file\n", encoding="utf-8")
    behind = tmp_path / "taken" / "deeper" / "out.md"
    result = mpr_on_disk(*[a.format(site=dry_site, behind=behind) for a in command])
    assert result.code in (exitcodes.ERROR, exitcodes.USAGE), result.out + result.err
    assert f"{tmp_path / 'taken'} is a file, not a folder" in result.err
    assert "File exists" not in result.err and "unexpected error" not in result.err
    assert mutating(emulator) == []
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "a file\n"
