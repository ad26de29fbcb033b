"""Settings checked against the site's live options before any write (issue #14): a goal or a
point of view the site does not offer, a calendar title it has no calendar for or that two of
its calendars share. Each is reported at file:line:col, and the emulator's request log shows
that nothing was written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator, FaultRule
from tests.conftest import Mpr

SITE = "11111111-2222-4333-8444-555555555555"
US = "aaaaaaaa-1111-4222-8333-444444444444"
PT = "bbbbbbbb-1111-4222-8333-444444444444"
PT2 = "cccccccc-1111-4222-8333-444444444444"


@pytest.fixture(autouse=True)
def site(emulator: Emulator) -> None:
    calendars = [
        {"id": US, "name": "US holidays"},
        {"id": PT, "name": "Portugal holidays"},
        {"id": PT2, "name": "Portugal holidays"},
    ]
    emulator.load_fixtures(
        {
            "sites": [
                {
                    "id": SITE,
                    "calendars": calendars,
                    "planGoals": ["BOOST_SALES", "COLLECT_LEADS"],
                    "pointsOfView": ["FIRST_PERSON", "SECOND_PERSON"],
                    "plan": {"status": "ACTIVE"},
                }
            ]
        }
    )


def site_file(folder: Path, settings: str) -> str:
    path = folder / "crumb.yaml"
    path.write_text(f"version: 1\nsite: {{id: {SITE}, name: Crumb}}\nsettings:\n{settings}")
    return str(path)


def refused(mpr: Mpr, emulator: Emulator, path: str) -> str:
    result = mpr("apply", path, "--auto-approve")
    assert result.code == exitcodes.ERROR
    assert emulator.writes() == [], "nothing is written"
    reported = re.search(r"\n[A-Z][a-z]+ \([0-9a-f-]{36}\): failed\n  ! error: ", result.out)
    assert reported, "the site's own report says so, under its name and id"
    return result.out


INVALID = {
    "goal": (
        "  marketingPlanGoal: {goalKey: BRAND_AWARENESS}\n",
        "{path}:4:32: settings.marketingPlanGoal.goalKey: BRAND_AWARENESS is not a goal this "
        "site offers (offered: BOOST_SALES (Boost sales), COLLECT_LEADS (Collect leads); see "
        "`mpr options`)",
    ),
    "goal, then a point of view": (
        "  marketingPlanGoal: {goalKey: BRAND_AWARENESS}\n  pointOfView: THIRD_PERSON\n",
        "{path}:4:32: settings.marketingPlanGoal.goalKey: BRAND_AWARENESS is not a goal this "
        "site offers (offered: BOOST_SALES (Boost sales), COLLECT_LEADS (Collect leads); see "
        "`mpr options`)\n"
        "    {path}:5:16: settings.pointOfView: THIRD_PERSON is not a point of view",
    ),
    "point of view": (
        "  pointOfView: THIRD_PERSON\n",
        "{path}:4:16: settings.pointOfView: THIRD_PERSON is not a point of view this site "
        "offers; did you mean FIRST_PERSON? (offered: FIRST_PERSON (We / our), "
        "SECOND_PERSON (You / your); see `mpr options`)",
    ),
    "unknown calendar title": (
        "  calendar:\n    names: [US holiday]\n",
        "{path}:5:13: settings.calendar.names[0]: no calendar of this site is titled "
        "'US holiday'; did you mean 'US holidays'? (titles offered: 'US holidays', "
        "'Portugal holidays', 'Portugal holidays'; see `mpr options`)",
    ),
    "calendar title half like one": (
        "  calendar:\n    names: [Portuguese]\n",
        "{path}:5:13: settings.calendar.names[0]: no calendar of this site is titled "
        "'Portuguese'; did you mean 'Portugal holidays'? (titles offered: 'US holidays', "
        "'Portugal holidays', 'Portugal holidays'; see `mpr options`)",
    ),
    "calendar title like none": (
        "  calendar:\n    names: [Lisbon]\n",
        "{path}:5:13: settings.calendar.names[0]: no calendar of this site is titled "
        "'Lisbon' (titles offered: 'US holidays', 'Portugal holidays', 'Portugal holidays'; "
        "see `mpr options`)",
    ),
    "ambiguous calendar title": (
        "  calendar:\n    names: [US holidays, Portugal holidays]\n",
        "{path}:5:26: settings.calendar.names[1]: 2 calendars of this site are titled "
        f"'Portugal holidays' ({PT}, {PT2}): name the one you mean by id in "
        "settings.calendar.ids",
    ),
}


@pytest.mark.parametrize(("settings", "message"), INVALID.values(), ids=INVALID.keys())
def test_a_value_the_site_does_not_offer_is_caught_before_any_write(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, settings: str, message: str
) -> None:
    path = site_file(tmp_path, settings)
    assert message.format(path=path) in refused(mpr, emulator, path)


def test_a_calendar_title_on_a_site_without_calendars_says_none_are_offered(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    bare = "dddddddd-1111-4222-8333-444444444444"
    emulator.load_fixtures({"sites": [{"id": bare, "plan": {"status": "ACTIVE"}}]})
    path = tmp_path / "bare.yaml"
    path.write_text(
        f"version: 1\nsite: {{id: {bare}, name: Bare}}\nsettings:\n"
        "  calendar:\n    names: [US holidays]\n"
    )
    assert (
        f"{path}:5:13: settings.calendar.names[0]: no calendar of this site is titled "
        "'US holidays' (titles offered: none; see `mpr options`)"
    ) in refused(mpr, emulator, str(path))


def test_the_calendar_view_shows_an_unknown_calendar_title_as_the_site_s_error(
    mpr: Mpr, tmp_path: Path
) -> None:
    path = site_file(tmp_path, "  calendar:\n    names: [UK holidays]\n")
    shown = mpr("calendar", path)
    assert shown.code == exitcodes.ERROR
    assert shown.out == (
        f"Crumb ({SITE}) — {path}\n"
        f"  ! error: {path}:5:13: settings.calendar.names[0]: no calendar of this site is titled "
        "'UK holidays'; did you mean 'US holidays'? (titles offered: 'US holidays', "
        "'Portugal holidays', 'Portugal holidays'; see `mpr options`)\n"
    )


def test_a_value_not_offered_comes_with_the_options_mpr_could_not_read(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """The answer's entries mpr skipped may hold the value the file names: both are said,
    for a calendar named by title (resolved before the plan) and for a goal (checked after)."""
    for route, member in (("/calendar-options", "id"), ("/plan-goal-options", "planGoalKey")):
        emulator.add_fault(FaultRule(path=route, drop_member=f"options.*.{member}", times=None))
    path = site_file(tmp_path, "  calendar:\n    names: [US holidays]\n")
    said = refused(mpr, emulator, path).split("  ! error: ")[1].splitlines()
    assert said[0].endswith(
        "no calendar of this site is titled 'US holidays' (titles offered: none; see `mpr options`)"
    )
    assert [line for line in said if "GetCalendarOptions" in line] == [
        "    GetCalendarOptions: option #1 (name 'US holidays') skipped: id: Field required",
        "    GetCalendarOptions: option #2 (name 'Portugal holidays') skipped: id: Field required",
        "    GetCalendarOptions: option #3 (name 'Portugal holidays') skipped: id: Field required",
    ]
    path = site_file(tmp_path, "  marketingPlanGoal: {goalKey: BOOST_SALES}\n")
    said = refused(mpr, emulator, path).split("  ! error: ")[1].splitlines()
    assert "BOOST_SALES is not a goal this site offers" in said[0]
    assert "    GetPlanGoalOptions: option #1 skipped: planGoalKey: Field required" in said


def test_options_mpr_could_not_read_are_warnings_of_a_plan_that_checks_out(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """The goal is offered, so the plan goes on; the points of view mpr skipped are still said
    (once), since the next change of the point of view would meet them."""
    emulator.add_fault(
        FaultRule(path="/point-of-view-options", drop_member="options.*.pointOfViewKey")
    )
    path = site_file(tmp_path, "  marketingPlanGoal: {goalKey: COLLECT_LEADS}\n")
    plan = mpr("plan", path)
    assert plan.code == exitcodes.OK, plan.out
    warned = [line for line in plan.out.splitlines() if "GetPointOfViewOptions" in line]
    assert warned == [
        f"  ! warning: GetPointOfViewOptions: option #{n} skipped: pointOfViewKey: Field required"
        for n in (1, 2)
    ]
    assert plan.out.endswith("1 site(s): 1 to change, 0 unchanged, 0 error(s).\n")


def test_a_site_that_fails_after_its_options_were_read_says_which_options_were_skipped(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """A refusal may come from what the skipped entries held: the error and they go together."""
    emulator.add_fault(FaultRule(path="/plan-goal-options", drop_member="options.*.planGoalKey"))
    emulator.add_fault(FaultRule(path="/events/query", status=404, times=None))
    path = site_file(tmp_path, "  calendar:\n    names: [US holidays]\n")
    said = refused(mpr, emulator, path).split("  ! error: ")[1].splitlines()
    assert said[0].startswith("POST /promote/marketing-plan-service/v1/events/query → HTTP 404")
    assert said[1:4] == [
        "    GetPlanGoalOptions: option #1 skipped: planGoalKey: Field required",
        "    GetPlanGoalOptions: option #2 skipped: planGoalKey: Field required",
        "",
    ]


def test_calendars_named_by_title_are_written_as_ids(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    path = site_file(tmp_path, f"  calendar:\n    names: [US holidays]\n    ids: [{PT2}]\n")
    applied = mpr("apply", path, "--auto-approve")
    assert applied.code == exitcodes.OK, applied.out + applied.err
    (upsert,) = [w for w in emulator.writes() if w.path.endswith("/marketing-settings")]
    assert upsert.body["marketingSettings"]["settings"]["calendar"] == {"ids": [US, PT2]}
    again = mpr("plan", path, "--detailed-exitcode")
    assert again.code == exitcodes.OK, again.out


def test_an_id_is_reported_where_the_file_has_it_though_ids_compare_sorted(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    typo = "bbbbbbbb-1111-4222-8333-444444444445"
    path = site_file(tmp_path, f"  calendar:\n    ids: [{PT2}, {US}, {typo}]\n")
    out = refused(mpr, emulator, path)
    assert f"{path}:5:87: settings.calendar.ids[2]: {typo} is not a calendar" in out


def test_validate_online_reports_every_value_not_offered_without_planning(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    path = site_file(
        tmp_path,
        "  pointOfView: THIRD_PERSON\n  calendar:\n    names: [US holiday]\n",
    )
    assert mpr("validate", path).code == exitcodes.OK, "offline the file is valid"
    result = mpr("validate", path, "--online")
    assert result.code == exitcodes.ERROR
    assert result.err.splitlines()[-3:] == [
        f"{path}:6:13: settings.calendar.names[0]: no calendar of this site is titled "
        "'US holiday'; did you mean 'US holidays'? (titles offered: 'US holidays', "
        "'Portugal holidays', 'Portugal holidays'; see `mpr options`)",
        f"{path}:4:16: settings.pointOfView: THIRD_PERSON is not a point of view this site "
        "offers; did you mean FIRST_PERSON? (offered: FIRST_PERSON (We / our), "
        "SECOND_PERSON (You / your); see `mpr options`)",
        "online: 2 problem(s) on 1 site(s)",
    ]
    paths = {r.path.split("/")[-1] for r in emulator.requests}
    assert paths == {"plan-goal-options", "point-of-view-options", "calendar-options", "defaults"}
    assert emulator.writes() == []


def test_validate_online_passes_a_site_whose_values_are_offered(mpr: Mpr, tmp_path: Path) -> None:
    path = site_file(tmp_path, "  pointOfView: FIRST_PERSON\n")
    result = mpr("validate", path, "--online")
    assert result.code == exitcodes.OK, result.err
    assert result.err.splitlines()[-1] == "online: every value offered on 1 site(s)"


def test_plan_shows_every_value_the_site_does_not_offer_under_its_site(
    mpr: Mpr, tmp_path: Path
) -> None:
    path = site_file(
        tmp_path, "  marketingPlanGoal: {goalKey: BRAND_AWARENESS}\n  pointOfView: THIRD_PERSON\n"
    )
    result = mpr("plan", str(path))
    assert result.code == exitcodes.ERROR
    assert result.out.splitlines()[1:3] == [
        f"  ! error: {path}:4:32: settings.marketingPlanGoal.goalKey: BRAND_AWARENESS is not a "
        "goal this site offers (offered: BOOST_SALES (Boost sales), COLLECT_LEADS (Collect "
        "leads); see `mpr options`)",
        f"    {path}:5:16: settings.pointOfView: THIRD_PERSON is not a point of view this site "
        "offers; did you mean FIRST_PERSON? (offered: FIRST_PERSON (We / our), SECOND_PERSON "
        "(You / your); see `mpr options`)",
    ]
