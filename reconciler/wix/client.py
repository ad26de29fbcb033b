"""`WixClient`: the connection, the credentials, retries and error translation for every call.

One code path for everything: `call()` chains retry → the site's credential → a single send
(renewing a refused token once) → translation of the answer. Tests and the emulator plug in
through `transport=`, never through a fake client class. The per-site methods live on
`SiteClient` (`site.py`).
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from reconciler.errors import ApiError, ConfigError, CredentialUnavailable, Unauthenticated

from .auth import Redactor, Secret, check_header_value
from .credentials import TOKEN_PATH, ApiKeyCredential, AuthContext, Credential, TokenCache
from .endpoints import SERVICE_PATH, Endpoint
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

DEFAULT_BASE_URL = "https://www.wixapis.com"
ENV_BASE_URL = "WIX_API_BASE_URL"
ENV_API_KEY = "WIX_API_KEY"
ENV_TIMEOUT = "WIX_API_TIMEOUT"
USER_AGENT = "mpr-wix-client"
DEFAULT_RETRY = RetryPolicy()  # frozen, so one shared default is safe

T = TypeVar("T")
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
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout = 30.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        max_connections: int = 20,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        credentials: CredentialResolver | None = None,
        redactor: Redactor | None = None,
        token_clock: Callable[[], float] | None = None,
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
        self._sleep = sleep or asyncio.sleep
        # Requests beyond the pool wait here rather than in httpcore's pool queue, whose cost
        # grows with queued requests × connections (encode/httpcore#1035).
        self._in_flight = asyncio.Semaphore(max_connections)
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=self._timeout,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            follow_redirects=False,
        )

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

    def credential_for(self, site_id: str) -> Credential | None:
        """The identity the client uses for `site_id`."""
        chosen = self._credentials(site_id) if self._credentials is not None else None
        return chosen or self._default

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
        subclasses only; no httpx or pydantic exception escapes.
        """
        path = endpoint.url_path(resource_id)
        credential = self.credential_for(site_id)
        info = RequestInfo(endpoint.verb, path, self.base_url, self.redactor, credential)

        async def attempt() -> T:
            return await self._send_authorized(site_id, endpoint.name, info, parse, params, body)

        if credential is not None:
            # Fetched here, with its own retries, so the call's retries do not multiply them.
            await credential.authorization(self._auth)

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

    async def request_token(self, body: Mapping[str, str], origin: str) -> Mapping[str, Any]:
        """POST `body` to the OAuth token endpoint; CredentialUnavailable when refused.

        Asking again for a token is harmless, so this is retried like a read.
        """
        info = RequestInfo("POST", TOKEN_PATH, self.base_url, self.redactor)

        async def attempt() -> dict[str, Any]:
            return await self._send_once("CreateAccessToken", info, dict, None, body, {})

        try:
            return await with_retries(
                attempt, policy=self.retry, idempotent=True, sleep=self._sleep, label=TOKEN_PATH
            )
        except CredentialUnavailable:
            raise
        except ApiError as exc:
            if exc.status is None or exc.status >= 500 or exc.status == 429:
                raise
            raise CredentialUnavailable(
                f"Wix refused a token for the {origin}: {exc.message}; check the app id and "
                "secret, and that the app is installed on the site with this instance id",
                method=exc.method,
                path=exc.path,
                status=exc.status,
                code=exc.code,
                request_id=exc.request_id,
            ) from exc

    async def _send_once(
        self,
        name: str,
        info: RequestInfo,
        parse: Callable[[dict[str, Any]], T],
        params: Mapping[str, str] | None,
        body: Mapping[str, Any] | None,
        headers: Mapping[str, str],
    ) -> T:
        request = self._http.build_request(
            info.method,
            self.base_url + info.path,
            params=dict(params) if params else None,
            json=body,
            headers=dict(headers),
        )
        self.request_count += 1
        try:
            async with self._in_flight:
                response = await self._http.send(request)
        except httpx.HTTPError as exc:
            raise error_from_transport(exc, info, self._timeout) from exc
        if not response.is_success:
            raise error_from_response(response, info)
        data = json_object(response, info, name)
        try:
            return parse(data)
        except ValueError as exc:
            raise shape_error(response, info, name, describe_parse_error(exc)) from exc


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
    return cleaned


def _bad_base_url(url: str) -> ConfigError:
    return ConfigError(
        f"{ENV_BASE_URL} must be an http(s) URL such as {DEFAULT_BASE_URL}, got {url!r}"
    )


def _parse_timeout(raw: str) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"{ENV_TIMEOUT} must be a positive number of seconds, got {raw!r}")
    return seconds
