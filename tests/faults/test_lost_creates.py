"""A CreateEvent answered 5xx is looked for at the event's own time before it is sent again:
found (it landed), it is not sent twice; not found, it is sent again, whatever other event
sits at that time."""

from __future__ import annotations

from reconciler.cli import exitcodes
from tests.faults.conftest import EndsWith, Harness

WEEKLY = """events:
  - name: Fresh Bread Friday
    recurringRule: {frequency: WEEKLY, startDate: "2026-11-06T08:00:00Z"}
policy:
  schedule: {enabled: false}
"""
LAUNCH = """events:
  - name: Rye Launch
    date: "2026-12-03T09:00:00Z"
policy:
  schedule: {enabled: false}
"""


def creates(harness: Harness) -> list[tuple[str, int]]:
    return [
        (r.body["calendarEvent"]["name"], r.status)
        for r in harness.emulator.writes()
        if r.operation == "CreateEvent"
    ]


def test_a_recurring_event_that_landed_behind_a_5xx_is_found_not_created_twice(
    harness: Harness,
) -> None:
    harness.seed(plan={"status": "ACTIVE"})
    harness.site_file = harness.write(WEEKLY)
    harness.emulator.add_fault(
        EndsWith(method="POST", path="/events", status=500, after_backend=True)
    )
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert "  done: event created: Fresh Bread Friday" in result.out.splitlines()
    assert creates(harness) == [("Fresh Bread Friday", 500)]
    assert harness.live_events() == ["Fresh Bread Friday"]
    harness.assert_settled()


def test_an_event_that_did_not_land_is_sent_again_even_with_another_event_at_that_time(
    harness: Harness,
) -> None:
    harness.seed(
        plan={"status": "ACTIVE"},
        events=[{"name": "Pop-up Market", "date": "2026-12-03T09:00:00Z"}],
    )
    harness.site_file = harness.write(LAUNCH)
    harness.emulator.add_fault(EndsWith(method="POST", path="/events", status=500))
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert creates(harness) == [("Rye Launch", 500), ("Rye Launch", 200)]
    assert harness.live_events() == ["Pop-up Market", "Rye Launch"]
    harness.assert_settled()
