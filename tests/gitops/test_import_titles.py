"""`mpr import` writes calendars by title where the title is the site's only one of that
name, and by id where two calendars share it; the file still plans to no changes (#14)."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.cli import exitcodes
from reconciler.config.yamlio import parse_yaml
from reconciler.emulator import Emulator
from tests.conftest import Mpr
from tests.gitops.conftest import SITE, seed

US = "aaaaaaaa-1111-4222-8333-444444444444"
PT = "bbbbbbbb-1111-4222-8333-444444444444"
PT2 = "cccccccc-1111-4222-8333-444444444444"


def test_unique_titles_are_written_and_resolve_back_to_the_same_ids(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    calendars = [
        {"id": US, "name": "US holidays"},
        {"id": PT, "name": "Portugal holidays"},
        {"id": PT2, "name": "Portugal holidays"},
    ]
    settings = {"calendar": {"ids": [PT2, US, PT]}}
    seed(emulator, {"id": SITE, "calendars": calendars, "settings": settings})
    result = mpr("import", f"{SITE}=Crumb", "--out", "sites")
    assert result.code == exitcodes.OK, result.err
    text = (tmp_path / "sites" / "crumb.yaml").read_text(encoding="utf-8")
    written = parse_yaml(text, "crumb").tree["settings"]["calendar"]
    assert written == {"ids": [PT, PT2], "names": ["US holidays"]}
    assert mpr("validate", "sites").code == exitcodes.OK
    planned = json.loads(mpr("plan", "sites/crumb.yaml", "--format", "json").out)["sites"][0]
    assert planned["error"] is None
    assert planned["settings"] == [], "the titles resolve back to the ids imported"
    assert emulator.writes() == []
