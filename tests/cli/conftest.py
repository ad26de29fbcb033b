"""Run the real `mpr` command line against the shared in-process emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from reconciler.cli import run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.runtime import Runtime
from reconciler.wix import WixClient
from tests.conftest import TEST_KEY, EmulatorTime


@dataclass
class Result:
    code: int
    out: str
    err: str


Mpr = Callable[..., Result]


@pytest.fixture
def journal() -> MemoryJournal:
    return MemoryJournal()


@pytest.fixture
def hooks(emulator: Emulator, engine_time: EmulatorTime, journal: MemoryJournal) -> Hooks:
    @asynccontextmanager
    async def client() -> AsyncIterator[WixClient]:
        transport = httpx.ASGITransport(app=emulator.app)
        async with WixClient(
            base_url="http://emulator.test", api_key=TEST_KEY, transport=transport
        ) as c:
            yield c

    return Hooks(
        client=client,
        runtime=lambda: Runtime(clock=engine_time, journal=journal, min_poll_delay=5.0),
    )


@pytest.fixture
def mpr(hooks: Hooks, capsys: pytest.CaptureFixture[str]) -> Mpr:
    def invoke(*argv: str) -> Result:
        capsys.readouterr()
        code = run(list(argv), obj=hooks)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


SITE = "11111111-2222-4333-8444-555555555555"


def write_site(folder: Path, name: str = "crumb.yaml", body: str = "", site_id: str = SITE) -> Path:
    """A minimal valid site file, with `body` appended (settings/events/policy sections)."""
    path = folder / name
    path.write_text(
        f"version: 1\nsite:\n  id: {site_id}\n  name: Crumb & Co\n  labels: {{client: crumb}}\n"
        + body,
        encoding="utf-8",
    )
    return path
