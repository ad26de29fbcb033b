"""The mpr command line against the in-process emulator, in an environment with no CI in it.

Every test here starts from an environment without GitHub's or mpr's variables (the suite
itself may run inside GitHub Actions), in its own working directory.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.cli import run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.runtime import Runtime
from reconciler.wix import WixClient
from tests.conftest import TEST_KEY, EmulatorTime

SITE = "11111111-2222-4333-8444-555555555555"
OTHER = "22222222-3333-4444-8555-666666666666"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "MPR_", "WIX_", "RUNNER_")) or name in ("CI", "GH_TOKEN"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("USER", "tester")
    monkeypatch.chdir(tmp_path)


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
    def invoke(*argv: str, obj: Any = None) -> Result:
        capsys.readouterr()
        code = run(list(argv), obj=obj if obj is not None else hooks)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def seed(emulator: Emulator, *sites: dict[str, Any]) -> None:
    emulator.load_fixtures({"sites": list(sites)})


def site_file(folder: Path, name: str, site_id: str, body: str = "", label: str = "crumb") -> Path:
    """A minimal valid site file, with `body` appended (settings/events/policy sections)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(
        f"version: 1\nsite:\n  id: {site_id}\n  name: {name}\n  labels: {{client: {label}}}\n"
        + body,
        encoding="utf-8",
    )
    return path
