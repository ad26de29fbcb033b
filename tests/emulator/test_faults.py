"""Fault injection, latency, rate limiting and the request log, observed on the wire."""

from __future__ import annotations

import time

import httpx
import pytest

from reconciler.emulator import Emulator, EmulatorConfig, FaultRule, ManualClock

from .support import SITE, app_code, generated_plan, make_client


async def test_429_with_retry_after_for_n_requests(
    client: httpx.AsyncClient, emu: Emulator
) -> None:
    emu.add_fault(FaultRule(path="/marketing-plan", status=429, times=2))
    emu.add_fault(FaultRule(path="/marketing-settings", status=429, retry_after=7.0))
    first, second, third = [await client.get("/marketing-plan") for _ in range(3)]
    assert (first.status_code, first.headers["retry-after"]) == (429, "1")
    assert app_code(first) == "RESOURCE_EXHAUSTED"
    assert second.status_code == 429 and third.status_code == 200
    r = await client.get("/marketing-settings")
    assert (r.status_code, r.headers["retry-after"]) == (429, "7")


@pytest.mark.parametrize("status", [500, 503])
async def test_5xx_has_an_empty_body(
    client: httpx.AsyncClient, emu: Emulator, status: int
) -> None:
    emu.add_fault(FaultRule(status=status))
    r = await client.get("/marketing-plan")
    assert (r.status_code, r.content) == (status, b"")
    assert r.headers["x-wix-request-id"]


async def test_faults_match_method_path_and_site(
    client: httpx.AsyncClient, emu: Emulator
) -> None:
    emu.add_fault(FaultRule(method="POST", path="generate", site_id=SITE, status=500,
                            times=None))
    emu.add_fault(FaultRule(site_id="someone-else", status=503, times=None))
    assert (await client.get("/marketing-plan")).status_code == 200
    for _ in range(3):
        assert (await client.post("/marketing-plan/generate-marketing-plan")).status_code == 500
    assert emu.site(SITE).plan.status == "NEVER_CREATED"  # faulted before the backend


async def test_delay(client: httpx.AsyncClient, emu: Emulator) -> None:
    emu.add_fault(FaultRule(delay_seconds=0.2))
    started = time.monotonic()
    r = await client.get("/marketing-plan")
    assert r.status_code == 200 and time.monotonic() - started >= 0.2


async def test_latency_knob(clock: ManualClock) -> None:
    config = EmulatorConfig(lenient_auth=True, latency_seconds=0.1, auto_create_sites=True)
    emu = Emulator(config, clock)
    async with make_client(emu) as client:
        started = time.monotonic()
        await client.get("/marketing-plan")
    assert time.monotonic() - started >= 0.1


async def test_disconnect_in_process_raises_like_a_dropped_socket(
    client: httpx.AsyncClient, emu: Emulator
) -> None:
    emu.add_fault(FaultRule(path="generate-marketing-plan", disconnect=True))
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/marketing-plan/generate-marketing-plan")
    assert emu.site(SITE).plan.status == "NEVER_CREATED"
    assert (emu.requests[-1].status, emu.requests[-1].fault) == (0, "disconnect")


async def test_after_backend_fault_commits_the_write(
    client: httpx.AsyncClient, emu: Emulator
) -> None:
    emu.add_fault(FaultRule(path="generate-marketing-plan", status=504, after_backend=True))
    r = await client.post("/marketing-plan/generate-marketing-plan")
    assert (r.status_code, r.content) == (504, b"")
    assert emu.site(SITE).plan.status == "GENERATING"


async def test_keep_old_answers_200_with_the_old_value(
    client: httpx.AsyncClient, emu: Emulator
) -> None:
    def upsert(tone: str, goal: str) -> dict[str, object]:
        settings = {"toneOfVoice": tone, "marketingPlanGoal": {"goalKey": goal}}
        return {"marketingSettings": {"settings": settings},
                "fieldMask": "settings.toneOfVoice,settings.marketingPlanGoal"}

    assert (await client.post("/marketing-settings", json=upsert("calm", "BOOST_SALES"))
            ).status_code == 200
    emu.add_fault(FaultRule(keep_old="settings.toneOfVoice"))
    assert (await client.get("/marketing-settings")).status_code == 200  # reads pass by
    r = await client.post("/marketing-settings", json=upsert("loud", "DRIVE_TRAFFIC"))
    answered = r.json()["marketingSettings"]["settings"]
    assert r.status_code == 200
    assert (answered["toneOfVoice"], answered["marketingPlanGoal"]) == (
        "calm", {"goalKey": "DRIVE_TRAFFIC"})
    assert emu.site(SITE).settings["toneOfVoice"] == "calm"
    assert emu.requests[-1].fault == "keep_old settings.toneOfVoice"
    emu.add_fault(FaultRule(keep_old="*"))
    r = await client.post("/marketing-settings", json=upsert("quiet", "COLLECT_LEADS"))
    assert r.json()["marketingSettings"]["settings"]["marketingPlanGoal"] == {
        "goalKey": "DRIVE_TRAFFIC"}
    r = await client.post("/marketing-settings", json=upsert("quiet", "COLLECT_LEADS"))
    assert r.json()["marketingSettings"]["settings"]["toneOfVoice"] == "quiet"  # times=1


async def test_reshaping_faults_bend_the_answer_not_the_request(
    client: httpx.AsyncClient, emu: Emulator
) -> None:
    query = {"query": {"filter": {"date": {"$gte": "2026-01-01T00:00:00Z",
                                           "$lte": "2027-12-31T00:00:00Z"}}}}
    event = {"calendarEvent": {"name": "Sale", "date": "2026-12-01T00:00:00.000Z"}}
    assert (await client.post("/events", json=event)).status_code == 200
    emu.add_fault(FaultRule(path="/events/query", rename_member="events=results",
                            add_members={"pagingMetadata": {"count": 1}}))
    r = await client.post("/events/query", json=query)
    assert set(r.json()) == {"results", "pagingMetadata"}
    assert int(r.headers["content-length"]) == len(r.content)
    assert emu.requests[-1].fault == "reshaped answer"
    emu.add_fault(FaultRule(path="/events/query", retype_member="events"))
    assert isinstance((await client.post("/events/query", json=query)).json()["events"], dict)
    emu.add_fault(FaultRule(path="/marketing-plan", method="GET", drop_member="status"))
    assert "status" not in (await client.get("/marketing-plan")).json()
    emu.add_fault(FaultRule(method="POST", path="/events", drop_member="calendarEvent"))
    assert (await client.post("/events", json=event)).json() == {}
    assert len(emu.site(SITE).events) == 2  # the write itself was done


def test_fault_rule_validation() -> None:
    with pytest.raises(ValueError, match="needs a status"):
        FaultRule()
    with pytest.raises(ValueError, match="old=new"):
        FaultRule(rename_member="events")
    with pytest.raises(ValueError, match="4xx or 5xx"):
        FaultRule(status=200)
    with pytest.raises(ValueError, match="times"):
        FaultRule(status=500, times=0)


async def test_rate_limit(clock: ManualClock) -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True, rate_limit_per_minute=2), clock)
    emu.load_fixtures({"sites": [{"id": SITE}]})
    async with make_client(emu) as client:
        codes = [(await client.get("/marketing-plan")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        clock.advance(60)
        assert (await client.get("/marketing-plan")).status_code == 200


async def test_request_log_records_everything(
    client: httpx.AsyncClient, emu: Emulator
) -> None:
    await client.post("/events", json={"calendarEvent": {"name": "x", "date": "2026-12-01"}},
                      params={"a": "b"})
    await client.get("/marketing-plan")
    create, read = emu.requests
    assert create.method == "POST" and create.path.endswith("/events")
    assert create.query == {"a": "b"} and create.site_id == SITE
    assert create.body == {"calendarEvent": {"name": "x", "date": "2026-12-01"}}
    assert (create.status, create.mutating, create.operation) == (200, True, "CreateEvent")
    assert create.time == emu.clock.now() and create.request_id
    assert (read.mutating, read.operation, read.body) == (False, "GetSocialMarketingPlan", None)
    assert emu.writes() == [create] and emu.writes(site_id="other") == []


async def test_reading_everything_never_writes(
    client: httpx.AsyncClient, emu: Emulator, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    emu.clear_requests()
    ids = [a["marketingActivityId"] for a in plan["marketingActivities"]]
    await client.get("/marketing-plan")
    await client.post("/marketing-activity-posts", json={"marketingActivityIds": ids})
    await client.post("/events/query", json={"query": {"filter": {"date": {
        "$gte": "2026-01-01T00:00:00Z", "$lte": "2027-01-01T00:00:00Z"}}}})
    for path in ("", "/defaults", "/plan-goal-options", "/point-of-view-options",
                 "/calendar-options"):
        assert (await client.get(f"/marketing-settings{path}")).status_code == 200
    assert len(emu.requests) == 8 and emu.writes() == []
