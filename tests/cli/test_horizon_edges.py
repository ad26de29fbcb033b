"""`policy.schedule.horizonDays`: the drafts of activities dated from now up to exactly now +
horizonDays are scheduled, both ends included; a millisecond outside either end is not."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.cli.conftest import SITE, write_site
from tests.conftest import TODAY, Mpr

HORIZON_DAYS = 4
MS = timedelta(milliseconds=1)
EDGE = TODAY + timedelta(days=HORIZON_DAYS)
DATES = {
    "just past": TODAY - MS,
    "now": TODAY,
    "at the horizon": EDGE,
    "just beyond": EDGE + MS,
}
BODY = f"""settings:
  socialChannels: [FACEBOOK]
policy:
  schedule: {{enabled: true, channels: [FACEBOOK], horizonDays: {HORIZON_DAYS}, \
generateMissingPosts: false}}
"""


def arrange(emulator: Emulator) -> dict[str, str]:
    """An ACTIVE plan whose activities with drafts are dated at the edges of the horizon (the
    others a month out); returns the FACEBOOK draft id of each edge activity."""
    emulator.load_fixtures(
        {
            "sites": [
                {
                    "id": SITE,
                    "connectedChannels": ["FACEBOOK"],
                    "settings": {"socialChannels": ["FACEBOOK"]},
                    "plan": {"status": "ACTIVE"},
                }
            ]
        }
    )
    with_drafts = [a for a in emulator.site(SITE).plan.activities.values() if a.items]
    assert len(with_drafts) >= len(DATES), "the emulator's plan has too few drafts"
    drafts = {}
    for activity, (label, date) in zip(with_drafts, DATES.items(), strict=False):
        activity.date = date
        (draft,) = [i for i in activity.items if i["channel"]["name"] == "FACEBOOK"]
        drafts[label] = draft["id"]
    for activity in with_drafts[len(DATES) :]:
        activity.date = TODAY + timedelta(days=30)
    return drafts


def test_a_draft_dated_exactly_at_now_plus_horizon_days_is_scheduled(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    drafts = arrange(emulator)
    site = write_site(tmp_path, body=BODY)

    shown = mpr("plan", str(site), "--format", "json")
    assert shown.code == exitcodes.OK, shown.err
    (planned,) = json.loads(shown.out)["sites"]
    assert planned["drafts"]["schedule"] == {"FACEBOOK": [drafts["now"], drafts["at the horizon"]]}

    applied = mpr("apply", str(site), "--auto-approve")
    assert applied.code == exitcodes.OK, applied.out + applied.err
    (sent,) = [r.body for r in emulator.writes() if r.operation == "ScheduleDrafts"]
    assert sorted(sent["draftIds"]) == sorted([drafts["now"], drafts["at the horizon"]])
    status = {
        item["id"]: item["status"]
        for activity in emulator.snapshot(SITE)["plan"]["marketingActivities"]
        for item in activity["items"]
    }
    assert {label: status.get(draft) for label, draft in drafts.items()} == {
        "just past": "DRAFT",
        "now": "SCHEDULED",
        "at the horizon": "SCHEDULED",
        "just beyond": "DRAFT",
    }
