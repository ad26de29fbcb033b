"""Progress: one live status line on a terminal, erased before anything else is printed;
in CI or a pipe, a heartbeat every 30 s and each site's outcome the moment it settles."""

from __future__ import annotations

import asyncio
import io
import re
import sys
from datetime import timedelta
from pathlib import Path

import pyte
import pytest

from reconciler.cli import exitcodes, run
from reconciler.cli.app import Hooks
from reconciler.cli.console import FleetDisplay
from reconciler.emulator import Emulator, ManualClock
from reconciler.engine.runtime import Runtime
from reconciler.render.progress import FleetProgress
from tests.conftest import TODAY, EmulatorTime, Mpr

CHANGE = "settings:\n  toneOfVoice: warm and playful\n"


class Terminal(io.StringIO):
    """What a terminal receives: everything written, as a person's screen would get it."""

    def isatty(self) -> bool:
        return True


class Keyboard(Terminal):
    """What a person types, echoed on the terminal as a terminal's line discipline does."""

    def __init__(self, typed: str, echo: io.StringIO) -> None:
        super().__init__(typed)
        self.echo = echo

    # StringIO's own signature; typeshed's text readline overrides _IOBase's bytes one
    # incompatibly (and ignores [override] there too), so every subclass inherits the clash.
    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
        line = super().readline(size)
        self.echo.write(line)
        return line


def screen_of(data: str, columns: int = 200, lines: int = 400) -> list[str]:
    """The text a terminal shows after `data` (cursor moves and erasures played out)."""
    screen = pyte.Screen(columns, lines)
    pyte.Stream(screen).feed(data.replace("\n", "\r\n"))
    return [line.rstrip() for line in screen.display if line.strip()]


def sites(emulator: Emulator, folder: Path, count: int) -> list[str]:
    """`count` sites on the emulator, each with a file that changes its tone of voice."""
    ids = [f"{n:08d}-2222-4333-8444-555555555555" for n in range(count)]
    emulator.load_fixtures({"sites": [{"id": i, "connectedChannels": ["FACEBOOK"]} for i in ids]})
    for n, site_id in enumerate(ids):
        body = f"version: 1\nsite:\n  id: {site_id}\n  name: Shop {n}\n{CHANGE}"
        (folder / f"shop{n:03d}.yaml").write_text(body, encoding="utf-8")
    return ids


def test_the_status_line_counts_phases_and_names_the_slowest_site() -> None:
    progress = FleetProgress({"a": "Crumb & Co", "b": "", "c": "Northwind"}, TODAY)
    progress.update("a", "reading live state", TODAY)
    progress.update("b", "reading live state", TODAY + timedelta(seconds=2))
    progress.update("a", "plan GENERATING after 40s", TODAY + timedelta(seconds=5))
    progress.update("b", "applying", TODAY + timedelta(seconds=8))
    progress.settle("c", "applied", TODAY + timedelta(seconds=9))
    now = TODAY + timedelta(seconds=75)
    assert progress.status_line(now) == (
        "3 site(s): 1 applying, 1 waiting, 1 applied · 1m15s · "
        "slowest: Crumb & Co (plan GENERATING after 40s, 1m10s)"
    )
    assert progress.heartbeat_line(now).startswith("[1m15s] still working: 3 site(s): ")


def test_a_200_site_fleet_on_a_terminal_writes_one_bounded_status_line_and_leaves_none(
    hooks: Hooks, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing of the progress stays on the screen: it was one line, erased before the plan
    and the report. Its bytes do not grow with the sites (1.35 MB before): rich redraws it 4
    times a second, so the bound holds for any run shorter than about six minutes."""
    sites(emulator, tmp_path, 200)
    monkeypatch.delenv("CI", raising=False)
    terminal, out = Terminal(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(sys, "stdout", out)
    code = run(["apply", str(tmp_path), "--auto-approve"], obj=hooks)
    assert code == exitcodes.OK, out.getvalue() + terminal.getvalue()
    progress = terminal.getvalue()
    assert "\x1b[" in progress, "the status line was drawn"
    assert len(progress.encode()) < 32_768, len(progress.encode())  # about 85 bytes a redraw
    assert screen_of(progress) == []
    assert "Apply: 200 site(s): 200 changed, 0 failed" in out.getvalue()


def test_on_a_terminal_the_plan_and_prompt_stay_whole_and_sites_are_named(
    hooks: Hooks, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stdout and stderr on one terminal, the answer typed at the prompt: what is left on the
    screen is exactly the plan, the question, the answer and the report."""
    sites(emulator, tmp_path, 2)
    monkeypatch.delenv("CI", raising=False)
    terminal = Terminal()
    typed = Keyboard("yes\n", echo=terminal)
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "stdin", typed)
    code = run(["apply", str(tmp_path)], obj=hooks)
    assert code == exitcodes.OK, terminal.getvalue()
    shown = screen_of(terminal.getvalue())
    assert "reading live state" not in "\n".join(shown)
    assert shown[0].startswith("Shop 0 (00000000-2222-4333-8444-555555555555)")
    asked = shown.index(
        "Apply will write to 2 site(s), 4 write(s), then the drafts of the new plan."
    )
    assert shown[asked - 1].startswith("Plan: "), shown
    assert shown[asked + 1 : asked + 4] == [
        "Only 'yes' will be accepted to approve.",
        "Apply these changes?: yes",
        "Shop 0 (00000000-2222-4333-8444-555555555555): applied",
    ]
    assert shown[-1].startswith("Apply: 2 site(s): 2 changed"), shown


async def test_a_log_gets_a_heartbeat_every_30s_and_each_outcome_as_it_settles() -> None:
    """Exactly what a CI log shows: no redraws; a beat after 30 s of the engine's clock
    without a line, and none once every site has settled."""
    clock = EmulatorTime(ManualClock(TODAY))
    log = io.StringIO()
    display = FleetDisplay(log, env={"CI": "true"})
    runtime = display.attach(Runtime(clock=clock))
    async with display.showing({"a": "Crumb & Co", "b": ""}, announce=True):
        runtime.progress("a", "applying")
        runtime.progress("b", "applying")
        await clock.sleep(12)
        runtime.settled("b", "failed", "Wix answered 500\nsecond line")
        await clock.sleep(20)
        runtime.progress("a", "plan GENERATING after 32s")
        await clock.sleep(29)
        runtime.progress("a", "plan GENERATING after 61s")
        await clock.sleep(9)
        runtime.settled("a", "applied", None)
    runtime.progress("a", "reading live state")  # after the step: not shown
    assert log.getvalue() == (
        "[12s] b: failed: Wix answered 500\n"
        "[1m01s] still working: 2 site(s): 1 waiting, 1 failed · slowest: Crumb & Co "
        "(plan GENERATING after 61s, 29s)\n"
        "[1m10s] Crumb & Co: applied\n"
    )


def test_in_ci_apply_prints_outcomes_and_heartbeats_on_stderr(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emulator's generation takes 120 s of its clock, polled every 5-10 s: a log hears
    of the wait at least every 30 s of it, then of the site as soon as it is applied."""
    sites(emulator, tmp_path, 1)
    monkeypatch.setenv("CI", "true")
    result = mpr("apply", str(tmp_path), "--auto-approve")
    assert result.code == exitcodes.OK, result.err
    *beats, settled = result.err.splitlines()
    assert re.fullmatch(r"\[2m\d\ds\] Shop 0: applied", settled), result.err
    assert len(beats) >= 3, result.err
    waited = 0
    for beat in beats:
        found = re.fullmatch(
            r"\[(\d+m)?(\d+)s\] still working: 1 site\(s\): 1 waiting · "
            r"slowest: Shop 0 \(plan GENERATING after \d+s, (\d+m)?\d+s\)",
            beat,
        )
        assert found, beat
        seconds = int((found[1] or "0m")[:-1]) * 60 + int(found[2])
        assert seconds - waited >= 30
        waited = seconds
    assert "\x1b" not in result.err


async def test_a_stop_that_comes_as_the_progress_closes_is_not_swallowed() -> None:
    """Ctrl-C cancels the run's task; landing while the display gives its ticker back, it
    must still stop the run (a swallowed cancel let an apply go on to write, #13)."""
    display = FleetDisplay(io.StringIO(), env={"CI": "true"})
    display.attach(Runtime())  # the wall clock: the display ticks between events
    entered, release = asyncio.Event(), asyncio.Event()

    async def planning() -> str:
        async with display.showing({"s": "Shop"}, announce=False):
            entered.set()
            await release.wait()
        return "went on"

    run = asyncio.create_task(planning())
    await entered.wait()
    release.set()
    await asyncio.sleep(0)  # the block has ended: the display is giving its ticker back
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
