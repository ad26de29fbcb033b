"""`mpr calendar` as a terminal week grid and as GitHub Markdown: the exact output (#14).

The expected files were checked by reading them against the scenario (conftest.py): the
posts scheduled by the first apply (Wed 25), the ones the wider horizon adds (★, Fri 27),
the horizon's end (Mon 30 09:02, 7 days after the apply ended), drafts beyond it, the weekly
event on both Fridays, the one-off event, and the holiday in its own column.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.conftest import Mpr

EXPECTED = Path(__file__).parent / "expected"


@pytest.mark.parametrize(("fmt", "expected"), [("text", "crumb.txt"), ("markdown", "crumb.md")])
def test_two_weeks_exactly(
    mpr: Mpr, emulator: Emulator, crumb: str, fmt: str, expected: str
) -> None:
    writes = len(emulator.writes())
    result = mpr("calendar", crumb, "--weeks", "2", "--format", fmt)
    assert result.code == exitcodes.OK, result.err
    assert result.out == (EXPECTED / expected).read_text(encoding="utf-8")
    assert len(emulator.writes()) == writes, "calendar never writes"


def test_from_a_later_week_to_a_file(mpr: Mpr, crumb: str) -> None:
    result = mpr("calendar", crumb, "--from", "2026-12-02", "--weeks", "1", "--out", "c.txt")
    assert result.code == exitcodes.OK, result.err
    assert result.out == ""
    lines = Path("c.txt").read_text(encoding="utf-8").splitlines()
    assert lines[5] == "  Week 49: Mon 2026-11-30 – Sun 2026-12-06"
    assert "  Thu 03 Dec       │ 09:00 ◆ Holiday Cake Sale" in lines


def test_a_site_that_cannot_be_read_is_an_error_and_the_others_are_shown(
    mpr: Mpr, crumb: str
) -> None:
    other = Path("other.yaml")
    other.write_text(
        "version: 1\nsite: {id: 99999999-2222-4333-8444-555555555555, name: Gone}\n",
        encoding="utf-8",
    )
    result = mpr("calendar", crumb, str(other), "--weeks", "1")
    assert result.code == exitcodes.ERROR
    assert result.out.startswith("Crumb & Co (11111111-2222-4333-8444-555555555555) — crumb.yaml")
    assert (
        "Gone (99999999-2222-4333-8444-555555555555) — other.yaml\n  ! error: GET "
        "/promote/marketing-plan-service/v1/marketing-settings → HTTP 404 → SITE_NOT_FOUND: "
        "site 99999999-2222-4333-8444-555555555555 not found (request id "
    ) in result.out, "Wix's answer, as the read got it"
