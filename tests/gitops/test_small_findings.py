"""Issue #11, finding 7: the small ones, each as a user meets it.

A file of only `~`; `mpr import` given one site twice or a name too long for a file name;
exactly 100 events at one instant; an `@name` in a site name reaching a pull-request comment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.conftest import Mpr
from tests.gitops.conftest import OTHER, SITE, seed, site_file


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("~\n", 1, 1), ("null\n", 1, 1), ("# a comment\n---\n  ~\n", 3, 3), ("--- Null\n", 1, 5)],
)
def test_a_file_of_only_null_is_an_error_not_zero_sites(
    mpr: Mpr, tmp_path: Path, text: str, line: int, column: int
) -> None:
    folder = tmp_path / "sites"
    folder.mkdir()
    (folder / "tilde.yaml").write_text(text, encoding="utf-8")
    for command in ("validate", "plan"):
        result = mpr(command, str(folder))
        assert result.code == exitcodes.ERROR, result.err
        assert (
            f"{folder / 'tilde.yaml'}:{line}:{column}: the file holds only null: a site file "
            "is a mapping (`version: 1`, …)"
        ) in result.err.splitlines()


def test_import_refuses_one_site_given_twice(mpr: Mpr, emulator: Emulator, tmp_path: Path) -> None:
    seed(emulator, {"id": SITE})
    result = mpr("import", f"{SITE}=dup", f"{SITE}=dup", "--out", "sites")
    assert result.code == exitcodes.USAGE
    assert (
        f"Invalid value for SITE_ID: {SITE} is given twice ('{SITE}=dup' and '{SITE}=dup'): a "
        "site has one file, so import each site once"
    ) in result.err
    assert not (tmp_path / "sites").exists()
    assert emulator.requests == []


def test_import_names_that_cannot_be_file_names(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator, {"id": SITE}, {"id": OTHER})
    too_long = mpr("import", f"{SITE}={'x' * 400}", "--out", "sites")
    assert too_long.code == exitcodes.USAGE
    assert "the name given to" in too_long.err and "is 400 characters long" in too_long.err
    assert emulator.requests == []

    longest = "Crumb " + "y" * 194
    result = mpr("import", f"{SITE}={longest}", f"{OTHER}=@octo/cat", "--out", "sites")
    assert result.code == exitcodes.OK, result.err
    written = sorted(p.name for p in (tmp_path / "sites").iterdir())
    assert written == ["crumb-" + "y" * 74 + ".yaml", "octo-cat.yaml"]
    assert mpr("validate", "sites").code == exitcodes.OK


def test_exactly_100_events_at_one_instant_are_not_called_more_than_100(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    crowd = [{"name": f"Stall {n:03d}", "date": "2026-12-05T10:00:00Z"} for n in range(100)]
    seed(emulator, {"id": SITE, "events": crowd})
    site = site_file(tmp_path / "sites", "crumb", SITE)
    result = mpr("plan", str(site))
    assert result.code == exitcodes.ERROR
    assert "more than" not in result.out
    assert (
        "POST /events/query: 100 calendar events (QueryEvents' cap) between 2026-12-05 09:59:"
        in result.out
        and "there may be more, and QueryEvents cannot page, so mpr cannot tell whether it "
        "saw them all; move some of these events to other times"
        in result.out
    ), result.out

    emulator.reset()
    seed(emulator, {"id": SITE, "events": crowd[:99]})
    fewer = mpr("plan", str(site))
    assert fewer.code == exitcodes.OK, fewer.out
    assert "unmanaged event kept: 'Stall 098'" in fewer.out


def test_a_site_name_never_mentions_anyone_in_a_comment(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator, {"id": SITE})
    site = site_file(tmp_path / "sites", "crumb", SITE, "settings: {toneOfVoice: dry}\n")
    site.write_text(
        site.read_text(encoding="utf-8").replace(
            "name: crumb", "name: 'Crumb for @octocat and @acme/bakers'"
        ),
        encoding="utf-8",
    )
    plan = mpr("plan", str(site), "--comment", "plan.md")
    assert plan.code == exitcodes.OK, plan.err
    drift = mpr("drift", str(site), "--comment", "drift.md")
    assert drift.code == exitcodes.CHANGES, drift.err
    for name in ("plan.md", "drift.md"):
        comment = (tmp_path / name).read_text(encoding="utf-8")
        outside_code = re.sub(r"```.*?```", "", comment, flags=re.S)
        assert "Crumb for @\u2060octocat and @\u2060acme/bakers" in outside_code
        assert re.findall(r"@[A-Za-z0-9]", outside_code) == [], name
