"""Renderers: a Plan or an apply report in, a string out (text, JSON, Markdown). No I/O here."""

from __future__ import annotations

from reconciler.engine.plan import Plan
from reconciler.engine.report import ApplyReport
from reconciler.render import markdown, text
from reconciler.render.paint import Paint, plain


def render_plan(plan: Plan, fmt: str, paint: Paint = plain, width: int = text.DEFAULT_WIDTH) -> str:
    """The plan in `fmt`: "text" (coloured by `paint`, drafts' words cut to `width`),
    "json" or "markdown"."""
    if fmt == "json":
        return plan.dumps()
    if fmt == "markdown":
        return markdown.render_plan(plan)
    return text.render_plan(plan, paint, width)


def render_report(report: ApplyReport) -> str:
    """The end-of-apply summary, per site."""
    return text.render_report(report)
