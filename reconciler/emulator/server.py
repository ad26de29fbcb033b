"""Assembly and serving: the ``Emulator`` facade, its ASGI app, and uvicorn adapters.

``Emulator.app`` is an ASGI callable that wraps the Starlette routes with the cross-cutting
wire behaviour: an ``x-wix-request-id`` on every response, ``latency_seconds``, fault
injection, the optional rate limit, and the request log. Control-plane paths
(``/_emulator/...``) bypass faults, latency and the log.

A ``disconnect`` fault must close the socket without any HTTP response. Over uvicorn, the
ASGI ``send`` is a bound method of uvicorn's request cycle, whose ``transport`` we abort;
raising from the app would only make uvicorn answer 500. In-process (httpx.ASGITransport)
there is no socket, so the app raises ``httpx.RemoteProtocolError`` — the very error
httpx raises when a real server drops the connection — so a client sees the same thing.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from reconciler.emulator import fixtures
from reconciler.emulator.clock import Clock, RealClock
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.control import (
    ControlState,
    FaultRule,
    RequestRecord,
    control_routes,
    site_snapshot,
)
from reconciler.emulator.drafts import edit_draft
from reconciler.emulator.errors import EmulatorError
from reconciler.emulator.ids import IdFactory
from reconciler.emulator.records import Json, Site
from reconciler.emulator.routes import (
    api_routes,
    error_response,
    http_error,
    is_mutating,
    operation_for,
)
from reconciler.emulator.state import Backend
from reconciler.emulator.transitions import finish_all

CONTROL_PREFIX = "/_emulator"
BACKLOG = 4096
"""Connections waiting to be accepted: a fleet opens its whole pool at once."""
REQUEST_ID = b"x-wix-request-id"


class Emulator:
    """One emulated Wix backend: state, control plane and the ASGI ``app`` serving both."""

    def __init__(self, config: EmulatorConfig | None = None, clock: Clock | None = None) -> None:
        self.backend = Backend(config or EmulatorConfig(), clock or RealClock())
        self.control = ControlState()
        inner = Starlette(
            routes=[*api_routes(self.backend), *control_routes(self)],
            exception_handlers={404: http_error, 405: http_error},
        )
        self.app = EmulatorASGI(self, inner)

    @property
    def config(self) -> EmulatorConfig:
        return self.backend.ctx.config

    @property
    def clock(self) -> Clock:
        return self.backend.ctx.clock

    @property
    def requests(self) -> list[RequestRecord]:
        """Every logged API request, oldest first (the live list)."""
        return self.control.requests

    def writes(self, site_id: str | None = None) -> list[RequestRecord]:
        """Logged mutating requests (optionally for one site)."""
        return self.control.writes(site_id)

    def clear_requests(self) -> None:
        self.control.requests.clear()

    def add_fault(self, rule: FaultRule) -> FaultRule:
        return self.control.add_fault(rule)

    def clear_faults(self) -> None:
        self.control.faults.clear()

    def configure(self, **changes: Any) -> EmulatorConfig:
        """Change knobs at run time (keys as in ``EmulatorConfig``); returns the new config."""
        with self.backend.lock:
            ctx = self.backend.ctx
            new = ctx.config.updated(changes)
            if new.seed != ctx.config.seed:
                ctx.ids = IdFactory(new.seed)
            ctx.config = new
            return new

    def load_fixtures(self, document: Any, source: str = "<fixtures>") -> list[str]:
        """Seed sites from a parsed fixture document; returns the site ids (FixtureError)."""
        return self._apply(fixtures.parse(document, source))

    def load_fixtures_file(self, path: str | Path) -> list[str]:
        """Seed sites from a YAML/JSON fixture file; returns the site ids (FixtureError)."""
        return self._apply(fixtures.read_file(path))

    def _apply(self, doc: fixtures.FixtureDocument) -> list[str]:
        if doc.config:
            try:
                self.configure(**doc.config)
            except ValueError as exc:
                raise fixtures.FixtureError(doc.source, [f"config: {exc}"]) from None
        if doc.auto_create_sites is not None:
            self.configure(auto_create_sites=doc.auto_create_sites)
        with self.backend.lock:
            return [self.backend.seed_site(seed).id for seed in doc.sites]

    def site(self, site_id: str) -> Site:
        """The live state of ``site_id`` (after letting due jobs complete); KeyError if none."""
        with self.backend.lock:
            site = self.backend.sites[site_id]
            self.backend.progress(site)
            return site

    def snapshot(self, site_id: str) -> Json:
        """A JSON dump of one site's state (what ``GET /_emulator/state/{id}`` returns)."""
        with self.backend.lock:
            return copy.deepcopy(site_snapshot(self.site(site_id)))

    def fail_next_generations(self, site_id: str, count: int = 1) -> None:
        """Make the next ``count`` generations of ``site_id`` end FAILED."""
        with self.backend.lock:
            self.backend.sites[site_id].fail_next_generations = count

    def connect_channel(self, site_id: str, channel: str, account_id: str | None = None) -> str:
        """Connect ``channel`` for ``site_id`` as the owner would in the Publisher.

        The site's existing drafts on that channel carry the account from now on, as new
        ones do. Returns the account id (derived from the site and channel when not given).
        """
        with self.backend.lock:
            site = self.backend.sites[site_id]
            account = account_id or f"{channel.lower()}-{site_id[:8]}"
            site.profile.connected_channels[channel] = account
            for activity in site.plan.activities.values():
                for item in activity.items:
                    if item.get("channel", {}).get("name") == channel:
                        item["channel"]["accountId"] = account
            return account

    def edit_draft(self, site_id: str, draft_id: str, changes: Json) -> Json:
        """Edit a draft's content object as the owner would in the dashboard: `changes`
        (e.g. ``{"caption": "…"}``) are merged into it. Returns the edited item.

        Raises KeyError for an unknown site or draft id."""
        with self.backend.lock:
            return edit_draft(self.backend.sites[site_id], draft_id, changes, self.clock.now())

    def app_credentials(self) -> Json:
        """What a client needs to sign in as the emulator's app: id, secret, instance ids."""
        with self.backend.lock:
            return {
                "appId": self.config.app_id,
                "appSecret": self.config.app_secret,
                "instances": {
                    site.id: site.profile.instance_id for site in self.backend.sites.values()
                },
            }

    def instance_id(self, site_id: str) -> str:
        """The app instance id of the emulator's app on ``site_id`` (KeyError if no site)."""
        with self.backend.lock:
            return str(self.backend.sites[site_id].profile.instance_id)

    def issue_user_token(self, site_id: str) -> str:
        """A Wix user token for ``site_id``, as ``wix token --site`` prints (KeyError if none)."""
        with self.backend.lock:
            self.backend.sites[site_id]  # noqa: B018 - an unknown site is a KeyError
            return self.backend.identities.issue_user_token(site_id, self.config, self.clock.now())

    def revoke_tokens(self, site_id: str | None = None) -> int:
        """Revoke the issued tokens of ``site_id`` (or all): they answer 401 from now on."""
        with self.backend.lock:
            return self.backend.identities.revoke(site_id)

    def complete_jobs(self, site_id: str | None = None) -> None:
        """Finish every pending generation/post job now (of one site, or all)."""
        with self.backend.lock:
            for site in self.backend.sites.values():
                if site_id is None or site.id == site_id:
                    finish_all(self.backend.ctx, site)

    def reset(self) -> None:
        """Forget every site, logged request and fault (config and clock stay)."""
        with self.backend.lock:
            self.backend.sites.clear()
            self.backend.identities.clear()
            self.control.clear()


class EmulatorASGI:
    """The outer ASGI app: request id, latency, faults, rate limit and request log."""

    def __init__(self, emulator: Emulator, inner: Starlette) -> None:
        self.emulator = emulator
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        if scope["path"].startswith(CONTROL_PREFIX):
            await self.inner(scope, receive, _tagging(send, request_id))
            return
        await self._serve_api(scope, receive, send, request_id)

    async def _serve_api(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        body = await _read_body(receive)
        record = _record(scope, body, request_id, self.emulator)
        fault = await self._take_fault(record)
        if self._rate_limited(record):
            limited = EmulatorError(
                429, "RESOURCE_EXHAUSTED", "rate limit exceeded", headers={"Retry-After": "60"}
            )
            await self._answer(limited, record, scope, receive, send)
            return
        if fault is not None and not fault.after_backend:
            await self._fault(fault, record, scope, receive, send)
            return
        status, headers, payload = await _buffered(self.inner, scope, body)
        if fault is not None:  # after_backend: the write happened, the answer is lost
            await self._fault(fault, record, scope, receive, send)
            return
        record.status = status
        self.emulator.control.record(record)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*headers, (REQUEST_ID, request_id.encode())],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def _take_fault(self, record: RequestRecord) -> FaultRule | None:
        """Sleep for latency and any delay fault; return a fault that replaces the answer."""
        emu = self.emulator
        if emu.config.latency_seconds > 0:
            await asyncio.sleep(emu.config.latency_seconds)
        fault = emu.control.take_fault(record.method, record.path, record.site_id)
        if fault is None:
            return None
        if fault.delay_seconds > 0:
            await asyncio.sleep(fault.delay_seconds)
        return fault if fault.status is not None or fault.disconnect else None

    def _rate_limited(self, record: RequestRecord) -> bool:
        emu = self.emulator
        return emu.control.over_limit(
            record.site_id, emu.clock.now(), emu.config.rate_limit_per_minute
        )

    async def _fault(
        self, fault: FaultRule, record: RequestRecord, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if fault.disconnect:
            record.fault = "disconnect"
            self.emulator.control.record(record)
            await _drop_connection(send)
            return
        record.fault = f"status {fault.status}"
        await self._answer(fault.error(), record, scope, receive, send)

    async def _answer(
        self,
        error: EmulatorError,
        record: RequestRecord,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        record.status = error.status
        self.emulator.control.record(record)
        response = error_response(error)
        response.headers["x-wix-request-id"] = record.request_id
        await response(scope, receive, send)


def _record(scope: Scope, body: bytes, request_id: str, emu: Emulator) -> RequestRecord:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    method, path = str(scope["method"]), str(scope["path"])
    op = operation_for(method, path)
    return RequestRecord(
        method=method,
        path=path,
        query=dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))),
        site_id=headers.get("wix-site-id"),
        status=0,
        body=_masked(_decode(body)),
        mutating=is_mutating(method, path),
        time=emu.clock.now(),
        operation=op.name if op else None,
        request_id=request_id,
    )


def _masked(body: Any) -> Any:
    """The body as logged: an app secret sent to the token endpoint is not kept."""
    if isinstance(body, dict) and "client_secret" in body:
        return {**body, "client_secret": "***"}
    return body


def _decode(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return body.decode("utf-8", "replace")


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _buffered(app: Starlette, scope: Scope, body: bytes) -> tuple[int, list[Any], bytes]:
    """Run ``app`` on a replayed body and capture its whole response."""
    delivered = False
    start: Message = {}
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return int(start.get("status", 500)), list(start.get("headers", [])), b"".join(chunks)


def _tagging(send: Send, request_id: str) -> Send:
    async def tagged(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {
                **message,
                "headers": [*message.get("headers", []), (REQUEST_ID, request_id.encode())],
            }
        await send(message)

    return tagged


async def _drop_connection(send: Send) -> None:
    """Close the client's connection without writing a single byte of response."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
    transport.abort()
    # uvicorn marks the cycle disconnected in connection_lost (scheduled by abort); wait for
    # it so uvicorn does not try to write its own 500 after we return.
    for _ in range(100):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0)
    setattr(cycle, "disconnected", True)  # noqa: B010 - uvicorn private state, see above


def _uvicorn_config(
    emu: Emulator, log_level: str, host: str = "127.0.0.1", port: int = 0
) -> uvicorn.Config:
    return uvicorn.Config(
        emu.app,
        host=host,
        port=port,
        # httptools (a dependency) when installed: a third less CPU per request than h11.
        http="auto",
        ws="none",
        lifespan="off",
        proxy_headers=False,
        access_log=False,
        log_config=None,
        log_level=log_level,
        timeout_graceful_shutdown=1,
        backlog=BACKLOG,
    )


@contextlib.contextmanager
def serve_in_thread(
    emulator: Emulator, host: str = "127.0.0.1", port: int = 0, *, timeout: float = 10.0
) -> Iterator[str]:
    """Serve ``emulator`` with uvicorn on a background thread; yield its base URL.

    ``port=0`` picks a free port. The server stops when the block exits. Raises
    ``RuntimeError`` if it does not start within ``timeout`` seconds.
    """
    sock = _listening_socket(host, port)
    server = uvicorn.Server(_uvicorn_config(emulator, "warning"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="mpr-emulator", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("emulator server did not start")
            time.sleep(0.01)
        bound = sock.getsockname()[1]
        yield f"http://{host if ':' not in host else f'[{host}]'}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


def serve(
    emulator: Emulator,
    host: str = "127.0.0.1",
    port: int = 8080,
    log_level: str = "info",
    *,
    listening: Callable[[str], None] | None = None,
) -> None:
    """Serve ``emulator`` in the foreground until interrupted (``mpr emulator serve``).

    The port is bound first: a port in use raises OSError (EADDRINUSE) before anything is
    said. ``listening(base_url)`` is then told the address really bound (``port=0``: a free
    one), before the first request can arrive.
    """
    sock = _listening_socket(host, port)
    if listening is not None:
        bound = sock.getsockname()[1]
        listening(f"http://{host if ':' not in host else f'[{host}]'}:{bound}")
    try:
        uvicorn.Server(_uvicorn_config(emulator, log_level, host, port)).run(sockets=[sock])
    finally:
        sock.close()


def _listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket whose accepted connections send at once (TCP_NODELAY).

    IPPROTO_TCP explicitly: with protocol 0 asyncio does not set TCP_NODELAY on accepted
    connections, and a response written in two parts waits for the client's delayed ACK
    (~40 ms, Nagle) before its second part goes.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()  # a port in use: the caller says so, nothing is left open
        raise
    return sock


__all__ = ["Emulator", "serve", "serve_in_thread"]
