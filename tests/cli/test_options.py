"""`mpr options`, and values a site does not offer caught by plan before any write (issue #14)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from reconciler.engine.options import Option, SiteOptions, option_problems
from reconciler.model.settings import ManagedSettings
from reconciler.model.site import DesiredSite, SiteId
from tests.cli.conftest import INSTANCE, SITE
from tests.conftest import Mpr

US = "aaaaaaaa-1111-4222-8333-444444444444"
PT = "bbbbbbbb-1111-4222-8333-444444444444"


def seed(emulator: Emulator) -> None:
    calendars = [{"id": US, "name": "US holidays"}, {"id": PT, "name": "Portugal holidays"}]
    emulator.load_fixtures(
        {"sites": [{"id": SITE, "calendars": calendars, "plan": {"status": "ACTIVE"}}]}
    )


def site_file(folder: Path, settings: str = "") -> str:
    path = folder / "crumb.yaml"
    path.write_text(f"version: 1\nsite: {{id: {SITE}, name: Crumb}}\n{settings}")
    return str(path)


def test_options_lists_what_the_site_offers(mpr: Mpr, emulator: Emulator, tmp_path: Path) -> None:
    seed(emulator)
    result = mpr("options", site_file(tmp_path))
    assert result.code == exitcodes.OK, result.err
    lines = result.out.splitlines()
    start = lines.index("  settings.calendar.ids (or .names, by title):")
    assert lines[start : start + 4] == [
        "  settings.calendar.ids (or .names, by title):",
        f"    {US}  US holidays",
        f"    {PT}  Portugal holidays",
        "  defaults (GetMarketingSettingsDefaults):",
    ]
    assert "    FIRST_PERSON   We / our" in result.out
    as_json = json.loads(mpr("options", site_file(tmp_path), "--format", "json").out)
    (site,) = as_json["sites"]
    assert [g["key"] for g in site["planGoals"]] == [
        "DRIVE_TRAFFIC",
        "BRAND_AWARENESS",
        "BOOST_SALES",
        "COLLECT_LEADS",
    ]
    assert site["calendars"][1] == {"key": PT, "title": "Portugal holidays"}
    assert site["defaults"]["frequency"] == {"count": 3, "interval": "WEEK"}
    assert emulator.writes() == []


def test_a_calendar_the_site_does_not_offer_is_caught_before_any_write(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    typo = PT[:-1] + "5"
    path = site_file(tmp_path, f"settings:\n  calendar:\n    ids: [{US}, {typo}]\n")
    result = mpr("apply", path, "--auto-approve")
    assert result.code == exitcodes.ERROR
    assert (
        f"{path}:5:49: settings.calendar.ids[1]: {typo} is not a calendar this site offers; "
        f"did you mean {PT}? (offered: {US} (US holidays), {PT} (Portugal holidays); "
        "see `mpr options`)"
    ) in result.out
    assert emulator.writes() == [], "nothing is written for that site"


def test_goal_and_point_of_view_are_checked_with_a_suggestion() -> None:
    desired = DesiredSite(
        SiteId(SITE),
        "Crumb",
        "crumb.yaml",
        settings=ManagedSettings(
            {
                "settings.marketingPlanGoal": {"goalKey": "BOOST_SALES"},
                "settings.pointOfView": "THIRD_PERSON",
            }
        ),
        locations={"settings.pointOfView": "crumb.yaml:9:16"},
    )
    offered = SiteOptions(
        goals=(Option("BOOST_SALES", "Boost sales"),),
        points_of_view=(Option("FIRST_PERSON"), Option("SECOND_PERSON", "You / your")),
    )
    assert option_problems(desired, offered) == [
        "crumb.yaml:9:16: settings.pointOfView: THIRD_PERSON is not a point of view this site "
        "offers; did you mean FIRST_PERSON? (offered: FIRST_PERSON, SECOND_PERSON (You / your); "
        "see `mpr options`)"
    ]


def test_a_site_given_by_id_needs_no_file(mpr: Mpr, emulator: Emulator) -> None:
    seed(emulator)
    result = mpr("options", SITE)
    assert result.code == exitcodes.OK, result.err
    lines = result.out.splitlines()
    assert lines[0] == f"{SITE} — live site (no file)"
    assert f"    {US}  US holidays" in lines
    as_json = json.loads(mpr("options", SITE, "--format", "json").out)
    assert as_json["sites"][0]["source"] == "live site (no file)"
    assert as_json["sites"][0]["calendars"][0] == {"key": US, "title": "US holidays"}


def test_neither_a_file_nor_a_site_id_is_a_usage_error(mpr: Mpr, emulator: Emulator) -> None:
    result = mpr("options", "crumb.yml")
    assert result.code == exitcodes.USAGE
    assert "'crumb.yml' is neither a site file or folder nor a site id (a GUID)" in result.err
    assert emulator.requests == []


def test_a_site_given_by_id_signs_in_as_the_app_with_instance_id(
    mpr: Mpr, served: tuple[Emulator, dict[str, Any]]
) -> None:
    emulator, _ = served
    result = mpr("options", SITE, "--instance-id", f"{SITE}={INSTANCE}", obj=Hooks())
    assert result.code == exitcodes.OK, result.err
    assert "    BRAND_AWARENESS  Build brand awareness" in result.out
    tokens = [r.body for r in emulator.requests if r.path == "/oauth2/token"]
    assert [t["instance_id"] for t in tokens] == [INSTANCE]
    assert {r.status for r in emulator.requests} == {200}


def test_instance_id_for_a_site_not_given_is_a_usage_error(mpr: Mpr, emulator: Emulator) -> None:
    other = "22222222-3333-4444-8555-666666666666"
    result = mpr("options", SITE, "--instance-id", f"{other}={INSTANCE}")
    assert result.code == exitcodes.USAGE
    assert f"{other} is not a site given by id" in result.err
    assert emulator.requests == []


def test_a_site_given_by_id_reads_the_in_process_emulator(
    mpr: Mpr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WIX_API_KEY", raising=False)
    fixture = tmp_path / "fixture.yaml"
    fixture.write_text(f"sites:\n  - {{id: {SITE}, instanceId: {INSTANCE}}}\n")
    result = mpr("options", SITE, "--emulator", str(fixture), obj=Hooks())
    assert result.code == exitcodes.OK, result.out + result.err
    assert result.out.startswith(f"{SITE} — live site (no file)\n")
    assert "    BRAND_AWARENESS  Build brand awareness" in result.out
    assert "error" not in result.out


def answer(*options: dict[str, str]) -> dict[str, object]:
    return {"status": 200, "body": {"options": list(options)}}


def test_options_without_a_title_have_an_empty_one(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    answers = {
        "GetPlanGoalOptions": answer({"planGoalKey": "BOOST_SALES"}),
        "GetPointOfViewOptions": answer({"pointOfViewKey": "FIRST_PERSON"}),
        "GetCalendarOptions": answer({"id": US}),
    }
    emulator.load_fixtures({"sites": [{"id": SITE, "answers": answers}]})
    as_json = json.loads(mpr("options", site_file(tmp_path), "--format", "json").out)
    (site,) = as_json["sites"]
    assert [site["planGoals"], site["pointsOfView"], site["calendars"]] == [
        [{"key": "BOOST_SALES", "title": ""}],
        [{"key": "FIRST_PERSON", "title": ""}],
        [{"key": US, "title": ""}],
    ]


def test_a_site_that_offers_no_goal_says_none_and_a_half_like_id_is_suggested(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    answers = {"GetPlanGoalOptions": answer(), "GetCalendarOptions": answer({"id": US})}
    emulator.load_fixtures(
        {"sites": [{"id": SITE, "plan": {"status": "ACTIVE"}, "answers": answers}]}
    )
    near = "aaaaaaaa-1111-4222-8777-888888888888"  # 58% like US's id
    path = site_file(
        tmp_path,
        "settings:\n  marketingPlanGoal: {goalKey: BOOST_SALES}\n"
        f"  calendar:\n    ids: [{near}]\n",
    )
    result = mpr("apply", path, "--auto-approve")
    assert result.code == exitcodes.ERROR
    assert (
        f"{path}:4:32: settings.marketingPlanGoal.goalKey: BOOST_SALES is not a goal this site "
        "offers (offered: none; see `mpr options`)\n"
    ) in result.out
    assert (
        f"{path}:6:11: settings.calendar.ids[0]: {near} is not a calendar this site offers; "
        f"did you mean {US}? (offered: {US}; see `mpr options`)\n"
    ) in result.out
    assert emulator.writes() == []
