"""Words shared by the text and Markdown renderers: one phrasing of each fact."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from typing import Any

from reconciler.engine.plan import DraftStep, EventChange, Plan, PlanAction, SitePlan
from reconciler.model.counts import counted
from reconciler.model.plan_state import ACTIVE

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
    return f"update {change.name!r} ({event_when(change.after)})"  # what changed: a line each


def action_line(action: PlanAction, status: str) -> str:
    words = ACTION_WORDS[action.kind]
    line = f"plan {status or '?'}: {words} ({action.reason})"
    if action.skipped and action.kind != "none":
        line += f"; SKIPPED: {action.skipped}"
    return line


def draft_lines(step: DraftStep, shared: Collection[str] = ()) -> list[str]:
    if step.after_generation:
        return ["posts and scheduling are decided after the generation ends"]
    lines = []
    if step.generate_posts_for:
        activities = counted(len(step.generate_posts_for), "activity", "activities")
        lines.append(f"generate posts for {activities} without posts")
    sends = {c: len(ids) for c, ids in step.schedule.items() if ids}
    if sends:
        per = ", ".join(f"{c} {n}" for c, n in sends.items())
        lines.append(f"schedule {counted(sum(sends.values()), 'draft')} ({per})")
    for channel, count in step.stays_draft.items():
        lines.append(f"{count} {channel} draft(s) stay drafts")
    lines.extend(note for note in step.notes if note not in shared)
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


def is_busy(site: SitePlan) -> bool:
    """Whether something will happen to a site or needs a look, its notes aside: an
    error, a change, a refusal, a skipped action, a draft a content rule holds back (someone
    should edit or drop it), or a plan not ACTIVE (an unknown status, work left due for the
    next apply in a drift report)."""
    if site.plan_status != ACTIVE:
        return True
    return bool(
        site.error or site.has_changes or site.refusals or site.action.skipped or site.drafts.held
    )


def site_notes(site: SitePlan) -> tuple[str, ...]:
    """The notes of a site that the fleet says once when several sites carry them: its
    warnings, and (on a site shown anyway) why its drafts stay drafts."""
    return (*site.warnings, *(site.drafts.notes if is_busy(site) else ()))


def _many(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(plan: Plan) -> str:
    """The fleet's changes counted by kind, then its sites: what a reviewer weighs first."""
    readable = [s for s in plan.sites if not s.error]
    ops = Counter(c.op for s in readable for c in s.events)
    drafts = sum(len(ids) for s in readable for ids in s.drafts.schedule.values())
    posts = sum(len(s.drafts.generate_posts_for) for s in readable)
    kinds = [
        _many(sum(len(s.settings) for s in readable), "setting field"),
        f"events +{ops['create']} ~{ops['update']} -{ops['delete']}",
        _many(sum(1 for s in readable if s.action.runs), "plan action"),
        f"{_many(drafts, 'draft')} to schedule",
    ]
    if posts:
        kinds.append(f"posts for {posts} activit{'y' if posts == 1 else 'ies'}")
    changed = sum(1 for s in readable if s.has_changes)
    errors = len(plan.sites) - len(readable)
    return (
        f"Plan: {', '.join(kinds)}; {len(plan.sites)} site(s): {changed} to change, "
        f"{len(readable) - changed} unchanged, {errors} error(s)."
    )


def refusal_block(plan: Plan) -> str:
    """Which sites `apply` will refuse and why, and that it applies the others (empty: none)."""
    if not plan.refused:
        return ""
    others = len(plan.to_apply)
    lines = [
        f"Apply will refuse {len(plan.refused)} site(s) (exit {plan.refusal_exit_code}) and "
        f"apply the {others} other site(s) with changes; pass the guard with --force=SITE:"
    ]
    lines += [
        f"  {site.name or site.site_id}: {reason}"
        for site in plan.refused
        for reason in site.refusals
    ]
    return "\n".join(lines)
