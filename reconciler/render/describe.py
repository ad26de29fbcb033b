"""Words shared by the text and Markdown renderers: one phrasing of each fact."""

from __future__ import annotations

import json
from typing import Any

from reconciler.engine.plan import DraftStep, EventChange, Plan, PlanAction, SitePlan

ACTION_WORDS = {
    "none": "no plan action",
    "generate": "generate the plan",
    "regenerate": "regenerate the plan",
    "regenerate_keywords": "regenerate the plan with keyword research",
    "wait": "wait for the running generation, then decide again",
}


def value(data: Any) -> str:
    """A compact JSON spelling of a settings value; None reads as "(unset)"."""
    if data is None:
        return "(unset)"
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def event_when(body: Any) -> str:
    if not body:
        return ""
    rule = body.get("recurringRule")
    if rule:
        every = rule.get("interval", 1)
        step = f" every {every}" if every != 1 else ""
        return f"{rule['frequency'].lower()}{step} from {rule['startDate']}"
    return str(body.get("date", ""))


def event_line(change: EventChange) -> str:
    if change.op == "create":
        return f"create {change.name!r} ({event_when(change.after)})"
    if change.op == "delete" and change.duplicate:
        return f"delete {change.name!r} ({event_when(change.before)}): an extra copy of it"
    if change.op == "delete":
        return f"delete {change.name!r} ({event_when(change.before)})"
    fields = sorted(
        k
        for k in set(change.before or {}) | set(change.after or {})
        if (change.before or {}).get(k) != (change.after or {}).get(k)
    )
    when = f"{event_when(change.before)} → {event_when(change.after)}"
    return f"update {change.name!r} ({', '.join(fields)}: {when})"


def action_line(action: PlanAction, status: str) -> str:
    words = ACTION_WORDS[action.kind]
    line = f"plan {status or '?'}: {words} ({action.reason})"
    if action.skipped and action.kind != "none":
        line += f"; SKIPPED: {action.skipped}"
    return line


def draft_lines(step: DraftStep) -> list[str]:
    if step.after_generation:
        return ["posts and scheduling are decided after the generation ends"]
    lines = []
    if step.generate_posts_for:
        lines.append(f"generate posts for {len(step.generate_posts_for)} activities without posts")
    sends = {c: len(ids) for c, ids in step.schedule.items() if ids}
    if sends:
        per = ", ".join(f"{c} {n}" for c, n in sends.items())
        lines.append(f"schedule {sum(sends.values())} drafts ({per})")
    for channel, count in step.stays_draft.items():
        lines.append(f"{count} {channel} draft(s) stay drafts")
    lines.extend(step.notes)
    return lines


def counts(site: SitePlan) -> str:
    parts = []
    for op in ("create", "update", "delete"):
        n = sum(1 for c in site.events if c.op == op)
        if n:
            parts.append(f"{n} event {op}{'s' if n > 1 else ''}")
    if site.settings:
        parts.insert(0, f"{len(site.settings)} setting{'s' if len(site.settings) > 1 else ''}")
    if site.action.runs:
        parts.append(ACTION_WORDS[site.action.kind])
    if site.drafts.has_changes:
        parts.append("drafts")
    return ", ".join(parts) or "no changes"


def summary(plan: Plan) -> str:
    changed = sum(1 for s in plan.sites if s.has_changes and not s.error)
    errors = sum(1 for s in plan.sites if s.error)
    unchanged = len(plan.sites) - changed - errors
    return (
        f"Plan: {len(plan.sites)} site(s): {changed} to change, {unchanged} unchanged, "
        f"{errors} error(s)."
    )
