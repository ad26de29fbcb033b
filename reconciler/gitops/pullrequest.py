"""The workflow steps behind `mpr github`: the plan comment, the drift issue, the review.

* The plan comment: the one pull-request comment carrying the hidden marker, made from the
  Markdown `mpr plan --comment FILE` wrote (an error comment when FILE is missing: the plan
  never ran, and a stale "no changes" must not stay up), with the `mpr:<verdict>` label.
* The drift issue: opened (or updated) while `mpr drift --comment FILE` finds drift, closed
  with a note once the sites are back in sync.
* The review: the digest of the plan last commented on the pull request a merged commit came
  from.

A read-only token (a pull request from a fork) makes the comment a warning, not a failure:
the plan is still in the job log and the step summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.engine import bounded
from reconciler.errors import ConfigError
from reconciler.gitops.github import GitHub, GitHubError, hidden_value
from reconciler.gitops.gitinfo import run_url
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
class StepOutcome:
    """What a step did: lines for the log, warnings, and the step outputs to set."""

    said: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


def plan_marker(key: str) -> str:
    """The hidden marker of the plan comment kept apart by `key` (`mpr github comment --key`)."""
    return f"<!-- mpr-plan:{key} -->" if key else MARKER


def comment_body(file: str, env: Mapping[str, str], marker: str) -> str:
    """The plan comment to post: FILE's Markdown under `marker`, within GitHub's limit."""
    return _marked(_read_or_error(file, env, "mpr plan", MARKER), MARKER, marker)


def post_plan_comment(
    gh: GitHub, number: int, body: str, marker: str, *, labels: bool
) -> StepOutcome:
    """Create or update the plan comment on pull request `number`, and set its label."""
    outcome = StepOutcome()
    result = hidden_value(body, RESULT_PREFIX) or "error"
    try:
        action, url = gh.upsert_comment(number, body, marker)
    except GitHubError as exc:
        outcome.warnings.append(_read_only(exc, f"cannot comment on pull request #{number}"))
        return outcome
    outcome.said.append(f"{action} the plan comment on pull request #{number}: {url}")
    if labels:
        family = {LABEL_PREFIX + word for word in VERDICT_WORDS}
        try:
            gh.set_label(number, LABEL_PREFIX + result, family)
        except GitHubError as exc:
            outcome.warnings.append(_read_only(exc, f"cannot label pull request #{number}"))
    outcome.outputs = {"comment-url": url, "result": result}
    return outcome


def sync_drift_issue(
    gh: GitHub, env: Mapping[str, str], file: str, *, title: str, label: str
) -> StepOutcome:
    """Open, update or close the drift issue from FILE (`mpr drift --comment`)."""
    body = _read_or_error(file, env, "mpr drift", DRIFT_MARKER)
    marker = body.splitlines()[0] if body.startswith("<!--") else DRIFT_MARKER
    result = hidden_value(body, RESULT_PREFIX) or "error"
    found = gh.find_issue(marker, label)
    if result == "no-changes":
        if found is None:
            return StepOutcome(said=["in sync: no drift issue to close"])
        link = run_url(env)
        note = "The live sites match the YAML again" + (f" ({link})." if link else ".")
        gh.add_comment(int(found["number"]), note)
        gh.update_issue(int(found["number"]), state="closed", state_reason="completed")
        return StepOutcome(
            said=[f"in sync: closed drift issue #{found['number']}"],
            outputs={"issue-number": str(found["number"])},
        )
    if found is None:
        found = gh.create_issue(title, body, [label])
        verb = "opened"
    else:
        gh.update_issue(int(found["number"]), body=body)
        verb = "updated"
    return StepOutcome(
        said=[f"{result}: {verb} drift issue #{found.get('number')}: {found.get('html_url', '')}"],
        outputs={
            "issue-number": str(found.get("number", "")),
            "issue-url": str(found.get("html_url", "")),
        },
    )


@dataclass(frozen=True)
class Review:
    """The digest of the plan reviewed for a commit (None: none found) and its pull request."""

    sha: str
    digest: str | None
    number: int | None

    def missing(self) -> str:
        """Why no reviewed plan was found, for the log."""
        message = f"no reviewed plan found for commit {self.sha[:12]}"
        if self.number:
            return message + f" (pull request #{self.number} has no mpr comment showing a plan)"
        return message + " (it was pushed without a pull request)"


def find_review(gh: GitHub, sha: str, marker: str) -> Review:
    """The review digest in the plan comment of the pull request commit `sha` came from."""
    number = None
    for pull in gh.pulls_for_commit(sha):
        number = int(pull["number"])
        found = gh.find_comment(number, marker)
        if found is not None:
            return Review(sha, hidden_value(str(found.get("body", "")), DIGEST_PREFIX), number)
    return Review(sha, None, number)


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


def _read_only(exc: GitHubError, what: str) -> str:
    """The warning for a refusal a read-only token explains; any other failure is raised."""
    if exc.status in (403, 404):
        return (
            f"{what}: {exc.message} (a pull request from a fork gets a read-only token; "
            "grant `pull-requests: write` and `issues: write`); the plan is in the job log"
        )
    raise exc
