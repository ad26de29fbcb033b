"""A newer Wix API adds fields: mpr keeps them, never diffs them, never wipes them (issue #10).

The emulator plays that newer API over a real socket: every object of every response gains a
member mpr does not know, and a stored setting holds one of its own.
"""

from __future__ import annotations

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator, serve_in_thread
from tests.faults.conftest import PLAN_STARTS, SITE, Harness, MakeClient

BODY = """settings:
  toneOfVoice: warm and playful
  frequency: {interval: WEEK, count: 4}
  topics: {included: [sourdough]}
  businessProfile: {targetAudience: families}
events:
  - name: Fresh Bread Friday
    description: a new loaf every week
    recurringRule: {frequency: WEEKLY, startDate: "2026-11-06T08:00:00Z"}
"""


def test_fields_a_newer_api_adds_make_no_diff_and_are_never_wiped(
    harness: Harness, emulator: Emulator, client_factory: MakeClient
) -> None:
    emulator.configure(newer_fields=True)
    harness.seed(plan={"status": "ACTIVE"}, settings={"toneOfVoice": "formal"})
    stored = emulator.site(SITE).settings
    stored["frequency"] = {"interval": "WEEK", "count": 3, "addedLater": {"mode": "smart"}}
    stored["businessProfile"] = {"targetAudience": "everyone", "addedLater": "kept"}
    harness.site_file = harness.write(BODY)
    with serve_in_thread(emulator) as url:
        harness.hooks.client = client_factory(url)
        first = harness.apply()
        assert first.code == exitcodes.OK, first.text
        live = harness.live_settings()
        assert live["frequency"] == {
            "interval": "WEEK",
            "count": 4,
            "addedLater": {"mode": "smart"},
        }
        assert live["businessProfile"] == {"targetAudience": "families", "addedLater": "kept"}

        harness.assert_settled()
        drift = harness.mpr("drift", str(harness.site_file))
        assert drift.code == exitcodes.OK, drift.text
        again = harness.mpr("plan", str(harness.site_file))
        assert "; 1 site(s): 0 to change, 1 unchanged, 0 error(s)." in again.out

    starts = [r.operation for r in emulator.writes() if r.operation in PLAN_STARTS]
    assert starts == ["RegenerateMarketingPlanWithKeywordResearch"], "one regenerate, not one a run"
    frequency = harness.live_settings()["frequency"]
    assert isinstance(frequency, dict), frequency
    assert frequency["addedLater"] == {"mode": "smart"}
