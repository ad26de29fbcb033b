"""Issue #11, finding 3: a damaged or misplaced state file is one clear error, never a crash,
and the state file is replaced whole or not at all.

`mpr plan` and `mpr apply` read `--state-file` (the record of a regenerate an interrupted
apply left due). Whatever it holds, they either use it or stop before the first request with
one message that names the file, what is wrong and what to do, and leave the file as it was.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.cli import exitcodes, run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from reconciler.engine.journal import FileJournal
from reconciler.errors import ConfigError
from tests.cli.conftest import SITE, write_site
from tests.conftest import Result, emulator_client

ASIDE = (
    "move it aside and run again: mpr starts a new one (a regenerate that an interrupted "
    "apply left due is then forgotten, so check each site's plan)"
)
KINDS = "none, generate, regenerate, regenerate_keywords, wait"
DAMAGED = {
    "truncated JSON": (
        b'{"pending": {',
        ":1:14: not valid JSON (Expecting property name enclosed in double quotes)",
    ),
    "binary": (b"\xff\xfe\x00\x01", ": byte 1 is not UTF-8 text (a binary file?)"),
    "a list": (b"[1, 2]", ": expected a JSON object with a `pending` key, got a list"),
    "no since": (
        b'{"pending": {"%s": {"kind": "regenerate"}}}' % SITE.encode(),
        f": `pending.{SITE}.since` must be a time string, got nothing",
    ),
    "pending not an object": (
        b'{"pending": [1]}',
        ": `pending` must be an object of site ids, got a list",
    ),
    "unknown kind": (
        b'{"pending": {"s": {"kind": "explode", "since": "x"}}}',
        f": `pending.s.kind` must be one of {KINDS}, got 'explode'",
    ),
    "a kind that is a number": (
        b'{"pending": {"s": {"kind": 5, "since": "x"}}}',
        f": `pending.s.kind` must be one of {KINDS}, got a number",
    ),
    "a long kind": (
        b'{"pending": {"s": {"kind": "%s", "since": "x"}}}' % (b"x" * 60),
        f": `pending.s.kind` must be one of {KINDS}, got '{'x' * 40}'",
    ),
    "deep nesting": (b"[" * 100_000, ": not valid JSON (nested too deeply)"),
    "a lone surrogate escape": (
        b'{"pending": {"s": {"kind": "regenerate", "since": "\\udc00"}}}',
        ": a \\ud800-\\udfff escape that stands for no character",
    ),
    "an entry that is a number": (
        b'{"pending": {"s": 5}}',
        ": `pending.s` must be an object, got a number",
    ),
    "a since that is a number": (
        b'{"pending": {"s": {"kind": "regenerate", "since": 5}}}',
        ": `pending.s.since` must be a time string, got a number",
    ),
    "upcoming ids that are numbers": (
        b'{"pending": {"s": {"kind": "regenerate", "since": "2026-11-23T09:30:00.000Z", '
        b'"sent": "2026-11-23T09:31:00.000Z", "upcoming": [1]}}}',
        ": `pending.s.upcoming` must be a list of activity ids",
    ),
    "posts not an object": (
        b'{"pending": {}, "posts": [1]}',
        ": `posts` must be an object of site ids, got a list",
    ),
    "a posts entry without its time": (
        b'{"pending": {}, "posts": {"s": {"activities": []}}}',
        ": `posts.s` must be {sent: time, activities: [ids]}",
    ),
    "a posts entry that is a number": (
        b'{"pending": {}, "posts": {"s": 5}}',
        ": `posts.s` must be {sent: time, activities: [ids]}",
    ),
    "posts activities that are not a list": (
        b'{"pending": {}, "posts": {"s": {"sent": "2026-11-23T09:30:00.000Z", "activities": "a"}}}',
        ": `posts.s` must be {sent: time, activities: [ids]}",
    ),
    "a posts time that is not a time": (
        b'{"pending": {}, "posts": {"s": {"sent": "soon", "activities": []}}}',
        ": `posts.s.sent` must be a time such as 2026-11-23T09:30:00.000Z within 1970-2100, "
        "got 'soon'",
    ),
}
"""Each damaged content → what the error says between the file's name and ASIDE."""
Run = Callable[..., Result]


@pytest.fixture
def mpr_with_state(emulator: Emulator, capsys: pytest.CaptureFixture[str]) -> Run:
    """`mpr` against the emulator with the real runtime, so --state-file is really read."""

    client = emulator_client(emulator)

    def invoke(*argv: str) -> Result:
        capsys.readouterr()
        code = run(list(argv), obj=Hooks(client=client))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    emulator.load_fixtures({"sites": [{"id": SITE}]})
    return invoke


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_damaged_state_file_is_one_error_before_any_request(
    mpr_with_state: Run, emulator: Emulator, tmp_path: Path, case: str
) -> None:
    content, message = DAMAGED[case]
    state = tmp_path / ".mpr" / "state.json"
    state.parent.mkdir()
    state.write_bytes(content)
    site = write_site(tmp_path, body="settings: {toneOfVoice: dry}\n")
    for command in (["plan"], ["apply", "--auto-approve"]):
        result = mpr_with_state(*command[:1], str(site), "--state-file", str(state), *command[1:])
        assert result.code == exitcodes.ERROR, (command, result.err)
        where, _, what = message.partition(": ")
        said = f"Error: {state}{where}: the state file is damaged: {what}; {ASIDE}\n"
        assert result.err == said, (command, result.err)
    assert emulator.requests == []
    assert state.read_bytes() == content


def test_a_state_file_under_a_plain_file_is_refused_before_any_request(
    mpr_with_state: Run, emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / ".mpr").write_text("not a folder", encoding="utf-8")
    state = tmp_path / ".mpr" / "state.json"
    site = write_site(tmp_path, body="settings: {toneOfVoice: dry}\n")
    result = mpr_with_state("plan", str(site), "--state-file", str(state))
    assert result.code == exitcodes.ERROR
    assert result.err == (
        f"Error: the state file {state} cannot be kept: {tmp_path / '.mpr'} is a file, not "
        "a folder; remove or rename it, or pass --state-file (or MPR_STATE_FILE) elsewhere\n"
    )
    # apply says the same (or, first, that its lock cannot be kept there either)
    result = mpr_with_state("apply", str(site), "--state-file", str(state), "--auto-approve")
    assert result.code == exitcodes.ERROR
    assert result.err.startswith("Error: ") and len(result.err.splitlines()) == 1
    assert f"{tmp_path / '.mpr'}" in result.err and "--state-file" in result.err
    assert emulator.requests == []


def test_keys_of_a_newer_mpr_are_ignored(
    mpr_with_state: Run, emulator: Emulator, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    since = "2026-11-20T10:00:00.000Z"
    state.write_text(
        json.dumps(
            {
                # json.dumps writes the croissant as a pair of \ud... escapes: a character.
                "pending": {SITE: {"kind": "regenerate", "since": since, "note": "🥐"}},
                "intents": {"anything": [1, 2]},
            }
        ),
        encoding="utf-8",
    )
    emulator.reset()
    emulator.load_fixtures({"sites": [{"id": SITE, "plan": {"status": "ACTIVE"}}]})
    site = write_site(tmp_path)
    result = mpr_with_state("plan", str(site), "--state-file", str(state))
    assert result.code == exitcodes.OK, result.err
    assert f"left pending by an interrupted apply at {since}" in result.out


def test_a_state_file_that_cannot_be_written_fails_its_site_alone_and_keeps_the_old_one(
    mpr_with_state: Run, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk is full when apply writes ahead the regenerate it is about to make due."""
    state = tmp_path / "state.json"
    before = json.dumps({"pending": {}}).encode()
    state.write_bytes(before)
    real_fsync = os.fsync

    def full(fd: int) -> None:
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(".state.json-"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    # the real clock runs this apply: should the disk not fill, it must not wait 15 minutes
    body = "settings: {toneOfVoice: dry}\npolicy: {wait: {timeout: 5s}}\n"
    site = write_site(tmp_path, body=body)
    result = mpr_with_state(
        "apply", str(site), "--state-file", str(state), "--auto-approve", "--no-regenerate"
    )
    assert result.code == exitcodes.ERROR
    assert (
        f"cannot write the state file {state}: No space left on device; nothing was sent to "
        "this site. Free some space or make the folder writable (or pass --state-file / "
        "MPR_STATE_FILE elsewhere), then run again"
    ) in result.out
    assert emulator.writes() == []
    assert state.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".state.json")] == []


def test_the_state_file_is_replaced_whole(tmp_path: Path) -> None:
    state = tmp_path / "deep" / "state.json"
    journal = FileJournal(state)
    journal.record("site-1", "regenerate", "2026-11-23T10:00:00.000Z")
    journal.record("site-2", "regenerate_keywords", "2026-11-23T10:00:01.000Z")
    journal.clear("site-1")
    journal.save()
    # one key a line, for a person who opens it after a failed run
    assert state.read_text(encoding="utf-8") == (
        "{\n"
        '  "pending": {\n'
        '    "site-2": {\n'
        '      "kind": "regenerate_keywords",\n'
        '      "since": "2026-11-23T10:00:01.000Z"\n'
        "    }\n"
        "  }\n"
        "}\n"
    )
    assert [p.name for p in state.parent.iterdir()] == ["state.json"]


def test_a_state_file_that_cannot_be_saved_at_the_end_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.json"
    journal = FileJournal(state)
    journal.record("site-1", "regenerate", "2026-11-23T10:00:00.000Z")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ConfigError) as failed:
        journal.save()
    assert str(failed.value) == (
        f"the state file {state} could not be saved at the end of the run (No space left on "
        "device): it may still show plan actions or posts requests this run saw through; the "
        "next apply checks them against Wix and does not send them again. Free some space or "
        "make the folder writable"
    )
