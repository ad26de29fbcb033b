"""First contact with the real Wix (#22): answers in shapes the docs allow but the emulator
never produced, connected-calendar events without any read-only flag, and writes Wix answers
with 200 but does not keep. `mpr` runs as a subprocess against the emulator over a socket.

The reading faults hit one site of the example fleet; the fleet's other sites must be applied
in the same run, and the faulted one must get no write at all.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator, EmulatorConfig, FaultRule, serve_in_thread

from .test_over_socket import APP_ID, APP_SECRET, EXAMPLES, app_env, mpr

pytestmark = pytest.mark.dated  # the examples, mpr and the emulator on the real clock

CRUMB = "11111111-2222-4333-8444-555555555555"
HARBOR = "22222222-3333-4444-8555-666666666666"
INKWELL = "33333333-4444-4555-8666-777777777777"
CONNECTED = "0c9a4d2e-6b1f-4e8a-9d3c-5a7b2e1f4c60"
PLAN_STARTS = {
    "GenerateMarketingPlan",
    "RegenerateMarketingPlan",
    "RegenerateMarketingPlanWithKeywordResearch",
}


def fixtures(**changes: dict[str, Any]) -> dict[str, Any]:
    """The example fixture, with some sites' entries changed (by site id)."""
    text = (EXAMPLES / "_emulator" / "sites.yaml").read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    for site in document["sites"]:
        site.update(changes.get(site["id"], {}))
    return document


Served = tuple[Emulator, str]


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, Any]], Served]]:
    """Starts the emulator over a socket with a fixture document; stopped after the test."""
    with ExitStack() as stack:

        def start(document: dict[str, Any]) -> Served:
            emulator = Emulator(
                config=EmulatorConfig(
                    generation_seconds=0.2,
                    posts_seconds=0.1,
                    app_id=APP_ID,
                    app_secret=APP_SECRET,
                )
            )
            emulator.load_fixtures(document)
            return emulator, stack.enter_context(serve_in_thread(emulator))

        yield start


@pytest.fixture
def served(serve: Callable[[dict[str, Any]], Served]) -> Served:
    return serve(fixtures())


@pytest.fixture
def sites(tmp_path: Path) -> Path:
    """A copy of the example site files, to edit."""
    folder = tmp_path / "sites"
    shutil.copytree(EXAMPLES / "sites", folder)
    return folder


def retone(folder: Path) -> None:
    """Give every example site a new tone of voice (and the bakery a new goal, which plan
    checks against the goals the site offers): a write to each is due."""
    for name, old in (
        ("crumb-bakery.yaml", "warm and playful"),
        ("crumb-bakery.yaml", "BOOST_SALES"),
        ("inkwell-paper.yaml", "knowledgeable and calm, for hobbyists"),
        ("_defaults.yaml", "friendly, clear and reassuring"),  # the agency's client
    ):
        path = folder / name
        new = "DRIVE_TRAFFIC" if old.isupper() else "brisk"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def operations(emulator: Emulator, site: str) -> list[str]:
    return [r.operation or r.path for r in emulator.writes(site)]


READ_FAULTS = [
    (
        CRUMB,
        dict(path="/plan-goal-options", rename_member="options=goals"),
        "GetPlanGoalOptions: unexpected response shape: mpr expected the list under 'options'",
    ),
    (
        CRUMB,
        dict(path="/point-of-view-options", retype_member="options"),
        "GetPointOfViewOptions: unexpected response shape: mpr expected 'options' to be a list",
    ),
    (
        CRUMB,
        dict(path="/plan-goal-options", drop_member="options.*.planGoalKey"),
        "GetPlanGoalOptions: option #1 skipped: planGoalKey: Field required",
    ),
    # (site faulted, the fault, what the report must name)
    (
        CRUMB,
        dict(method="GET", path="/marketing-settings", rename_member="marketingSettings=ms"),
        "GetMarketingSettings: unexpected response shape: mpr expected 'marketingSettings'",
    ),
    (
        CRUMB,
        dict(method="GET", path="/marketing-settings", retype_member="marketingSettings"),
        "mpr expected 'marketingSettings' to be an object",
    ),
    (
        HARBOR,
        dict(method="GET", path="/marketing-plan", rename_member="marketingActivities=acts"),
        "found a list of objects under 'acts'",
    ),
    (
        HARBOR,
        dict(method="GET", path="/marketing-plan", retype_member="status"),
        "mpr expected 'status' to be a string",
    ),
    (
        HARBOR,
        dict(method="GET", path="/marketing-plan", drop_member="status"),
        "GetSocialMarketingPlan: unexpected response shape: mpr expected 'status' (a string)",
    ),
    (
        CRUMB,
        dict(
            path="/events/query",
            rename_member="events=results",
            add_members={"pagingMetadata": {"count": 6, "hasNext": False}},
        ),
        "QueryEvents: unexpected response shape: mpr expected the list under 'events' or "
        "'calendarEvents' (absent only when empty); found a list of objects under 'results'",
    ),
    (
        CRUMB,
        dict(path="/events/query", retype_member="events"),
        "mpr expected 'events' to be a list",
    ),
    (
        CRUMB,
        dict(path="/events/query", drop_member="events.*.id"),
        "which the site file declares, could not be read",
    ),
    (
        CRUMB,
        dict(path="/calendar-options", rename_member="options=calendars"),
        "GetCalendarOptions: unexpected response shape",
    ),
    (
        CRUMB,
        dict(path="/calendar-options", retype_member="options"),
        "mpr expected 'options' to be a list",
    ),
]


@pytest.mark.parametrize(("faulted", "fault", "named"), READ_FAULTS)
def test_an_answer_mpr_cannot_read_fails_that_site_alone_with_no_write(
    served: Served,
    sites: Path,
    tmp_path: Path,
    faulted: str,
    fault: dict[str, Any],
    named: str,
) -> None:
    emulator, base_url = served
    env = app_env(base_url)
    first = mpr("apply", str(sites), "--auto-approve", env=env, cwd=tmp_path)
    assert first.returncode == exitcodes.OK, first.stdout + first.stderr
    retone(sites)
    emulator.clear_requests()
    emulator.add_fault(FaultRule(site_id=faulted, times=None, **fault))

    applied = mpr("apply", str(sites), "--auto-approve", env=env, cwd=tmp_path)

    assert applied.returncode == exitcodes.ERROR, applied.stdout + applied.stderr
    assert named in applied.stdout + applied.stderr
    assert emulator.writes(faulted) == []
    assert "UpsertMarketingSettings" in operations(emulator, INKWELL)


def test_an_empty_answer_is_still_empty(served: Served, tmp_path: Path) -> None:
    emulator, base_url = served
    # QueryEvents answers {} and GetMarketingSettings {}: nothing there, not an error
    emulator.add_fault(FaultRule(path="/events/query", site_id=CRUMB, drop_member="events"))
    emulator.add_fault(
        FaultRule(
            method="GET", path="/marketing-settings", site_id=CRUMB, drop_member="marketingSettings"
        )
    )
    planned = mpr("plan", str(EXAMPLES / "sites"), env=app_env(base_url), cwd=tmp_path)
    assert planned.returncode == exitcodes.OK, planned.stdout + planned.stderr
    assert "3 site(s): 3 to change, 0 unchanged, 0 error(s)" in planned.stdout
    assert [r.fault for r in emulator.requests if r.site_id == CRUMB and r.fault] == [
        "reshaped answer",
        "reshaped answer",
    ]


CONNECTED_EVENT = {
    "name": "Harbor town festival",
    "date": "2027-01-20T00:00:00.000Z",
    "calendarId": CONNECTED,
    "readOnly": True,  # the fixture's marker: Wix answers 428 to writes; no flag on the wire
}
HARBOR_CALENDARS = {"calendars": [{"id": CONNECTED, "name": "Harbor town events"}]}


def test_connected_calendar_events_are_never_written_even_with_prune(
    serve: Callable[[dict[str, Any]], Served], tmp_path: Path
) -> None:
    harbor = {**HARBOR_CALENDARS, "events": [CONNECTED_EVENT]}
    emulator, base_url = serve(fixtures(**{HARBOR: harbor}))
    env = app_env(base_url)
    answer = emulator.snapshot(HARBOR)["events"][0]
    assert answer["calendarId"] == CONNECTED and "readOnly" not in answer

    applied = mpr("apply", str(EXAMPLES / "sites"), "--auto-approve", env=env, cwd=tmp_path)

    assert applied.returncode == exitcodes.OK, applied.stdout + applied.stderr
    touched = [r for r in emulator.writes(HARBOR) if answer["id"] in r.path]
    assert touched == []
    assert [r for r in emulator.requests if r.status == 428] == []
    assert "Harbor town festival" in [e["name"] for e in emulator.snapshot(HARBOR)["events"]]
    # The agency's drafts wait for review (afterGeneration: review, from main): a plan shows
    # them, the next apply schedules them; only then is nothing left to do.
    mpr("plan", str(EXAMPLES / "sites"), env=env, cwd=tmp_path)
    reviewed = mpr("apply", str(EXAMPLES / "sites"), "--auto-approve", env=env, cwd=tmp_path)
    assert reviewed.returncode == exitcodes.OK, reviewed.stdout + reviewed.stderr
    assert [r for r in emulator.writes(HARBOR) if answer["id"] in r.path] == []
    again = mpr("plan", str(EXAMPLES / "sites"), "--detailed-exitcode", env=env, cwd=tmp_path)
    assert again.returncode == exitcodes.OK, again.stdout


# A month ahead of the real clock (this module is `dated`): inside the window apply reads
# events in, in any year the suite runs.
IN_A_MONTH = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT00:00:00.000Z")
OLD_PROMO = {"name": "Old promo", "date": IN_A_MONTH}


def test_a_428_on_an_event_write_leaves_the_rest_of_the_site_applied(
    serve: Callable[[dict[str, Any]], Served], tmp_path: Path
) -> None:
    emulator, base_url = serve(fixtures(**{HARBOR: {"events": [OLD_PROMO]}}))
    emulator.add_fault(FaultRule(method="DELETE", path="/events/", site_id=HARBOR, status=428))

    applied = mpr(
        "apply", str(EXAMPLES / "sites"), "--auto-approve", env=app_env(base_url), cwd=tmp_path
    )

    assert applied.returncode == exitcodes.OK, applied.stdout + applied.stderr
    assert "event delete 'Old promo': Wix answered 428, the event is read-only" in applied.stdout
    done = [r.operation for r in emulator.writes(HARBOR) if 200 <= r.status < 300]
    assert {"UpsertMarketingSettings", "CreateEvent"} <= set(done)
    assert PLAN_STARTS & set(done)


def test_an_upsert_wix_did_not_keep_fails_the_site_before_any_regenerate(
    served: Served, tmp_path: Path
) -> None:
    emulator, base_url = served
    emulator.add_fault(FaultRule(keep_old="settings.toneOfVoice", site_id=CRUMB, times=None))

    applied = mpr(
        "apply", str(EXAMPLES / "sites"), "--auto-approve", env=app_env(base_url), cwd=tmp_path
    )

    assert applied.returncode == exitcodes.ERROR, applied.stdout + applied.stderr
    assert (
        'did not converge: settings.toneOfVoice — sent "warm and playful", Wix kept nothing'
        in applied.stdout
    )
    assert "GenerateMarketingPlan was not started: the writes did not take" in applied.stdout
    assert not PLAN_STARTS & set(operations(emulator, CRUMB))
    assert PLAN_STARTS & set(operations(emulator, INKWELL))  # the others went on
