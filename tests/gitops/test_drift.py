"""`mpr drift`: only live settings and events that differ from the YAML count as drift."""

from __future__ import annotations

import json
import re
from pathlib import Path

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from reconciler.render.markdown import DRIFT_MARKER
from tests.conftest import Mpr
from tests.gitops.conftest import SITE, seed, site_file

BODY = """settings:
  toneOfVoice: warm
  socialChannels: [FACEBOOK]
events:
  - name: Black Friday Sale
    date: "2026-11-27T09:00:00Z"
"""


def test_due_work_is_not_drift_but_a_changed_setting_is(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(
        emulator,
        {
            "id": SITE,
            "connectedChannels": ["FACEBOOK"],
            "settings": {"toneOfVoice": "warm", "socialChannels": ["FACEBOOK"]},
            "events": [{"name": "Black Friday Sale", "date": "2026-11-27T09:00:00Z"}],
            "plan": {"status": "INACTIVE"},
        },
    )
    path = site_file(tmp_path / "sites", "crumb", SITE, BODY)
    assert mpr("plan", str(path), "--detailed-exitcode").code == exitcodes.CHANGES
    calm = mpr("drift", str(path), "--comment", "drift.md")
    assert calm.code == exitcodes.OK, calm.out + calm.err
    assert calm.out.rstrip().endswith("Drift: 0 of 1 site(s) differ from the YAML.")
    assert "not drift: the plan is INACTIVE" in calm.out
    text = (tmp_path / "drift.md").read_text()
    assert text.startswith(f"{DRIFT_MARKER}\n<!-- mpr-result: no-changes -->\n")
    assert "### mpr drift: ✅ no changes" in text

    path.write_text(path.read_text().replace("toneOfVoice: warm", "toneOfVoice: calm"))
    drifted = mpr("drift", str(path), "--comment", "drift.md")
    assert drifted.code == exitcodes.CHANGES
    assert '~ settings.toneOfVoice: "warm" → "calm"' in drifted.out
    assert drifted.out.rstrip().endswith("Drift: 1 of 1 site(s) differ from the YAML: crumb.")
    assert "<!-- mpr-result: changes -->" in (tmp_path / "drift.md").read_text()
    as_json = json.loads(mpr("drift", str(path), "--format", "json").out)
    assert [c["path"] for c in as_json["sites"][0]["settings"]] == ["settings.toneOfVoice"]
    assert as_json["sites"][0]["action"]["kind"] == "none"
    assert emulator.writes() == [], "drift never writes"


def test_an_unreadable_site_is_an_error(mpr: Mpr, emulator: Emulator, tmp_path: Path) -> None:
    site_file(tmp_path / "sites", "crumb", SITE, BODY)  # not seeded: SITE_NOT_FOUND
    result = mpr("drift", "sites/crumb.yaml")
    assert result.code == exitcodes.ERROR
    shown = re.sub(r"request id [0-9a-f-]{36}", "request id <id>", result.out)
    assert shown == (
        "crumb (11111111-2222-4333-8444-555555555555) — sites/crumb.yaml\n"
        "  ! error: GET /promote/marketing-plan-service/v1/marketing-settings → HTTP 404 → "
        "SITE_NOT_FOUND: site 11111111-2222-4333-8444-555555555555 not found (request id <id>)\n"
        "\n"
        "Plan: 0 setting fields, events +0 ~0 -0, 0 plan actions, 0 drafts to schedule; "
        "1 site(s): 0 to change, 0 unchanged, 1 error(s).\n"
        "Drift: 0 of 1 site(s) differ from the YAML; 1 could not be read.\n"
    )
    assert result.err == ""


def test_a_site_with_no_plan_action_due_keeps_the_plan_s_reason_in_its_json(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(
        emulator,
        {
            "id": SITE,
            "settings": {"toneOfVoice": "warm", "socialChannels": ["FACEBOOK"]},
            "events": [{"name": "Black Friday Sale", "date": "2026-11-27T09:00:00Z"}],
            "plan": {"status": "ACTIVE"},
        },
    )
    path = site_file(tmp_path / "sites", "crumb", SITE, BODY)
    result = mpr("drift", str(path), "--format", "json")
    assert result.code == exitcodes.OK, result.out + result.err
    assert json.loads(result.out)["sites"][0]["action"] == {
        "kind": "none",
        "reason": "the plan is ACTIVE and its inputs are unchanged",
        "skipped": None,
    }
