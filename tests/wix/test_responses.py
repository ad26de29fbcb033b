"""HTTP answers and httpx failures → the errors.py tree (the one translation point)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pydantic
import pytest
import respx

from reconciler.errors import (
    ApiError,
    ApiUnreachable,
    Conflict,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    MprError,
    NotFound,
    PermanentApiError,
    PermissionDenied,
    PlanAlreadyGenerating,
    RateLimited,
    ServerError,
    Unauthenticated,
)
from reconciler.wix import SERVICE_PATH, RetryPolicy, SiteClient, WixClient, may_have_been_applied
from reconciler.wix.responses import RequestInfo, error_from_response, parse_retry_after

from .support import BASE, SITE, api_route

PLAN_PATH = SERVICE_PATH + "/marketing-plan"
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
async def once(fake_sleep: Callable[[float], Awaitable[None]]) -> AsyncIterator[SiteClient]:
    """A site client that never retries, so each answer maps to exactly one error."""
    policy = RetryPolicy(max_attempts=1)
    async with WixClient(
        base_url=BASE, api_key="test-key-0123456789", retry=policy, sleep=fake_sleep
    ) as wix:
        yield wix.site(SITE)


async def _error_for(
    router: respx.MockRouter, site: SiteClient, response: httpx.Response
) -> ApiError:
    api_route(router, "GET", "/marketing-plan").mock(return_value=response)
    with pytest.raises(ApiError) as caught:
        await site.get_social_marketing_plan()
    return caught.value


# --- status → class -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidArgument),
        (401, Unauthenticated),
        (403, PermissionDenied),
        (404, NotFound),
        (409, Conflict),
        (428, FailedPrecondition),
        (429, RateLimited),
        (500, ServerError),
        (501, ServerError),
        (503, ServerError),
        (504, ServerError),
        (418, PermanentApiError),
        (422, PermanentApiError),
        (302, ApiError),
    ],
)
async def test_each_status_maps_to_its_class(
    status: int, cls: type[ApiError], router: respx.MockRouter, once: SiteClient
) -> None:
    error = await _error_for(router, once, httpx.Response(status))
    assert type(error) is cls
    assert (error.status, error.method, error.path) == (status, "GET", PLAN_PATH)
    assert error.message  # a sensible default even with an empty body


async def test_application_error_envelope(router: respx.MockRouter, once: SiteClient) -> None:
    route = api_route(router, "POST", "/marketing-plan/regenerate-marketing-plan")
    envelope = {
        "message": "plan already generating",
        "details": {
            "applicationError": {
                "code": "PLAN_ALREADY_GENERATING_ERROR",
                "description": "A generation for this site is still running",
                "data": {},
            }
        },
    }
    route.mock(
        return_value=httpx.Response(428, json=envelope, headers={"x-wix-request-id": "req-42"})
    )
    with pytest.raises(PlanAlreadyGenerating) as caught:
        await once.regenerate_marketing_plan()
    error = caught.value
    assert isinstance(error, FailedPrecondition)
    assert (error.code, error.request_id) == ("PLAN_ALREADY_GENERATING_ERROR", "req-42")
    assert str(error) == (
        f"POST {SERVICE_PATH}/marketing-plan/regenerate-marketing-plan → HTTP 428 → "
        "PLAN_ALREADY_GENERATING_ERROR: plan already generating (request id req-42)"
    )


async def test_another_428_code_stays_a_plain_failed_precondition(
    router: respx.MockRouter, once: SiteClient
) -> None:
    envelope = {"message": "m", "details": {"applicationError": {"code": "PLAN_NOT_FOUND"}}}
    error = await _error_for(router, once, httpx.Response(428, json=envelope))
    assert type(error) is FailedPrecondition and error.code == "PLAN_NOT_FOUND"


async def test_validation_error_envelope_keeps_every_violation(
    router: respx.MockRouter, once: SiteClient
) -> None:
    envelope = {
        "message": "invalid request",
        "details": {
            "validationError": {
                "fieldViolations": [
                    {
                        "field": "marketingActivityIds",
                        "description": "too few",
                        "violatedRule": "MIN_SIZE",
                    },
                    {"field": "draftIds[0]", "description": "not a GUID", "violatedRule": "FORMAT"},
                    "garbage",
                    {"field": None},
                ]
            }
        },
    }
    error = await _error_for(router, once, httpx.Response(400, json=envelope))
    assert type(error) is InvalidArgument
    assert error.code == "MIN_SIZE"
    assert error.violations == (
        FieldViolation("marketingActivityIds", "too few", "MIN_SIZE"),
        FieldViolation("draftIds[0]", "not a GUID", "FORMAT"),
        FieldViolation("", "", ""),
    )
    assert str(error).endswith(
        "invalid request\n  marketingActivityIds: too few\n  draftIds[0]: not a GUID\n  : "
    )


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(400, content=b"<html>Bad Gateway</html>"),
        httpx.Response(400, json=["not", "an", "object"]),
        httpx.Response(400, json={"message": "", "details": "x"}),
        httpx.Response(400, json={"message": 7, "details": {"validationError": "x"}}),
        httpx.Response(400, json={"details": {"validationError": {"fieldViolations": "x"}}}),
        httpx.Response(400, json={"details": {"applicationError": {"code": 12}}}),
    ],
    ids=["html", "array", "empty-message", "number-message", "bad-violations", "bad-code"],
)
async def test_malformed_envelopes_still_give_a_clean_error(
    response: httpx.Response, router: respx.MockRouter, once: SiteClient
) -> None:
    error = await _error_for(router, once, response)
    assert type(error) is InvalidArgument
    assert error.message == "the request was rejected as invalid"
    assert (error.code, error.violations) == (None, ())


async def test_server_errors_have_a_default_message(
    router: respx.MockRouter, once: SiteClient
) -> None:
    error = await _error_for(router, once, httpx.Response(503))
    assert error.message == "the Wix service failed; retrying later may help"
    assert str(error) == f"GET {PLAN_PATH} → HTTP 503: {error.message}"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "the Wix service failed; retrying later may help"),
        (418, "the request was refused"),
        (302, "unexpected HTTP status"),
    ],
)
async def test_an_answer_without_a_message_says_what_its_status_means(
    status: int, message: str, router: respx.MockRouter, once: SiteClient
) -> None:
    error = await _error_for(router, once, httpx.Response(status))
    assert error.message == message


async def test_an_error_answer_nested_too_deeply_is_read_as_one_without_a_body(
    router: respx.MockRouter, once: SiteClient
) -> None:
    deep = b"[" * 10_000 + b"]" * 10_000
    error = await _error_for(router, once, httpx.Response(503, content=deep))
    assert type(error) is ServerError
    assert error.message == "the Wix service failed; retrying later may help"


async def test_the_path_in_an_error_has_no_query_string(
    router: respx.MockRouter, once: SiteClient
) -> None:
    api_route(router, "DELETE", "/marketing-plan/plan-marketing-activity").mock(
        return_value=httpx.Response(404, json={"message": "no such activity"})
    )
    with pytest.raises(NotFound) as caught:
        await once.delete_plan_marketing_activity("a-1")
    assert caught.value.path == SERVICE_PATH + "/marketing-plan/plan-marketing-activity"
    assert "a-1" not in str(caught.value) and "?" not in str(caught.value)


async def test_401_without_a_key_says_to_set_wix_api_key(
    router: respx.MockRouter, fake_sleep: Callable[[float], Awaitable[None]]
) -> None:
    route = api_route(router, "GET", "/marketing-plan")
    route.mock(return_value=httpx.Response(401, json={"message": "unauthorized"}))
    async with WixClient(base_url=BASE, sleep=fake_sleep) as wix:
        assert not wix.has_api_key
        with pytest.raises(Unauthenticated) as caught:
            await wix.site(SITE).get_social_marketing_plan()
    assert caught.value.message == (
        "unauthorized: no credential was sent: configure the site's `auth` (a Wix app or a "
        "Wix user) or set WIX_API_KEY (README: Connecting to Wix)"
    )
    assert "authorization" not in route.calls.last.request.headers
    assert route.call_count == 1  # a 401 is never retried


async def test_403_without_a_key_says_the_caller_may_not_call_it(
    router: respx.MockRouter, fake_sleep: Callable[[float], Awaitable[None]]
) -> None:
    api_route(router, "GET", "/marketing-plan").mock(return_value=httpx.Response(403))
    async with WixClient(base_url=BASE, sleep=fake_sleep) as wix:
        with pytest.raises(PermissionDenied) as caught:
            await wix.site(SITE).get_social_marketing_plan()
    assert caught.value.message == "the identity may not call this method on this site"


async def test_401_with_a_key_says_the_key_was_refused(
    router: respx.MockRouter, once: SiteClient
) -> None:
    error = await _error_for(router, once, httpx.Response(401))
    assert error.message == "Wix did not accept the API key in WIX_API_KEY (check its value)"


# --- Retry-After ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-3", 0.0),
        (format_datetime(datetime(2026, 11, 27, 9, 0, 30, tzinfo=UTC), usegmt=True), 30.0),
        ("Fri, 27 Nov 2026 09:01:00 GMT", 60.0),
        ("Fri, 27 Nov 2026 08:59:00 GMT", 0.0),
        ("Fri, 27 Nov 2026 09:00:10 -0000", 10.0),
        ("soon", None),
        ("inf", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_a_429_carries_its_retry_after() -> None:
    info = RequestInfo("GET", PLAN_PATH, BASE)
    response = httpx.Response(429, headers={"Retry-After": "Fri, 27 Nov 2026 09:00:20 GMT"})
    error = error_from_response(response, info, now=NOW)
    assert isinstance(error, RateLimited) and error.retry_after == 20.0
    plain = error_from_response(httpx.Response(429), info, now=NOW)
    assert plain.retry_after is None


# --- no HTTP answer -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "cls", "message"),
    [
        (
            httpx.ConnectError("[Errno 111] Connection refused"),
            ApiUnreachable,
            "could not reach https://wix.test: [Errno 111] Connection refused",
        ),
        (
            httpx.ConnectTimeout(""),
            ApiUnreachable,
            "could not reach https://wix.test: no connection within 30 s",
        ),
        (httpx.ReadTimeout(""), ApiUnreachable, "no answer from https://wix.test within 30 s"),
        (httpx.WriteTimeout(""), ApiUnreachable, "could not send to https://wix.test within 30 s"),
        (
            httpx.PoolTimeout(""),
            ApiUnreachable,
            "no free connection to https://wix.test within 30 s",
        ),
        (
            httpx.ReadError("connection reset by peer"),
            ApiUnreachable,
            "lost the connection to https://wix.test: connection reset by peer",
        ),
        (
            httpx.RemoteProtocolError(""),
            ApiUnreachable,
            "lost the connection to https://wix.test: RemoteProtocolError",
        ),
        (
            httpx.DecodingError("bad gzip"),
            ApiError,
            "could not read the answer from https://wix.test: bad gzip",
        ),
    ],
)
async def test_transport_failures_become_api_errors_with_a_clear_message(
    exc: Exception, cls: type[ApiError], message: str, router: respx.MockRouter, once: SiteClient
) -> None:
    api_route(router, "GET", "/marketing-plan").mock(side_effect=exc)
    with pytest.raises(ApiError) as caught:
        await once.get_social_marketing_plan()
    error = caught.value
    assert type(error) is cls
    assert error.message == message
    assert (error.method, error.path, error.status) == ("GET", PLAN_PATH, None)
    assert error.__cause__ is exc


async def test_the_timeout_in_the_message_is_the_configured_one(
    router: respx.MockRouter, fake_sleep: Callable[[float], Awaitable[None]]
) -> None:
    api_route(router, "GET", "/marketing-plan").mock(side_effect=httpx.ReadTimeout(""))
    policy = RetryPolicy(max_attempts=1)
    async with WixClient(base_url=BASE, timeout=7.5, retry=policy, sleep=fake_sleep) as wix:
        with pytest.raises(ApiUnreachable, match="no answer from https://wix.test within 7.5 s"):
            await wix.site(SITE).get_social_marketing_plan()
    async with WixClient(base_url=BASE, timeout=httpx.Timeout(None), retry=policy) as wix:
        with pytest.raises(ApiUnreachable, match="within the time limit"):
            await wix.site(SITE).get_social_marketing_plan()


LIBRARY_FAILURES = [
    httpx.ConnectError("refused"),
    httpx.ConnectTimeout("t"),
    httpx.ReadTimeout("t"),
    httpx.WriteTimeout("t"),
    httpx.PoolTimeout("t"),
    httpx.ReadError("r"),
    httpx.WriteError("w"),
    httpx.RemoteProtocolError("p"),
    httpx.LocalProtocolError("p"),
    httpx.ProxyError("p"),
    httpx.UnsupportedProtocol("u"),
    httpx.DecodingError("d"),
    httpx.TooManyRedirects("r"),
]


@pytest.mark.parametrize("exc", LIBRARY_FAILURES, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("idempotent", [True, False], ids=["idempotent", "non-idempotent"])
async def test_no_library_exception_escapes_a_public_call(
    exc: Exception, idempotent: bool, router: respx.MockRouter, site: SiteClient
) -> None:
    router.route().mock(side_effect=exc)
    with pytest.raises(MprError) as caught:
        if idempotent:
            await site.query_events(NOW, NOW)
        else:
            await site.create_event({"name": "n", "date": NOW})
    assert isinstance(caught.value, ApiError)
    assert not isinstance(caught.value, httpx.HTTPError | pydantic.ValidationError)


def test_our_errors_are_not_library_errors() -> None:
    for cls in (ApiError, ApiUnreachable, ServerError, RateLimited, InvalidArgument):
        assert not issubclass(cls, httpx.HTTPError | pydantic.ValidationError | ValueError)


# --- may the failed call have been applied? ------------------------------------------------


def _caused_by(error: ApiError, cause: BaseException) -> ApiError:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "applied"),
    [
        (InvalidArgument("m", status=400), False),
        (PlanAlreadyGenerating("m", status=428), False),
        (RateLimited("m", status=429), False),
        (_caused_by(ApiUnreachable("m"), httpx.ConnectError("x")), False),
        (_caused_by(ApiUnreachable("m"), httpx.ConnectTimeout("x")), False),
        (_caused_by(ApiUnreachable("m"), httpx.PoolTimeout("x")), False),
        (_caused_by(ApiUnreachable("m"), httpx.ReadTimeout("x")), True),
        (_caused_by(ApiUnreachable("m"), httpx.RemoteProtocolError("x")), True),
        (ApiUnreachable("m"), True),
        (ServerError("m", status=500), True),
        (ApiError("unexpected response shape", status=200), True),
    ],
)
def test_may_have_been_applied(error: ApiError, applied: bool) -> None:
    assert may_have_been_applied(error) is applied
