"""The policy a site file declares for mpr itself (data only; the engine evaluates it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RegenerateMode = Literal["auto", "never"]
AfterGeneration = Literal["schedule", "review"]
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
"""Weekday names as `quietDays` spells them, in `date.weekday()` order."""


@dataclass(frozen=True)
class SchedulePolicy:
    """Which post drafts `apply` generates and schedules."""

    enabled: bool = True
    channels: tuple[str, ...] | None = None
    """None: every channel listed in settings.socialChannels (or every channel when unmanaged)."""
    horizon_days: int = 14
    generate_missing_posts: bool = True
    after_generation: AfterGeneration = "schedule"
    """What apply does with drafts a generation made during the same run, which nobody has
    seen: `schedule` them per the rules below, or hold them for `review` in the next plan."""
    block_words: tuple[str, ...] = ()
    """Words or phrases a draft must not contain (case-insensitive, whole words)."""
    quiet_days: tuple[str, ...] = ()
    """Weekdays (WEEKDAYS) on which nothing is scheduled, in `time_zone`."""
    quiet_dates: tuple[str, ...] = ()
    """ISO dates (YYYY-MM-DD) on which nothing is scheduled, in `time_zone`."""
    max_per_day: int | None = None
    """At most this many posts per channel and day (in `time_zone`); None: no limit."""
    time_zone: str = "UTC"
    """The IANA time zone that days and dates are counted in."""
    hold_excluded_topics: bool = False
    """Hold a draft that mentions one of settings.topics.excluded (else: a warning)."""


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
