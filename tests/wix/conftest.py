"""Fixtures for the Wix client tests: a respx router at the transport, a fake sleep."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
import respx

from reconciler.wix import RetryPolicy, SiteClient, WixClient

from .support import BASE, KEY, SITE


@pytest.fixture
def sleeps() -> list[float]:
    """Every delay the client asked to sleep, in order (nothing really sleeps)."""
    return []


@pytest.fixture
def fake_sleep(sleeps: list[float]) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return sleep


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    # At the httpx layer, so the mock holds whatever transport WixClient uses.
    with respx.mock(assert_all_called=False, using="httpx") as mock:
        yield mock


@pytest.fixture
async def client(fake_sleep: Callable[[float], Awaitable[None]]) -> AsyncIterator[WixClient]:
    retry = RetryPolicy(random=lambda: 0.5)
    async with WixClient(base_url=BASE, api_key=KEY, sleep=fake_sleep, retry=retry) as wix:
        yield wix


@pytest.fixture
def site(client: WixClient) -> SiteClient:
    return client.site(SITE)
