"""One site seen as a calendar after a first apply: the scenario every format is checked on.

The first apply schedules the drafts of the next 3 days; the file then widens the horizon to
7, so the calendar shows posts already scheduled, posts apply would schedule (★) and drafts
that stay drafts, next to declared events (one weekly, one once) and a connected-calendar
holiday. The emulator's clock starts on Monday 2026-11-23 09:00 UTC (tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.conftest import Mpr

SITE = "11111111-2222-4333-8444-555555555555"
HOLIDAY = {"name": "Portugal public holiday", "date": "2026-12-01T00:00:00.000Z", "readOnly": True}


def site_file(horizon_days: int) -> str:
    return f"""version: 1
site: {{id: {SITE}, name: Crumb & Co}}
settings:
  marketingTools: [SOCIAL_MARKETING]
  socialChannels: [FACEBOOK, INSTAGRAM]
events:
  - name: Fresh Bread Friday
    recurringRule: {{frequency: WEEKLY, startDate: "2026-11-27T08:00:00Z"}}
  - name: Holiday Cake Sale
    date: "2026-12-03T09:00:00Z"
policy:
  schedule: {{horizonDays: {horizon_days}}}
"""


@pytest.fixture
def crumb(mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The site file's path (relative: the test runs in its folder), applied once."""
    emulator.load_fixtures(
        {
            "sites": [
                {
                    "id": SITE,
                    "published": True,
                    "connectedChannels": ["FACEBOOK", "INSTAGRAM"],
                    "events": [HOLIDAY],
                }
            ]
        }
    )
    monkeypatch.chdir(tmp_path)
    path = Path("crumb.yaml")
    path.write_text(site_file(3), encoding="utf-8")
    applied = mpr("apply", str(path), "--auto-approve")
    assert applied.code == exitcodes.OK, applied.out + applied.err
    path.write_text(site_file(7), encoding="utf-8")
    return str(path)
