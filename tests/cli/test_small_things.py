"""The small things of #13 (item 9 and the help/docs of item 8), each as a user meets it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import exitcodes, run

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
