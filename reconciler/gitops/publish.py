"""Hand a plan to a pipeline: the PR-comment Markdown file, step outputs and the job summary."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from reconciler.engine.calendar import SiteCalendar
from reconciler.engine.files import make_folder
from reconciler.engine.plan import Plan
from reconciler.engine.review import review_digest
from reconciler.errors import ConfigError
from reconciler.gitops.github import add_summary, set_outputs
from reconciler.gitops.gitinfo import run_url
from reconciler.render import markdown
from reconciler.render.calendar.markdown import upcoming_sections


def more_text(env: Mapping[str, str]) -> str:
    """Where a reader finds what a cut comment left out: this run's log, linked when known."""
    link = run_url(env)
    return f"see [the job log]({link}) or the plan artifact" if link else markdown.MORE


def publish(
    env: Mapping[str, str],
    plan: Plan,
    *,
    comment_file: str | None,
    github: bool,
    limit: int = markdown.LIMIT,
    title: str = "mpr plan",
    marker: str = markdown.MARKER,
    upcoming: Mapping[str, SiteCalendar] | None = None,
) -> None:
    """Write the comment file (if asked) and, with `github`, the step outputs and summary.

    Outputs: `result` (no-changes | changes | destructive | error), `has-changes`
    (true | false), `digest` (engine.review) and `sites` (how many were planned).
    `upcoming`: the changed sites' next days (engine.calendar.upcoming), shown in the comment.
    """
    if not (comment_file or github):
        return
    text = markdown.render_plan(
        plan,
        limit=limit,
        title=title,
        more=more_text(env),
        marker=marker,
        upcoming=upcoming_sections(upcoming or {}),
    )
    if comment_file:
        _write_comment(Path(comment_file), text)
    if github:
        set_outputs(
            env,
            {
                "result": markdown.verdict(plan),
                "has-changes": "true" if plan.has_changes else "false",
                "digest": review_digest(plan),
                "sites": str(len(plan.sites)),
            },
        )
        add_summary(env, text)


def _write_comment(target: Path, text: str) -> None:
    try:
        make_folder(target.parent)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot write the comment file {target}: {exc.strerror or exc}; pass --comment a "
            "file in a folder you can write to"
        ) from None
