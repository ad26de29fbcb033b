"""Where a command's progress goes: one live status line on a terminal, plain lines in a log.

On an interactive terminal (outside CI) rich draws ONE status line for the whole fleet
(counts per phase, time elapsed, the slowest site) below everything printed, and erases it
when the step ends, so the plan, the prompt and the report are never drawn over and no
progress lingers above them. Its redraws are paced by rich (4 a second), so the bytes written
grow with the time a run takes, not with the number of sites or events.

In CI or when stderr is not a terminal, nothing is redrawn: a heartbeat line every 30 s (of
the engine's clock) while a step runs, and, during apply, the outcome of each site that did
something (applied, failed, refused, timed out) the moment it settles, so the log of a job
killed halfway still shows the sites that were done; an unchanged site gets no line of its
own (the fleet rule, render.fleet: the report folds them, and the heartbeat counts them).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TextIO

import click
from rich.console import Console
from rich.live import Live
from rich.text import Text

from reconciler.engine.clock import Clock, SystemClock
from reconciler.engine.runtime import Runtime
from reconciler.render.fleet import settles_loudly
from reconciler.render.progress import FleetProgress

HEARTBEAT_SECONDS = 30.0
"""How often a log hears that a run is still going."""
TICK_SECONDS = 1.0
"""How often the wall clock is looked at between the engine's own progress events."""


def is_terminal(stream: TextIO, env: Mapping[str, str]) -> bool:
    """A person watches `stream`: a terminal, and not a CI job (which sets CI)."""
    return stream.isatty() and not env.get("CI")


class FleetDisplay:
    """Shows one command's fleet progress, step by step (`showing`), on `stream` (stderr)."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        env: Mapping[str, str] | None = None,
        heartbeat: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.stream = stream or sys.stderr
        self.live = is_terminal(self.stream, os.environ if env is None else env)
        self.heartbeat = heartbeat
        self.ticking = False
        """Look at the clock every TICK_SECONDS of wall time: only when the clock is the wall's
        (an injected clock, a test's, moves by itself and is not to be mixed with it)."""
        self.clock: Clock = SystemClock()
        self.model: FleetProgress | None = None
        self.announce = False
        self.last_beat: datetime | None = None

    def attach(self, runtime: Runtime) -> Runtime:
        """`runtime` telling this display (as well as its own sinks) what every site does."""
        self.clock = runtime.clock
        self.ticking = isinstance(runtime.clock, SystemClock)
        told, heard = runtime.progress, runtime.settled

        def progress(site_id: str, message: str) -> None:
            told(site_id, message)
            self.progress(site_id, message)

        def settled(site_id: str, status: str, error: str | None) -> None:
            heard(site_id, status, error)
            self.settled(site_id, status, error)

        return replace(runtime, progress=progress, settled=settled)

    @contextlib.asynccontextmanager
    async def showing(self, names: Mapping[str, str], *, announce: bool) -> AsyncIterator[None]:
        """Show the progress of the sites `names` (id → name) until the block ends.

        `announce`: in a log, print each site's outcome as it settles (apply's writes).
        """
        self.model = FleetProgress(names, self.clock.now())
        self.announce, self.last_beat = announce, self.model.started
        try:
            if self.live:
                with self._status_line():
                    yield
            else:
                async with self._ticker():
                    yield
        finally:
            self.model = None

    def progress(self, site_id: str, message: str) -> None:
        if self.model is not None:
            now = self.clock.now()
            self.model.update(site_id, message, now)
            self._beat(now)

    def settled(self, site_id: str, status: str, error: str | None) -> None:
        if self.model is None:
            return
        now = self.clock.now()
        site = self.model.settle(site_id, status, now)
        if site is not None and self.announce and not self.live and settles_loudly(status):
            self._print(self.model.settled_line(site, error))
            self.last_beat = now  # the log just heard from the run: the next beat can wait

    def tick(self) -> None:
        """Print a heartbeat if one is due (called between events, by the wall clock)."""
        if self.model is not None:
            self._beat(self.clock.now())

    def _beat(self, now: datetime) -> None:
        if self.live or self.model is None or self.last_beat is None:
            return
        # Every progress event of every site comes here: the O(sites) look only when due.
        if (now - self.last_beat).total_seconds() < self.heartbeat or self.model.all_settled():
            return
        self.last_beat = now
        self._print(self.model.heartbeat_line(now))

    def _print(self, line: str) -> None:
        click.echo(line, file=self.stream)

    @contextlib.contextmanager
    def _status_line(self) -> Iterator[None]:
        console = Console(file=self.stream, force_terminal=True)
        live = Live(
            console=console,
            transient=True,
            redirect_stdout=False,
            get_renderable=self._rendered,
        )
        with live:
            yield

    def _rendered(self) -> Text:
        model = self.model
        line = model.status_line(self.clock.now()) if model is not None else ""
        return Text(line, no_wrap=True, overflow="ellipsis")

    @contextlib.asynccontextmanager
    async def _ticker(self) -> AsyncIterator[None]:
        """Heartbeats between the engine's events, when the clock is the wall's."""
        if not self.ticking:
            yield
            return

        async def beat() -> None:
            while True:
                await asyncio.sleep(TICK_SECONDS)
                self.tick()

        task = asyncio.create_task(beat())
        try:
            yield
        finally:
            task.cancel()
            # Not suppress(CancelledError): a Ctrl-C cancelling this run while it waits here
            # would be swallowed with the ticker's own, and the run go on as if not asked
            # to stop. gather hands the ticker's back as a value and lets the run's through.
            await asyncio.gather(task, return_exceptions=True)


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)
