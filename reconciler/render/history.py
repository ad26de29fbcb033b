"""The audit log for people (`mpr history`): one line per entry, oldest first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reconciler.engine.audit import SITE_ACTION, AuditEntry
from reconciler.render.fleet import fold, folded_line

_TARGET_WIDTH = 60


def render_history(entries: Sequence[AuditEntry]) -> str:
    """time  site  action target: result  commit by actor (run), then a count.

    The fleet rule (render.fleet): within one run (consecutive entries of one commit and
    run), the sites whose apply left them unchanged are folded into one line, after the
    entries of the sites that changed or failed.
    """
    lines = [line for run in _runs(entries) for line in _run_lines(run)]
    lines.append(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}.")
    return "\n".join(lines) + "\n"


def _runs(entries: Sequence[AuditEntry]) -> list[list[AuditEntry]]:
    """`entries` cut where the commit or the run changes (one apply's entries together)."""
    runs: list[list[AuditEntry]] = []
    for entry in entries:
        if runs and (runs[-1][-1].commit, runs[-1][-1].run) == (entry.commit, entry.run):
            runs[-1].append(entry)
        else:
            runs.append([entry])
    return runs


def _run_lines(run: Sequence[AuditEntry]) -> list[str]:
    fleet = fold(run, name=_site, busy=lambda e: not _unchanged(e))
    lines = [_line(entry) for entry in fleet.shown]
    if len(fleet.folded) > 1:
        last = fleet.folded[-1]
        lines.append(f"{last.time}  {folded_line([_site(e) for e in fleet.folded])}{_origin(last)}")
    elif fleet.folded:
        lines.append(_line(fleet.folded[0]))
    return lines


def _unchanged(entry: AuditEntry) -> bool:
    return entry.action == SITE_ACTION and entry.result == "unchanged"


def _site(entry: AuditEntry) -> str:
    return f"{entry.site_name} ({entry.site})" if entry.site_name else entry.site


def _line(entry: AuditEntry) -> str:
    what = entry.action if entry.action == SITE_ACTION else f"{entry.action} {_target(entry)}"
    line = f"{entry.time}  {_site(entry)}  {what.strip()}: {entry.result}{_origin(entry)}"
    change = _change(entry)
    if change:
        line += f"\n    {change}"
    if entry.detail and not entry.succeeded:
        line += f"\n    ! {entry.detail}"
    return line


def _origin(entry: AuditEntry) -> str:
    origin = f"  {entry.commit[:12]}" if entry.commit else "  (no commit)"
    if entry.actor:
        origin += f" by {entry.actor}"
    if entry.run:
        origin += f" (run {entry.run})"
    return origin


def _target(entry: AuditEntry) -> str:
    target = entry.target
    return target if len(target) <= _TARGET_WIDTH else target[: _TARGET_WIDTH - 1] + "…"


def _change(entry: AuditEntry) -> str:
    if entry.before is None and entry.after is None:
        return ""
    return f"{_compact(entry.before)} → {_compact(entry.after)}"


def _compact(value: Any) -> str:
    if value is None:
        return "(none)"
    spelled = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return spelled if len(spelled) <= 120 else spelled[:119] + "…"
