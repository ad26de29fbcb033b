"""Constants and helpers shared by the emulator tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from reconciler.emulator import API_PREFIX, Emulator, ManualClock

SITE = "11111111-2222-4333-8444-555555555555"
OTHER = "22222222-3333-4444-8555-666666666666"
CAL = "3a9d5e11-2b7c-4f08-8c6e-9d1a2b3c4d5e"
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # a Friday
HEADERS = {"Authorization": "test-key", "wix-site-id": SITE}
GEN_SECONDS = 10.0


def site_fixture(**extra: Any) -> dict[str, Any]:
    """A published site with Facebook + Instagram connected."""
    base: dict[str, Any] = {"id": SITE, "connectedChannels": ["FACEBOOK", "INSTAGRAM"],
                            "calendars": [{"id": CAL, "name": "US holidays"}]}
    base.update(extra)
    return base


def make_client(emulator: Emulator, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app),
                             base_url="http://emulator" + API_PREFIX,
                             headers=HEADERS if headers is None else headers)


async def generated_plan(client: httpx.AsyncClient, clock: ManualClock,
                         path: str = "generate-marketing-plan") -> dict[str, Any]:
    """Run a (re)generation to completion and return the plan body."""
    r = await client.post(f"/marketing-plan/{path}", json={})
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "GENERATING"}
    clock.advance(GEN_SECONDS * 3)
    plan = (await client.get("/marketing-plan")).json()
    assert plan["status"] == "ACTIVE", plan
    return dict(plan)


def app_code(response: httpx.Response) -> str:
    return str(response.json()["details"]["applicationError"]["code"])


def violations(response: httpx.Response) -> list[str]:
    return [v["field"] for v in response.json()["details"]["validationError"]["fieldViolations"]]
