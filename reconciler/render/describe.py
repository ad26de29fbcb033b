"""Words shared by the text and Markdown renderers: one phrasing of each fact."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from reconciler.engine.plan import DraftStep, EventChange, Plan, PlanAction, SitePlan
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


def is_quiet(site: SitePlan) -> bool:
    """Whether a site can be folded: nothing will happen to it and nothing needs a look.

    Its plan must be ACTIVE: any other status (an unknown one, work left due for the next
    apply in a drift report) is worth a line of its own, and so is a draft a content rule
    holds back (someone should edit or drop it).
    """
    if site.plan_status != ACTIVE or site.error or site.has_changes:
        return False
    return not (site.warnings or site.refusals or site.action.skipped or site.drafts.held)


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
    """What `apply` will refuse, site by site, with its exit code (empty when nothing)."""
    if not plan.refused:
        return ""
    lines = [
        f"Apply will refuse this plan (exit {plan.refusal_exit_code}) and write nothing, "
        "unless run with --force:"
    ]
    lines += [
        f"  {site.name or site.site_id}: {reason}"
        for site in plan.refused
        for reason in site.refusals
    ]
    return "\n".join(lines)
