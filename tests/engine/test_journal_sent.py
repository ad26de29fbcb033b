"""The journal remembers that a plan action was sent, across runs (a killed run's record)."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.engine.decide import Pending
from reconciler.engine.journal import FileJournal


def test_a_sent_action_is_kept_with_the_activities_it_should_replace(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    journal = FileJournal(path)
    journal.record("site", "regenerate", "2026-11-23T09:00:00.000Z")
    journal.mark_sent("site", "regenerate", "2026-11-23T09:00:05.000Z", ("a1", "a2"))
    journal.save()
    reread = FileJournal(path)
    assert reread.pending("site") == Pending(
        "regenerate", "2026-11-23T09:00:00.000Z", "2026-11-23T09:00:05.000Z", ("a1", "a2")
    )
    assert json.loads(path.read_text())["pending"]["site"]["upcoming"] == ["a1", "a2"]
    reread.clear("site")
    reread.save()
    assert FileJournal(path).pending("site") is None
