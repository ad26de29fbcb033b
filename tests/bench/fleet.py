"""Fleets of site files, the emulator that serves them, and `mpr` run in this process.

A fleet's sites are declared in YAML files and seeded in the emulator either exactly as
declared ("converged": `plan` finds nothing to change) or one setting and one event short
(`apply` upserts the settings, creates an event and regenerates each plan). Generation takes
no time on the emulator, so apply's figures measure mpr and the round trips, not waiting.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from reconciler.cli import run as mpr_run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator, EmulatorConfig
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.runtime import Runtime
from reconciler.wix import WixClient

KEY = "bench-api-key"
REPO = Path(__file__).resolve().parents[2]


def site_id(index: int) -> str:
    """A distinct, valid GUID per site."""
    return f"{index + 1:08x}-0000-4000-8000-{index + 1:012x}"


@dataclass(frozen=True)
class Fleet:
    """`size` site files in `folder`, and the emulator fixture of their live state."""

    folder: Path
    size: int
    event_date: str

    def converged(self) -> dict[str, Any]:
        """Every site as a fleet declaring tone "warm" and one event wants it."""
        return {"sites": [self._live(i) for i in range(self.size)]}

    def _live(self, index: int) -> dict[str, Any]:
        return {
            "id": site_id(index),
            "connectedChannels": ["FACEBOOK"],
            "settings": {"toneOfVoice": "warm", "socialChannels": ["FACEBOOK", "INSTAGRAM"]},
            "events": [{"name": "Opening", "date": self.event_date}],
            "plan": {"status": "ACTIVE"},
        }


def make_fleet(folder: Path, size: int, *, tone: str, extra_event: bool) -> Fleet:
    """Write `size` site files declaring `tone` (and a second event when `extra_event`)."""
    when = (datetime.now(UTC) + timedelta(days=30)).replace(hour=9, minute=0, second=0)
    event_date = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    launch = (when + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for index in range(size):
        text = (
            f"version: 1\nsite:\n  id: {site_id(index)}\n  name: Bench site {index}\n"
            f"settings:\n  toneOfVoice: {tone}\n  socialChannels: [FACEBOOK, INSTAGRAM]\n"
            f'events:\n  - name: Opening\n    date: "{event_date}"\n'
        )
        if extra_event:
            text += f'  - name: Launch\n    date: "{launch}"\n'
        text += "policy:\n  schedule: {enabled: false}\n"
        (folder / f"site-{index:04d}.yaml").write_text(text, encoding="utf-8")
    return Fleet(folder, size, event_date)


def runtime() -> Runtime:
    """The engine's runtime for benchmarks: real clock, no journal file, quick polls."""
    return Runtime(journal=MemoryJournal(), min_poll_delay=0.05)


def new_emulator(latency: float) -> Emulator:
    config = EmulatorConfig(
        lenient_auth=True, generation_seconds=0, posts_seconds=0, latency_seconds=latency, seed=1
    )
    return Emulator(config=config)


class InProcess:
    """The emulator in this process, reached through an ASGI transport (no socket).

    `emulator_seconds` adds up the wall time spent inside the emulator's app; measured
    with no latency and one site at a time, that is the emulator's own CPU time.
    """

    name = "in-process emulator (ASGI transport, one process)"

    def __init__(self, latency: float) -> None:
        self.emulator = new_emulator(latency)
        self.emulator_seconds = 0.0

    def seed(self, document: dict[str, Any]) -> None:
        self.emulator.reset()
        self.emulator.load_fixtures(document)

    def counts(self) -> tuple[int, int]:
        """(requests, writes) logged since the last seed."""
        return len(self.emulator.requests), len(self.emulator.writes())

    async def _timed_app(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.perf_counter()
        try:
            await self.emulator.app(scope, receive, send)
        finally:
            self.emulator_seconds += time.perf_counter() - started

    def hooks(self, connections: int) -> Hooks:
        app = self._timed_app

        @contextlib.asynccontextmanager
        async def client() -> AsyncIterator[WixClient]:
            transport = httpx.ASGITransport(app=app)
            async with WixClient(
                base_url="http://emulator.bench",
                api_key=KEY,
                transport=transport,
                max_connections=connections,
            ) as wix:
                yield wix

        return Hooks(client=client, runtime=runtime)

    def close(self) -> None:
        pass


class OwnProcess:
    """`mpr emulator serve` in a child process, reached over loopback HTTP, as Wix would be."""

    name = "emulator in its own process (`mpr emulator serve`, loopback HTTP)"

    def __init__(self, latency: float) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable,
            "-m",
            "reconciler",
            "emulator",
            "serve",
            "--port",
            str(port),
            "--latency",
            str(latency),
            "--generation-seconds",
            "0",
            "--seed",
            "1",
        ]
        self.process = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.control = httpx.Client(base_url=self.base_url + "/_emulator", timeout=120)
        deadline = time.monotonic() + 20
        while True:
            try:
                self.control.patch("/config", json={"postsSeconds": 0}).raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the emulator process did not start") from None
                time.sleep(0.05)

    def seed(self, document: dict[str, Any]) -> None:
        self.control.post("/reset").raise_for_status()
        self.control.post("/sites", json=document).raise_for_status()

    def counts(self) -> tuple[int, int]:
        everything = self.control.get("/requests").json()["requests"]
        return len(everything), sum(1 for r in everything if r["mutating"])

    def hooks(self, connections: int) -> Hooks:
        base_url = self.base_url

        @contextlib.asynccontextmanager
        async def client() -> AsyncIterator[WixClient]:
            async with WixClient(
                base_url=base_url, api_key=KEY, max_connections=connections
            ) as wix:
                yield wix

        return Hooks(client=client, runtime=runtime)

    def stock_env(self) -> dict[str, str]:
        """The environment that points mpr's own client (WixClient.from_env) here."""
        return {"WIX_API_BASE_URL": self.base_url, "WIX_API_KEY": KEY}

    def close(self) -> None:
        self.control.close()
        self.process.terminate()
        self.process.wait(10)


Backend = InProcess | OwnProcess


def mpr(argv: Sequence[str], hooks: Hooks) -> tuple[int, str, float]:
    """Run `mpr argv` in this process; return the exit code, stdout and the wall time."""
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = mpr_run(list(argv), obj=hooks)
    elapsed = time.perf_counter() - started
    if code not in (0, 2):
        raise RuntimeError(f"mpr {' '.join(argv)} exited {code}:\n{err.getvalue()[-2000:]}")
    return code, out.getvalue(), elapsed
