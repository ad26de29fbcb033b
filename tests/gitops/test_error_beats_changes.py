"""An error anywhere wins: `plan --detailed-exitcode` and `drift` exit 1 when one site could not
be read, even when another site has changes (2 would let a pipeline take the error for a diff).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.conftest import Mpr
from tests.gitops.conftest import OTHER, SITE, seed, site_file

UNSEEN = (
    "drafts: drafts made by this generation will be scheduled without anyone seeing their "
    "words (policy.schedule.afterGeneration: schedule; set it to review to see them first)"
)


BODY = """settings:
  toneOfVoice: {tone}
  socialChannels: [FACEBOOK]
events:
  - name: Black Friday Sale
    date: "2026-11-27T09:00:00Z"
"""
UNREADABLE = (
    "crumb (11111111-2222-4333-8444-555555555555) — sites/crumb.yaml\n"
    "  ! error: GET /promote/marketing-plan-service/v1/marketing-settings → HTTP 404 → "
    "SITE_NOT_FOUND: site 11111111-2222-4333-8444-555555555555 not found (request id <id>)\n"
    "\n"
)
CHANGED = (
    "harbor (22222222-3333-4444-8555-666666666666) — sites/harbor.yaml\n"
    '  ~ settings.toneOfVoice: "warm" → "calm"\n'
    "    (1 managed setting(s) unchanged)\n"
)


def request_ids_hidden(text: str) -> str:
    """The output with Wix's request ids (new on every request) replaced by `<id>`."""
    return re.sub(r"request id [0-9a-f-]{36}", "request id <id>", text)


@pytest.fixture
def one_unreadable_one_changed(emulator: Emulator, tmp_path: Path) -> Path:
    """sites/crumb.yaml names a site Wix does not know (404); sites/harbor.yaml differs from
    its live site in one setting."""
    seed(
        emulator,
        {
            "id": OTHER,
            "connectedChannels": ["FACEBOOK"],
            "settings": {"toneOfVoice": "warm", "socialChannels": ["FACEBOOK"]},
            "events": [{"name": "Black Friday Sale", "date": "2026-11-27T09:00:00Z"}],
            "plan": {"status": "ACTIVE"},
        },
    )
    site_file(tmp_path / "sites", "crumb", SITE, BODY.format(tone="warm"))
    site_file(tmp_path / "sites", "harbor", OTHER, BODY.format(tone="calm"))
    return tmp_path / "sites"


def test_plan_detailed_exitcode_is_1_when_an_error_sits_next_to_changes(
    mpr: Mpr,
    emulator: Emulator,
    one_unreadable_one_changed: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outputs = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    plan = mpr("plan", "sites", "--detailed-exitcode", "--github")
    assert plan.code == exitcodes.ERROR
    assert request_ids_hidden(plan.out) == (
        UNREADABLE
        + CHANGED
        + "  * plan ACTIVE: regenerate the plan (settings or events changed: regenerate)\n"
        "    drafts: posts and scheduling are decided after the generation ends\n"
        f"  ! {UNSEEN}\n"
        "\n"
        "Plan: 1 setting field, events +0 ~0 -0, 1 plan action, 0 drafts to schedule; "
        "2 site(s): 1 to change, 0 unchanged, 1 error(s).\n"
    )
    assert plan.err == ""
    assert "result=error\n" in outputs.read_text(encoding="utf-8")
    assert emulator.writes() == []


def test_drift_is_1_when_an_error_sits_next_to_a_drifted_site(
    mpr: Mpr, emulator: Emulator, one_unreadable_one_changed: Path
) -> None:
    drift = mpr("drift", "sites")
    assert drift.code == exitcodes.ERROR
    assert request_ids_hidden(drift.out) == (
        UNREADABLE
        + CHANGED
        + "    plan ACTIVE: no plan action (not drift: settings or events changed: regenerate "
        "(the next apply does it))\n"
        "\n"
        "Plan: 1 setting field, events +0 ~0 -0, 0 plan actions, 0 drafts to schedule; "
        "2 site(s): 1 to change, 0 unchanged, 1 error(s).\n"
        "Drift: 1 of 2 site(s) differ from the YAML: harbor; 1 could not be read.\n"
    )
    assert drift.err == ""
    assert emulator.writes() == []


def test_the_changed_site_alone_still_exits_2(mpr: Mpr, one_unreadable_one_changed: Path) -> None:
    """The same site files without the unreadable one: the diff alone is 2, as documented."""
    assert mpr("plan", "sites/harbor.yaml", "--detailed-exitcode").code == exitcodes.CHANGES
    assert mpr("drift", "sites/harbor.yaml").code == exitcodes.CHANGES
