"""Emulator test fixtures: a fresh emulator on a manual clock, and an in-process client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from reconciler.emulator import Emulator, EmulatorConfig, ManualClock

from .support import GEN_SECONDS, START, make_client, site_fixture


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def emu(clock: ManualClock) -> Emulator:
    config = EmulatorConfig(
        lenient_auth=True, generation_seconds=GEN_SECONDS, posts_seconds=5.0, seed=7
    )
    emulator = Emulator(config, clock)
    emulator.load_fixtures({"sites": [site_fixture()]})
    return emulator


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(emu) as c:
        yield c
