"""Where an apply comes from (commit, actor, CI run) and Git's view of which commit is older.

The commit is `MPR_COMMIT`, else `GITHUB_SHA`, else `git rev-parse HEAD` in the current
directory; the actor `MPR_ACTOR`, `GITHUB_ACTOR`, else the login user. Git is asked with a
short timeout and any failure (no git, not a repository, an unknown commit) reads as "cannot
tell", never as an error: provenance is recorded when it is there and the run goes on without.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

from reconciler.engine.audit import Provenance

_TIMEOUT = 10.0


def provenance(env: Mapping[str, str]) -> Provenance:
    """The commit, actor, run, repository and ref of this run, as far as they are known."""
    run = env.get("GITHUB_RUN_ID") or None
    attempt = env.get("GITHUB_RUN_ATTEMPT", "")
    if run and attempt and attempt != "1":
        run = f"{run}/{attempt}"
    return Provenance(
        commit=env.get("MPR_COMMIT") or env.get("GITHUB_SHA") or git_head(),
        actor=env.get("MPR_ACTOR")
        or env.get("GITHUB_ACTOR")
        or env.get("USER")
        or env.get("USERNAME")
        or None,
        run=run,
        repository=env.get("GITHUB_REPOSITORY") or None,
        ref=env.get("GITHUB_REF") or None,
    )


def run_url(env: Mapping[str, str]) -> str | None:
    """The link to this GitHub Actions run, when running in one."""
    server = env.get("GITHUB_SERVER_URL", "https://github.com")
    repository, run = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    if not (repository and run):
        return None
    return f"{server.rstrip('/')}/{repository}/actions/runs/{run}"


def git_head() -> str | None:
    """The commit checked out in the current directory, or None outside a repository."""
    result = _git("rev-parse", "--verify", "HEAD")
    if result is None or result.returncode != 0:
        return None
    return result.stdout.strip() or None


def is_ancestor(older: str, newer: str) -> bool | None:
    """Whether `older` is an ancestor of `newer`; None when Git cannot tell."""
    result = _git("merge-base", "--is-ancestor", older, newer)
    if result is None or result.returncode not in (0, 1):
        return None
    return result.returncode == 0


def _git(*args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
