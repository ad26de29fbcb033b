"""`mpr github comment|issue|reviewed`: the GitHub side of the mpr workflows.

* `comment FILE`: upsert the one pull-request comment carrying the hidden marker with the
  Markdown `mpr plan --comment FILE` wrote, and set the `mpr:<verdict>` label. A missing FILE
  (the plan never ran) posts an error comment, so a stale "no changes" never stays up.
* `issue FILE`: for the drift check: open (or update) the drift issue when `mpr drift
  --comment FILE` found drift, close it with a note once the sites are back in sync.
* `reviewed`: the review digest of the plan last commented on the pull request that the
  commit being applied came from; with `--plan FILE`, refuse (exit 4) when the plan made at
  the merged commit would write something else (also `mpr apply --expect-digest`).

A read-only token (a pull request from a fork) makes `comment` warn instead of fail: the
plan is still in the job log and the step summary.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import click
import httpx

from reconciler.cli import exitcodes
from reconciler.cli.apply_cmd import check_digest, read_saved_plan
from reconciler.cli.console import warn
from reconciler.cli.github import (
    GitHub,
    GitHubError,
    hidden_value,
    pull_request_number,
    set_outputs,
)
from reconciler.cli.gitinfo import run_url
from reconciler.engine import bounded
from reconciler.errors import ConfigError
from reconciler.render.markdown import (
    DIGEST_PREFIX,
    DRIFT_MARKER,
    LIMIT,
    MARKER,
    RESULT_PREFIX,
    VERDICT_WORDS,
    size,
    truncate,
)

LABEL_PREFIX = "mpr:"
DRIFT_LABEL = "mpr-drift"
DRIFT_TITLE = "mpr: the live sites drifted from the YAML"


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
    env = hooks.env
    marker = f"<!-- mpr-plan:{key} -->" if key else MARKER
    body = _marked(_read_or_error(file, env, "mpr plan", MARKER), MARKER, marker)
    number = number or pull_request_number(env)
    if number is None:
        raise click.UsageError("no pull request: run on a pull_request event or pass --pr N")
    result = hidden_value(body, RESULT_PREFIX) or "error"
    with GitHub.from_env(env, hooks.transport) as gh:
        try:
            action, url = gh.upsert_comment(number, body, marker)
        except GitHubError as exc:
            return _read_only(exc, f"cannot comment on pull request #{number}")
        click.echo(f"{action} the plan comment on pull request #{number}: {url}")
        if labels:
            family = {LABEL_PREFIX + word for word in VERDICT_WORDS}
            try:
                gh.set_label(number, LABEL_PREFIX + result, family)
            except GitHubError as exc:
                _read_only(exc, f"cannot label pull request #{number}")
    set_outputs(env, {"comment-url": url, "result": result})
    return exitcodes.OK


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
    env = hooks.env
    body = _read_or_error(file, env, "mpr drift", DRIFT_MARKER)
    marker = body.splitlines()[0] if body.startswith("<!--") else DRIFT_MARKER
    result = hidden_value(body, RESULT_PREFIX) or "error"
    with GitHub.from_env(env, hooks.transport) as gh:
        found = gh.find_issue(marker, label)
        if result == "no-changes":
            if found is None:
                click.echo("in sync: no drift issue to close")
                return exitcodes.OK
            link = run_url(env)
            note = "The live sites match the YAML again" + (f" ({link})." if link else ".")
            gh.add_comment(int(found["number"]), note)
            gh.update_issue(int(found["number"]), state="closed", state_reason="completed")
            click.echo(f"in sync: closed drift issue #{found['number']}")
            set_outputs(env, {"issue-number": str(found["number"])})
            return exitcodes.OK
        if found is None:
            found = gh.create_issue(title, body, [label])
            verb = "opened"
        else:
            gh.update_issue(int(found["number"]), body=body)
            verb = "updated"
    click.echo(f"{result}: {verb} drift issue #{found.get('number')}: {found.get('html_url', '')}")
    set_outputs(
        env,
        {"issue-number": str(found.get("number", "")), "issue-url": str(found.get("html_url", ""))},
    )
    return exitcodes.OK


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
    marker = f"<!-- mpr-plan:{key} -->" if key else MARKER
    digest, number = None, None
    with GitHub.from_env(env, hooks.transport) as gh:
        for pull in gh.pulls_for_commit(sha):
            number = int(pull["number"])
            found = gh.find_comment(number, marker)
            if found is not None:
                digest = hidden_value(str(found.get("body", "")), DIGEST_PREFIX)
                break
    if digest is None:
        message = f"no reviewed plan found for commit {sha[:12]}"
        if number:
            message += f" (pull request #{number} has no mpr comment showing a plan)"
        else:
            message += " (it was pushed without a pull request)"
        if require:
            click.echo(f"Error: {message}", err=True)
            return exitcodes.REFUSED
        warn(message + "; the apply will not be compared with a review")
        set_outputs(env, {"digest": ""})
        return exitcodes.OK
    click.echo(digest)
    set_outputs(env, {"digest": digest, "pull-request": str(number)})
    if plan_file:
        check_digest(read_saved_plan(plan_file), digest)
        click.echo(f"{plan_file} makes the writes reviewed in pull request #{number}")
    return exitcodes.OK


def _read_or_error(file: str, env: Mapping[str, str], what: str, marker: str) -> str:
    """FILE's Markdown, or an error comment when the step that writes it did not get there."""
    path = Path(file)
    if path.exists():
        try:
            return bounded.read_text(path, bounded.COMMENT)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the comment file {path}: {exc}") from None
    link = run_url(env)
    where = f"[the job log]({link})" if link else "the job log"
    return (
        f"{marker}\n{RESULT_PREFIX}error -->\n### {what}: {VERDICT_WORDS['error']}\n\n"
        f"`{what}` ended before it could make a plan (invalid site files, or Wix could not "
        f"be reached): see {where}.\n"
    )


def _marked(body: str, default: str, marker: str) -> str:
    """`body` starting with `marker` (in place of the default marker) and within the limit."""
    if body.startswith(default):
        body = marker + body[len(default) :]
    elif not body.startswith(marker):
        body = f"{marker}\n{body}"
    return body if size(body) <= LIMIT else truncate(body, LIMIT)


def _read_only(exc: GitHubError, what: str) -> int:
    if exc.status in (403, 404):
        warn(
            f"{what}: {exc.message} (a pull request from a fork gets a read-only token; "
            "grant `pull-requests: write` and `issues: write`); the plan is in the job log"
        )
        return exitcodes.OK
    raise exc
