"""An event update sends the declared event, plus every member of the live event that mpr
does not know (a newer Wix API's): Wix keeps them; mpr never wipes what it cannot read."""

from __future__ import annotations

import pytest

from reconciler.cli import exitcodes
from tests.faults.conftest import SITE, Harness

BODY = """events:
  - name: Black Friday Sale
    description: 40% off
    date: "2026-11-27T09:00:00Z"
policy:
  schedule: {enabled: false}
"""
DECLARED = {
    "name": "Black Friday Sale",
    "description": "40% off",
    "date": "2026-11-27T09:00:00.000Z",
}


@pytest.mark.parametrize("newer_api", [False, True], ids=["known-members", "newer-api"])
def test_an_updated_event_keeps_the_members_mpr_does_not_know(
    harness: Harness, newer_api: bool
) -> None:
    harness.emulator.configure(newer_fields=newer_api)
    harness.seed(
        plan={"status": "ACTIVE"},
        events=[
            {"name": "Black Friday Sale", "description": "30% off", "date": "2026-11-27T09:00:00Z"}
        ],
    )
    (event_id,) = harness.emulator.site(SITE).events
    harness.site_file = harness.write(BODY)
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert "  done: event updated: Black Friday Sale" in result.out.splitlines()
    (update,) = [r for r in harness.emulator.writes() if r.operation == "UpdateEvent"]
    assert update.path.endswith(f"/events/{event_id}")
    unknown = {"addedLater": {"since": "a newer Wix API"}} if newer_api else {}
    assert update.body == {"event": {**unknown, **DECLARED}}
    (live,) = harness.emulator.snapshot(SITE)["events"]
    assert (live["id"], live["description"]) == (event_id, "40% off")
    harness.assert_settled()


def test_an_updated_recurring_event_keeps_what_mpr_does_not_know_inside_its_rule(
    harness: Harness,
) -> None:
    """A newer API's member inside `recurringRule` (say, on which weekdays) is sent back
    with the declared rule, not wiped by it."""
    harness.emulator.configure(newer_fields=True)
    rule = {"frequency": "WEEKLY", "startDate": "2026-11-06T08:00:00Z"}
    harness.seed(
        plan={"status": "ACTIVE"},
        events=[{"name": "Fresh Bread Friday", "description": "old", "recurringRule": rule}],
    )
    harness.site_file = harness.write(
        "events:\n  - name: Fresh Bread Friday\n    description: a new loaf every week\n"
        f'    recurringRule: {{frequency: WEEKLY, startDate: "{rule["startDate"]}"}}\n'
        "policy:\n  schedule: {enabled: false}\n"
    )
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    (update,) = [r for r in harness.emulator.writes() if r.operation == "UpdateEvent"]
    newer = {"addedLater": {"since": "a newer Wix API"}}
    assert update.body["event"]["recurringRule"] == {
        **newer,
        "frequency": "WEEKLY",
        "startDate": "2026-11-06T08:00:00.000Z",
    }
    assert update.body["event"]["description"] == "a new loaf every week"


def test_a_recurring_event_declared_one_off_becomes_one_off(harness: Harness) -> None:
    """The site file drops the rule and gives a date: the update sends the date alone, and
    the live event stops recurring (nothing of the old rule is carried into the body)."""
    rule = {"frequency": "WEEKLY", "startDate": "2026-11-06T08:00:00Z"}
    harness.seed(
        plan={"status": "ACTIVE"},
        events=[{"name": "Fresh Bread Friday", "description": "weekly", "recurringRule": rule}],
    )
    harness.site_file = harness.write(
        "events:\n  - name: Fresh Bread Friday\n    description: once only\n"
        '    date: "2026-11-27T08:00:00Z"\n'
        "policy:\n  schedule: {enabled: false}\n"
    )
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert "  done: event updated: Fresh Bread Friday" in result.out.splitlines()
    (update,) = [r for r in harness.emulator.writes() if r.operation == "UpdateEvent"]
    assert "recurringRule" not in update.body["event"]
    (live,) = harness.emulator.snapshot(SITE)["events"]
    assert "recurringRule" not in live
    assert (live["date"], live["description"]) == ("2026-11-27T08:00:00.000Z", "once only")
    harness.assert_settled()


def test_the_file_s_delete_guard_is_the_one_plan_applies(harness: Harness) -> None:
    """Pruning 1 of 5 events (20%) passes the default guard (30%) but not this file's (10%)."""
    events = [{"name": f"E{n}", "date": f"2026-12-1{n}T09:00:00Z"} for n in range(5)]
    harness.seed(plan={"status": "ACTIVE"}, events=events)
    declared = "".join(f"  - {{name: E{n}, date: '2026-12-1{n}T09:00:00Z'}}\n" for n in range(4))
    harness.site_file = harness.write(
        "events:\n" + declared + "policy:\n  pruneEvents: true\n"
        "  deleteGuard: {percent: 10, minEvents: 1}\n  schedule: {enabled: false}\n"
    )
    lines = harness.plan().out.splitlines()
    assert (
        "  ! apply will refuse: the plan deletes 1 of 5 events (20%), more than the 10% allowed "
        f"by policy.deleteGuard; review it and re-run with --force={SITE} to proceed"
    ) in lines, lines
