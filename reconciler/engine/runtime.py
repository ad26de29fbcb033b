"""What every engine step needs besides the site: time, the journal, patience, progress."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from reconciler.engine.clock import Clock, SystemClock
from reconciler.engine.journal import Journal, MemoryJournal
from reconciler.engine.report import ActionRecord
from reconciler.engine.wait import WaitPolicy

Progress = Callable[[str, str], None]
"""progress(site_id, message): one short line about what a site is doing now."""

READING = "reading live state"
"""The progress message of a site whose live state is being read."""
APPLYING = "applying"
"""The progress message of a site whose writes have started."""

Settled = Callable[[str, str, str | None], None]
"""settled(site_id, status, error): a site is done: "planned"/"error" after its plan, or its
apply outcome (applied, unchanged, failed, timed_out), told the moment it is known."""


class AuditTrail(Protocol):
    """Where each write is recorded: as an intent before it is sent, then as it settles."""

    def record(self, site_id: str, record: ActionRecord) -> None: ...

    async def flush(self) -> None:
        """Return once every record so far is durable."""


def _quiet(site_id: str, message: str) -> None:
    """The default progress sink: say nothing."""


def _unheard(site_id: str, status: str, error: str | None) -> None:
    """The default settled sink: say nothing."""


class Unrecorded:
    """The default audit trail: keep no record."""

    def record(self, site_id: str, record: ActionRecord) -> None:
        pass

    async def flush(self) -> None:
        pass


@dataclass
class Runtime:
    """Injected collaborators, so tests drive time and record progress."""

    clock: Clock = field(default_factory=SystemClock)
    journal: Journal = field(default_factory=MemoryJournal)
    progress: Progress = _quiet
    settled: Settled = _unheard
    audit: AuditTrail = field(default_factory=Unrecorded)
    min_poll_delay: float = 1.0
    max_poll_delay: float = 10.0
    no_regenerate: bool = False
    force: bool = False
    answer_window: float = 30.0
    """Seconds a request sent by a run that was cut short may still take to reach Wix; a
    plan action sent that recently is looked for until then before it is sent again."""
    reviewed: Mapping[str, Mapping[str, str]] | None = None
    """Site id → draft id → content hash of the drafts a reviewed saved plan showed (`apply
    plan.json`): only those, unchanged, get scheduled. None: the plan made by this run."""

    def reviewed_drafts(self, site_id: str) -> Mapping[str, str] | None:
        return None if self.reviewed is None else self.reviewed.get(site_id, {})

    async def durable(self) -> None:
        """Return once the journal and the audit trail hold everything recorded so far: the
        barrier before every write sent to Wix (one disk write covers many sites' records)."""
        await asyncio.gather(self.journal.flush(), self.audit.flush())

    def wait_policy(self, timeout: float) -> WaitPolicy:
        return WaitPolicy(
            timeout=timeout, min_delay=self.min_poll_delay, max_delay=self.max_poll_delay
        )
