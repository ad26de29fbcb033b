"""Progress: one line per site redrawn in place on a terminal, nothing in CI logs."""

from __future__ import annotations

import io

import pytest

from reconciler.cli.console import ProgressLines


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_redraws_one_line_per_site_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    screen = Terminal()
    progress = ProgressLines(screen)
    progress("site-a", "reading live state")
    progress("site-b", "reading live state")
    progress("site-a", "plan GENERATING after 12s")
    assert screen.getvalue().endswith(
        "\x1b[2F\x1b[2Ksite-a: plan GENERATING after 12s\n\x1b[2Ksite-b: reading live state\n"
    )


def test_progress_is_silent_in_ci_and_when_piped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    screen = Terminal()
    ProgressLines(screen)("site-a", "reading")
    assert screen.getvalue() == ""
    monkeypatch.delenv("CI")
    piped = io.StringIO()
    ProgressLines(piped)("site-a", "reading")
    assert piped.getvalue() == ""
