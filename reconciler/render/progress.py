"""A fleet's progress as a few lines of text: the live status line, the CI heartbeat, and the
line a site gets when it settles. Pure: the console (cli/console.py) decides where they go.

The engine says what a site is doing with `Runtime.progress(site_id, message)` and when it is
done with `Runtime.settled(site_id, status, error)`; this model counts sites per phase and
knows which one has been at its step the longest (the one the fleet is waiting for).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from reconciler.engine.runtime import APPLYING, READING

QUEUED = "queued"
"""A site the engine has not started on yet."""
_PHASE = {READING: "reading", APPLYING: "applying"}
"""Every other message is about something a site waits for (a generation, posts)."""
_ORDER = ("queued", "reading", "applying", "waiting")


@dataclass
class SiteProgress:
    """One site: its name, its phase or settled status, what it does now and since when."""

    name: str
    phase: str = QUEUED
    doing: str = ""
    since: datetime | None = None
    settled: bool = False


def duration(seconds: float) -> str:
    """`42s`, `3m05s`, `1h02m`: short enough for a status line."""
    whole = int(max(seconds, 0))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


class FleetProgress:
    """Where every site of one command's fleet is; sites are named by name (id without one)."""

    def __init__(self, names: Mapping[str, str], started: datetime) -> None:
        self.started = started
        self.sites = {site_id: SiteProgress(name or site_id) for site_id, name in names.items()}

    def update(self, site_id: str, message: str, now: datetime) -> None:
        site = self.sites.get(site_id)
        if site is None or site.settled:
            return
        phase = _PHASE.get(message, "waiting")
        if phase != site.phase or site.since is None:
            site.since = now
        site.phase, site.doing = phase, message

    def settle(self, site_id: str, status: str, now: datetime) -> SiteProgress | None:
        """Mark the site done with `status`; None for a site this fleet does not hold."""
        site = self.sites.get(site_id)
        if site is None:
            return None
        site.phase, site.settled, site.since = status, True, now
        return site

    def all_settled(self) -> bool:
        return all(site.settled for site in list(self.sites.values()))

    def status_line(self, now: datetime) -> str:
        """`12 site(s): 3 reading, 9 planned · 42s · slowest: Crumb & Co (reading live state, 9s)`
        (the line a terminal shows)."""
        elapsed = duration((now - self.started).total_seconds())
        return " · ".join([self._counts(), elapsed, *self._slowest(now)])

    def heartbeat_line(self, now: datetime) -> str:
        """For a log: the time elapsed first, then the counts and the slowest site."""
        elapsed = duration((now - self.started).total_seconds())
        return f"[{elapsed}] still working: " + " · ".join([self._counts(), *self._slowest(now)])

    def settled_line(self, site: SiteProgress, error: str | None) -> str:
        """What a log shows the moment a site settles (first line of an error only)."""
        elapsed = duration(((site.since or self.started) - self.started).total_seconds())
        reason = f": {error.splitlines()[0]}" if error else ""
        return f"[{elapsed}] {site.name}: {site.phase}{reason}"

    def _counts(self) -> str:
        sites = list(self.sites.values())
        by_phase = Counter(s.phase for s in sites)
        ordered = [p for p in _ORDER if by_phase[p]]
        ordered += sorted(p for p in by_phase if p not in _ORDER)
        counts = ", ".join(f"{by_phase[p]} {p}" for p in ordered)
        return f"{len(sites)} site(s): {counts}"

    def _slowest(self, now: datetime) -> list[str]:
        """`slowest: NAME (what it does, for how long)`: the unsettled site that has been at
        its current step the longest; nothing when no site is under way."""
        busy = [s for s in list(self.sites.values()) if not s.settled and s.since is not None]
        if not busy:
            return []
        site = min(busy, key=lambda s: s.since or self.started)
        took = duration((now - (site.since or now)).total_seconds())
        return [f"slowest: {site.name} ({site.doing}, {took})"]
