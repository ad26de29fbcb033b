"""Authentication and site resolution as a client user sees them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from reconciler.emulator import Emulator
from reconciler.errors import NotFound, PermanentApiError, Unauthenticated
from reconciler.wix import RetryPolicy, WixClient

from .support import KEY, SITE, UNKNOWN_SITE


@pytest.fixture
def strict(emulator: Emulator) -> Emulator:
    emulator.configure(accepted_api_keys={KEY})
    return emulator


@asynccontextmanager
async def _client(base_url: str, api_key: str | None) -> AsyncIterator[WixClient]:
    async with WixClient(
        base_url=base_url, api_key=api_key, retry=RetryPolicy(max_attempts=3)
    ) as client:
        yield client


async def test_accepted_key_works(strict: Emulator, wix: WixClient) -> None:
    assert (await wix.site(SITE).get_social_marketing_plan()).status == "NEVER_CREATED"


@pytest.mark.parametrize("api_key", ["wrong-key", None])
async def test_wrong_or_missing_key_is_unauthenticated(
    strict: Emulator, base_url: str, api_key: str | None
) -> None:
    async with _client(base_url, api_key) as client:
        with pytest.raises(Unauthenticated) as caught:
            await client.site(SITE).get_marketing_settings()
    error = caught.value
    assert error.status == 401
    assert error.code == "UNAUTHENTICATED"
    assert error.request_id
    if api_key is None:
        assert "WIX_API_KEY" in str(error)
    else:
        assert api_key not in str(error)
    assert len(strict.requests) == 1  # a 401 is not retried
    (record,) = strict.requests
    assert record.site_id == SITE


async def test_missing_key_without_a_key_list_is_still_unauthenticated(
    emulator: Emulator, base_url: str
) -> None:
    async with _client(base_url, None) as client:
        with pytest.raises(Unauthenticated):
            await client.site(SITE).generate_marketing_plan()
    assert emulator.site(SITE).plan.status == "NEVER_CREATED"


async def test_unknown_site_is_not_found(wix: WixClient, emulator: Emulator) -> None:
    with pytest.raises(NotFound) as caught:
        await wix.site(UNKNOWN_SITE).get_social_marketing_plan()
    error = caught.value
    assert isinstance(error, PermanentApiError)
    assert error.status == 404
    assert error.code == "SITE_NOT_FOUND"
    assert error.request_id
    assert len(emulator.requests) == 1


async def test_auto_created_site_starts_fresh(wix: WixClient, emulator: Emulator) -> None:
    emulator.configure(auto_create_sites=True)
    plan = await wix.site(UNKNOWN_SITE).get_social_marketing_plan()
    assert plan.status == "NEVER_CREATED"
