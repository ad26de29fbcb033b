"""`WixClient`: the connection, the key, retries and error translation for every call.

One code path for everything: `call()` chains retry → auth headers → a single send →
translation of the answer. Tests and the emulator plug in through `transport=`, never
through a fake client class. The per-site methods live on `SiteClient` (`site.py`).
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from reconciler.errors import ConfigError

from .auth import ApiKey, headers
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


class WixClient:
    """An async client for the Wix Marketing Plan API family; use `site(id)` to call it.

    `base_url` is the host root (`SERVICE_PATH` is appended to every method path; a
    trailing copy of it in `base_url` is dropped). Without `api_key` no `Authorization`
    header is sent and the server's 401 says to set WIX_API_KEY. `request_count` counts
    every HTTP request sent, retries included.
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
    ) -> None:
        self.base_url = normalise_base_url(base_url or DEFAULT_BASE_URL)
        self.retry = retry
        self.request_count = 0
        self._key = ApiKey(api_key) if api_key else None
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
        return self._key is not None

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeouts applied to every request."""
        return self._timeout

    def __repr__(self) -> str:
        key = "***" if self._key is not None else None
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
        info = RequestInfo(endpoint.verb, path, self.base_url, self._key)

        async def attempt() -> T:
            return await self._send_once(site_id, endpoint.name, info, parse, params, body)

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

    async def _send_once(
        self,
        site_id: str,
        name: str,
        info: RequestInfo,
        parse: Callable[[dict[str, Any]], T],
        params: Mapping[str, str] | None,
        body: Mapping[str, Any] | None,
    ) -> T:
        request = self._http.build_request(
            info.method,
            self.base_url + info.path,
            params=dict(params) if params else None,
            json=body,
            headers=headers(self._key, site_id),
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
