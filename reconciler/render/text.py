"""Plans and apply reports as text for people: `+ ~ -` lines, unchanged fields folded."""

from __future__ import annotations

from reconciler.engine.plan import Plan, SitePlan
from reconciler.engine.report import ApplyReport, SiteOutcome
from reconciler.render.describe import action_line, draft_lines, event_line, summary, value

_SIGN = {"create": "+", "update": "~", "delete": "-"}


def render_plan(plan: Plan) -> str:
    """Every site's changes, then one summary line for the fleet."""
    blocks = [render_site(site) for site in plan.sites]
    return "\n".join([*blocks, summary(plan)]) + "\n"


def render_site(site: SitePlan) -> str:
    head = f"{site.name or site.site_id} ({site.site_id}) — {site.source}"
    if site.error:
        return f"{head}\n  ! error: {site.error}\n"
    lines = [head]
    lines += [
        f"  {_setting_sign(c.before, c.after)} {c.path}: {value(c.before)} → {value(c.after)}"
        for c in site.settings
    ]
    if site.unchanged_settings:
        lines.append(f"    ({site.unchanged_settings} managed setting(s) unchanged)")
    lines += [f"  {_SIGN[c.op]} event {event_line(c)}" for c in site.events]
    lines += [
        f"    unmanaged event kept: {n!r} (policy.pruneEvents: true deletes it)"
        for n in site.unmanaged_events
    ]
    lines += [f"    read-only event (connected calendar): {n!r}" for n in site.read_only_events]
    lines.append(
        f"  {'*' if site.action.runs else ' '} {action_line(site.action, site.plan_status)}"
    )
    lines += [
        f"  {'*' if site.drafts.has_changes else ' '} drafts: {line}"
        for line in draft_lines(site.drafts)
    ]
    lines += [f"  ! warning: {w}" for w in site.warnings]
    if not site.has_changes:
        lines.append("  no changes")
    return "\n".join(lines) + "\n"


def _setting_sign(before: object, after: object) -> str:
    if before is None:
        return "+"
    if after is None:
        return "-"
    return "~"


def render_report(report: ApplyReport) -> str:
    """What apply did per site, what it did not and why, then one summary line."""
    blocks = [_outcome(o) for o in report.outcomes]
    failed, timed = len(report.failed), len(report.timed_out)
    applied = sum(1 for o in report.outcomes if o.status == "applied")
    line = (
        f"Apply: {len(report.outcomes)} site(s): {applied} changed, {failed} failed, "
        f"{timed} timed out, {len(report.outcomes) - applied - failed - timed} unchanged."
    )
    return "\n".join([*blocks, line]) + "\n"


def _outcome(outcome: SiteOutcome) -> str:
    lines = [f"{outcome.name or outcome.site_id} ({outcome.site_id}): {outcome.status}"]
    lines += [f"  done: {d}" for d in outcome.done]
    lines += [f"  not done: {n}" for n in outcome.not_done]
    lines += [f"  ! warning: {w}" for w in outcome.warnings]
    if outcome.error:
        lines.append(f"  ! error: {outcome.error}")
    return "\n".join(lines) + "\n"
