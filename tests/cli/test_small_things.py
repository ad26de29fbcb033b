"""The small things of #13 (item 9 and the help/docs of item 8), each as a user meets it."""

from __future__ import annotations

import json
import os
import signal
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes, run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from reconciler.errors import Interrupted
from tests.cli.conftest import SITE, write_site
from tests.conftest import Mpr

ROOT = Path(__file__).parents[2]


def test_an_emulator_run_says_its_state_ends_with_it(capsys: pytest.CaptureFixture[str]) -> None:
    """After the README's first command, a second `--emulator` plan shows the same changes
    again: mpr says why before it shows them."""
    fixture = str(ROOT / "examples/_emulator/sites.yaml")
    code = run(["plan", str(ROOT / "examples/sites"), "--emulator", fixture])
    assert code == exitcodes.OK
    assert capsys.readouterr().err.splitlines()[0] == (
        f"note: --emulator runs an emulator inside this mpr, seeded from {fixture}: what it is "
        "sent is gone when mpr exits, so the next --emulator run starts from the fixture again "
        "(`mpr emulator serve` keeps its state while it runs)"
    )


def test_import_without_a_name_names_the_site_by_id_and_writes_a_policy_validate_accepts(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """A site without social marketing: the default policy would schedule posts it cannot
    have, which its own `validate` warns about; import turns that off and says why."""
    emulator.load_fixtures({"sites": [{"id": SITE, "settings": {"marketingTools": ["BLOGS"]}}]})
    result = mpr("import", SITE, "--out", str(tmp_path))
    assert result.code == exitcodes.OK, result.err
    written = tmp_path / f"{SITE}.yaml"
    text = written.read_text(encoding="utf-8")
    assert f"site:\n  id: {SITE}\n  name: {SITE}\n" in text
    assert "    enabled: false\n" in text
    assert (
        "policy.schedule.enabled is false: settings.marketingTools has no SOCIAL_MARKETING, so "
        "there are no social posts to schedule" in " ".join(text.replace("#", "").split())
    )
    checked = mpr("validate", str(written))
    assert checked.code == exitcodes.OK
    assert checked.err.splitlines()[-1] == "1 site file valid, 1 warning", (
        "imported with the API key: no `auth`, which validate warns about"
    )


PAST = 'events:\n  - name: Old Sale\n    date: "2001-01-01T09:00:00Z"\n'
OTHER = "22222222-3333-4444-8555-666666666666"


def test_a_file_warning_is_said_once_and_only_for_a_selected_site(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE}, {"id": OTHER}]})
    old = write_site(tmp_path, "old.yaml", PAST)
    write_site(tmp_path, "other.yaml", site_id=OTHER).write_text(
        f"version: 1\nsite:\n  id: {OTHER}\n  name: Other\n", encoding="utf-8"
    )
    chosen = mpr("plan", str(tmp_path), "--site", "Crumb*")
    assert chosen.err.splitlines()[0] == (
        f"warning: {old}:8:11: events[0].date: 2001-01-01T09:00:00Z is in the past: the plan "
        "no longer uses this event; move or remove it"
    )
    other = mpr("plan", str(tmp_path), "--site", "Other")
    assert "warning" not in other.err, other.err


def test_a_saved_plan_given_to_plan_is_named_for_what_it_is(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    site = write_site(tmp_path)
    saved = tmp_path / "plan.json"
    assert mpr("plan", str(site), "--out", str(saved)).code == exitcodes.OK
    again = mpr("plan", str(saved))
    assert (again.code, again.err) == (
        exitcodes.ERROR,
        f"Error: {saved} is a saved plan: use `mpr apply {saved}` or `mpr show {saved}`\n",
    )


def test_apply_of_a_saved_plan_refuses_another_site_selection(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """A saved plan is applied whole, as reviewed: --site may only repeat its own selection."""
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    site = write_site(tmp_path, body="settings:\n  toneOfVoice: dry\n")
    saved = tmp_path / "plan.json"
    assert mpr("plan", str(site), "--out", str(saved)).code == exitcodes.OK
    refused = mpr("apply", str(saved), "--site", "Other*")
    assert refused.code == exitcodes.USAGE
    assert refused.err.endswith(
        "Error: --site Other* does not match the saved plan's selection (every site in it): a "
        "saved plan is applied whole; make one with `mpr plan --site … --out FILE` to apply "
        "part of a fleet\n"
    ), refused.err
    chosen = tmp_path / "crumb.json"
    assert mpr("plan", str(site), "--site", "Crumb*", "--out", str(chosen)).code == exitcodes.OK
    refused = mpr("apply", str(chosen), "--site", "Other*")
    assert "does not match the saved plan's selection (Crumb*)" in refused.err, refused.err
    assert emulator.writes() == []


def test_no_key_with_the_default_address_is_said_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not a network error about www.wixapis.com: the missing variable, by name."""
    for name in ("WIX_API_KEY", "WIX_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    site = write_site(tmp_path)
    assert run(["plan", str(site)]) == exitcodes.ERROR
    assert capsys.readouterr().err == (
        "Error: environment variable WIX_API_KEY is not set: it holds the API key, needed by 1 "
        f"site file(s): {site} (README: Connecting to Wix)\n"
    )


@pytest.mark.parametrize("command", ["plan", "calendar"])
def test_out_into_a_named_pipe_writes_through_it_and_leaves_it_a_pipe(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, command: str
) -> None:
    """`--out /dev/null`, `--out >(jq .)`, a FIFO: the text goes into the stream the user named.
    A file's atomic replace put a regular file in its place (as root, /dev/null itself)."""
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    site = write_site(tmp_path, "crumb.yaml")
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    heard: list[bytes] = []
    reader = threading.Thread(target=lambda: heard.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = mpr(command, str(site), "--out", str(fifo))
    assert result.code == exitcodes.OK, result.err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "still the pipe"
    reader.join(timeout=30)
    assert heard and heard[0].strip(), "the reader got the text"
    if command == "plan":
        assert json.loads(heard[0])["sites"][0]["site_id"] == SITE


@pytest.mark.skipif(os.geteuid() != 0, reason="only root makes a device node")
def test_out_to_a_block_device_is_refused_not_written(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    site = write_site(tmp_path, "crumb.yaml")
    disk = tmp_path / "disk"
    os.mknod(disk, 0o600 | stat.S_IFBLK, os.makedev(7, 200))  # a loop device nobody uses
    result = mpr("plan", str(site), "--out", str(disk))
    assert result.code == exitcodes.ERROR
    assert result.err.splitlines()[-1] == (
        f"Error: cannot write the plan to {disk}: {disk} is a block device, not a file; pass "
        "--out a file in a folder you can write to"
    )
    assert stat.S_ISBLK(os.lstat(disk).st_mode)


@pytest.mark.parametrize(("command", "what"), [("plan", "the plan"), ("calendar", "the calendar")])
def test_an_out_file_that_cannot_be_written_is_one_clear_error(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, command: str, what: str
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    site = write_site(tmp_path, "crumb.yaml")
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    out = tmp_path / "taken" / "out.txt"
    result = mpr(command, str(site), "--out", str(out))
    assert result.code == exitcodes.ERROR
    assert result.err.splitlines()[-1] == (
        f"Error: cannot write {what} to {out}: {tmp_path / 'taken'} is a file, not a folder; "
        "pass --out a file in a folder you can write to"
    )
    assert "Traceback" not in result.err and "bug in mpr" not in result.err


def test_ctrl_c_while_planning_exits_130_and_says_so(
    emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shells' 128 + the signal: a CI script tells a stopped run from a failed one."""
    emulator.load_fixtures({"sites": [{"id": SITE}]})

    def client() -> Any:
        raise KeyboardInterrupt  # Ctrl-C as mpr reaches for Wix

    code = run(["plan", str(write_site(tmp_path))], obj=Hooks(client=client))
    assert code == exitcodes.INTERRUPTED == 130
    assert capsys.readouterr().err.splitlines()[-1] == "Stopped by Ctrl-C (SIGINT)."


@pytest.mark.parametrize(("number", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_run_a_signal_stopped_exits_as_shells_report_that_signal(number: int, code: int) -> None:
    """The Interrupted error a stopped run ends with carries the signal into the exit code."""
    stopped = Interrupted(f"{signal.Signals(number).name} stopped the run", number)
    assert exitcodes.for_error(stopped) == code
