"""What apply did, site by site: the value the CLI renders as the end summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

OutcomeStatus = Literal["unchanged", "applied", "failed", "refused", "timed_out", "skipped"]


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

    def did(self, step: str, writes: int = 1) -> None:
        """Record a step that wrote to Wix."""
        self.done.append(step)
        self.writes += writes
        if self.status == "unchanged":
            self.status = "applied"


@dataclass(frozen=True)
class ApplyReport:
    """Every site's outcome, in plan order."""

    outcomes: tuple[SiteOutcome, ...]

    @property
    def failed(self) -> tuple[SiteOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "failed")

    @property
    def timed_out(self) -> tuple[SiteOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "timed_out")

    @property
    def refused(self) -> tuple[SiteOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "refused")
