"""The write-ahead journal survives the process: a second reader sees what the first wrote."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.engine.journal import FileJournal


def test_a_recorded_regenerate_is_seen_by_the_next_run_until_cleared(tmp_path: Path) -> None:
    path = tmp_path / ".mpr" / "state.json"
    first = FileJournal(path)
    first.record("site-1", "regenerate_keywords", "2026-11-23T10:00:00.000Z")
    first.save()

    again = FileJournal(path)
    pending = again.pending("site-1")
    assert pending is not None and pending.kind == "regenerate_keywords"
    assert again.pending("site-2") is None

    again.clear("site-1")
    again.save()
    assert FileJournal(path).pending("site-1") is None
    assert json.loads(path.read_text()) == {"pending": {}}
