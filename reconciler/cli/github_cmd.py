"""`mpr github comment|issue|reviewed`: the GitHub side of the mpr workflows.

* `comment FILE`: upsert the one pull-request comment carrying the hidden marker with the
  Markdown `mpr plan --comment FILE` wrote, and set the `mpr:<verdict>` label. A missing FILE
  (the plan never ran) posts an error comment, so a stale "no changes" never stays up.
* `issue FILE`: for the drift check: open (or update) the drift issue when `mpr drift
  --comment FILE` found drift, close it with a note once the sites are back in sync.
* `reviewed`: the review digest of the plan last commented on the pull request that the
  commit being applied came from; with `--plan FILE`, refuse (exit 4) when the plan made at
  the merged commit would write something else (also `mpr apply --expect-digest`).

The steps themselves are reconciler.gitops.pullrequest; this module parses the options and
says what they did.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import click
import httpx

from reconciler.cli import exitcodes
from reconciler.cli.apply_cmd import check_digest, read_saved_plan
from reconciler.cli.console import warn
from reconciler.gitops.github import GitHub, pull_request_number, set_outputs
from reconciler.gitops.pullrequest import (
    DRIFT_LABEL,
    DRIFT_TITLE,
    StepOutcome,
    comment_body,
    find_review,
    plan_marker,
    post_plan_comment,
    sync_drift_issue,
)


@dataclass
class GitHubHooks:
    """What tests inject as click's context object: the environment and an HTTP transport."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    transport: httpx.BaseTransport | None = None


def _hooks(ctx: click.Context) -> GitHubHooks:
    return ctx.find_object(GitHubHooks) or GitHubHooks()


@click.group("github")
def github() -> None:
    """Post plans to pull requests and issues (run inside GitHub Actions)."""


@github.command("comment")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--pr", "number", type=int, help="The pull request (default: this run's).")
@click.option("--key", default="", help="Keep several mpr comments on one PR apart.")
@click.option(
    "--labels/--no-labels",
    default=True,
    show_default=True,
    help="Set the mpr:<verdict> label on the pull request.",
)
@click.pass_context
def comment(ctx: click.Context, file: str, number: int | None, key: str, labels: bool) -> int:
    """Create or update the pull request's plan comment from FILE (`mpr plan --comment`)."""
    hooks = _hooks(ctx)
    marker = plan_marker(key)
    body = comment_body(file, hooks.env, marker)
    number = number or pull_request_number(hooks.env)
    if number is None:
        raise click.UsageError("no pull request: run on a pull_request event or pass --pr N")
    with GitHub.from_env(hooks.env, hooks.transport) as gh:
        outcome = post_plan_comment(gh, number, body, marker, labels=labels)
    return _said(outcome, hooks.env)


@github.command("issue")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--title", default=DRIFT_TITLE, show_default=True)
@click.option(
    "--label",
    default=DRIFT_LABEL,
    show_default=True,
    help="The label that marks mpr's drift issue.",
)
@click.pass_context
def issue(ctx: click.Context, file: str, title: str, label: str) -> int:
    """Open, update or close the drift issue from FILE (`mpr drift --comment`)."""
    hooks = _hooks(ctx)
    with GitHub.from_env(hooks.env, hooks.transport) as gh:
        outcome = sync_drift_issue(gh, hooks.env, file, title=title, label=label)
    return _said(outcome, hooks.env)


@github.command("reviewed")
@click.option("--sha", default=None, help="The merged commit (default: $GITHUB_SHA).")
@click.option("--key", default="", help="As given to `mpr github comment --key`.")
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Refuse (exit 4) unless this saved plan makes the writes that were reviewed.",
)
@click.option(
    "--require", is_flag=True, help="Refuse (exit 4) when no reviewed plan is found for the commit."
)
@click.pass_context
def reviewed(
    ctx: click.Context, sha: str | None, key: str, plan_file: str | None, require: bool
) -> int:
    """Print the review digest of the plan commented on the commit's pull request.

    With --plan, compare it with the digest of that plan (made at the merged commit): a
    difference means the merge would not apply the writes the pull request showed.
    """
    hooks = _hooks(ctx)
    env = hooks.env
    sha = sha or env.get("GITHUB_SHA")
    if not sha:
        raise click.UsageError("no commit: pass --sha or run where GITHUB_SHA is set")
    with GitHub.from_env(env, hooks.transport) as gh:
        review = find_review(gh, sha, plan_marker(key))
    if review.digest is None:
        if require:
            click.echo(f"Error: {review.missing()}", err=True)
            return exitcodes.REFUSED
        warn(review.missing() + "; the apply will not be compared with a review")
        set_outputs(env, {"digest": ""})
        return exitcodes.OK
    click.echo(review.digest)
    set_outputs(env, {"digest": review.digest, "pull-request": str(review.number)})
    if plan_file:
        check_digest(read_saved_plan(plan_file), review.digest)
        click.echo(f"{plan_file} makes the writes reviewed in pull request #{review.number}")
    return exitcodes.OK


def _said(outcome: StepOutcome, env: Mapping[str, str]) -> int:
    """Say what a step did, warn what it could not do, and set its step outputs."""
    for line in outcome.said:
        click.echo(line)
    for message in outcome.warnings:
        warn(message)
    if outcome.outputs:
        set_outputs(env, outcome.outputs)
    return exitcodes.OK
