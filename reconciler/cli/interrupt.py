"""Ctrl-C and SIGTERM: stop cleanly, say what was done, exit 130 or 143.

Outside apply's writes, a signal simply ends the command: Ctrl-C raises KeyboardInterrupt as
Python does, and `sigterm_raises` makes SIGTERM (what CI runners send on cancel) do the same
as `Terminated`; `run` turns either into its exit code and one line.

While apply writes (`Gate`), the first signal lets nothing new go out: no new write is sent,
every wait ends, and the requests already sent get `grace` seconds to come back and be
recorded (each site's apply then ends with an `Interrupted` error, so the report and the
audit log say what was done and what was not). A second signal quits at once; so does the
run when it has not settled a few seconds after the grace.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reconciler.cli import exitcodes
from reconciler.errors import Interrupted

if TYPE_CHECKING:  # `run` imports this module for every command: keep it light
    import asyncio

    from reconciler.engine.clock import Clock
    from reconciler.engine.report import SiteOutcome
    from reconciler.engine.runtime import Runtime
    from reconciler.wix import WixClient
    from reconciler.wix.endpoints import Endpoint

T = TypeVar("T")
GRACE_SECONDS = 5.0
"""How long requests already sent may take to come back after the first signal."""
GRACE_VARIABLE = "MPR_INTERRUPT_GRACE"
GIVE_UP_AFTER = 5.0
"""Seconds past the grace after which the run quits even if some step has not ended."""
LABELS: dict[int, str] = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}


def label(signal_number: int) -> str:
    """How a signal is named in messages."""
    return LABELS.get(signal_number, f"signal {signal_number}")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Python raises KeyboardInterrupt for Ctrl-C."""

    signal_number = signal.SIGTERM


_received: list[int] = []
"""The signals that stopped the run under way (SIGTERM is handled as Ctrl-C is)."""


def stopped_by(default: int = signal.SIGINT) -> int:
    """The signal that stopped the run: SIGTERM when one came, else `default`."""
    return signal.SIGTERM if signal.SIGTERM in _received else default


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """SIGTERM stops the run as Ctrl-C does, instead of killing the process unannounced.

    It is handed to whatever handles Ctrl-C at that moment: inside asyncio.run that cancels
    the main task (an exception raised into whichever task happens to run would be lost in
    it); elsewhere it raises KeyboardInterrupt. `stopped_by` then tells the two apart.
    """
    _received.clear()
    if not _in_main_thread():
        yield
        return

    def as_ctrl_c(signal_number: int, frame: FrameType | None) -> None:
        _received.append(signal_number)
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler):
            handler(signal.SIGINT, frame)
        else:
            raise Terminated()

    previous = signal.signal(signal.SIGTERM, as_ctrl_c)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def at_prompt() -> Iterator[list[bool]]:
    """Ctrl-C at a question raises KeyboardInterrupt at once (asyncio.run's own handler
    would only cancel the task and leave the question waiting for Enter). The list it
    yields holds True once Ctrl-C was pressed (click reports Ctrl-C and end of input alike)."""
    pressed: list[bool] = []
    if not _in_main_thread():
        yield pressed
        return

    def raise_interrupt(signal_number: int, frame: FrameType | None) -> None:
        pressed.append(True)
        raise KeyboardInterrupt()

    previous = signal.signal(signal.SIGINT, raise_interrupt)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


def grace_seconds(env: Mapping[str, str]) -> float:
    """The grace from MPR_INTERRUPT_GRACE (seconds), else GRACE_SECONDS."""
    raw = env.get(GRACE_VARIABLE, "").strip()
    try:
        value = float(raw) if raw else GRACE_SECONDS
    except ValueError:
        value = GRACE_SECONDS
    return value if 0 <= value <= 600 else GRACE_SECONDS


def _is_read(endpoint: Endpoint) -> bool:
    return endpoint.name.startswith(("Get", "Query"))


class Gate:
    """The first signal during apply's writes: nothing new goes out, what is out may settle."""

    def __init__(
        self,
        grace: float = GRACE_SECONDS,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.grace = grace
        self.say = say or (lambda text: click.echo(text, err=True))
        self.signal_number: int | None = None
        self.in_flight = 0
        self._deadline: float | None = None
        self._scopes: set[asyncio.Timeout] = set()
        self._stopped: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._give_up: asyncio.TimerHandle | None = None

    @property
    def stopped(self) -> bool:
        return self.signal_number is not None

    @property
    def exit_code(self) -> int:
        return exitcodes.for_signal(self.signal_number or signal.SIGINT)

    def watching(self, runtime: Runtime) -> Runtime:
        """`runtime` whose waits end as soon as a signal comes."""
        return replace(runtime, clock=_GatedClock(runtime.clock, self))

    def guard(self, client: WixClient) -> None:
        """Route every API call of `client` through the gate.

        `WixClient.call` is the one path every method of every site takes; the gate shadows
        it on this instance only (a client is made per command).
        """
        call = client.call

        async def guarded(
            site_id: str, endpoint: Endpoint, parse: Callable[[dict[str, Any]], T], **kw: Any
        ) -> T:
            return await self._send(endpoint, lambda: call(site_id, endpoint, parse, **kw))

        setattr(client, "call", guarded)  # noqa: B010 (an instance attribute, on purpose)

    @contextmanager
    def handling(self) -> Iterator[None]:
        """Within the running loop: SIGINT and SIGTERM go to the gate until the block ends."""
        import asyncio

        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        if not _in_main_thread():
            yield
            return
        previous = {number: signal.getsignal(number) for number in LABELS}
        for number in LABELS:
            signal.signal(number, self._on_signal)
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            if self._give_up is not None:
                self._give_up.cancel()

    def _on_signal(self, signal_number: int, frame: FrameType | None) -> None:
        if self.signal_number is not None:
            _quit_now(
                f"\n{label(signal_number)} again: quitting at once. A request in flight may or "
                "may not have taken effect: `mpr plan` shows where the sites are, the audit log "
                "holds every write sent (at least as an intent), and the next apply settles "
                "those from Wix.\n",
                exitcodes.for_signal(self.signal_number),
            )
        self.signal_number = signal_number
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stop)

    def _stop(self) -> None:
        assert self._loop is not None and self._stopped is not None
        self._deadline = self._loop.time() + self.grace
        for scope in self._scopes:
            scope.reschedule(self._deadline)
        self._stopped.set()
        again = "press Ctrl-C" if self.signal_number == signal.SIGINT else "send SIGTERM"
        self.say(
            f"\n{label(self.signal_number or signal.SIGINT)}: stopping. No new write is sent; "
            f"the {self.in_flight} request(s) already sent get up to {self.grace:g} s to "
            f"come back ({again} again to quit at once)."
        )
        self._give_up = self._loop.call_later(self.grace + GIVE_UP_AFTER, self._quit_late)

    def _quit_late(self) -> None:
        _quit_now(
            f"the run did not settle within {self.grace + GIVE_UP_AFTER:g} s of "
            f"{label(self.signal_number or signal.SIGINT)}: quitting. `mpr plan` shows where "
            "the sites are; the audit log holds every write sent (at least as an intent), and "
            "the next apply settles those from Wix.\n",
            self.exit_code,
        )

    def _interrupted(self, what: str, maybe_applied: bool = False) -> Interrupted:
        number = self.signal_number or signal.SIGINT
        return Interrupted(
            f"{label(number)} stopped the run {what}", number, maybe_applied=maybe_applied
        )

    async def _send(self, endpoint: Endpoint, send: Callable[[], Awaitable[T]]) -> T:
        import asyncio

        if self.stopped and not (_is_read(endpoint) and self._before_deadline()):
            raise self._interrupted(
                f"before {endpoint.name} was sent: not sent; run apply again to finish"
            )
        self.in_flight += 1
        scope = asyncio.timeout_at(self._deadline)
        self._scopes.add(scope)
        try:
            async with scope:
                return await send()
        except TimeoutError:
            if not (self.stopped and scope.expired()):
                raise
            raise self._interrupted(
                f"while {endpoint.name} was in flight, and no answer came within "
                f"{self.grace:g} s: it may or may not have taken effect (`mpr plan` shows)",
                maybe_applied=not _is_read(endpoint),
            ) from None
        finally:
            self._scopes.discard(scope)
            self.in_flight -= 1

    def _before_deadline(self) -> bool:
        return (
            self._loop is not None
            and self._deadline is not None
            and self._loop.time() < self._deadline
        )

    async def wait(self, sleeping: Callable[[], Awaitable[None]]) -> None:
        """`sleeping()`, cut short by the first signal (then Interrupted)."""
        import asyncio

        if self.stopped:
            raise self._interrupted("while it waited; run apply again to finish")
        if self._stopped is None:
            await sleeping()
            return
        sleeper = asyncio.ensure_future(sleeping())
        stop = asyncio.ensure_future(self._stopped.wait())
        try:
            await asyncio.wait({sleeper, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, stop):
                if not task.done():
                    task.cancel()
        if self.stopped:
            raise self._interrupted("while it waited; run apply again to finish")

    def summary(self, outcomes: Sequence[SiteOutcome]) -> str:
        """The closing line after a signal: what was made, and which sites did not finish."""
        made = sum(outcome.writes for outcome in outcomes)
        open_ = [o for o in outcomes if o.status in ("failed", "timed_out")]
        names = ", ".join(o.name or o.site_id for o in open_[:10])
        more = f" and {len(open_) - 10} more" if len(open_) > 10 else ""
        partly = sum(1 for o in open_ if o.partly_applied)
        more += f"; {partly} of them partly applied" if partly else ""
        rest = (
            f"{len(open_)} site(s) did not finish ({names}{more}): run `mpr apply` again to "
            "finish them"
            if open_
            else "every site finished"
        )
        stopped_by = label(self.signal_number or signal.SIGINT)
        return f"Stopped by {stopped_by}: {made} write(s) made before it; {rest}."


class _GatedClock:
    """A Clock whose sleeps end at the gate's first signal."""

    def __init__(self, inner: Clock, gate: Gate) -> None:
        self.inner, self.gate = inner, gate

    def now(self) -> datetime:
        return self.inner.now()

    async def sleep(self, seconds: float) -> None:
        await self.gate.wait(lambda: self.inner.sleep(seconds))


def _quit_now(message: str, code: int) -> None:
    """Leave the process at once, from a signal handler or a timer: os._exit, no unwinding.

    Every write sent to Wix has its intent line and journal record on disk already (apply
    waits for them before each send); results recorded since are settled by the next apply.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a handler may interrupt a write in progress
            pass
    os.write(2, message.encode("utf-8", "replace"))
    os._exit(code)
