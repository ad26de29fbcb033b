"""What apply did, site by site: the value the CLI renders and the audit log records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from reconciler.errors import MprError

OutcomeStatus = Literal["unchanged", "applied", "failed", "timed_out", "refused"]
INTENT = "intent"
"""The result of the line written before a write is sent."""
UNKNOWN = "unknown"
"""The result of a write whose answer was lost: the next run looks at Wix to tell."""


@dataclass(frozen=True)
class ActionRecord:
    """One write mpr attempted on a site, with a before/after summary and how it ended.

    `action` is one of settings.upsert, event.create, event.update, event.delete,
    plan.generate, plan.regenerate, plan.regenerate_keywords, posts.generate,
    drafts.schedule; `result` is "intent" (about to be sent), then "ok", "failed", or
    "unknown" (sent, but the answer was lost: it may have taken effect).
    """

    action: str
    target: str = ""
    before: Any = None
    after: Any = None
    result: str = "ok"
    detail: str = ""


@dataclass
class SiteOutcome:
    """One site's apply: the steps done, what was not done and why."""

    site_id: str
    name: str
    status: OutcomeStatus = "unchanged"
    done: list[str] = field(default_factory=list)
    not_done: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    writes: int = 0
    actions: list[ActionRecord] = field(default_factory=list)
    attempting: ActionRecord | None = None
    """The write under way; recorded as failed if the site's apply ends in an error."""
    sink: Callable[[ActionRecord], None] | None = field(default=None, repr=False, compare=False)
    """Told of each settled action as it happens (the audit log), so a killed run loses none."""

    @property
    def partly_applied(self) -> bool:
        """A site that failed (or was interrupted) after some of its writes landed: neither
        changed as planned nor untouched (`done` says what landed)."""
        return self.status == "failed" and self.writes > 0

    @property
    def maybe_landed(self) -> tuple[ActionRecord, ...]:
        """Writes sent whose answer was lost: they may have taken effect."""
        return tuple(a for a in self.actions if a.result == UNKNOWN)

    def attempt(self, action: str, target: str = "", before: Any = None, after: Any = None) -> None:
        """Note the write about to be sent (the audit log gets its intent line now)."""
        self.attempting = ActionRecord(action, target, before, after, result=INTENT)
        if self.sink is not None:
            self.sink(self.attempting)

    def did(self, step: str, writes: int = 1, detail: str = "") -> None:
        """Record that the write under way (if any) succeeded, and the step's summary line."""
        self.done.append(step)
        self.writes += writes
        self._settle("ok", detail)
        if self.status == "unchanged":
            self.status = "applied"

    def failed_step(self, error: str) -> None:
        """Record the write under way as failed while the site's apply goes on."""
        self._settle("failed", error)

    def failed(self, status: OutcomeStatus, error: str, *, maybe_applied: bool = False) -> None:
        """End the site's apply with `status`; the write under way is recorded as failed, or
        as unknown when its answer was lost and it may have taken effect."""
        self.status, self.error = status, error
        self._settle(UNKNOWN if maybe_applied else "failed", error)

    def _settle(self, result: str, detail: str) -> None:
        if self.attempting is not None:
            record = replace(self.attempting, result=result, detail=detail)
            self.actions.append(record)
            self.attempting = None
            if self.sink is not None:
                try:
                    self.sink(record)
                except MprError:
                    # The audit log broke (a full disk): this outcome still stands, and the
                    # run ends with the log's own error; its intent line is on disk, so the
                    # next apply settles it from Wix.
                    pass


@dataclass(frozen=True)
class ApplyReport:
    """Every site's outcome, in plan order."""

    outcomes: tuple[SiteOutcome, ...]
    refused_digest: str = ""
    """The review digest (engine.review) of the refused sites' writes: what a later
    `apply --force=SITE --expect-digest` of those sites alone must match."""

    @property
    def failed(self) -> tuple[SiteOutcome, ...]:
        """Sites whose apply ended in an error (partly applied ones included)."""
        return tuple(o for o in self.outcomes if o.status == "failed")

    @property
    def partly_applied(self) -> tuple[SiteOutcome, ...]:
        return tuple(o for o in self.outcomes if o.partly_applied)

    @property
    def timed_out(self) -> tuple[SiteOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "timed_out")

    @property
    def refused(self) -> tuple[SiteOutcome, ...]:
        """Sites left alone because their plan tripped the delete guard (no `--force`)."""
        return tuple(o for o in self.outcomes if o.status == "refused")
