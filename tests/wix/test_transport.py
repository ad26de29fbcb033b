"""The default transport (aiohttp's pool) over a real socket, in-process: what `--max-in-flight`
promises holds at the connection pool too."""

from __future__ import annotations

import asyncio

import httpx

from reconciler.wix import WixClient

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
