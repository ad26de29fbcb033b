"""The four sample flows of SPEC.md §4 / the Wix docs, each as one `mpr apply` scenario.

Each test asserts the writes `mpr` sent, in order, and the final live state. Reads made
concurrently (settings, plan, events) are compared as a set, since their order on the wire
is not fixed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.cli.conftest import SITE, write_site
from tests.conftest import Mpr

READS = {"GetMarketingSettings", "GetSocialMarketingPlan", "QueryEvents"}


def seed(emulator: Emulator, **site: Any) -> None:
    body = {"id": SITE, "connectedChannels": ["FACEBOOK", "INSTAGRAM"], **site}
    emulator.load_fixtures({"sites": [body]})


def calls(emulator: Emulator) -> list[str]:
    return [r.operation or r.path for r in emulator.requests]


def writes(emulator: Emulator) -> list[str]:
    return [r.operation or r.path for r in emulator.writes()]


def collapse(names: list[str]) -> list[str]:
    """Runs of the same call (polling) folded into one entry."""
    return [n for i, n in enumerate(names) if i == 0 or names[i - 1] != n]


def items(emulator: Emulator) -> list[dict[str, Any]]:
    plan = emulator.snapshot(SITE)["plan"]
    return [i for a in plan["marketingActivities"] for i in a.get("items", [])]


def test_generate_a_plan_and_publish_its_posts(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    result = mpr("apply", str(write_site(tmp_path)), "--auto-approve")
    assert result.code == exitcodes.OK, result.out + result.err

    assert set(calls(emulator)[:3]) == READS
    assert collapse(calls(emulator)[3:]) == [
        "GenerateMarketingPlan",
        "GetSocialMarketingPlan",
        "ScheduleDrafts",
    ]
    assert emulator.snapshot(SITE)["plan"]["status"] == "ACTIVE"
    scheduled = {i["channel"]["name"] for i in items(emulator) if i["status"] == "SCHEDULED"}
    assert scheduled == {"FACEBOOK", "INSTAGRAM"}
    drafts = {i["channel"]["name"] for i in items(emulator) if i["status"] == "DRAFT"}
    assert "LINKEDIN" in drafts


def test_tailor_the_plan_with_marketing_settings(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    body = """settings:
  marketingPlanGoal: {goalKey: DRIVE_TRAFFIC}
  socialChannels: [FACEBOOK]
  pointOfView: SECOND_PERSON
  frequency: {interval: WEEK, count: 2}
  topics: {included: [sourdough]}
policy:
  schedule: {enabled: false}
"""
    result = mpr("apply", str(write_site(tmp_path, body=body)), "--auto-approve")
    assert result.code == exitcodes.OK, result.out + result.err

    # The seeds' second flow: the live options are read before the upsert that uses them.
    assert sorted(calls(emulator)[3:7]) == [
        "GetCalendarOptions",
        "GetMarketingSettingsDefaults",
        "GetPlanGoalOptions",
        "GetPointOfViewOptions",
    ]
    assert collapse(calls(emulator)[7:]) == [
        "UpsertMarketingSettings",
        "GenerateMarketingPlan",
        "GetSocialMarketingPlan",
    ]
    upsert = emulator.writes()[0].body
    assert upsert["fieldMask"] == (
        "settings.frequency,settings.marketingPlanGoal,settings.pointOfView,"
        "settings.socialChannels,settings.topics"
    )
    stored = emulator.snapshot(SITE)["marketingSettings"]["settings"]
    assert stored["pointOfView"] == "SECOND_PERSON"
    assert stored["frequency"] == {"interval": "WEEK", "count": 2}
    titles = " ".join(a["title"] for a in emulator.snapshot(SITE)["plan"]["marketingActivities"])
    assert "sourdough" in titles.lower()


def test_plan_around_a_custom_calendar_event(mpr: Mpr, emulator: Emulator, tmp_path: Path) -> None:
    seed(emulator, plan={"status": "ACTIVE"})
    body = """events:
  - name: Store anniversary
    description: 10 years open; special offers all week.
    date: "2026-12-02T00:00:00Z"
policy:
  schedule: {enabled: false}
"""
    result = mpr("apply", str(write_site(tmp_path, body=body)), "--auto-approve")
    assert result.code == exitcodes.OK, result.out + result.err

    assert collapse(calls(emulator)[3:]) == [
        "CreateEvent",
        "RegenerateMarketingPlan",
        "GetSocialMarketingPlan",
    ]
    (event,) = emulator.snapshot(SITE)["events"]
    assert (event["name"], event["date"]) == ("Store anniversary", "2026-12-02T00:00:00.000Z")
    titles = [a["title"] for a in emulator.snapshot(SITE)["plan"]["marketingActivities"]]
    assert any("Store anniversary" in t for t in titles)


def test_generate_and_schedule_posts_for_more_activities(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator, plan={"status": "ACTIVE"}, premium={"postsHorizonDays": 2})
    body = "policy:\n  schedule: {channels: [FACEBOOK], horizonDays: 20}\n"
    result = mpr("apply", str(write_site(tmp_path, body=body)), "--auto-approve")
    assert result.code == exitcodes.OK, result.out + result.err

    assert set(calls(emulator)[:3]) == READS
    assert collapse(calls(emulator)[3:]) == [
        "GenerateSocialPosts",
        "GetMarketingActivityPosts",
        "ScheduleDrafts",
    ]
    asked = emulator.writes()[0].body["marketingActivityIds"]
    assert 1 <= len(asked) <= 20
    plan = emulator.snapshot(SITE)["plan"]["marketingActivities"]
    for activity in (a for a in plan if a["marketingActivityId"] in asked):
        channels = {i["channel"]["name"]: i["status"] for i in activity["items"]}
        assert channels["FACEBOOK"] == "SCHEDULED"
        assert channels["INSTAGRAM"] == "DRAFT"
    assert mpr("plan", str(tmp_path), "--detailed-exitcode").code == exitcodes.OK
