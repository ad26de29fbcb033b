"""Wix's rate limit, kept on our side: at most N requests per site in any minute.

Wix allows 200 requests per minute per app instance, that is per site (SPEC.md §1.7), and
answers 429 beyond that. `SiteRateLimit` keeps every site under it, so a fleet of sites
polling their generations never meets a 429, and when one comes anyway (another client on
the same app instance) `pause` holds back that site alone until its Retry-After.

The window slides, and each request occupies it from the moment it is let go until
`window` seconds after its answer arrived: Wix counts a request when it reaches Wix, which
is somewhere between the two, so this bound holds whatever Wix's clock says (a fixed
window per clock minute included). Time is injected, so tests move it by hand.

Why not `aiolimiter`: it is a leaky bucket, which lets a full bucket through at once and
then refills it, so a site could send 200 requests and another 200 within one minute.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

WIX_REQUESTS_PER_MINUTE = 200


@dataclass
class _Site:
    answered: deque[float] = field(default_factory=deque)
    """When each request still in the window got its answer, oldest first."""
    in_flight: int = 0
    paused_until: float = 0.0
    freed: asyncio.Event | None = None


class SiteRateLimit:
    """At most `limit` requests per site in any `window` seconds (0 or less: no limit)."""

    def __init__(
        self,
        limit: int = WIX_REQUESTS_PER_MINUTE,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limit = limit
        self.window = window
        self.waits = 0
        """How many times a request had to wait for its site's window (for benchmarks)."""
        self._clock = clock
        self._sleep = sleep
        self._sites: dict[str, _Site] = {}

    @asynccontextmanager
    async def slot(self, site_id: str | None) -> AsyncIterator[None]:
        """Hold one of the site's requests for the time of the block (None: no site)."""
        if site_id is None or self.limit <= 0:
            yield
            return
        site = self._sites.get(site_id)
        if site is None:
            site = self._sites[site_id] = _Site()
        await self._acquire(site)
        try:
            yield
        finally:
            site.in_flight -= 1
            site.answered.append(self._clock())
            if site.freed is not None:
                site.freed.set()

    def pause(self, site_id: str | None, seconds: float) -> None:
        """Send nothing more for `site_id` for `seconds` (Wix answered 429)."""
        if site_id is None or self.limit <= 0:
            return
        site = self._sites.setdefault(site_id, _Site())
        site.paused_until = max(site.paused_until, self._clock() + seconds)

    async def _acquire(self, site: _Site) -> None:
        waited = False
        while True:
            now = self._clock()
            if now < site.paused_until:
                delay = site.paused_until - now
            else:
                answered = site.answered
                while answered and answered[0] <= now - self.window:
                    answered.popleft()
                if site.in_flight + len(answered) < self.limit:
                    site.in_flight += 1
                    return
                if not answered:  # every slot is a request still in flight
                    waited = self._count(waited)
                    site.freed = site.freed or asyncio.Event()
                    site.freed.clear()
                    await site.freed.wait()
                    continue
                delay = answered[0] + self.window - now
            waited = self._count(waited)
            await self._sleep(delay)

    def _count(self, waited: bool) -> bool:
        if not waited:
            self.waits += 1
        return True
