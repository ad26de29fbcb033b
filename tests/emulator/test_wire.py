"""Wire conventions: auth, site partitioning, envelopes, request ids, unknown routes."""

from __future__ import annotations

import httpx
import pytest

from reconciler.emulator import Emulator, EmulatorConfig, ManualClock

from .support import HEADERS, app_code, make_client, violations


@pytest.mark.parametrize("headers,status,code", [
    ({"wix-site-id": HEADERS["wix-site-id"]}, 401, "UNAUTHENTICATED"),
    ({"Authorization": "", "wix-site-id": HEADERS["wix-site-id"]}, 401, "UNAUTHENTICATED"),
    ({"Authorization": "k"}, 403, "PERMISSION_DENIED"),
    ({"Authorization": "k", "wix-site-id": "00000000-0000-4000-8000-00000000dead"}, 404,
     "SITE_NOT_FOUND"),
])
async def test_auth_and_site_errors(
    emu: Emulator, headers: dict[str, str], status: int, code: str
) -> None:
    async with make_client(emu, headers) as client:
        r = await client.get("/marketing-plan")
    assert (r.status_code, app_code(r)) == (status, code)
    assert r.json()["message"]


async def test_accepted_api_keys(clock: ManualClock) -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True, accepted_api_keys=frozenset({"good"})), clock)
    emu.load_fixtures({"sites": [{"id": HEADERS["wix-site-id"]}]})
    async with make_client(emu, {**HEADERS, "Authorization": "bad"}) as client:
        assert (await client.get("/marketing-plan")).status_code == 401
    async with make_client(emu, {**HEADERS, "Authorization": "good"}) as client:
        assert (await client.get("/marketing-plan")).status_code == 200


async def test_auto_create_sites(clock: ManualClock) -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True, auto_create_sites=True), clock)
    async with make_client(emu) as client:
        assert (await client.get("/marketing-plan")).json()["status"] == "NEVER_CREATED"
    assert emu.site(HEADERS["wix-site-id"]).profile.published


async def test_every_response_has_a_unique_request_id(client: httpx.AsyncClient) -> None:
    responses = [await client.get("/marketing-plan"), await client.get("/nope"),
                 await client.post("/events/query", json={})]
    ids = [r.headers["x-wix-request-id"] for r in responses]
    assert all(ids) and len(set(ids)) == 3


async def test_unknown_route_and_method(client: httpx.AsyncClient) -> None:
    r = await client.get("/no-such-thing")
    assert (r.status_code, app_code(r)) == (404, "NOT_FOUND")
    r = await client.put("/marketing-plan")
    assert (r.status_code, app_code(r)) == (405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]"])
async def test_unparseable_body_is_400(client: httpx.AsyncClient, content: bytes) -> None:
    r = await client.post("/events", content=content,
                          headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["message"] == "Failed to parse request message"
    assert violations(r) == ["body"]


async def test_json_is_camel_case_and_empty_responses_are_empty_objects(
    client: httpx.AsyncClient,
) -> None:
    r = await client.delete("/marketing-plan")
    assert r.content == b"{}" and r.headers["content-type"] == "application/json"


async def test_an_internal_error_is_an_empty_500(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr("reconciler.emulator.state.Backend.get_settings", broken)
    r = await client.get("/marketing-settings")
    assert (r.status_code, r.content) == (500, b"")
