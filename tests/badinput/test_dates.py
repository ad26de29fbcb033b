"""Issue #11, finding 1: dates Wix cannot store, and one site's odd dates never sink the fleet.

`validate` accepts only dates from 1970-01-01 to 2100-12-31 (what Wix keeps, and what the
emulator accepts), naming each bad one at file:line:col. A live event whose time cannot even
be turned into UTC makes its own site fail with a clear error while the others are planned.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.cli.conftest import SITE, write_site
from tests.conftest import Mpr

OTHER = "22222222-3333-4444-8555-666666666666"
BOUNDS = "is outside the dates Wix can store: give a date from 1970-01-01 to 2100-12-31"


@pytest.mark.parametrize(
    "moment",
    [
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "1969-12-31T23:59:59Z",
        "2101-01-01T00:00:00Z",
    ],
)
def test_a_date_wix_cannot_store_is_refused_at_its_line(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, moment: str
) -> None:
    body = (
        "events:\n"
        f"  - name: Far\n    date: '{moment}'\n"
        "  - name: Rule\n"
        f"    recurringRule: {{frequency: WEEKLY, startDate: '{moment}', endDate: '{moment}'}}\n"
    )
    site = write_site(tmp_path, body=body)
    result = mpr("validate", str(site))
    assert result.code == exitcodes.ERROR
    start_col = 1 + len("    recurringRule: {frequency: WEEKLY, startDate: ")
    end_col = start_col + len(f"'{moment}', endDate: ")
    assert result.err.splitlines() == [
        f"{site}:8:11: events[0].date: {moment} {BOUNDS}",
        f"{site}:10:{start_col}: events[1].recurringRule.startDate: {moment} {BOUNDS}",
        f"{site}:10:{end_col}: events[1].recurringRule.endDate: {moment} {BOUNDS}",
        "3 errors in 1 file",
    ]

    emulator.load_fixtures({"sites": [{"id": SITE}]})
    for command in (["plan"], ["drift"], ["apply", "--auto-approve"]):
        run = mpr(*command[:1], str(site), *command[1:])
        assert run.code == exitcodes.ERROR, (command, run.err)
        assert f"events[0].date: {moment} {BOUNDS}" in run.err
    assert emulator.requests == []


@pytest.mark.parametrize("moment", ["1970-01-01T00:00:00Z", "2100-12-31T23:59:59Z"])
def test_the_bounds_themselves_are_fine_and_the_emulator_stores_them(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, moment: str
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    site = write_site(
        tmp_path,
        body=f"policy: {{schedule: {{enabled: false}}}}\nevents:\n"
        f"  - name: Edge\n    date: '{moment}'\n",
    )
    assert mpr("validate", str(site)).code == exitcodes.OK
    applied = mpr("apply", str(site), "--auto-approve")
    assert applied.code == exitcodes.OK, applied.out + applied.err
    assert mpr("plan", str(site), "--detailed-exitcode").code == exitcodes.OK


def test_the_emulator_refuses_an_event_date_outside_the_bounds(emulator: Emulator) -> None:
    from reconciler.emulator import FixtureError

    with pytest.raises(FixtureError, match=r"events\[0\]\.date: must be between 1970-01-01"):
        emulator.load_fixtures(
            {"sites": [{"id": SITE, "events": [{"name": "x", "date": "9999-12-31T23:59:59Z"}]}]}
        )
    with pytest.raises(FixtureError, match=r"startDate: must be an RFC 3339"):
        emulator.load_fixtures(
            {
                "sites": [
                    {
                        "id": SITE,
                        "events": [
                            {
                                "name": "x",
                                "recurringRule": {
                                    "frequency": "WEEKLY",
                                    "startDate": "0001-01-01T00:00:00+01:00",
                                },
                            }
                        ],
                    }
                ]
            }
        )


class OddEvents:
    """An ASGI wrapper: QueryEvents for one site answers an event whose time has an offset
    that puts it before year 1 in UTC (Python cannot even hold it)."""

    def __init__(self, inner: Any, site_id: str) -> None:
        self.inner, self.site_id = inner, site_id

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers") or [])
        odd = headers.get(b"wix-site-id", b"").decode() == self.site_id
        if not (scope["type"] == "http" and odd and scope["path"].endswith("/events/query")):
            await self.inner(scope, receive, send)
            return
        event = {
            "id": "e0000000-0000-4000-8000-000000000001",
            "name": "Odd",
            "date": "0001-01-01T00:00:00+01:00",
        }
        body = json.dumps({"events": [event]}).encode()
        headers_out = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers_out})
        await send({"type": "http.response.body", "body": body})


def test_one_sites_odd_live_dates_fail_that_site_alone(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE}, {"id": OTHER}]})
    emulator.app = OddEvents(emulator.app, SITE)  # type: ignore[assignment]
    b_body = "policy: {schedule: {enabled: false}}\nsettings: {toneOfVoice: dry}\n"
    write_site(tmp_path, "b.yaml", b_body, site_id=OTHER)
    write_site(tmp_path, "a.yaml", "policy: {schedule: {enabled: false}}\n")
    skipped = mpr("plan", str(tmp_path))  # one unreadable event the file does not declare
    assert skipped.code == exitcodes.OK, skipped.out
    assert "QueryEvents: event #1 (name 'Odd', id 'e0000000-" in skipped.out

    odd = 'events: [{name: Odd, date: "2026-12-24T09:00:00Z"}]\n'
    write_site(tmp_path, "a.yaml", "policy: {schedule: {enabled: false}}\n" + odd)
    planned = mpr("plan", str(tmp_path))  # declared: mpr would create it again
    assert planned.code == exitcodes.ERROR
    assert (
        "  ! error: POST /events/query: QueryEvents: the live event 'Odd', which the site file "
        "declares, could not be read (see the warning about it); mpr will not create it again\n"
    ) in planned.out
    assert '+ settings.toneOfVoice: (unset) → "dry"' in planned.out

    applied = mpr("apply", str(tmp_path), "--auto-approve")
    assert applied.code == exitcodes.ERROR
    assert emulator.writes(SITE) == []
    assert [w.path.rsplit("/", 1)[-1] for w in emulator.writes(OTHER)][:1] == ["marketing-settings"]


async def test_a_site_built_around_the_checks_is_still_planned_alone(
    wix: Any, runtime: Any, emulator: Emulator
) -> None:
    """Defence in depth: were an extreme date to reach the engine (a model built by code, a
    future reader), reading the site must not overflow, and the other sites go on."""
    from datetime import UTC, datetime

    from reconciler.engine.fleet import plan_sites
    from reconciler.model.events import CalendarEvent, RecurringRule
    from reconciler.model.site import DesiredSite, SiteId

    emulator.load_fixtures({"sites": [{"id": SITE}, {"id": OTHER}]})
    edge = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    events = (
        CalendarEvent("Far", date=edge),
        CalendarEvent("Early", date=datetime(1, 1, 1, tzinfo=UTC)),
        CalendarEvent("Rule", recurring_rule=RecurringRule("YEARLY", edge)),
    )
    odd = DesiredSite(SiteId(SITE), "Odd", "odd.yaml", events=events)
    plain = DesiredSite(SiteId(OTHER), "Plain", "plain.yaml")
    work = await plan_sites(wix, [odd, plain], runtime)
    assert [w.plan.error for w in work] == [None, None]
    assert [c.name for c in work[0].plan.events] == ["Far", "Early", "Rule"]
