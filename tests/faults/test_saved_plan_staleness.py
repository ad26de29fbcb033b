"""`mpr apply plan.json` refuses a saved plan once the live state moved, even when an event
was only deleted and created again with the same content: the plan's writes name the old one."""

from __future__ import annotations

from pathlib import Path

from reconciler.cli import exitcodes
from tests.faults.conftest import SITE, Harness

BODY = """events:
  - name: Black Friday Sale
    description: 40% off
    date: "2026-11-27T09:00:00Z"
policy:
  schedule: {enabled: false}
"""
LIVE = {"name": "Black Friday Sale", "description": "30% off", "date": "2026-11-27T09:00:00Z"}


def test_a_saved_plan_is_refused_after_its_event_was_deleted_and_created_again(
    harness: Harness, tmp_path: Path
) -> None:
    harness.seed(plan={"status": "ACTIVE"}, events=[LIVE])
    harness.site_file = harness.write(BODY)
    saved = tmp_path / "plan.json"
    assert harness.plan("--out", str(saved)).code == exitcodes.OK

    backend, site = harness.emulator.backend, harness.emulator.site(SITE)
    (old_id,) = site.events
    backend.delete_event(site, old_id)  # someone deletes it in the dashboard, and adds it back
    backend.create_event(site, {"calendarEvent": LIVE})
    assert [e["id"] != old_id for e in harness.emulator.snapshot(SITE)["events"]] == [True]

    refused = harness.mpr("apply", str(saved))
    assert refused.code == exitcodes.REFUSED, refused.text
    assert "Crumb & Co: its live state changed on Wix" in refused.err
    assert harness.emulator.writes() == []


OTHER = "22222222-3333-4444-8555-666666666666"


def test_a_saved_plan_is_refused_when_a_site_was_declared_since(
    harness: Harness, tmp_path: Path
) -> None:
    harness.seed(plan={"status": "ACTIVE"}, events=[LIVE])
    harness.emulator.load_fixtures({"sites": [{"id": OTHER, "plan": {"status": "ACTIVE"}}]})
    harness.site_file = harness.write(BODY)
    saved = tmp_path / "plan.json"
    assert harness.mpr("plan", str(tmp_path), "--out", str(saved)).code == exitcodes.OK

    # a site file added to the folder after the plan was reviewed
    harness.write("settings: {toneOfVoice: dry}\n", name="other.yaml", site_id=OTHER)

    refused = harness.mpr("apply", str(saved))
    assert refused.code == exitcodes.REFUSED, refused.text
    assert refused.err.count("newly declared") == 1, refused.err
    assert "Crumb & Co: newly declared" in refused.err
    assert harness.emulator.writes() == []
