"""An event write Wix answers with 428 (an event of a connected calendar, or one gone
meanwhile; SPEC §3.4.2–3): that event is reported and left as it is, the rest of the site
is applied, and the audit log records the write as failed with Wix's reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import FaultRule
from tests.faults.conftest import SITE, Harness

DECLARED = """settings:
  toneOfVoice: warm and playful
events:
  - name: Fresh Bread Friday
    description: a new loaf every week
    recurringRule: {frequency: WEEKLY, startDate: "2026-11-06T08:00:00Z"}
policy:
  pruneEvents: true
  schedule: {enabled: false}
"""
BREAD = {
    "name": "Fresh Bread Friday",
    "description": "old",
    "recurringRule": {"frequency": "WEEKLY", "startDate": "2026-11-06T08:00:00Z"},
}
OLD_PROMO = {"name": "Old promo", "date": "2026-12-04T09:00:00Z"}


@pytest.mark.parametrize(
    ("op", "method", "name"),
    [("update", "PUT", "Fresh Bread Friday"), ("delete", "DELETE", "Old promo")],
)
def test_an_event_write_refused_with_428_is_reported_and_the_site_goes_on(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, op: str, method: str, name: str
) -> None:
    monkeypatch.chdir(harness.folder)
    harness.seed(
        plan={"status": "ACTIVE"}, settings={"toneOfVoice": "formal"}, events=[BREAD, OLD_PROMO]
    )
    (refused_id,) = [
        e["id"] for e in harness.emulator.snapshot(SITE)["events"] if e["name"] == name
    ]
    harness.site_file = harness.write(DECLARED)
    harness.emulator.add_fault(
        FaultRule(method=method, path=f"/events/{refused_id}", status=428, times=None)
    )

    result = harness.apply("--audit-log", "audit.jsonl")

    assert result.code == exitcodes.OK, result.text
    lines = result.out.splitlines()
    assert (
        f"event {op} {name!r}: Wix answered 428, the event is read-only (from a connected "
        "calendar) or gone; left as it is"
    ) in result.out
    assert f"  done: event {op}d: {name}" not in lines
    other = {"update": "deleted: Old promo", "delete": "updated: Fresh Bread Friday"}[op]
    assert f"  done: event {other}" in lines
    assert "  done: settings: upserted settings.toneOfVoice" in lines
    assert harness.live_settings()["toneOfVoice"] == "warm and playful"
    assert harness.committed("RegenerateMarketingPlan")
    audit = [json.loads(line) for line in Path("audit.jsonl").read_text().splitlines()]
    (refused,) = [e for e in audit if e["action"] == f"event.{op}" and e["result"] != "intent"]
    assert (refused["target"], refused["result"]) == (name, "failed")
    assert "428" in refused["detail"]
