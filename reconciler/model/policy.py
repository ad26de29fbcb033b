"""The policy a site file declares for mpr itself (data only; the engine evaluates it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RegenerateMode = Literal["auto", "never"]


@dataclass(frozen=True)
class SchedulePolicy:
    """Which post drafts `apply` generates and schedules."""

    enabled: bool = True
    channels: tuple[str, ...] | None = None
    """None: every channel listed in settings.socialChannels (or every channel when unmanaged)."""
    horizon_days: int = 14
    generate_missing_posts: bool = True


@dataclass(frozen=True)
class DeleteGuard:
    """The destructive-change gate: deleting more than `percent` of a site's events stops apply."""

    percent: float = 30.0
    min_events: int = 4
    """Sites with fewer live managed-or-unmanaged events than this are exempt."""


@dataclass(frozen=True)
class Policy:
    """Everything a site file says about how mpr should reconcile it."""

    prune_events: bool = False
    regenerate: RegenerateMode = "auto"
    wait_timeout_seconds: float = 900.0
    max_generation_attempts: int = 2
    schedule: SchedulePolicy = field(default_factory=SchedulePolicy)
    delete_guard: DeleteGuard = field(default_factory=DeleteGuard)
