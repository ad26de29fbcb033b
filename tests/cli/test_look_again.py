"""After `yes`, apply reads the sites it will write once more (#24): a change made on Wix
while the question was open is refused (exit 4) as a stale saved plan is, nothing written."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.cli.conftest import SITE, write_site
from tests.conftest import Mpr


class Answering(io.StringIO):
    """A terminal where the person types `yes`; `meanwhile` runs while the question is open."""

    def __init__(self, meanwhile: Callable[[], None]) -> None:
        super().__init__("yes\n")
        self.meanwhile = meanwhile

    def isatty(self) -> bool:
        return True

    # StringIO's own signature; typeshed's text readline overrides _IOBase's bytes one
    # incompatibly (and ignores [override] there too), so every subclass inherits the clash.
    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
        self.meanwhile()
        return super().readline(size)


def seed(emulator: Emulator, tone: str) -> None:
    emulator.load_fixtures(
        {"sites": [{"id": SITE, "settings": {"toneOfVoice": tone}, "plan": {"status": "ACTIVE"}}]}
    )


def test_a_change_made_while_the_question_is_open_is_refused(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(emulator, "old")
    site = write_site(tmp_path, body="settings:\n  toneOfVoice: new\n")
    monkeypatch.setattr(sys, "stdin", Answering(lambda: seed(emulator, "someone else's")))
    result = mpr("apply", str(site))
    assert result.code == exitcodes.REFUSED, result.out + result.err
    assert "the live state changed while the question was open" in result.err
    assert "Crumb & Co: its live state changed on Wix" in result.err
    assert emulator.writes() == []
    assert (
        emulator.snapshot(SITE)["marketingSettings"]["settings"]["toneOfVoice"] == "someone else's"
    )


def test_with_nothing_changed_meanwhile_yes_applies(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(emulator, "old")
    site = write_site(tmp_path, body="settings:\n  toneOfVoice: new\n")
    monkeypatch.setattr(sys, "stdin", Answering(lambda: None))
    result = mpr("apply", str(site))
    assert result.code == exitcodes.OK, result.out + result.err
    assert emulator.snapshot(SITE)["marketingSettings"]["settings"]["toneOfVoice"] == "new"
