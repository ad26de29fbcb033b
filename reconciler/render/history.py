"""The audit log for people (`mpr history`): one line per entry, oldest first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reconciler.engine.audit import SITE_ACTION, AuditEntry

_TARGET_WIDTH = 60


def render_history(entries: Sequence[AuditEntry]) -> str:
    """time  site  action target: result  commit by actor (run), then a count."""
    lines = [_line(entry) for entry in entries]
    lines.append(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}.")
    return "\n".join(lines) + "\n"


def _line(entry: AuditEntry) -> str:
    site = f"{entry.site_name} ({entry.site})" if entry.site_name else entry.site
    what = entry.action if entry.action == SITE_ACTION else f"{entry.action} {_target(entry)}"
    origin = f"  {entry.commit[:12]}" if entry.commit else "  (no commit)"
    if entry.actor:
        origin += f" by {entry.actor}"
    if entry.run:
        origin += f" (run {entry.run})"
    line = f"{entry.time}  {site}  {what.strip()}: {entry.result}{origin}"
    change = _change(entry)
    if change:
        line += f"\n    {change}"
    if entry.detail and not entry.succeeded:
        line += f"\n    ! {entry.detail}"
    return line


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
