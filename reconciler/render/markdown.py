"""Plans as Markdown for pull-request comments: summary table first, details folded per site."""

from __future__ import annotations

from reconciler.engine.plan import Plan, SitePlan
from reconciler.render import text
from reconciler.render.describe import counts, summary

MARKER = "<!-- mpr-plan -->"


def render_plan(plan: Plan) -> str:
    rows = ["| site | status | changes |", "| --- | --- | --- |"]
    rows += [f"| {_name(s)} | {_status(s)} | {_cell(s)} |" for s in plan.sites]
    details = [_details(s) for s in plan.sites]
    return "\n".join([MARKER, f"### mpr plan\n\n{summary(plan)}\n", *rows, "", *details]) + "\n"


def _name(site: SitePlan) -> str:
    return f"**{_escape(site.name or site.site_id)}**"


def _status(site: SitePlan) -> str:
    if site.error:
        return "❌ error"
    if any(c.op == "delete" for c in site.events):
        return "⚠️ destructive"
    return "✏️ changes" if site.has_changes else "✅ no changes"


def _cell(site: SitePlan) -> str:
    return _escape(site.error) if site.error else _escape(text_counts(site))


def text_counts(site: SitePlan) -> str:
    return counts(site)


def _details(site: SitePlan) -> str:
    body = text.render_site(site)
    title = _escape(site.name or site.site_id)
    return f"<details><summary>{title}</summary>\n\n```text\n{body}```\n</details>\n"


def _escape(raw: str) -> str:
    return raw.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
