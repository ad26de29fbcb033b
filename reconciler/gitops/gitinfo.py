"""Where an apply comes from (commit, actor, CI run) and Git's view of which commit is older.

The commit is `MPR_COMMIT`, else `GITHUB_SHA`, else `git rev-parse HEAD` in the current
directory; the actor `MPR_ACTOR`, `GITHUB_ACTOR`, Git's `user.email` (or `user.name`), the
login user (`USER`, `LOGNAME`, the password database), else "unknown". Git is asked with a
short timeout and any failure (no git, not a repository, an unknown commit) reads as "cannot
tell", never as an error: provenance is recorded when it is there and the run goes on without.

Values from the environment and from audit lines are data, never options: a commit is passed
to git only once `rev-parse --verify --end-of-options` has turned it into a full object id,
and a commit variable that is neither a commit of this clone nor a hex id is one error naming
the variable (`MPR_COMMIT=--output=FILE` would otherwise be an option of `git diff`).
"""

from __future__ import annotations

import getpass
import re
import subprocess
from collections.abc import Mapping, Sequence

from reconciler.engine.audit import Provenance
from reconciler.errors import ConfigError

_TIMEOUT = 10.0
COMMIT_VARIABLES = ("MPR_COMMIT", "GITHUB_SHA")
"""Where the applied commit is named, first one set wins (else the checked-out commit)."""
_COMMIT_ID = re.compile(r"[0-9a-fA-F]{4,64}")
"""A commit id (or a prefix of one) this clone may lack: recorded, never an option to git."""


def provenance(env: Mapping[str, str]) -> Provenance:
    """The commit, actor, run, repository and ref of this run, as far as they are known."""
    run = env.get("GITHUB_RUN_ID") or None
    attempt = env.get("GITHUB_RUN_ATTEMPT", "")
    if run and attempt and attempt != "1":
        run = f"{run}/{attempt}"
    return Provenance(
        commit=given_commit(env) or git_head(),
        actor=actor(env),
        run=run,
        repository=env.get("GITHUB_REPOSITORY") or None,
        ref=env.get("GITHUB_REF") or None,
    )


def given_commit(env: Mapping[str, str]) -> str | None:
    """The commit `MPR_COMMIT` or `GITHUB_SHA` names; ConfigError when it names no commit."""
    for name in COMMIT_VARIABLES:
        value = env.get(name)
        if not value:
            continue
        if _COMMIT_ID.fullmatch(value) or full_commit(value):
            return value
        shown = repr(value) if len(value) <= 200 else repr(value[:200]) + "…"
        raise ConfigError(
            f"environment variable {name} is {shown}, which is not a commit of this "
            "repository: set it to a commit id (as `git rev-parse HEAD` prints it), or unset "
            "it to apply the commit checked out here"
        )
    return None


def actor(env: Mapping[str, str]) -> str:
    """Who runs this apply: never empty, "unknown" when nothing says."""
    for name in ("MPR_ACTOR", "GITHUB_ACTOR"):
        if env.get(name):
            return env[name]
    for key in ("user.email", "user.name"):
        configured = _output("config", "--get", key)
        if configured:
            return configured
    for name in ("USER", "LOGNAME", "USERNAME"):
        if env.get(name):
            return env[name]
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no login name anywhere (a container's numeric uid)
        return "unknown"


def changed_since(commit: str, paths: Sequence[str]) -> list[str] | None:
    """The YAML files under `paths` that differ from `commit` (edited, or new, not ignored).

    None when Git cannot tell (not a repository, a commit this clone lacks).
    """
    full = full_commit(commit)
    if full is None:
        return None
    tracked = _git("diff", "--name-only", "--no-renames", full, "--", *paths)
    untracked = _git("ls-files", "--others", "--exclude-standard", "--", *paths)
    if tracked is None or untracked is None or tracked.returncode or untracked.returncode:
        return None
    names = tracked.stdout.splitlines() + untracked.stdout.splitlines()
    return sorted({name for name in names if name.endswith(_YAML)})


_YAML = (".yaml", ".yml")
"""What a changed file must be to change what is applied (site and defaults files)."""


def run_url(env: Mapping[str, str]) -> str | None:
    """The link to this GitHub Actions run, when running in one."""
    server = env.get("GITHUB_SERVER_URL", "https://github.com")
    repository, run = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    if not (repository and run):
        return None
    return f"{server.rstrip('/')}/{repository}/actions/runs/{run}"


def git_head() -> str | None:
    """The commit checked out in the current directory, or None outside a repository."""
    return _output("rev-parse", "--verify", "HEAD")


def full_commit(commit: str) -> str | None:
    """The full id of `commit` (a prefix, a ref), or None when this clone does not know it
    (`commit` is read as a revision, never as an option, whatever it starts with)."""
    return _output("rev-parse", "--verify", "--quiet", "--end-of-options", f"{commit}^{{commit}}")


def _output(*args: str) -> str | None:
    """Git's one-line answer, or None when it fails or says nothing."""
    result = _git(*args)
    if result is None or result.returncode != 0:
        return None
    return result.stdout.strip() or None


def is_ancestor(older: str, newer: str) -> bool | None:
    """Whether `older` is an ancestor of `newer`; None when Git cannot tell."""
    first, second = full_commit(older), full_commit(newer)
    if first is None or second is None:
        return None
    result = _git("merge-base", "--is-ancestor", first, second)
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
