"""The plan action line for every live plan status, and the reason given, exactly as `mpr plan`
shows them; and the error after every generation FAILED, exactly as `mpr apply` ends."""

from __future__ import annotations

import pytest

from reconciler.cli import exitcodes
from tests.faults.conftest import SITE, Harness

LINES = {
    "FAILED": "  * plan FAILED: generate the plan (the last generation FAILED: generate again)",
    "GENERATING": (
        "  * plan GENERATING: wait for the running generation, then decide again "
        "(a generation started elsewhere is still running)"
    ),
    "ACTIVE": "    plan ACTIVE: no plan action (the plan is ACTIVE and its inputs are unchanged)",
    "PAUSED": (
        "    plan PAUSED: no plan action (unknown plan status 'PAUSED': leaving the plan alone)"
    ),
}


def plan_line(text: str) -> str:
    (line,) = [line for line in text.splitlines() if line.lstrip("* ").startswith("plan ")]
    return line


@pytest.mark.parametrize("status", LINES)
def test_the_plan_action_for_each_live_status(harness: Harness, status: str) -> None:
    seeded = "ACTIVE" if status == "PAUSED" else status
    harness.seed(plan={"status": seeded}, settings={"toneOfVoice": "dry"})
    if status == "PAUSED":  # a status this mpr does not know (a newer Wix API's)
        harness.emulator.site(SITE).plan.status = "PAUSED"
    harness.site_file = harness.write("settings:\n  toneOfVoice: dry\n")
    shown = harness.plan()
    assert shown.code == exitcodes.OK, shown.text
    assert plan_line(shown.out) == LINES[status]


def test_a_regenerate_the_policy_forbids_is_shown_skipped_with_why(harness: Harness) -> None:
    harness.seed(plan={"status": "ACTIVE"}, settings={"toneOfVoice": "dry"})
    harness.site_file = harness.write(
        "settings:\n  toneOfVoice: warm\npolicy:\n  regenerate: never\n"
    )
    assert plan_line(harness.plan().out) == (
        "    plan ACTIVE: regenerate the plan (settings or events changed: regenerate); "
        "SKIPPED: policy.regenerate is never: run it by hand or change the policy"
    )


def test_apply_ends_with_what_to_do_when_every_generation_failed(harness: Harness) -> None:
    harness.seed(failNextGenerations=2)
    result = harness.apply()
    assert result.code == exitcodes.ERROR
    errors = [line for line in result.out.splitlines() if line.startswith("  ! error:")]
    assert errors == [
        "  ! error: the plan generation FAILED 2 time(s): check that the site is published, "
        "then run apply again (it will generate again)"
    ]
