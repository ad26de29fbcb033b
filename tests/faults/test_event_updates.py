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
