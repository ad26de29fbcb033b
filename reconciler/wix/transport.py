"""The HTTP transport under `WixClient`'s httpx API: aiohttp's connection pool.

Why not httpx's own transport (httpcore): measured over loopback HTTP against a server in
another process (tests/bench/RESULTS.md, "The HTTP stack"), three GETs per site cost about
9 ms of CPU per site through httpcore 1.0.9 (7 ms with `sniffio` installed: without it,
httpcore asks `current_async_library()` on every request and pays for a failed import each
time), and grow with the pool size, because its pool scans every connection for every request
(encode/httpcore#1035). Through aiohttp's pool the same requests cost about 2.5 ms, flat in
the pool size. httpx stays the API: requests and responses are `httpx` objects, `respx`
mocks at the httpx layer (`respx.mock(using="httpx")`), and tests still plug in any
`httpx.AsyncBaseTransport`.

Why not the `httpx-aiohttp` package: it maps every `aiohttp.ClientConnectionError` to
`httpx.ConnectTimeout`, including a connection dropped after the request was sent. The retry
rules (`retry.py`) read `ConnectTimeout` as "never sent" and would send a CreateEvent or a
Generate a second time. `_map_errors` keeps httpx's meaning: only a failure to connect is a
`ConnectError`/`ConnectTimeout`; a disconnect or reset after sending is a `RemoteProtocolError`
/ `ReadError`, a read timeout a `ReadTimeout`.

aiohttp never sends a request twice by itself (`_open`): retries are `retry.py`'s alone.
Bodies are read whole (Wix answers small JSON documents) and handed to httpx, which decodes
any `Content-Encoding`. Proxies come from the environment (HTTP(S)_PROXY, NO_PROXY) as with
httpx's default transport; TLS is verified with httpx's default context (certifi).
"""

from __future__ import annotations

import contextlib
import ssl
import urllib.request
from collections.abc import Iterator

import aiohttp
import httpx

_NO_TIMEOUT: dict[str, float | None] = {}


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport over one `aiohttp.ClientSession` (created on the first request)."""

    def __init__(self, *, max_connections: int = 100, keepalive_expiry: float = 30.0) -> None:
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._session: aiohttp.ClientSession | None = None
        self._tls: ssl.SSLContext | None = None
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}
        self._proxies: dict[tuple[str, str], str | None] = {}

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_expiry,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            trust_env=False,  # True costs a thread hop per request (netrc, proxy): see _proxy
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        # aiohttp sends an idempotent request (GET, DELETE…) a second time, unseen, when its
        # connection drops. The client's retry rules must see every failure: a DELETE whose
        # first try landed answers 404 to the hidden second one (tests/contract/test_faults.py).
        # No public switch exists; the attribute is one of ClientSession's declared ATTRS.
        session._retry_connection = False
        return session

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        given = request.extensions.get("timeout", _NO_TIMEOUT)
        key = (given.get("connect"), given.get("read"), given.get("pool"))
        found = self._timeouts.get(key)
        if found is None:
            connect, read, pool = key
            found = aiohttp.ClientTimeout(
                total=None, connect=pool, sock_connect=connect, sock_read=read
            )
            self._timeouts[key] = found
        return found

    def _proxy(self, url: httpx.URL) -> str | None:
        """The proxy for `url` from HTTP(S)_PROXY / NO_PROXY, looked up once per host."""
        key = (url.scheme, url.host)
        if key not in self._proxies:
            proxies = urllib.request.getproxies()
            bypass = not url.host or urllib.request.proxy_bypass(url.host)
            self._proxies[key] = None if bypass else proxies.get(url.scheme)
        return self._proxies[key]

    def _ssl(self, request: httpx.Request) -> ssl.SSLContext | bool:
        if request.url.scheme != "https":
            return True  # unused for http; aiohttp's default
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        return self._tls

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._session is None:
            self._session = self._open()
        content = request.content  # our requests are built in memory, never streamed
        with _map_errors():
            async with self._session.request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=content or None,
                allow_redirects=False,
                timeout=self._timeout(request),
                ssl=self._ssl(request),
                proxy=self._proxy(request.url),
            ) as answer:
                body = await answer.read()
                extensions: dict[str, object] = {"http_version": b"HTTP/1.1"}
                if answer.reason:
                    extensions["reason_phrase"] = answer.reason.encode("latin-1", "replace")
                return httpx.Response(
                    answer.status,
                    headers=answer.raw_headers,
                    content=body,
                    request=request,
                    extensions=extensions,
                )

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


@contextlib.contextmanager
def _map_errors() -> Iterator[None]:
    """aiohttp's exceptions as the httpx exceptions of the same meaning."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:  # no connection in time: nothing was sent
        raise httpx.ConnectTimeout(str(exc) or "connect timed out") from exc
    except aiohttp.ClientConnectorError as exc:  # refused, unreachable, DNS, TLS handshake
        raise httpx.ConnectError(str(exc)) from exc
    except aiohttp.SocketTimeoutError as exc:
        raise httpx.ReadTimeout(str(exc) or "read timed out") from exc
    except aiohttp.ServerTimeoutError as exc:
        raise httpx.ReadTimeout(str(exc) or "timed out") from exc
    except aiohttp.ServerDisconnectedError as exc:
        raise httpx.RemoteProtocolError(
            str(exc) or "Server disconnected without sending a response."
        ) from exc
    except aiohttp.ClientPayloadError as exc:
        raise httpx.ReadError(str(exc)) from exc
    except (aiohttp.ClientOSError, aiohttp.ClientConnectionError) as exc:  # reset after sending
        raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
    except aiohttp.InvalidURL as exc:
        raise httpx.UnsupportedProtocol(str(exc)) from exc
    except aiohttp.ClientResponseError as exc:  # a malformed answer
        raise httpx.RemoteProtocolError(exc.message or str(exc)) from exc
    except TimeoutError as exc:
        raise httpx.ReadTimeout(str(exc) or "timed out") from exc
