"""WixClient: configuration, transport injection, timeouts, lifecycle and the secret key."""

from __future__ import annotations

import copy
import json
import logging
import pickle
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest
import respx

from reconciler.errors import ApiError, ConfigError, InvalidArgument, UnexpectedAnswer
from reconciler.wix import DEFAULT_BASE_URL, SERVICE_PATH, RetryPolicy, WixClient
from reconciler.wix.auth import Redactor, Secret

from .support import BASE, KEY, SITE, api_route

Sleep = Callable[[float], Awaitable[None]]


# --- configuration ------------------------------------------------------------------------


async def test_defaults() -> None:
    async with WixClient() as wix:
        assert wix.base_url == DEFAULT_BASE_URL == "https://www.wixapis.com"
        assert wix.timeout == httpx.Timeout(30.0)
        assert wix.retry == RetryPolicy()
        assert not wix.has_api_key and wix.request_count == 0


async def test_from_env_reads_base_url_key_and_timeout() -> None:
    env = {"WIX_API_BASE_URL": "http://127.0.0.1:8765/", "WIX_API_KEY": KEY, "WIX_API_TIMEOUT": "4"}
    async with WixClient.from_env(env) as wix:
        assert wix.base_url == "http://127.0.0.1:8765"
        assert wix.has_api_key
        assert wix.timeout == httpx.Timeout(4.0)


async def test_from_env_treats_empty_variables_as_unset_and_kwargs_win() -> None:
    env = {"WIX_API_BASE_URL": " ", "WIX_API_KEY": "", "WIX_API_TIMEOUT": "4"}
    async with WixClient.from_env(env, timeout=9.0) as wix:
        assert wix.base_url == DEFAULT_BASE_URL
        assert not wix.has_api_key
        assert wix.timeout == httpx.Timeout(9.0)


async def test_from_env_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIX_API_BASE_URL", "https://emulator.local")
    monkeypatch.delenv("WIX_API_KEY", raising=False)
    monkeypatch.delenv("WIX_API_TIMEOUT", raising=False)
    async with WixClient.from_env() as wix:
        assert wix.base_url == "https://emulator.local"


async def test_from_env_without_the_variables_uses_wix_without_a_key_and_30_seconds() -> None:
    async with WixClient.from_env({}) as wix:
        assert wix.base_url == DEFAULT_BASE_URL
        assert not wix.has_api_key
        assert wix.timeout == httpx.Timeout(30.0)


async def test_from_env_takes_a_timeout_under_a_second() -> None:
    async with WixClient.from_env({"WIX_API_TIMEOUT": "0.5"}) as wix:
        assert wix.timeout == httpx.Timeout(0.5)


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "inf"])
def test_a_bad_timeout_in_the_environment_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="WIX_API_TIMEOUT must be a positive number"):
        WixClient.from_env({"WIX_API_TIMEOUT": value})


@pytest.mark.parametrize("url", ["www.wixapis.com", "ftp://x.test", "https://", "http://[::1"])
def test_a_bad_base_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="WIX_API_BASE_URL must be an http"):
        WixClient(base_url=url)


async def test_a_base_url_with_the_service_path_is_accepted(router: respx.MockRouter) -> None:
    route = api_route(router, "DELETE", "/marketing-plan").mock(return_value=httpx.Response(200))
    async with WixClient(base_url=BASE + SERVICE_PATH + "/") as wix:
        assert wix.base_url == BASE
        await wix.site(SITE).delete_marketing_plan()
    assert route.calls.last.request.url.path == SERVICE_PATH + "/marketing-plan"


async def test_a_base_url_with_a_path_prefix_keeps_it() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"status": "ACTIVE"})

    transport = httpx.MockTransport(handler)
    async with WixClient(base_url="http://proxy.test/wix", transport=transport) as wix:
        await wix.site(SITE).get_social_marketing_plan()
    assert seen == [f"http://proxy.test/wix{SERVICE_PATH}/marketing-plan"]


# --- transport, timeouts, headers -------------------------------------------------------------


async def test_an_injected_transport_carries_every_request() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"options": [{"id": "c1"}]})

    async with WixClient(api_key=KEY, transport=httpx.MockTransport(handler)) as wix:
        options = await wix.site(SITE).get_calendar_options()
        assert wix.request_count == 1
    assert [o.id for o in options] == ["c1"]
    assert (
        str(seen[0].url) == f"{DEFAULT_BASE_URL}{SERVICE_PATH}/marketing-settings/calendar-options"
    )
    assert seen[0].headers["authorization"] == KEY
    assert seen[0].headers["wix-site-id"] == SITE
    assert seen[0].headers["accept"] == "application/json"
    assert seen[0].headers["user-agent"] == "mpr-wix-client"


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (7.5, {"connect": 7.5, "read": 7.5, "write": 7.5, "pool": 7.5}),
        (
            httpx.Timeout(10.0, connect=2.0),
            {"connect": 2.0, "read": 10.0, "write": 10.0, "pool": 10.0},
        ),
    ],
)
async def test_timeouts_are_configurable(
    timeout: float | httpx.Timeout, expected: dict[str, float], router: respx.MockRouter
) -> None:
    route = api_route(router, "GET", "/marketing-settings/point-of-view-options")
    route.mock(return_value=httpx.Response(200, json={}))
    async with WixClient(base_url=BASE, timeout=timeout) as wix:
        await wix.site(SITE).get_point_of_view_options()
    assert route.calls.last.request.extensions["timeout"] == expected


async def test_request_count_counts_every_send_including_retries(
    router: respx.MockRouter, fake_sleep: Sleep
) -> None:
    route = api_route(router, "GET", "/marketing-plan")
    answer = httpx.Response(200, json={"status": "A"})
    route.side_effect = [httpx.ConnectError("x"), answer, answer]
    async with WixClient(base_url=BASE, sleep=fake_sleep) as wix:
        await wix.site(SITE).get_social_marketing_plan()
        await wix.site("other-site").get_social_marketing_plan()
        assert wix.request_count == 3
    assert route.calls[2].request.headers["wix-site-id"] == "other-site"


async def test_without_a_key_only_the_site_header_is_sent(router: respx.MockRouter) -> None:
    route = api_route(router, "GET", "/marketing-plan")
    route.mock(return_value=httpx.Response(200, json={"status": "ACTIVE"}))
    async with WixClient(base_url=BASE) as wix:
        await wix.site(SITE).get_social_marketing_plan()
    sent = route.calls[0].request.headers
    assert sent["wix-site-id"] == SITE
    assert "authorization" not in sent


async def test_without_a_key_a_request_goes_out_whole(router: respx.MockRouter) -> None:
    """The path without a credential sends the same request: its query, its body, and an
    error named by its method."""
    start = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)
    plan = api_route(router, "GET", "/marketing-plan")
    plan.mock(return_value=httpx.Response(200, json={"status": "ACTIVE"}))
    events = api_route(router, "POST", "/events/query")
    events.mock(return_value=httpx.Response(200, json={"events": "none"}))
    async with WixClient(base_url=BASE) as wix:
        await wix.site(SITE).get_social_marketing_plan(start=start)
        with pytest.raises(UnexpectedAnswer) as unread:
            await wix.site(SITE).query_events(start, start)
    assert plan.calls[0].request.url.params["timeframe.startDate"] == "2026-08-03T09:00:00.000Z"
    assert json.loads(events.calls[0].request.content)["query"]["filter"]["date"] == {
        "$gte": "2026-08-03T09:00:00.000Z",
        "$lte": "2026-08-03T09:00:00.000Z",
    }
    assert unread.value.message.startswith("QueryEvents: unexpected response shape")


# --- lifecycle ------------------------------------------------------------------------------


async def test_the_context_manager_closes_the_pool() -> None:
    wix = WixClient()
    async with wix as entered:
        assert entered is wix
    with pytest.raises(RuntimeError):  # httpx refuses to send on a closed client
        await wix._http.get("https://x.test")


def test_reprs_show_the_base_url_and_never_the_key(client: WixClient) -> None:
    assert repr(client) == f"WixClient(base_url='{BASE}', api_key=***)"
    assert repr(client.site(SITE)) == f"SiteClient(site_id='{SITE}', base_url='{BASE}')"
    assert repr(WixClient()) == f"WixClient(base_url='{DEFAULT_BASE_URL}', api_key=None)"


# --- the key never leaks ----------------------------------------------------------------------


def test_api_key_hides_itself() -> None:
    key = Secret(KEY)
    assert repr(key) == str(key) == f"{key}" == "***"
    assert not hasattr(key, "__dict__")  # nothing for vars() or a debugger dump to show
    with pytest.raises(TypeError):
        pickle.dumps(key)
    with pytest.raises(TypeError):
        copy.deepcopy(key)
    with pytest.raises(ValueError):
        Secret("")
    assert Redactor([key]).redact(f"got {KEY}!") == "got ***!"


def _all_text(error: BaseException) -> str:
    parts = []
    current: BaseException | None = error
    while current is not None:
        parts += [str(current), repr(current), repr(getattr(current, "__dict__", {}))]
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


async def test_the_key_appears_in_no_log_error_or_repr(
    router: respx.MockRouter, fake_sleep: Sleep, caplog: pytest.LogCaptureFixture
) -> None:
    echo = {
        "message": f"key {KEY} is not valid here",
        "details": {
            "validationError": {
                "fieldViolations": [
                    {"field": KEY, "description": f"bad {KEY}", "violatedRule": "X"}
                ]
            }
        },
    }
    api_route(router, "GET", "/marketing-plan").side_effect = [
        httpx.Response(503),
        httpx.Response(429),
        httpx.ConnectError(f"refused while sending {KEY}"),
        httpx.ReadTimeout("t"),
        httpx.Response(500),
    ]
    api_route(router, "GET", "/marketing-settings").mock(
        return_value=httpx.Response(400, json=echo)
    )
    api_route(router, "POST", "/events").mock(return_value=httpx.Response(200, json={"x": KEY}))
    errors: list[BaseException] = []
    caplog.set_level(logging.DEBUG)  # httpx and httpcore included
    async with WixClient(base_url=BASE, api_key=KEY, sleep=fake_sleep) as wix:
        site = wix.site(SITE)
        for call in (
            site.get_social_marketing_plan,
            site.get_marketing_settings,
            lambda: site.create_event({"name": "n"}),
        ):
            with pytest.raises(ApiError) as caught:
                await call()
            errors.append(caught.value)
        texts = [repr(wix), str(wix), repr(site), caplog.text, *map(_all_text, errors)]
    assert isinstance(errors[1], InvalidArgument)
    assert "***" in errors[1].message and "***" in str(errors[1])
    assert any("failed (HTTP 503)" in r.getMessage() for r in caplog.records)
    for text in texts:
        assert KEY not in text
