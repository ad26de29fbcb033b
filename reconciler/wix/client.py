"""`WixClient`: the connection, the credentials, retries and error translation for every call.

One code path for everything: `call()` chains retry → the site's credential → a single send
(renewing a refused token once) → translation of the answer. Tests and the emulator plug in
through `transport=`, never through a fake client class. The per-site methods live on
`SiteClient` (`site.py`).

What a fleet costs is bounded here, not in the engine: at most `max_connections` requests in
flight over the whole client, and at most Wix's 200 per minute per site (`ratelimit.py`).
A site that waits (for a generation, a retry, its rate limit) holds neither. The client also
stops the whole run at the first sign that nothing can succeed (`stopped`): the server
unreachable before it ever answered, or a credential shared by many sites refused before
any request succeeded. Then every call fails at once with that one error, unsent.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import replace
from types import TracebackType
from typing import Any, TypeVar

import httpx

from reconciler.errors import (
    ApiError,
    ApiUnreachable,
    ConfigError,
    CredentialUnavailable,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
)

from . import inspect
from .auth import MASK, Redactor, Secret, check_header_value
from .credentials import TOKEN_PATH, ApiKeyCredential, AuthContext, Credential, TokenCache
from .endpoints import SERVICE_PATH, Endpoint
from .inflight import POLL_RANK, OldestFirst, is_polling
from .ratelimit import WIX_REQUESTS_PER_MINUTE, SiteRateLimit
from .responses import (
    RequestInfo,
    describe_parse_error,
    error_from_response,
    error_from_transport,
    json_object,
    shape_error,
)
from .retry import RetryPolicy, with_retries
from .site import SiteClient
from .transport import AiohttpTransport

DEFAULT_BASE_URL = "https://www.wixapis.com"
ENV_BASE_URL = "WIX_API_BASE_URL"
ENV_API_KEY = "WIX_API_KEY"
ENV_TIMEOUT = "WIX_API_TIMEOUT"
USER_AGENT = "mpr-wix-client"
DEFAULT_RETRY = RetryPolicy()  # frozen, so one shared default is safe
DEFAULT_MAX_CONNECTIONS = 64
"""Requests in flight at once by default (`mpr --max-in-flight`): see tests/bench/RESULTS.md."""

T = TypeVar("T")
_RANK: ContextVar[int] = ContextVar("mpr_site_rank", default=-1)
"""The rank of the site whose call is running (token requests inherit it)."""
CredentialResolver = Callable[[str], Credential | None]
"""The credential for a site id (None: the client's default)."""


class WixClient:
    """An async client for the Wix Marketing Plan API family; use `site(id)` to call it.

    `base_url` is the host root (`SERVICE_PATH` is appended to every method path; a
    trailing copy of it in `base_url` is dropped). `credentials` gives each site its own
    identity (a Wix app or a Wix user, `credentials.py`); a site it has none for uses
    `api_key`, and without either no `Authorization` header is sent. Every secret the client
    meets goes to `redactor` before it can reach a message. `request_count` counts every
    HTTP request sent, retries and token requests included.

    `max_connections` bounds the requests in flight (and the connection pool);
    `rate_limit_per_minute` the requests per site in any minute (0: none). `clock` (monotonic
    seconds) and `sleep` are injectable, for tests; a `sleep` given without a `clock` makes
    time pass only when the client sleeps.
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout = 30.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        credentials: CredentialResolver | None = None,
        redactor: Redactor | None = None,
        token_clock: Callable[[], float] | None = None,
        rate_limit_per_minute: int = WIX_REQUESTS_PER_MINUTE,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.base_url = normalise_base_url(base_url or DEFAULT_BASE_URL)
        self.retry = retry
        self.request_count = 0
        self.redactor = redactor if redactor is not None else Redactor()
        self._default: Credential | None = None
        if api_key:
            key = Secret(api_key)
            self.redactor.add(key)
            check_header_value(api_key, ENV_API_KEY)
            self._default = ApiKeyCredential(key)
        self._credentials = credentials
        cache = TokenCache(token_clock) if token_clock is not None else TokenCache()
        self._auth = AuthContext(endpoint=self, redactor=self.redactor, cache=cache)
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._sleep, now = _timekeeping(sleep, clock)
        # Requests beyond the pool wait here, oldest site first, not in the pool's own queue.
        self._in_flight = OldestFirst(max_connections)
        self._ranks: dict[str, int] = {}
        self.rate_limit = SiteRateLimit(rate_limit_per_minute, clock=now, sleep=self._sleep)
        self._contact = False
        """Whether the server has answered anything (any status) yet."""
        self._succeeded = False
        """Whether any request has succeeded yet."""
        self._probe: asyncio.Event | None = None
        """Set when the request probing for first contact ends (None: none is out)."""
        self._stopped: ApiError | None = None
        self._http = httpx.AsyncClient(
            transport=transport or AiohttpTransport(max_connections=max_connections),
            timeout=self._timeout,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            follow_redirects=False,
        )
        # Requests are built here rather than by `build_request`, which parses the URL again
        # and merges headers for every request (a tenth of a site's CPU, tests/bench).
        self._headers = self._http.headers.multi_items()
        self._extensions = {"timeout": self._timeout.as_dict()}
        self._urls: dict[str, httpx.URL] = {}
        self.before_write: Callable[[], Awaitable[None]] | None = None
        """Awaited before every send of a call that changes something on Wix (each retry
        too); what it raises fails the call unsent. Apply's git store checks its lease here."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs: Any) -> WixClient:
        """A client configured from WIX_API_BASE_URL, WIX_API_KEY and WIX_API_TIMEOUT.

        `env` defaults to `os.environ`; empty variables count as unset; `kwargs` win over
        the environment. Raises ConfigError when WIX_API_TIMEOUT is not a positive number
        or WIX_API_BASE_URL is not an http(s) URL.
        """
        source = os.environ if env is None else env
        settings: dict[str, Any] = {}
        if base_url := source.get(ENV_BASE_URL, "").strip():
            settings["base_url"] = base_url
        if api_key := source.get(ENV_API_KEY, "").strip():
            settings["api_key"] = api_key
        if timeout := source.get(ENV_TIMEOUT, "").strip():
            settings["timeout"] = _parse_timeout(timeout)
        settings.update(kwargs)
        return cls(**settings)

    @property
    def has_api_key(self) -> bool:
        """Whether an API key is configured (its value is never exposed)."""
        return self._default is not None

    @property
    def token_requests(self) -> int:
        """How many tokens were fetched (token endpoint requests and credential commands)."""
        return self._auth.cache.fetches

    async def sign_in(self, site_id: str) -> Credential | None:
        """Get `site_id`'s authorization now (a token request for a Wix app, the command for
        a Wix user) and return the credential used; CredentialUnavailable when refused."""
        credential = self.credential_for(site_id)
        if credential is not None:
            await credential.authorization(self._auth)  # a token request is guarded itself
        return credential

    def credential_for(self, site_id: str) -> Credential | None:
        """The identity the client uses for `site_id`."""
        chosen = self._credentials(site_id) if self._credentials is not None else None
        return chosen or self._default

    @property
    def stopped(self) -> ApiError | None:
        """The error that stopped every call, or None while calls may still succeed.

        Set when the server could not be reached before it ever answered, or when Wix
        refused a credential that other sites share (an API key, a Wix app's id and secret)
        before any request had succeeded: retrying every site would only repeat it.
        """
        return self._stopped

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeouts applied to every request."""
        return self._timeout

    def __repr__(self) -> str:
        key = "***" if self._default is not None else None
        return f"WixClient(base_url={self.base_url!r}, api_key={key})"

    async def __aenter__(self) -> WixClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        await self._http.aclose()

    def site(self, site_id: str) -> SiteClient:
        """The methods of the API for one site (binds the `wix-site-id` header)."""
        if not site_id or not site_id.strip():
            raise ValueError("site_id must not be empty")
        return SiteClient(self, site_id)

    async def call(
        self,
        site_id: str,
        endpoint: Endpoint,
        parse: Callable[[dict[str, Any]], T],
        *,
        resource_id: str | None = None,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> T:
        """Send one API call (with retries) and return `parse` of its JSON object.

        Low level: `SiteClient` is the intended API. `parse` signals a body of the wrong
        shape by raising ValueError (pydantic's ValidationError is one). Raises ApiError
        subclasses only (and what `before_write` raises); no httpx or pydantic exception escapes.
        """
        path = endpoint.url_path(resource_id)
        rank = self._ranks.get(site_id)
        if rank is None:
            rank = self._ranks[site_id] = len(self._ranks)
        _RANK.set(rank)
        credential = self.credential_for(site_id)
        info = RequestInfo(endpoint.verb, path, self.base_url, self.redactor, credential)

        async def attempt() -> T:
            if endpoint.writes and self.before_write is not None:
                await self.before_write()
            return await self._send_authorized(site_id, endpoint.name, info, parse, params, body)

        if credential is not None:
            # Fetched here, with its own retries, so the call's retries do not multiply them.
            await credential.authorization(self._auth)

        async def retried() -> T:
            return await with_retries(
                attempt,
                policy=self.retry,
                idempotent=endpoint.idempotent,
                sleep=self._sleep,
                label=f"{endpoint.verb} {path}",
                gone=None
                if endpoint.gone_status is None
                else (endpoint.gone_status, lambda: parse({})),
            )

        try:
            return await self._guarded(retried)
        except (Unauthenticated, PermissionDenied) as exc:
            if isinstance(credential, ApiKeyCredential) and not self._succeeded:
                self._stop(exc, f"the {credential.describe()}")
            raise

    async def _guarded(self, run: Callable[[], Awaitable[T]]) -> T:
        """`run()`, unless the client is stopped; one request at a time until first contact.

        Until the server has answered once, requests go one at a time, each with its
        retries: when the first one finds the server unreachable, the client stops and the
        others fail at once instead of each retrying against a dead endpoint.
        """
        self._raise_if_stopped()
        while not self._contact:
            if self._probe is not None:  # another request is probing: wait for its end
                await self._probe.wait()
                self._raise_if_stopped()
                continue
            self._probe = asyncio.Event()
            try:
                return await run()
            except ApiUnreachable as exc:
                if not self._contact:
                    self._stop(exc, f"reaching {self.base_url}")
                raise
            finally:
                # Every waiter goes on at once, so the in-flight slots, not the order they
                # queued in here, decide which site's request goes first.
                self._probe.set()
                self._probe = None
        return await run()

    def _raise_if_stopped(self) -> None:
        if self._stopped is not None:
            raise replace(self._stopped)

    def _stop(self, error: ApiError, what: str) -> None:
        if self._stopped is None:
            self._stopped = replace(
                error,
                message=f"{error.message} (mpr stopped there: {what} failed before any "
                "request had succeeded, and every other site would meet the same answer)",
            )

    async def _send_authorized(
        self,
        site_id: str,
        name: str,
        info: RequestInfo,
        parse: Callable[[dict[str, Any]], T],
        params: Mapping[str, str] | None,
        body: Mapping[str, Any] | None,
    ) -> T:
        """One send; a refused token (401) is renewed and the request sent once more.

        Sending again is safe: a 401 means Wix did not look at the request.
        """
        credential = info.credential
        headers = {"wix-site-id": site_id}
        if credential is None:
            return await self._send_once(name, info, parse, params, body, headers)
        token = await credential.authorization(self._auth)
        try:
            return await self._send_once(
                name, info, parse, params, body, {**headers, "Authorization": token}
            )
        except Unauthenticated:
            if not credential.renewable:
                raise
            credential.refused(token, self._auth)
        token = await credential.authorization(self._auth)
        return await self._send_once(
            name, info, parse, params, body, {**headers, "Authorization": token}
        )

    async def request_token(
        self, body: Mapping[str, str], origin: str, guidance: str
    ) -> Mapping[str, Any]:
        """POST `body` to the OAuth token endpoint; CredentialUnavailable when refused.

        `guidance` (the variables the app's id and secret came from) replaces the advice for a
        request sent without a credential. Asking again for a token is harmless, so this is
        retried like a read.
        """
        info = RequestInfo("POST", TOKEN_PATH, self.base_url, self.redactor, guidance=guidance)

        async def attempt() -> dict[str, Any]:
            # The answer as read (not a copy), so an inspection sees which members are used.
            return await self._send_once("CreateAccessToken", info, _as_is, None, body, {})

        async def retried() -> dict[str, Any]:
            return await with_retries(
                attempt, policy=self.retry, idempotent=True, sleep=self._sleep, label=TOKEN_PATH
            )

        try:
            return await self._guarded(retried)
        except CredentialUnavailable:
            raise
        except ApiError as exc:
            if exc.status is None or exc.status == 429 or not 400 <= exc.status < 500:
                # No refusal: out of reach, busy, failing, or an answer mpr cannot read (a
                # proxy's page): nothing says the app's id or secret is wrong.
                raise
            advice = "" if exc.status in (401, 403) else f"; {guidance}"
            refused = CredentialUnavailable(
                f"Wix refused a token for the {origin}: {exc.message}{advice}",
                method=exc.method,
                path=exc.path,
                status=exc.status,
                code=exc.code,
                request_id=exc.request_id,
            )
            if exc.status in (401, 403) and not self._succeeded:
                # The app's id or secret is wrong: every site of this app would hear the same.
                self._stop(refused, f"signing in as the Wix app {body.get('client_id', '')}")
            raise refused from exc

    async def _send_once(
        self,
        name: str,
        info: RequestInfo,
        parse: Callable[[dict[str, Any]], T],
        params: Mapping[str, str] | None,
        body: Mapping[str, Any] | None,
        headers: Mapping[str, str],
    ) -> T:
        url = self._urls.get(info.path)
        if url is None:
            url = self._urls[info.path] = httpx.URL(self.base_url + info.path)
        sent = [*self._headers, *headers.items()]
        content = None
        if body is not None:
            content = json.dumps(
                body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode()
            sent.append(("Content-Type", "application/json"))
        request = httpx.Request(
            info.method,
            url.copy_merge_params(dict(params)) if params else url,
            headers=sent,
            content=content,
            extensions=self._extensions,
        )
        site_id = headers.get("wix-site-id")
        try:
            async with self.rate_limit.slot(site_id):
                await self._in_flight.acquire(_RANK.get() + (POLL_RANK if is_polling() else 0))
                try:
                    self.request_count += 1
                    response = await self._exchange(request)
                finally:
                    self._in_flight.release()
        except httpx.HTTPError as exc:
            raise error_from_transport(exc, info, self._timeout) from exc
        self._contact = True
        if not response.is_success:
            inspect.refused(name, response.status_code)
            error = error_from_response(response, info)
            if isinstance(error, RateLimited) and error.retry_after:
                # This site's other requests wait too; every other site goes on at full speed.
                self.rate_limit.pause(site_id, error.retry_after)
            raise error
        self._succeeded = True
        data = inspect.answered(name, response.status_code, json_object(response, info, name))
        try:
            return parse(data)
        except ValueError as exc:
            raise shape_error(response, info, name, describe_parse_error(exc)) from exc

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        """`request` through the transport, the answer read whole.

        What `AsyncClient.send` does, less what this client never uses (auth flows,
        redirects, cookie jars, event hooks), which costs about as much CPU as the rest of
        the request (tests/bench/RESULTS.md). The transport is the client's own choice for
        the URL, so mounts and `respx.mock(using="httpx")` still apply.
        """
        transport = self._http._transport_for_url(request.url)
        response = await transport.handle_async_request(request)
        response.request = request
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response


Sleep = Callable[[float], Awaitable[None]]


def _as_is(data: dict[str, Any]) -> dict[str, Any]:
    return data


def _timekeeping(
    sleep: Sleep | None, clock: Callable[[], float] | None
) -> tuple[Sleep, Callable[[], float]]:
    """The client's sleep and monotonic clock; an injected sleep alone brings its own time."""
    if sleep is None or clock is not None:
        return sleep or asyncio.sleep, clock or time.monotonic
    fake = sleep
    slept = [0.0]

    async def counted(seconds: float) -> None:
        slept[0] += max(seconds, 0.0)
        await fake(seconds)

    return counted, lambda: slept[0]


def normalise_base_url(url: str) -> str:
    """`url` without trailing slashes or a trailing `SERVICE_PATH`.

    Raises ConfigError unless it is an absolute http(s) URL.
    """
    cleaned = url.strip().rstrip("/")
    if cleaned.endswith(SERVICE_PATH):
        cleaned = cleaned[: -len(SERVICE_PATH)].rstrip("/")
    try:
        parsed = httpx.URL(cleaned)
    except httpx.InvalidURL as exc:
        raise _bad_base_url(url) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise _bad_base_url(url)
    if parsed.userinfo:
        raise ConfigError(
            f"{ENV_BASE_URL} holds a user name or password ({without_password(cleaned)}): "
            "mpr signs in as each site's `auth` says, never with credentials in the URL; "
            "remove them from the URL"
        )
    return cleaned


def without_password(url: str) -> str:
    """`url` with the password of its user info (`http://user:password@host`) masked."""
    return _USER_INFO.sub(rf"\1{MASK}@", url)


_USER_INFO = re.compile(r"^([^:/?#]*://[^/?#@:]*:)[^/?#]*@")


def _bad_base_url(url: str) -> ConfigError:
    return ConfigError(
        f"{ENV_BASE_URL} must be an http(s) URL such as {DEFAULT_BASE_URL}, "
        f"got {without_password(url)!r}"
    )


def _parse_timeout(raw: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"{ENV_TIMEOUT} must be a positive number of seconds, got {raw!r}")
    return seconds
