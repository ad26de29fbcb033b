"""The default transport (aiohttp's pool) over a real socket, in-process: what `--max-in-flight`
promises holds at the pool too; a request carries mpr's headers alone (no cookie, no netrc
login); a compressed answer is read once; no redirect is followed and no request resent behind
the retry rules; the read timeout and a proxy from the environment apply."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.errors import ApiError, ApiUnreachable
from reconciler.wix import RetryPolicy, WixClient

from .support import KEY

IN_FLIGHT = 130
"""More than aiohttp's own default pool (100 connections)."""


class HoldingServer:
    """An HTTP/1.1 server on loopback that, once `hold` is set, answers nothing until
    `IN_FLIGHT` requests are open at once (then it answers them all)."""

    def __init__(self) -> None:
        self.hold = False
        self.open = 0
        self.most_open = 0
        self.all_in = asyncio.Event()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                if self.hold:
                    self.open += 1
                    self.most_open = max(self.most_open, self.open)
                    if self.open >= IN_FLIGHT:
                        self.all_in.set()
                    await self.all_in.wait()
                    self.open -= 1
                body = b'{"status":"ACTIVE"}'
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def test_as_many_requests_as_allowed_in_flight_reach_the_server_at_once() -> None:
    holding = HoldingServer()
    server = await asyncio.start_server(holding.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with WixClient(
            base_url=f"http://127.0.0.1:{port}",
            api_key=KEY,
            max_connections=IN_FLIGHT,
            rate_limit_per_minute=0,
            # A request the pool made wait fails after 5 s instead of hanging the test (no
            # request waits for the pool when it holds what --max-in-flight allows).
            timeout=httpx.Timeout(30.0, pool=5.0),
        ) as wix:
            site = wix.site("site-1")
            await site.get_social_marketing_plan()  # first contact: one request alone
            holding.hold = True
            reads = [site.get_social_marketing_plan() for _ in range(IN_FLIGHT)]
            plans = await asyncio.wait_for(asyncio.gather(*reads), 120)  # a guard, not a bound
    finally:
        server.close()
        await server.wait_closed()
    assert [plan.status for plan in plans] == ["ACTIVE"] * IN_FLIGHT
    assert holding.most_open == IN_FLIGHT


class RecordingServer:
    """An HTTP/1.1 server on loopback that notes each request's head and gives `answer`."""

    def __init__(self, answer: bytes | None) -> None:
        self.answer = answer
        """None: hang up without answering."""
        self.heads: list[list[tuple[str, str]]] = []
        self.request_lines: list[str] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                first, *lines = head.decode("latin-1").split("\r\n")[:-2]
                self.request_lines.append(first)
                fields = [(n.lower(), v.strip()) for n, _, v in (x.partition(":") for x in lines)]
                self.heads.append(fields)
                length = int(dict(fields).get("content-length", "0"))
                await reader.readexactly(length)
                if self.answer is None:
                    break
                writer.write(self.answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def answer(body: bytes, *headers: bytes) -> bytes:
    head = b"".join(h + b"\r\n" for h in headers)
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s"
        % (head, len(body), body)
    )


@asynccontextmanager
async def served(
    server: RecordingServer, host: str = "127.0.0.1", **options: Any
) -> AsyncIterator[WixClient]:
    listening = await asyncio.start_server(server.serve, host, 0)
    port = listening.sockets[0].getsockname()[1]
    options.setdefault("base_url", f"http://{host}:{port}")
    try:
        async with WixClient(api_key=KEY, **options) as wix:
            yield wix
    finally:
        listening.close()
        await listening.wait_closed()


async def test_a_compressed_answer_is_read() -> None:
    server = RecordingServer(
        answer(gzip.compress(b'{"status":"ACTIVE"}'), b"Content-Encoding: gzip")
    )
    async with served(server) as wix:
        assert (await wix.site("site-1").get_social_marketing_plan()).status == "ACTIVE"


async def test_a_cookie_the_server_sets_is_never_sent_back() -> None:
    server = RecordingServer(answer(b'{"status":"ACTIVE"}', b"Set-Cookie: lb=node-7; Path=/"))
    async with served(server, "localhost") as wix:  # a cookie jar takes none from an IP
        for _ in range(2):
            await wix.site("site-1").get_social_marketing_plan()
    assert "cookie" not in dict(server.heads[1])
    assert server.heads[1] == server.heads[0]


async def test_a_request_carries_mpr_headers_and_no_others() -> None:
    server = RecordingServer(answer(b'{"status":"GENERATING"}'))
    async with served(server) as wix:
        await wix.site("site-1").get_social_marketing_plan()
        await wix.site("site-1").generate_marketing_plan()
    common = [
        ("accept-encoding", "gzip, deflate"),
        ("connection", "keep-alive"),
        ("accept", "application/json"),
        ("user-agent", "mpr-wix-client"),
        ("wix-site-id", "site-1"),
        ("authorization", KEY),
    ]
    assert [[(n, v) for n, v in head if n != "host"] for head in server.heads] == [
        common,
        [*common, ("content-type", "application/json"), ("content-length", "2")],
    ]


async def test_a_netrc_entry_for_the_host_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password not-for-wix\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    server = RecordingServer(answer(b'{"status":"ACTIVE"}'))
    async with served(server) as wix:
        assert (await wix.site("site-1").get_social_marketing_plan()).status == "ACTIVE"
    assert dict(server.heads[0])["authorization"] == KEY


async def test_a_redirect_is_not_followed() -> None:
    server = RecordingServer(
        b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"
    )
    async with served(server) as wix:
        with pytest.raises(ApiError) as caught:
            await wix.site("site-1").get_social_marketing_plan()
    assert caught.value.status == 302
    assert len(server.request_lines) == 1, "nothing went to where it pointed"


async def test_a_connection_lost_after_a_generation_was_sent_is_not_sent_again() -> None:
    server = RecordingServer(None)
    async with served(server) as wix:
        with pytest.raises(ApiUnreachable) as caught:
            await wix.site("site-1").generate_marketing_plan()
    assert "lost the connection to http://127.0.0.1:" in str(caught.value)
    assert len(server.request_lines) == 1, "Wix may have started it: mpr must not ask twice"


async def test_a_delete_whose_connection_dropped_is_not_resent_behind_the_retry_rules() -> None:
    # aiohttp resends an idempotent request once by itself; the retry rules must see the
    # failure instead (a DELETE that landed answers 404 to a hidden second try).
    server = RecordingServer(None)
    async with served(server, retry=RetryPolicy(max_attempts=1)) as wix:
        with pytest.raises(ApiUnreachable):
            await wix.site("site-1").delete_marketing_plan()
    assert server.request_lines == [
        "DELETE /promote/marketing-plan-service/v1/marketing-plan HTTP/1.1"
    ]


async def test_a_server_that_never_answers_is_given_up_after_the_read_timeout() -> None:
    server = RecordingServer(b"")  # reads the request, says nothing
    timeout = httpx.Timeout(30.0, read=0.2)
    async with served(server, timeout=timeout, retry=RetryPolicy(max_attempts=1)) as wix:
        with pytest.raises(ApiUnreachable) as caught:
            await wix.site("site-1").get_social_marketing_plan()
    assert "no answer from http://127.0.0.1:" in str(caught.value)
    assert str(caught.value).endswith("within 0.2 s")


async def test_a_proxy_in_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = RecordingServer(answer(b'{"status":"ACTIVE"}'))
    listening = await asyncio.start_server(proxy.serve, "127.0.0.1", 0)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}")
    for name in ("http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        async with WixClient(base_url="http://wix.invalid", api_key=KEY) as wix:
            assert (await wix.site("site-1").get_social_marketing_plan()).status == "ACTIVE"
    finally:
        listening.close()
        await listening.wait_closed()
    assert proxy.request_lines == [
        "GET http://wix.invalid/promote/marketing-plan-service/v1/marketing-plan HTTP/1.1"
    ]


async def test_a_host_in_no_proxy_is_reached_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = RecordingServer(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
    listening = await asyncio.start_server(proxy.serve, "127.0.0.1", 0)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    for name in ("http_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = RecordingServer(answer(b'{"status":"ACTIVE"}'))
    try:
        async with served(server) as wix:
            assert (await wix.site("site-1").get_social_marketing_plan()).status == "ACTIVE"
    finally:
        listening.close()
        await listening.wait_closed()
    assert proxy.request_lines == []


async def test_an_answer_whose_reason_phrase_is_not_latin1_is_read() -> None:
    body = b'{"status":"ACTIVE"}'
    server = RecordingServer(
        b"HTTP/1.1 200 \xe2\x9c\x93 fine\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    async with served(server) as wix:
        assert (await wix.site("site-1").get_social_marketing_plan()).status == "ACTIVE"


async def test_https_to_a_server_that_speaks_no_tls_is_out_of_reach() -> None:
    async def plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    listening = await asyncio.start_server(plain, "127.0.0.1", 0)
    base_url = f"https://127.0.0.1:{listening.sockets[0].getsockname()[1]}"
    try:
        async with WixClient(
            base_url=base_url, api_key=KEY, retry=RetryPolicy(max_attempts=1)
        ) as wix:
            with pytest.raises(ApiUnreachable) as caught:
                await wix.site("site-1").get_social_marketing_plan()
    finally:
        listening.close()
        await listening.wait_closed()
    assert str(caught.value).startswith(
        f"GET /promote/marketing-plan-service/v1/marketing-plan: could not reach {base_url}: "
    )
