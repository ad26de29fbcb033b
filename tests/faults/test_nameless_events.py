"""A live event that comes without a `name` cannot be matched with the site file: it is
skipped with a warning, and when the file declares events the site stops before any write,
since creating a declared event that may be the nameless one would duplicate it (the same
answer, say from a renamed member, would do it again at every run)."""

from __future__ import annotations

from reconciler.cli import exitcodes
from reconciler.emulator import FaultRule
from tests.faults.conftest import Harness, Result

EVENT = {"name": "Black Friday Sale", "date": "2026-11-27T09:00:00Z"}


def apply_reading_names_off(harness: Harness, body: str) -> Result:
    """Apply `body` to a site holding EVENT, every QueryEvents answer without names."""
    harness.seed(plan={"status": "ACTIVE"}, events=[EVENT])
    harness.site_file = harness.write(body)
    harness.emulator.add_fault(
        FaultRule(method="POST", path="/events/query", drop_member="events.*.name", times=None)
    )
    return harness.apply()


def test_a_declared_event_read_without_its_name_stops_the_site_before_any_write(
    harness: Harness,
) -> None:
    result = apply_reading_names_off(
        harness,
        "settings:\n  toneOfVoice: warm\nevents:\n  - name: Black Friday Sale\n"
        '    date: "2026-11-27T09:00:00Z"\npolicy:\n  schedule: {enabled: false}\n',
    )
    assert result.code == exitcodes.ERROR, result.text
    assert (
        "  ! error: POST /events/query: QueryEvents: a live event came without a name (see the "
        "warning about it), so mpr cannot tell whether it is one the site file declares; it "
        "will not create that event again\n"
    ) in result.text
    assert harness.emulator.writes() == []
    assert harness.live_events() == ["Black Friday Sale"]


def test_a_nameless_event_is_skipped_with_a_warning_and_never_pruned(harness: Harness) -> None:
    result = apply_reading_names_off(
        harness,
        "settings:\n  toneOfVoice: warm\npolicy:\n  pruneEvents: true\n"
        "  schedule: {enabled: false}\n",
    )
    assert result.code == exitcodes.OK, result.text
    assert "QueryEvents: event" in result.text and "skipped" in result.text
    assert "DeleteEvent" not in harness.operations()
    assert harness.live_events() == ["Black Friday Sale"]
    assert harness.live_settings()["toneOfVoice"] == "warm"


def test_an_event_entry_that_is_not_an_object_also_stops_a_site_declaring_events(
    harness: Harness,
) -> None:
    harness.seed(plan={"status": "ACTIVE"}, events=[EVENT])
    harness.site_file = harness.write(
        'events:\n  - name: Black Friday Sale\n    date: "2026-11-27T09:00:00Z"\n'
        "policy:\n  schedule: {enabled: false}\n"
    )
    harness.emulator.add_fault(
        FaultRule(
            method="POST",
            path="/events/query",
            add_members={"events": ["Black Friday Sale"]},  # an entry that is no object
            times=None,
        )
    )
    result = harness.apply()
    assert result.code == exitcodes.ERROR, result.text
    assert "QueryEvents: a live event came without a name" in result.text
    assert harness.emulator.writes() == []
