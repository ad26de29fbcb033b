"""The one place where HTTP answers and httpx failures become `reconciler.errors` classes.

Rules: every error names the request by verb and path only (never the query string,
never headers, never the key), carries the Wix error code, field violations and the
`x-wix-request-id`, and is raised `from` the library exception it replaces. Server text
is passed through the run's `Redactor` so a secret echoed back by a server is masked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from reconciler.errors import (
    ApiError,
    ApiUnreachable,
    Conflict,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermanentApiError,
    PermissionDenied,
    PlanAlreadyGenerating,
    RateLimited,
    ServerError,
    Unauthenticated,
    UnexpectedAnswer,
)

from .auth import Redactor
from .credentials import Credential
from .reading import explain

REQUEST_ID_HEADER = "x-wix-request-id"
PLAN_ALREADY_GENERATING = "PLAN_ALREADY_GENERATING_ERROR"

_CLASSES: dict[int, type[ApiError]] = {
    400: InvalidArgument,
    401: Unauthenticated,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    428: FailedPrecondition,
    429: RateLimited,
}
_DEFAULT_MESSAGES: dict[int, str] = {
    400: "the request was rejected as invalid",
    404: "not found",
    409: "conflict: the thing already exists or changed",
    428: "the site is not in a state that allows this call",
    429: "too many requests: the Wix rate limit was hit",
}
# Requests that failed before any byte reached the server: safe to send again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RequestInfo:
    """What an error may say about the request it belongs to."""

    method: str
    path: str
    base_url: str
    redactor: Redactor = field(default_factory=Redactor)
    credential: Credential | None = None
    guidance: str = ""
    """What to check when refused (401/403), when the credential is the request itself
    (the token endpoint's client id and secret) rather than a header."""

    def redact(self, text: str) -> str:
        return self.redactor.redact(text)


# --- HTTP error answers ------------------------------------------------------------------


def error_from_response(
    response: httpx.Response, info: RequestInfo, *, now: datetime | None = None
) -> ApiError:
    """The `ApiError` subclass for an HTTP answer with a non-2xx status."""
    status = response.status_code
    body = _json_object_or_empty(response)
    violations = _violations(body, info)
    code = _application_code(body) or (violations[0].violated_rule if violations else None)
    cls = _error_class(status, code)
    message = _message(body, status, info)
    retry_after = None
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"), now or _now())
    return cls(
        message,
        method=info.method,
        path=info.path,
        status=status,
        code=code or None,
        request_id=_request_id(response, info),
        violations=violations,
        retry_after=retry_after,
    )


def _error_class(status: int, code: str | None) -> type[ApiError]:
    if status == 428 and code == PLAN_ALREADY_GENERATING:
        return PlanAlreadyGenerating
    if status in _CLASSES:
        return _CLASSES[status]
    if status >= 500:
        return ServerError
    if 400 <= status < 500:
        return PermanentApiError
    return ApiError


def _message(body: Mapping[str, Any], status: int, info: RequestInfo) -> str:
    text = body.get("message")
    said = isinstance(text, str) and bool(text.strip())
    if status in (401, 403):
        guidance = info.guidance or _guidance(status, info.credential)
        return f"{info.redact(str(text))}: {guidance}" if said else guidance
    if said:
        return info.redact(str(text))  # server text may echo a secret back
    return _DEFAULT_MESSAGES.get(status) or _fallback_message(status)


def _guidance(status: int, credential: Credential | None) -> str:
    if credential is not None:
        return credential.guidance(status)
    if status == 401:
        return (
            "no credential was sent: configure the site's `auth` (a Wix app or a Wix user) "
            "or set WIX_API_KEY (README: Connecting to Wix)"
        )
    return "the identity may not call this method on this site"


def _fallback_message(status: int) -> str:
    if status >= 500:
        return "the Wix service failed; retrying later may help"
    if 400 <= status < 500:
        return "the request was refused"
    return "unexpected HTTP status"


def _details(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    details = body.get("details")
    part = details.get(name) if isinstance(details, Mapping) else None
    return part if isinstance(part, Mapping) else {}


def _application_code(body: Mapping[str, Any]) -> str | None:
    code = _details(body, "applicationError").get("code")
    return code if isinstance(code, str) and code else None


def _violations(body: Mapping[str, Any], info: RequestInfo) -> tuple[FieldViolation, ...]:
    entries = _details(body, "validationError").get("fieldViolations")
    if not isinstance(entries, list):
        return ()
    return tuple(
        FieldViolation(
            field=info.redact(str(entry.get("field") or "")),
            description=info.redact(str(entry.get("description") or "")),
            violated_rule=str(entry.get("violatedRule") or ""),
        )
        for entry in entries
        if isinstance(entry, Mapping)
    )


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date).

    Returns None when the header is missing or unreadable, and 0 for a date in the past.
    """
    if not value or not value.strip():
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            when = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _now() -> datetime:
    return datetime.now(UTC)


# --- success bodies ----------------------------------------------------------------------


def json_object(response: httpx.Response, info: RequestInfo, name: str) -> dict[str, Any]:
    """The JSON object of a 2xx answer; an empty body counts as `{}`.

    Raises ApiError ("unexpected response shape") when the body is not a JSON object.
    """
    if not response.content.strip():
        return {}
    try:
        body = response.json()
    except RecursionError as exc:  # past the JSON decoder's reach: not a crash of mpr
        raise shape_error(response, info, name, "the body is nested too deeply to read") from exc
    except ValueError as exc:
        raise shape_error(response, info, name, "the body is not JSON") from exc
    if not isinstance(body, dict):
        raise shape_error(response, info, name, "the body is not a JSON object")
    return body


def describe_parse_error(exc: ValueError) -> str:
    """A short text for why a body did not parse (no input values: they may be large)."""
    return explain(exc)


def _json_object_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except (ValueError, RecursionError):  # includes an empty body, the normal case for 5xx
        return {}
    return body if isinstance(body, dict) else {}


def shape_error(response: httpx.Response, info: RequestInfo, name: str, detail: str) -> ApiError:
    """An `UnexpectedAnswer` for a 2xx answer whose body is not what `name` returns."""
    return UnexpectedAnswer(
        f"{name}: unexpected response shape: {info.redact(detail)}",
        method=info.method,
        path=info.path,
        status=response.status_code,
        request_id=_request_id(response, info),
    )


def _request_id(response: httpx.Response, info: RequestInfo) -> str | None:
    # A header is server text too: a proxy that echoes a secret must not get it printed.
    value = response.headers.get(REQUEST_ID_HEADER)
    return info.redact(value) if value else None


# --- no HTTP answer ----------------------------------------------------------------------


def error_from_transport(
    exc: httpx.HTTPError, info: RequestInfo, timeout: httpx.Timeout
) -> ApiError:
    """`ApiUnreachable` for a network failure or timeout; `ApiError` for other httpx errors."""
    reason = _transport_reason(exc, info, timeout)
    cls = ApiUnreachable if isinstance(exc, httpx.TransportError) else ApiError
    return cls(reason, method=info.method, path=info.path)


def _transport_reason(exc: httpx.HTTPError, info: RequestInfo, timeout: httpx.Timeout) -> str:
    base_url = info.base_url
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not reach {base_url}: no connection within {_seconds(timeout.connect)}"
    if isinstance(exc, httpx.PoolTimeout):
        return f"no free connection to {base_url} within {_seconds(timeout.pool)}"
    if isinstance(exc, httpx.WriteTimeout):
        return f"could not send to {base_url} within {_seconds(timeout.write)}"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer from {base_url} within {_seconds(timeout.read)}"
    text = info.redact(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"could not reach {base_url}: {text}"
    if isinstance(exc, httpx.TransportError):
        return f"lost the connection to {base_url}: {text}"
    return f"could not read the answer from {base_url}: {text}"


def _seconds(value: float | None) -> str:
    return "the time limit" if value is None else f"{value:g} s"


def never_sent(error: BaseException) -> bool:
    """True when `error` is a failure that happened before the request reached the server."""
    return isinstance(error, ApiUnreachable) and isinstance(error.__cause__, _NOT_SENT)


def may_have_been_applied(error: BaseException) -> bool:
    """Whether a failed call may still have taken effect on the Wix side.

    False for 4xx answers (refused), 429 (throttled before acting) and connection
    failures before sending. True for 5xx, for a timeout or disconnect after sending, and
    for a 2xx answer whose body could not be read: read the live state before re-sending
    a non-idempotent call (CreateEvent, Generate…, ScheduleDrafts…).
    """
    if isinstance(error, RateLimited | PermanentApiError):
        return False
    if isinstance(error, ApiUnreachable):
        return not never_sent(error)
    return True
