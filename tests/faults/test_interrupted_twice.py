"""Two applies cut short in a row: the keyword research that the first one made due survives
the second, which only changed another setting.

The first apply writes new `topics` and dies before the plan is regenerated: a regenerate
WITH keyword research is due (the journal says so, since the live state no longer can). The
second apply writes a plain setting, which alone would call for a plain regenerate, and dies
too. The run that finally gets through must still research keywords for the new topics.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import FaultRule
from tests.faults.conftest import EVENTS, SITE_BODY, EndsWith, Harness

LIVE_SETTINGS = {
    "toneOfVoice": "warm and playful",
    "socialChannels": ["FACEBOOK", "INSTAGRAM"],
    "topics": {"included": ["sourdough"]},
}
LIVE_EVENTS = [
    {"name": "Black Friday Sale", "date": "2026-11-27T09:00:00Z"},
    {
        "name": "Fresh Bread Friday",
        "recurringRule": {"frequency": "WEEKLY", "startDate": "2026-11-06T08:00:00Z"},
    },
]
NEW_TOPICS = SITE_BODY.replace(
    "  socialChannels: [FACEBOOK, INSTAGRAM]\n",
    "  socialChannels: [FACEBOOK, INSTAGRAM]\n  topics: {included: [rye]}\n",
)
NEW_TONE = NEW_TOPICS.replace("warm and playful", "dry")
LAUNCH = '  - name: Rye Launch\n    date: "2026-12-03T09:00:00Z"\n'
REGENERATES = ("RegenerateMarketingPlan", "RegenerateMarketingPlanWithKeywordResearch")


def cut_before_the_regenerate_is_sent() -> FaultRule:
    """Every CreateEvent fails (5xx), so the site stops after its settings, before the plan."""
    return EndsWith(method="POST", path="/events", status=500, times=None)


def cut_when_the_regenerate_is_sent() -> FaultRule:
    """Every Regenerate* is refused (5xx): sent, noted in the journal as sent, not done."""
    return FaultRule(path="/regenerate-marketing-plan", status=500, times=None)


@pytest.mark.parametrize(
    ("cut", "body_extra", "refused"),
    [
        pytest.param(cut_before_the_regenerate_is_sent, LAUNCH, 0, id="cut-before-sending"),
        pytest.param(cut_when_the_regenerate_is_sent, "", 2, id="cut-when-sending"),
    ],
)
def test_keyword_research_due_from_a_cut_apply_survives_a_second_cut_apply(
    harness: Harness, cut: Callable[[], FaultRule], body_extra: str, refused: int
) -> None:
    harness.seed(settings=LIVE_SETTINGS, events=LIVE_EVENTS, plan={"status": "ACTIVE"})
    harness.emulator.add_fault(cut())

    harness.site_file = harness.write(NEW_TOPICS + body_extra)
    first = harness.apply()
    assert first.code == exitcodes.ERROR, first.text
    assert harness.live_settings()["topics"] == {"included": ["rye"]}

    harness.site_file = harness.write(NEW_TONE + body_extra)
    second = harness.apply()
    assert second.code == exitcodes.ERROR, second.text
    assert harness.live_settings()["toneOfVoice"] == "dry"

    harness.emulator.clear_faults()
    due = harness.plan()
    assert "* plan ACTIVE: regenerate the plan with keyword research" in due.out, due.out
    assert "(left pending by an interrupted apply at 2026-11-23T09:00:00.000Z)" in due.out
    finishing = harness.apply()
    assert finishing.code == exitcodes.OK, finishing.text
    assert "plan: RegenerateMarketingPlanWithKeywordResearch started" in finishing.out

    sent = [
        (r.operation, r.status) for r in harness.emulator.writes() if r.operation in REGENERATES
    ]
    assert sent == [("RegenerateMarketingPlanWithKeywordResearch", 500)] * refused + [
        ("RegenerateMarketingPlanWithKeywordResearch", 200)
    ], "keyword research every time, never a plain regenerate"
    assert harness.live_events() == sorted([*EVENTS, *(["Rye Launch"] if body_extra else [])])
    harness.assert_settled()
