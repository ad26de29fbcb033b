"""`mpr doctor` in-process (#22, #26): what each read method answered, against what mpr reads
of it, as the user reads it in the text and the JSON; and what `--record` writes. The same
command over a real socket is in tests/e2e/test_doctor.py."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from reconciler.cli import exitcodes
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator, FaultRule
from reconciler.wix import WixClient, inspect
from tests.cli.conftest import INSTANCE, SITE
from tests.conftest import TEST_KEY, TODAY, Mpr

ASKED = [
    "CreateAccessToken",
    "GetMarketingSettings",
    "GetMarketingSettingsDefaults",
    "GetPlanGoalOptions",
    "GetPointOfViewOptions",
    "GetCalendarOptions",
    "GetSocialMarketingPlan",
    "GetMarketingActivityPosts",
    "QueryEvents",
    "QueryMarketingActivities",
]
ACTIVITY = "aaaaaaaa-1111-4222-8333-444444444444"
NOT_RECORDED = ("GetPlanGoalOptions", "GetMarketingActivityPosts")
"""Refused (no answer to replay) and not asked."""


def doctor_json(mpr: Mpr, *argv: str, obj: Any = None) -> tuple[int, dict[str, Any]]:
    result = mpr("doctor", *argv, "--format", "json", obj=obj)
    return result.code, json.loads(result.out)


def not_asked(method: str, note: str) -> dict[str, Any]:
    """A method doctor did not ask, as its JSON shows it: no status, time or members."""
    return {
        "method": method,
        "status": None,
        "milliseconds": 0,
        "known": [],
        "missing": [],
        "unknown": [],
        "error": None,
        "note": note,
    }


def methods(site: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["method"]: m for m in site["methods"]}


def test_doctor_asks_every_read_method_once_in_order_and_shows_what_mpr_reads(
    mpr: Mpr, emulator: Emulator, wall_clock: object
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE, "plan": {"status": "ACTIVE"}}]})
    code, body = doctor_json(mpr, SITE)
    assert code == exitcodes.OK
    (site,) = body["sites"]
    assert site["identity"] == "api-key: API key in WIX_API_KEY"
    assert [m["method"] for m in site["methods"]] == ASKED
    checks = methods(site)
    assert checks["CreateAccessToken"] == not_asked(
        "CreateAccessToken", "no token request: the API key in WIX_API_KEY is sent as it is"
    )
    for method in ASKED[1:]:
        check = checks[method]
        assert (check["status"], check["error"], check["missing"]) == (200, None, []), check
    assert checks["GetMarketingSettings"]["known"][:2] == [
        "marketingSettings",
        "marketingSettings.id",
    ]
    assert checks["GetPlanGoalOptions"]["known"][0] == "options"
    assert checks["GetSocialMarketingPlan"]["known"][:2] == ["status", "marketingActivities"]
    assert checks["QueryEvents"]["known"] == ["events"]
    # Each method asked once, the posts of the plan's activities, the events `plan` reads
    asked = [r for r in emulator.requests if r.operation]
    assert [r.operation for r in asked] == ASKED[1:]
    plan = emulator.snapshot(SITE)["plan"]["marketingActivities"]
    posts = next(r for r in asked if r.operation == "GetMarketingActivityPosts")
    assert posts.body == {"marketingActivityIds": [a["marketingActivityId"] for a in plan]} and plan
    events = next(r for r in asked if r.operation == "QueryEvents")
    window = events.body["query"]["filter"]["date"]
    start, end = (datetime.fromisoformat(window[k]) for k in ("$gte", "$lte"))
    assert (start.date(), end - start) == ((TODAY - timedelta(days=1)).date(), timedelta(401))
    assert emulator.writes() == []


def test_a_refused_method_and_an_answer_mpr_cannot_read_are_named_and_recorded(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """A method Wix refuses shows its status and why; an answer mpr cannot read shows what it
    holds against what mpr reads, and is what `--record` keeps (a replay fails alike); the
    posts of a plan mpr cannot read are not asked, and the note says so."""
    plan = {"planStatus": "ACTIVE", "marketingActivities": [{"marketingActivityId": ACTIVITY}]}
    answers = {
        "GetPlanGoalOptions": {"status": 400, "body": {"message": "no goals here"}},
        "GetSocialMarketingPlan": {"status": 200, "body": plan},
        "GetCalendarOptions": {"status": 200, "body": {"options": [{"name": "no id"}]}},
    }
    emulator.load_fixtures({"sites": [{"id": SITE, "answers": answers}]})
    code, body = doctor_json(mpr, SITE)
    assert code == exitcodes.ERROR
    (site,) = body["sites"]
    assert site["verdict"] == (
        "NOT READY: mpr cannot act on GetPlanGoalOptions, GetSocialMarketingPlan; "
        "plan and apply stop this site"
    )
    checks = methods(site)
    refused = checks["GetPlanGoalOptions"]
    assert (refused["status"], refused["error"]) == (400, "no goals here")
    assert refused["known"] == refused["missing"] == refused["unknown"] == []
    unread = checks["GetSocialMarketingPlan"]
    assert unread["status"] == 200 and unread["error"].startswith(
        "GetSocialMarketingPlan: unexpected response shape: mpr expected 'status' (a string)"
    )
    assert (unread["known"], unread["missing"], unread["unknown"]) == (
        ["marketingActivities", "marketingActivities[].marketingActivityId"],
        ["status"],
        ["planStatus"],
    )
    assert checks["GetMarketingActivityPosts"] == not_asked(
        "GetMarketingActivityPosts",
        "not asked: GetSocialMarketingPlan failed, so the activity ids are unknown",
    )
    calendars = checks["GetCalendarOptions"]
    assert (calendars["error"], calendars["missing"]) == (None, ["options[].id"])
    assert site["notes"] == [
        "GetCalendarOptions: option #1 (name 'no id') skipped: id: Field required"
    ]
    assert [r.operation for r in emulator.requests if r.operation] == ASKED[1:7] + ASKED[8:]

    recorded = mpr("doctor", SITE, "--record", str(tmp_path / "rec"))
    assert recorded.code == exitcodes.ERROR
    assert f"Recorded 1 site(s), masked, to {tmp_path / 'rec'}" in recorded.err
    fixture = json.loads((tmp_path / "rec" / "fixture.json").read_text(encoding="utf-8"))
    assert fixture["autoCreateSites"] is False and fixture["config"] == {"lenientAuth": True}
    (kept,) = fixture["sites"]
    assert kept["id"] == SITE
    assert list(kept["answers"]) == [m for m in ASKED[1:] if m not in NOT_RECORDED]
    assert kept["answers"]["GetSocialMarketingPlan"] == {"status": 200, "body": plan}
    (option,) = kept["answers"]["GetCalendarOptions"]["body"]["options"]
    assert option["name"].startswith("masked-")


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {
            "GetSocialMarketingPlan": {
                "status": 200,
                "body": {
                    "status": "ACTIVE",
                    "marketingActivities": [
                        {"marketingActivityId": ""},
                        {"marketingActivityId": 7},
                    ],
                },
            }
        },
    ],
    ids=["no plan", "no usable activity id"],
)
def test_a_plan_without_activities_asks_no_posts(
    mpr: Mpr, emulator: Emulator, answers: dict[str, Any]
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE, "answers": answers}]})
    code, body = doctor_json(mpr, SITE)
    assert code == exitcodes.OK
    posts = methods(body["sites"][0])["GetMarketingActivityPosts"]
    assert (posts["status"], posts["note"]) == (
        None,
        "not asked: the plan answer holds no activity",
    )
    assert "GetMarketingActivityPosts" not in {r.operation for r in emulator.requests}


def site_file(folder: Path, instance: str = INSTANCE) -> str:
    path = folder / "crumb.yaml"
    path.write_text(
        f"version: 1\nsite: {{id: {SITE}, name: Crumb}}\n"
        f"auth: {{wixApp: {{instanceId: {instance}}}}}\n",
        encoding="utf-8",
    )
    return str(path)


def test_a_wix_app_signs_in_with_a_token_request_that_is_never_recorded(
    mpr: Mpr, served: tuple[Emulator, dict[str, Any]], tmp_path: Path
) -> None:
    emulator, app = served
    code, body = doctor_json(mpr, site_file(tmp_path), obj=Hooks())
    assert code == exitcodes.OK
    (site,) = body["sites"]
    assert site["identity"] == f"wix-app: Wix app {app['appId']} (instance {INSTANCE})"
    token = methods(site)["CreateAccessToken"]
    assert (token["status"], token["error"], token["note"]) == (200, None, None)
    assert (token["known"], token["missing"], token["unknown"]) == (
        ["access_token", "expires_in"],
        [],
        ["token_type"],
    )
    assert [m["method"] for m in site["methods"]] == ASKED

    recorded = mpr("doctor", site_file(tmp_path), "--record", str(tmp_path / "rec"), obj=Hooks())
    assert recorded.code == exitcodes.OK, recorded.err
    fixture = json.loads((tmp_path / "rec" / "fixture.json").read_text(encoding="utf-8"))
    assert list(fixture["sites"][0]["answers"]) == [
        m for m in ASKED if m not in ("CreateAccessToken", "GetMarketingActivityPosts")
    ]
    assert emulator.writes() == []


def test_a_refused_sign_in_asks_nothing_else(
    mpr: Mpr, served: tuple[Emulator, dict[str, Any]], tmp_path: Path
) -> None:
    emulator, app = served
    other = "9a3f6c1e-9999-4e2a-9b7c-5d8e0f1a2b3c"
    code, body = doctor_json(mpr, site_file(tmp_path, other), obj=Hooks())
    assert code == exitcodes.ERROR
    (site,) = body["sites"]
    (token,) = site["methods"]
    assert token["method"] == "CreateAccessToken" and token["status"] == 404
    assert token["error"].startswith(f"Wix refused a token for the Wix app {app['appId']} ")
    assert site["verdict"].startswith("NOT READY: mpr cannot act on CreateAccessToken;")
    assert [r.path for r in emulator.requests] == ["/oauth2/token"]


def test_a_wix_user_token_from_the_command_is_no_token_request(
    mpr: Mpr, served: tuple[Emulator, dict[str, Any]]
) -> None:
    emulator, _ = served
    token = emulator.issue_user_token(SITE)
    code, body = doctor_json(mpr, SITE, "--token-command", f"echo {token}", obj=Hooks())
    assert code == exitcodes.OK
    (site,) = body["sites"]
    assert site["identity"].startswith("wix-user: Wix user token from the credential command")
    check = methods(site)["CreateAccessToken"]
    assert (check["status"], check["note"]) == (
        None,
        "no token request: the credential command printed the token",
    )
    assert "/oauth2/token" not in {r.path for r in emulator.requests}


def no_wait_hooks(emulator: Emulator) -> Hooks:
    """The CLI on `emulator` in-process, its retries not waiting."""

    async def no_sleep(seconds: float) -> None:
        """Retries here do not wait."""

    @asynccontextmanager
    async def client() -> AsyncIterator[WixClient]:
        transport = httpx.ASGITransport(app=emulator.app)
        async with WixClient(
            base_url="http://emulator.test", api_key=TEST_KEY, transport=transport, sleep=no_sleep
        ) as wix:
            yield wix

    return Hooks(client=client)


@pytest.mark.parametrize("first", [None, 503], ids=["never answered", "answered 503 first"])
def test_a_method_left_without_an_answer_shows_the_status_of_the_last_one(
    mpr: Mpr, emulator: Emulator, first: int | None
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    path = "/marketing-activities/query"
    if first is not None:
        emulator.add_fault(FaultRule(path=path, status=first, times=1))
    emulator.add_fault(FaultRule(path=path, disconnect=True, times=None))
    code, body = doctor_json(mpr, SITE, obj=no_wait_hooks(emulator))
    assert code == exitcodes.ERROR
    check = methods(body["sites"][0])["QueryMarketingActivities"]
    assert check["status"] == first and check["error"]
    assert check["known"] == check["missing"] == check["unknown"] == []


def test_an_empty_answer_mpr_can_read_has_no_member(mpr: Mpr, emulator: Emulator) -> None:
    """GetMarketingSettings answers `{}` for a site with nothing saved: mpr reads it."""
    answers = {"GetMarketingSettings": {"status": 200, "body": {}}}
    emulator.load_fixtures({"sites": [{"id": SITE, "answers": answers}]})
    result = mpr("doctor", SITE)
    assert result.code == exitcodes.OK, result.out + result.err
    (line,) = [s for s in result.out.splitlines() if s.startswith("  GetMarketingSettings ")]
    assert line.startswith("  GetMarketingSettings          200 ") and line.endswith(" no member")


def test_an_api_key_wix_refuses_shows_the_refusal_on_every_method(
    mpr: Mpr, emulator: Emulator
) -> None:
    """After Wix refused the API key, the client sends nothing more with it: every method
    shows Wix's 403 and why, not a method without an answer."""
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    emulator.add_fault(FaultRule(status=403, times=None))
    code, body = doctor_json(mpr, SITE)
    assert code == exitcodes.ERROR
    checks = body["sites"][0]["methods"][1:]
    posts = next(c for c in checks if c["method"] == "GetMarketingActivityPosts")
    assert (
        posts["note"] == "not asked: GetSocialMarketingPlan failed, so the activity ids are unknown"
    )
    checks.remove(posts)
    assert len(checks) == 8 and {c["status"] for c in checks} == {403}
    assert all("Wix refused the API key in WIX_API_KEY" in c["error"] for c in checks)
    assert len([r for r in emulator.requests if r.operation]) == 1


def test_each_method_shows_the_time_its_answer_took(
    mpr: Mpr, emulator: Emulator, wall_clock: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """doctor's clock (perf_counter) moved 250 ms at each reading: each method asked took
    exactly that, from its question to its answer."""
    ticks = itertools.count(start=1000.0, step=0.25)
    monkeypatch.setattr(inspect, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    emulator.load_fixtures({"sites": [{"id": SITE, "plan": {"status": "ACTIVE"}}]})
    code, body = doctor_json(mpr, SITE)
    assert code == exitcodes.OK
    (site,) = body["sites"]
    assert (
        {m["method"]: m["milliseconds"] for m in site["methods"]}
        == {
            "CreateAccessToken": 0,  # not asked: the API key is sent as it is
            **{method: 250 for method in ASKED[1:]},
        }
    )
