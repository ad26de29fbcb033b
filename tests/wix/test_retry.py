"""Retries: the pure schedule, and what the client replays (and what it must not)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from reconciler.errors import (
    ApiError,
    ApiUnreachable,
    InvalidArgument,
    NotFound,
    RateLimited,
    ServerError,
)
from reconciler.wix import ENDPOINTS, SERVICE_PATH, RetryPolicy, SiteClient, WixClient
from reconciler.wix.retry import backoff_cap, is_retryable, retry_delay, with_retries

from .support import BASE, SITE, api_route

WHEN = datetime(2026, 9, 20, tzinfo=UTC)
EVENT_ANSWER = {"calendarEvent": {"id": "e1", "name": "n"}}
NON_IDEMPOTENT = {
    "CreateEvent",
    "CreateMarketingActivity",
    "GenerateMarketingPlan",
    "RegenerateMarketingPlan",
    "RegenerateMarketingPlanWithKeywordResearch",
    "GenerateSocialPosts",
    "ScheduleDrafts",
    "RegenerateMarketingActivityPosts",
    "RegenerateMarketingActivityPostsMedia",
    "RegenerateMarketingActivityStories",
}


def _unreachable(cause: BaseException) -> ApiUnreachable:
    error = ApiUnreachable("x")
    error.__cause__ = cause
    return error


# --- the pure schedule ----------------------------------------------------------------------


def test_idempotency_of_every_method_is_as_specified() -> None:
    assert {e.name for e in ENDPOINTS if not e.idempotent} == NON_IDEMPOTENT
    assert all(e.idempotent for e in ENDPOINTS if e.verb in ("GET", "DELETE", "PUT", "PATCH"))


def test_backoff_caps_double_up_to_max_delay() -> None:
    policy = RetryPolicy()
    caps = [backoff_cap(policy, n) for n in range(8)]
    assert caps == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]
    assert backoff_cap(policy, 10_000) == 20.0  # no overflow however long it goes


@pytest.mark.parametrize("draw", [0.0, 0.25, 0.999999])
def test_backoff_is_full_jitter_below_the_cap(draw: float) -> None:
    policy = RetryPolicy(max_attempts=100, random=lambda: draw)
    error = ServerError("m", status=503)
    for attempt in range(1, 99):
        delay = retry_delay(policy, error, attempt, idempotent=True)
        assert delay is not None
        cap = backoff_cap(policy, attempt - 1)
        assert delay == pytest.approx(draw * cap)
        assert 0 <= delay <= policy.max_delay


@pytest.fixture
def seeded_jitter() -> Iterator[random.Random]:
    """The default policy's jitter (the `random` module's) seeded; a copy replays its draws."""
    saved = random.getstate()
    random.seed(26)
    yield random.Random(26)
    random.setstate(saved)


async def test_the_default_policy_waits_longer_after_each_failure_up_to_20_s(
    router: respx.MockRouter,
    fake_sleep: Callable[[float], Awaitable[None]],
    sleeps: list[float],
    seeded_jitter: random.Random,
) -> None:
    """The waits a default client makes between retries of a failing GET: a random share
    (full jitter) of 0.5 s, 1, 2, 4, 8, 16, then 20 s."""
    route = api_route(router, "GET", "/marketing-plan")
    route.mock(return_value=httpx.Response(503))
    policy = RetryPolicy(max_attempts=10)
    async with WixClient(base_url=BASE, retry=policy, sleep=fake_sleep) as wix:
        with pytest.raises(ServerError):
            await wix.site(SITE).get_social_marketing_plan()
    caps = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0, 20.0]
    assert route.call_count == 10
    assert sleeps == pytest.approx([seeded_jitter.random() * cap for cap in caps])
    assert max(sleeps[-3:]) > 10 > max(sleeps[:3]), sleeps


def test_no_retry_once_attempts_are_used_up() -> None:
    policy = RetryPolicy(max_attempts=3)
    error = ServerError("m", status=500)
    assert retry_delay(policy, error, 2, idempotent=True) is not None
    assert retry_delay(policy, error, 3, idempotent=True) is None


def test_retry_after_wins_over_backoff_unless_too_long() -> None:
    policy = RetryPolicy(max_retry_after=60)
    assert retry_delay(policy, RateLimited("m", retry_after=42), 1, idempotent=False) == 42
    assert retry_delay(policy, RateLimited("m", retry_after=60), 1, idempotent=True) == 60
    assert retry_delay(policy, RateLimited("m", retry_after=61), 1, idempotent=True) is None


@pytest.mark.parametrize(
    ("error", "idempotent", "retryable"),
    [
        (RateLimited("m"), True, True),
        (RateLimited("m"), False, True),
        (ServerError("m"), True, True),
        (ServerError("m"), False, False),
        (_unreachable(httpx.ReadTimeout("t")), True, True),
        (_unreachable(httpx.ReadTimeout("t")), False, False),
        (_unreachable(httpx.RemoteProtocolError("p")), False, False),
        (_unreachable(httpx.ConnectError("c")), False, True),
        (_unreachable(httpx.ConnectTimeout("c")), False, True),
        (ApiUnreachable("no cause"), False, False),
        (InvalidArgument("m"), True, False),
        (ApiError("shape"), True, False),
    ],
)
def test_what_is_retryable(error: ApiError, idempotent: bool, retryable: bool) -> None:
    assert is_retryable(error, idempotent=idempotent) is retryable


@pytest.mark.parametrize(
    "kwargs", [{"max_attempts": 0}, {"base_delay": -1}, {"max_delay": -1}, {"max_retry_after": -1}]
)
def test_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


# --- idempotent calls through the client ------------------------------------------------------


async def test_an_idempotent_call_is_retried_on_5xx_then_succeeds(
    router: respx.MockRouter,
    site: SiteClient,
    client: WixClient,
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    route = api_route(router, "GET", "/marketing-plan")
    route.side_effect = [
        httpx.Response(503),
        httpx.Response(500),
        httpx.Response(200, json={"status": "ACTIVE"}),
    ]
    with caplog.at_level(logging.WARNING, logger="reconciler.wix"):
        plan = await site.get_social_marketing_plan()
    assert plan.status == "ACTIVE"
    assert route.call_count == 3 and client.request_count == 3
    assert sleeps == [0.25, 0.5]  # random() = 0.5 times caps 0.5 and 1.0
    records = [r for r in caplog.records if r.name == "reconciler.wix"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.WARNING]
    assert records[0].getMessage() == (
        f"GET {SERVICE_PATH}/marketing-plan failed (HTTP 503); try 2 of 5 in 0.25 s"
    )
    assert records[1].getMessage().endswith("failed (HTTP 500); try 3 of 5 in 0.50 s")


async def test_a_retry_after_no_answer_names_what_went_wrong(
    router: respx.MockRouter, site: SiteClient, caplog: pytest.LogCaptureFixture
) -> None:
    route = api_route(router, "GET", "/marketing-plan")
    route.side_effect = [
        httpx.ConnectError("refused"),
        httpx.Response(200, json={"status": "ACTIVE"}),
    ]
    with caplog.at_level(logging.WARNING, logger="reconciler.wix"):
        await site.get_social_marketing_plan()
    [record] = [r for r in caplog.records if r.name == "reconciler.wix"]
    assert "HTTP" not in record.getMessage()
    assert record.getMessage().startswith(f"GET {SERVICE_PATH}/marketing-plan failed (")


async def test_an_idempotent_call_gives_up_after_max_attempts_with_the_last_error(
    router: respx.MockRouter, site: SiteClient, client: WixClient, sleeps: list[float]
) -> None:
    route = api_route(router, "POST", "/events/query")
    route.side_effect = [httpx.Response(500)] * 4 + [
        httpx.Response(502, headers={"x-wix-request-id": "last"})
    ]
    with pytest.raises(ServerError) as caught:
        await site.query_events(WHEN, WHEN)
    assert caught.value.status == 502 and caught.value.request_id == "last"
    assert route.call_count == 5 and len(sleeps) == 4


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("t"), httpx.ConnectError("c"), httpx.RemoteProtocolError("p")],
    ids=lambda e: type(e).__name__,
)
async def test_an_idempotent_call_is_retried_when_unreachable(
    failure: Exception, router: respx.MockRouter, site: SiteClient, sleeps: list[float]
) -> None:
    route = api_route(router, "PUT", "/events/e1")
    route.side_effect = [failure, httpx.Response(200, json={"event": {"id": "e1"}})]
    assert (await site.update_event("e1", {"name": "n", "date": WHEN})).id == "e1"
    assert route.call_count == 2 and len(sleeps) == 1


async def test_a_4xx_is_never_retried(
    router: respx.MockRouter, site: SiteClient, sleeps: list[float]
) -> None:
    route = api_route(router, "GET", "/marketing-settings")
    route.mock(return_value=httpx.Response(400, json={"message": "bad"}))
    with pytest.raises(InvalidArgument):
        await site.get_marketing_settings()
    assert route.call_count == 1 and sleeps == []


async def test_max_attempts_one_disables_retries(
    router: respx.MockRouter, fake_sleep: Callable[[float], Awaitable[None]], sleeps: list[float]
) -> None:
    route = api_route(router, "GET", "/marketing-plan")
    route.mock(return_value=httpx.Response(503))
    policy = RetryPolicy(max_attempts=1)
    async with WixClient(base_url=BASE, retry=policy, sleep=fake_sleep) as wix:
        with pytest.raises(ServerError):
            await wix.site(SITE).get_social_marketing_plan()
    assert route.call_count == 1 and sleeps == []


# --- Retry-After ------------------------------------------------------------------------------


async def test_retry_after_seconds_is_honoured(
    router: respx.MockRouter, site: SiteClient, sleeps: list[float]
) -> None:
    route = api_route(router, "GET", "/marketing-plan")
    route.side_effect = [
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(200, json={"status": "ACTIVE"}),
    ]
    await site.get_social_marketing_plan()
    assert sleeps == [7.0]


@pytest.mark.dated
async def test_retry_after_http_date_is_honoured(
    router: respx.MockRouter, site: SiteClient, sleeps: list[float]
) -> None:
    later = datetime.now(UTC) + timedelta(seconds=30)
    route = api_route(router, "GET", "/marketing-plan")
    route.side_effect = [
        httpx.Response(429, headers={"Retry-After": format_datetime(later, usegmt=True)}),
        httpx.Response(200, json={"status": "ACTIVE"}),
    ]
    await site.get_social_marketing_plan()
    assert len(sleeps) == 1 and 27 <= sleeps[0] <= 30


async def test_a_429_without_retry_after_backs_off(
    router: respx.MockRouter, site: SiteClient, sleeps: list[float]
) -> None:
    route = api_route(router, "GET", "/marketing-plan")
    route.side_effect = [httpx.Response(429), httpx.Response(200, json={"status": "ACTIVE"})]
    await site.get_social_marketing_plan()
    assert sleeps == [0.25]


async def test_a_retry_after_longer_than_allowed_is_raised_at_once(
    router: respx.MockRouter, site: SiteClient, sleeps: list[float]
) -> None:
    route = api_route(router, "GET", "/marketing-plan")
    route.mock(return_value=httpx.Response(429, headers={"Retry-After": "120"}))
    with pytest.raises(RateLimited) as caught:
        await site.get_social_marketing_plan()
    assert caught.value.retry_after == 120.0
    assert route.call_count == 1 and sleeps == []


# --- non-idempotent calls ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "raised"),
    [
        (httpx.Response(500), ServerError),
        (httpx.Response(503), ServerError),
        (httpx.ReadTimeout("t"), ApiUnreachable),
        (httpx.ReadError("reset"), ApiUnreachable),
        (httpx.RemoteProtocolError("disconnected"), ApiUnreachable),
        (httpx.WriteTimeout("t"), ApiUnreachable),
    ],
    ids=["500", "503", "read-timeout", "read-error", "disconnect", "write-timeout"],
)
async def test_a_non_idempotent_call_is_not_replayed_when_the_server_may_have_acted(
    failure: httpx.Response | Exception,
    raised: type[ApiError],
    router: respx.MockRouter,
    site: SiteClient,
    sleeps: list[float],
) -> None:
    route = api_route(router, "POST", "/events")
    ok = httpx.Response(200, json=EVENT_ANSWER)
    route.side_effect = [failure, ok]
    with pytest.raises(raised):
        await site.create_event({"name": "n", "date": WHEN})
    assert route.call_count == 1 and sleeps == []


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("t"),
        httpx.PoolTimeout("t"),
    ],
    ids=["429", "connect-error", "connect-timeout", "pool-timeout"],
)
async def test_a_non_idempotent_call_is_replayed_when_the_server_did_not_act(
    failure: httpx.Response | Exception,
    router: respx.MockRouter,
    site: SiteClient,
    sleeps: list[float],
) -> None:
    route = api_route(router, "POST", "/events")
    route.side_effect = [failure, httpx.Response(200, json=EVENT_ANSWER)]
    assert (await site.create_event({"name": "n", "date": WHEN})).id == "e1"
    assert route.call_count == 2 and len(sleeps) == 1


async def test_generate_is_not_replayed_on_a_5xx(
    router: respx.MockRouter, site: SiteClient
) -> None:
    route = api_route(router, "POST", "/marketing-plan/generate-marketing-plan")
    route.side_effect = [httpx.Response(502), httpx.Response(200, json={"status": "GENERATING"})]
    with pytest.raises(ServerError):
        await site.generate_marketing_plan()
    assert route.call_count == 1


async def test_a_timeout_on_the_third_call_of_a_sequence(
    router: respx.MockRouter, site: SiteClient, client: WixClient
) -> None:
    route = api_route(router, "POST", "/marketing-plan/schedule-drafts")
    route.side_effect = [
        httpx.Response(200, json={"items": []}),
        httpx.Response(200, json={"items": []}),
        httpx.ReadTimeout("t"),
    ]
    await site.schedule_drafts(["d1"])
    await site.schedule_drafts(["d2"])
    with pytest.raises(ApiUnreachable, match="no answer from https://wix.test within 30 s"):
        await site.schedule_drafts(["d3"])
    assert client.request_count == 3


async def test_the_default_sleep_really_waits(
    router: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without an injected sleep, the Retry-After pause is the event loop's real sleep (a
    no-op would hammer Wix with the retry at once)."""
    real_sleep = asyncio.sleep
    slept: list[float] = []

    async def recorded(seconds: float, result: object = None) -> object:
        slept.append(seconds)
        return await real_sleep(seconds, result)

    monkeypatch.setattr(asyncio, "sleep", recorded)
    route = api_route(router, "GET", "/marketing-plan")
    route.side_effect = [
        httpx.Response(429, headers={"Retry-After": "0.05"}),
        httpx.Response(200, json={"status": "ACTIVE"}),
    ]
    async with WixClient(base_url=BASE) as wix:
        assert (await wix.site(SITE).get_social_marketing_plan()).status == "ACTIVE"
    assert route.call_count == 2
    assert [s for s in slept if s > 0] == [0.05]


async def test_a_404_retrying_a_delete_means_done_only_if_the_earlier_try_may_have_acted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After a 5xx the earlier try may have deleted the record: the retry's 404 is that. After a
    429 Wix did nothing: the 404 is the answer (the record was never there), and it is raised."""

    async def no_sleep(seconds: float) -> None:
        pass

    async def delete(first: ApiError) -> str:
        answers = [first, NotFound("not found", status=404)]

        async def send() -> str:
            raise answers.pop(0)

        return await with_retries(
            send,
            policy=RetryPolicy(),
            idempotent=True,
            sleep=no_sleep,
            label="DELETE /events/e1",
            gone=(404, lambda: "deleted"),
        )

    assert await delete(ServerError("m", status=500)) == "deleted"
    said = "DELETE /events/e1: HTTP 404 on a retry: the earlier try had done it"
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING][-1] == said
    with pytest.raises(NotFound):
        await delete(RateLimited("m", status=429, retry_after=0))
