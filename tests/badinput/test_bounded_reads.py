"""Issue #23, item 6: mpr reads its audit log, state file, saved plans and comment files only
from regular files, up to a cap: `/dev/zero`, a FIFO, a folder or a huge file is one message
naming the file, what is wrong and what to do (exit 1), never an endless read.

The memory is not asserted here (no timed or sized assertions): each case ends with the
error before reading more than the cap, which a FIFO with no writer or `/dev/zero` would
otherwise never let happen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.cli import exitcodes, run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from reconciler.engine import bounded
from reconciler.errors import ConfigError
from tests.cli.conftest import SITE, write_site
from tests.conftest import Result, emulator_client

Run = Callable[..., Result]


@pytest.fixture
def mpr_on_disk(emulator: Emulator, capsys: pytest.CaptureFixture[str]) -> Run:
    """`mpr` against the emulator with the real runtime, so the files are really read."""
    client = emulator_client(emulator)
    emulator.load_fixtures({"sites": [{"id": SITE}]})

    def invoke(*argv: str) -> Result:
        capsys.readouterr()
        code = run(list(argv), obj=Hooks(client=client))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def fifo(folder: Path, name: str) -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def huge(path: Path, size: int) -> Path:
    """A sparse file of `size` bytes (no disk used)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def one_error(result: Result, *parts: str) -> None:
    assert result.code == exitcodes.ERROR, result.err
    assert result.err.startswith("Error: ") and len(result.err.splitlines()) == 1, result.err
    for part in parts:
        assert part in result.err, (part, result.err)
    assert "bug in mpr" not in result.err


AUDIT = "mpr reads the audit log only from a regular file; name a file with --audit-log"


def test_dev_zero_as_the_audit_log_is_one_message(
    mpr_on_disk: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MPR_AUDIT_LOG", "/dev/zero")
    one_error(mpr_on_disk("history"), "/dev/zero is a character device", AUDIT)
    one_error(mpr_on_disk("history", "--audit-log", "/dev/zero"), "character device", AUDIT)


def test_a_fifo_or_a_folder_as_the_audit_log_is_one_message(
    mpr_on_disk: Run, tmp_path: Path
) -> None:
    pipe = fifo(tmp_path, "audit.jsonl")
    one_error(mpr_on_disk("history", "--audit-log", str(pipe)), "is a pipe (FIFO)", AUDIT)


def test_an_audit_log_beyond_the_cap_is_one_message(mpr_on_disk: Run, tmp_path: Path) -> None:
    log = huge(tmp_path / "audit.jsonl", bounded.AUDIT_LOG.max_bytes + 1)
    one_error(
        mpr_on_disk("history", "--audit-log", str(log)),
        f"{log}: the audit log is larger than 512 MiB, more than mpr reads; move it aside",
    )


def test_an_endless_line_in_the_audit_log_is_one_message(mpr_on_disk: Run, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    entry = {"time": "2026-11-23T09:30:02Z", "site": SITE, "action": "apply", "result": "ok"}
    log.write_text(json.dumps(entry) + "\n" + "x" * (bounded.MIB + 10) + "\n")
    one_error(
        mpr_on_disk("history", "--audit-log", str(log)),
        f"{log}:2: the audit log has a line longer than 1 MiB, which mpr never writes",
    )


@pytest.mark.parametrize("command", ["show", "apply"])
def test_a_saved_plan_that_is_a_device_a_fifo_or_huge_is_one_message(
    mpr_on_disk: Run, emulator: Emulator, tmp_path: Path, command: str
) -> None:
    if command == "show":
        one_error(mpr_on_disk(command, "/dev/zero"), "/dev/zero is a character device", "plan")
    pipe = fifo(tmp_path, "plan.json")
    one_error(mpr_on_disk(command, str(pipe)), "is a pipe (FIFO)", "saved plan")
    big = huge(tmp_path / "big.json", bounded.SAVED_PLAN.max_bytes + 1)
    one_error(mpr_on_disk(command, str(big)), "larger than 256 MiB", "mpr plan --out")
    assert emulator.requests == []


def test_a_device_named_as_site_files_is_refused_without_being_read(
    mpr_on_disk: Run, emulator: Emulator
) -> None:
    result = mpr_on_disk("plan", "/dev/zero")
    assert result.code == exitcodes.ERROR
    assert "/dev/zero" in result.err and "not a regular file or a folder" in result.err
    assert emulator.requests == []


def test_a_state_file_that_is_a_fifo_or_huge_is_one_message_before_any_request(
    mpr_on_disk: Run, emulator: Emulator, tmp_path: Path
) -> None:
    site = write_site(tmp_path, body="settings: {toneOfVoice: dry}\n")
    pipe = fifo(tmp_path, "state.json")
    big = huge(tmp_path / "big-state.json", bounded.STATE_FILE.max_bytes + 1)
    for state, said in ((pipe, "is a pipe (FIFO)"), (big, "larger than 64 MiB")):
        for command in (["plan"], ["apply", "--auto-approve"]):
            argv = [command[0], str(site), "--state-file", str(state), *command[1:]]
            one_error(mpr_on_disk(*argv), str(state), said, "the state file")
    assert emulator.requests == []


def test_a_file_and_a_line_exactly_at_their_caps_are_read(tmp_path: Path) -> None:
    note = tmp_path / "note"
    note.write_bytes(b"x" * bounded.MIB)  # 1 MiB in all, one line with no newline
    assert list(bounded.read_lines(note, bounded.LOCK_NOTE)) == ["x" * bounded.MIB]
    log = tmp_path / "audit.jsonl"
    log.write_bytes(b"x" * bounded.MIB + b"\n" + b"x" * (bounded.MIB + 1) + b"\n")
    lines = bounded.read_lines(log, bounded.AUDIT_LOG)
    assert next(lines) == "x" * bounded.MIB + "\n"
    with pytest.raises(ConfigError) as refused:
        next(lines)
    assert str(refused.value).startswith(
        f"{log}:2: the audit log has a line longer than 1 MiB, which mpr never writes; "
    )


def test_a_whole_file_exactly_at_its_cap_is_read_whole(tmp_path: Path) -> None:
    note = tmp_path / "note"
    note.write_bytes(b"x" * (bounded.MIB - 1) + b"y")
    assert bounded.read_bytes(note, bounded.LOCK_NOTE) == b"x" * (bounded.MIB - 1) + b"y"


def test_undecodable_bytes_in_a_line_are_replaced(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    log.write_bytes(b'{"site": "caf\xe9"}\n')
    assert list(bounded.read_lines(log, bounded.AUDIT_LOG)) == ['{"site": "caf\ufffd"}\n']


def test_a_file_that_grows_beyond_the_cap_while_read_is_one_message(tmp_path: Path) -> None:
    note = tmp_path / "note"
    note.write_bytes(b"x" * (bounded.MIB - 10) + b"\n")
    lines = bounded.read_lines(note, bounded.LOCK_NOTE)
    assert next(lines) == "x" * (bounded.MIB - 10) + "\n"
    with note.open("ab") as handle:
        handle.write(b"more than ten bytes\n")
    with pytest.raises(ConfigError) as refused:
        next(lines)
    assert str(refused.value) == (
        f"{note}: the apply lock's note is larger than 1 MiB, more than mpr reads; remove it"
    )


@pytest.mark.skipif(
    not Path("/proc/self/status").is_file() or os.stat("/proc/self/status").st_size != 0,
    reason="needs a /proc whose files say they are empty (Linux's)",
)
def test_a_file_larger_than_its_size_says_is_cut_at_the_cap(tmp_path: Path) -> None:
    """A /proc file says it is empty and is not: the read itself stops at the cap."""
    small = bounded.Kind("the test note", 64, "remove it", "shorten it")
    with pytest.raises(ConfigError) as refused:
        bounded.read_bytes("/proc/self/status", small)
    assert str(refused.value) == (
        "/proc/self/status: the test note is larger than 64 bytes, more than mpr reads; shorten it"
    )


def test_a_huge_site_file_is_refused_without_being_read_whole(tmp_path: Path) -> None:
    """A 4 GiB file among the site files (sparse: it takes no disk) is refused as larger than a
    site file ever is, by an mpr given 1 GiB of memory: it reads no more than the cap (it used
    to read the whole file for its digest first, and ran out of memory)."""
    folder = tmp_path / "sites"
    folder.mkdir()
    with (folder / "huge.yaml").open("wb") as huge:
        huge.truncate(4 * 1024**3)
    limit = "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
    run_mpr = "from reconciler.cli import main; sys.argv[1:] = ['validate', 'sites']; main()"
    result = subprocess.run(
        [sys.executable, "-c", limit + run_mpr],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == exitcodes.ERROR, result.stderr
    assert result.stderr == (
        "sites/huge.yaml:1:1: the file is larger than 1 MiB (1048576 bytes); a site file never is\n"
        "1 error in 1 file\n"
    )
