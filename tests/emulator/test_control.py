"""The control plane over HTTP (/_emulator) and the real loopback server."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from reconciler.emulator import (
    API_PREFIX,
    Emulator,
    EmulatorConfig,
    FaultRule,
    serve_in_thread,
)

from .support import HEADERS, SITE, site_fixture


@pytest.fixture
async def admin(emu: Emulator) -> Any:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu.app), base_url="http://emulator/_emulator"
    ) as c:
        yield c


async def test_control_plane_drives_everything(
    admin: httpx.AsyncClient, client: httpx.AsyncClient, emu: Emulator
) -> None:
    other = "33333333-0000-4000-8000-000000000000"
    r = await admin.post("/sites", json={"id": other, "published": False})
    assert r.json() == {"sites": [other]}
    assert (await admin.get("/sites")).json() == {"sites": sorted([SITE, other])}
    r = await admin.post("/sites", json={"sites": [{"id": "bad"}]})
    assert r.status_code == 400 and r.json()["problems"]

    await client.post("/marketing-plan/generate-marketing-plan")
    state = (await admin.get(f"/state/{SITE}")).json()
    assert state["plan"]["status"] == "GENERATING" and state["plan"]["generating"]
    assert (await admin.get("/state/nope")).status_code == 404
    r = await admin.post("/clock/advance", json={"seconds": 3600})
    assert r.json() == {"now": "2026-11-27T10:00:00.000Z"}
    assert (await client.get("/marketing-plan")).json()["status"] == "ACTIVE"

    writes = (await admin.get("/requests", params={"mutating": "true"})).json()["requests"]
    assert [w["operation"] for w in writes] == ["GenerateMarketingPlan"]
    assert writes[0]["siteId"] == SITE and writes[0]["time"] == "2026-11-27T09:00:00.000Z"
    assert len((await admin.get("/requests")).json()["requests"]) == 2  # control not logged

    r = await admin.post("/faults", json={"status": 429, "retryAfter": 3, "path": "settings"})
    assert r.json()["fault"]["retry_after"] == 3
    assert len((await admin.get("/faults")).json()["faults"]) == 1
    assert (await client.get("/marketing-settings")).headers["retry-after"] == "3"
    assert (await admin.post("/faults", json={"colour": 1})).status_code == 400
    await admin.delete("/faults")
    assert (await client.get("/marketing-settings")).status_code == 200

    await admin.post(f"/sites/{SITE}/fail-generations", json={"count": 1})
    await client.post("/marketing-plan/regenerate-marketing-plan")
    await admin.post("/jobs/complete", json={"siteId": SITE})
    assert (await client.get("/marketing-plan")).json()["status"] == "FAILED"

    r = await admin.patch("/config", json={"generationSeconds": 0})
    assert r.json()["config"]["generation_seconds"] == 0
    r = await admin.post("/clock/set", json={"now": "2027-01-01T00:00:00Z"})
    assert r.json() == {"now": "2027-01-01T00:00:00.000Z"}
    assert (await admin.get("/clock")).json() == r.json()
    await admin.delete("/requests")
    assert (await admin.get("/requests")).json() == {"requests": []}
    await admin.post("/reset")
    assert (await admin.get("/sites")).json() == {"sites": []}
    assert (await client.get("/marketing-plan")).status_code == 404


@pytest.mark.dated
def test_real_loopback_server() -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True, generation_seconds=0))
    emu.load_fixtures({"sites": [site_fixture()]})

    async def scenario(base_url: str) -> None:
        async with httpx.AsyncClient(base_url=base_url + API_PREFIX, headers=HEADERS) as c:
            r = await c.post("/marketing-plan/generate-marketing-plan", json={})
            assert r.json() == {"status": "GENERATING"}
            assert r.headers["x-wix-request-id"]
            plan = (await c.get("/marketing-plan")).json()
            assert plan["status"] == "ACTIVE" and plan["marketingActivities"]
            async with httpx.AsyncClient(base_url=base_url) as admin:
                await admin.post("/_emulator/faults", json={"status": 503})
            r = await c.get("/marketing-plan")
            assert (r.status_code, r.content) == (503, b"")
            emu.add_fault(FaultRule(disconnect=True))
            with pytest.raises(httpx.RemoteProtocolError):
                await c.get("/marketing-plan")
            assert (await c.get("/marketing-settings")).status_code == 200  # still serving

    with serve_in_thread(emu, port=0) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        asyncio.run(scenario(base_url))
    assert [r.status for r in emu.requests][-3:] == [503, 0, 200]


async def test_connecting_a_channel_attaches_the_account_to_existing_drafts() -> None:
    from datetime import UTC, datetime

    import httpx

    from reconciler.emulator import Emulator, EmulatorConfig, ManualClock

    site = "11111111-2222-4333-8444-555555555555"
    emu = Emulator(
        config=EmulatorConfig(lenient_auth=True, generation_seconds=0),
        clock=ManualClock(datetime(2026, 11, 23, tzinfo=UTC)),
    )
    emu.load_fixtures(
        {"sites": [{"id": site, "connectedChannels": ["FACEBOOK"], "plan": {"status": "ACTIVE"}}]}
    )
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        answer = await client.post(
            f"/_emulator/sites/{site}/connect", json={"channel": "INSTAGRAM"}
        )
        assert answer.status_code == 200
        account = answer.json()["accountId"]
        plan = await client.get(
            "/promote/marketing-plan-service/v1/marketing-plan",
            headers={"Authorization": "k", "wix-site-id": site},
        )
    items = [i for a in plan.json()["marketingActivities"] for i in a.get("items", [])]
    instagram = [i for i in items if i["channel"]["name"] == "INSTAGRAM"]
    assert instagram and all(i["channel"]["accountId"] == account for i in instagram)


async def test_a_draft_s_words_are_edited_as_in_the_dashboard(
    admin: httpx.AsyncClient, client: httpx.AsyncClient, emu: Emulator
) -> None:
    await client.post("/marketing-plan/generate-marketing-plan")
    await admin.post("/clock/advance", json={"seconds": 3600})
    plan = (await client.get("/marketing-plan")).json()
    item = next(i for a in plan["marketingActivities"] for i in a["items"] if "linkedinPost" in i)
    image = item["linkedinPost"]["mediaWrapper"]
    r = await admin.patch(f"/sites/{SITE}/drafts/{item['id']}", json={"caption": "New words"})
    assert r.status_code == 200 and r.json()["item"]["linkedinPost"]["caption"] == "New words"
    plan = (await client.get("/marketing-plan")).json()
    (edited,) = [
        i for a in plan["marketingActivities"] for i in a["items"] if i["id"] == item["id"]
    ]
    assert edited["linkedinPost"] == {"caption": "New words", "mediaWrapper": image}
    missing = "44444444-0000-4000-8000-000000000000"
    assert (await admin.patch(f"/sites/{SITE}/drafts/{missing}", json={})).status_code == 404
    assert (await admin.patch(f"/sites/{missing}/drafts/{missing}", json={})).status_code == 404
