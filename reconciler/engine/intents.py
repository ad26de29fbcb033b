"""Writes a killed run left open: found in the audit log, settled by looking at Wix.

Every write is logged as an intent before it is sent and settled (ok, failed, unknown) after.
A run killed in between leaves an intent without its outcome, and a lost answer leaves an
`unknown`. The next apply reads the live state anyway; `settle` compares what each open
write meant to do with what Wix now holds and says whether it `landed`, was `lost`, or
cannot be told (`unknown`: a plan action that has already finished leaves no trace).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.engine.audit import AuditEntry
from reconciler.engine.report import INTENT, UNKNOWN
from reconciler.model.plan_state import GENERATING, POSTED
from reconciler.model.settings import canonical, live_values
from reconciler.model.site import LiveSite

LANDED = "landed"
LOST = "lost"


@dataclass(frozen=True)
class Settled:
    """What the live state says of one open write."""

    entry: AuditEntry
    result: str
    detail: str


def open_writes(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Intents no later line settled, and writes whose outcome was `unknown`, oldest first."""
    pending: dict[tuple[str, str, str, str | None], AuditEntry] = {}
    for entry in entries:
        key = (entry.site, entry.action, entry.target, entry.run)
        if entry.result in (INTENT, UNKNOWN):
            pending[key] = entry
        elif entry.result and key in pending:
            del pending[key]
        if entry.detail.startswith(_SETTLED):
            pending.pop((entry.site, entry.action, entry.target, _run_of(entry.detail)), None)
    return list(pending.values())


def one_per_write(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """The log with each write once: an intent a later line settled is left out for that line.

    An intent nothing settled (a run killed between sending and hearing back) stays, so
    the reader sees a write whose outcome is not known.
    """
    listed = list(entries)
    settled: set[int] = set()
    pending: dict[tuple[str, str, str, str | None, str | None], int] = {}
    for index, entry in enumerate(listed):
        key = (entry.site, entry.action, entry.target, entry.run, entry.commit)
        if entry.result == INTENT:
            pending[key] = index
        elif entry.result and key in pending:
            settled.add(pending.pop(key))
    return [entry for index, entry in enumerate(listed) if index not in settled]


def settle(
    open_entries: Sequence[AuditEntry],
    live: Mapping[str, LiveSite | None],
    declared: Mapping[str, Collection[str]],
) -> list[Settled]:
    """For each open write of a site read in this run, what Wix shows of it.

    `declared`: each site's event names in its file. A delete of a declared name was of an
    extra copy (the first one is kept), so it landed when one event of that name is left.
    """
    found = []
    for entry in open_entries:
        site = live.get(entry.site)
        if site is None:
            continue
        result, how = _look(entry, site, entry.target in declared[entry.site])
        origin = f"{_SETTLED}{entry.run or '?'} at {entry.time}: {how}"
        found.append(Settled(entry, result, origin))
    return found


_SETTLED = "settled from live state, for the write of run "


def _run_of(detail: str) -> str | None:
    run = detail[len(_SETTLED) :].split(" at ", 1)[0]
    return None if run == "?" else run


def _look(entry: AuditEntry, site: LiveSite, declared: bool) -> tuple[str, str]:
    action, after = entry.action, entry.after
    if action == "settings.upsert" and isinstance(after, Mapping):
        wanted = {path: canonical(path, value) for path, value in after.items()}
        live = live_values(site.settings_document, list(wanted), wanted)
        same = live == wanted
        return (
            (LANDED, "the settings hold the values it sent")
            if same
            else (
                LOST,
                "the settings do not hold the values it sent",
            )
        )
    names = [e.name for e in site.events if not e.read_only]
    if action == "event.create":
        there = entry.target in names
        return (LANDED, "the event exists") if there else (LOST, "the event does not exist")
    if action == "event.delete":
        left = names.count(entry.target)
        if declared and left:  # a delete of an extra copy: the first one is kept
            return (LOST, "the extra copy is still there") if left > 1 else (LANDED, "one is left")
        return (LOST, "the event is still there") if left else (LANDED, "the event is gone")
    if action == "event.update":
        return _event_update(entry.target, after, site)
    if action.startswith("plan.") and site.plan.status == GENERATING:
        return LANDED, "a generation is running"
    if action == "drafts.schedule":
        posted = sum(1 for a in site.plan.activities for d in a.drafts if d.status in POSTED)
        return UNKNOWN, f"{posted} post(s) are scheduled or published now"
    return UNKNOWN, "the live state cannot tell (the work it started may have finished)"


def _event_update(name: str, after: Any, site: LiveSite) -> tuple[str, str]:
    bodies = [e.to_json() for e in site.events if e.name == name and not e.read_only]
    if isinstance(after, Mapping) and dict(after) in bodies:
        return LANDED, "the event holds what it sent"
    return LOST, "the event does not hold what it sent"
