"""`--store file|git`: where apply keeps its journal, its lock and its audit trail.

`file` (the default): `.mpr/state.json`, an OS lock on `.mpr/apply.lock` and the JSONL audit
log, on this machine. `git`: the same records in the site repository's remote
(`refs/mpr/state`, a lease instead of the OS lock, git notes on the applied commit in
`refs/notes/mpr`), pushed with the checkout's own credentials, so that every runner sees
them and none is lost with a runner. The local files are then copies.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from reconciler.cli.console import warn
from reconciler.engine.audit import AuditEntry, AuditLog, Provenance, read_log
from reconciler.engine.gitstore.audit import GitAuditLog, read_notes
from reconciler.engine.gitstore.guard import LeaseGuard
from reconciler.engine.gitstore.journal import GitJournal
from reconciler.engine.gitstore.lease import DEFAULT_TTL
from reconciler.engine.gitstore.refs import Git
from reconciler.engine.gitstore.store import GitStore
from reconciler.errors import ConfigError
from reconciler.gitops import gitinfo

FILE, GIT = "file", "git"
GIT_JOURNAL_NAME = "git-state.json"
"""The local copy of the git store's journal, in the state file's folder."""
LEASE_MARGIN = timedelta(minutes=10)
"""Beyond a run's two longest waits: its requests, pushes and the answer window."""
_FULL_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass
class StoreChoice:
    """The store a command was given (`--store`, `--store-remote`), opened when first used."""

    kind: str = FILE
    remote: str = "origin"
    folder: str = "."
    """The checkout whose remote holds the git store."""
    _git: GitStore | None = field(default=None, repr=False)

    @property
    def is_git(self) -> bool:
        return self.kind == GIT

    def git(self) -> GitStore:
        """The git store, fetched from the remote once per command (nothing is pushed)."""
        if self._git is None:
            store = GitStore(Git(self.folder, self.remote), now=lambda: datetime.now(UTC))
            try:
                store.refresh()
            except ConfigError as exc:
                raise ConfigError(
                    f"{exc}; --store git keeps apply's records in the git remote "
                    f"{self.remote!r} of the site repository: run mpr in its checkout (or "
                    "name another remote with --store-remote)"
                ) from None
            self._git = store
        return self._git

    def journal(self, state_file: str) -> GitJournal:
        """The git store's journal (taking over the file store's `state_file` the first time)."""
        local = Path(state_file)
        return GitJournal(local.parent / GIT_JOURNAL_NAME, self.git(), seed=local)

    @contextmanager
    def lease(
        self, env: Mapping[str, str], timeout: float, shard: str = "", longest_wait: float = 0.0
    ) -> Iterator[None]:
        """Hold the store's apply lease over `shard` ("I/N", "" for all) for the block,
        publishing first what a run that was cut short left unpushed here.

        Journal writes renew the lease, and a site may wait twice (a generation someone else
        started, then its own) between two of them: the lease lasts that long and more, so a
        run waiting on a slow generation is never taken for a dead one."""
        store = self.git()
        store.ttl = max(DEFAULT_TTL, timedelta(seconds=2 * longest_wait) + LEASE_MARGIN)
        origin = gitinfo.provenance(env)
        store.acquire(origin.actor or "unknown", origin.run, timeout, time.sleep, shard)
        try:
            yield
        finally:
            held = store.lease
            try:
                store.release()
            except ConfigError as exc:  # the run's own outcome matters more: say it, go on
                until = f"; it lapses at {held.expires}" if held else ""
                warn(f"could not give the apply lease back: {exc}{until}")

    def lease_guard(self) -> LeaseGuard:
        """The check of the git store's lease that every write to Wix awaits first."""
        return LeaseGuard(self.git())

    def entries(self, paths: list[str]) -> tuple[list[AuditEntry], list[str]]:
        """The audit trail: the notes of the git store, or the files `paths`."""
        if self.is_git:
            return read_notes(self.git())
        return read_log(paths)

    def audit_log(
        self,
        path: str,
        origin: Provenance,
        names: Mapping[str, str],
        secrets: Sequence[str],
        identities: Mapping[str, str],
        redact: Callable[[str], str] | None,
    ) -> AuditLog:
        """The audit log apply appends to (for `git`, also to the applied commit's note)."""
        make: Callable[..., AuditLog] = AuditLog
        if self.is_git:
            origin = replace(origin, commit=_full_commit(origin.commit))
            make = partial(GitAuditLog, store=self.git())
        return make(
            path, origin, names=names, secrets=secrets, identities=identities, redact=redact
        )


def _full_commit(commit: str | None) -> str:
    """The full id of the applied commit: the note the audit lines go to."""
    if commit:
        full = gitinfo.full_commit(commit)
        if full or _FULL_SHA.fullmatch(commit.lower()):
            return (full or commit).lower()
    raise ConfigError(
        f"--store git attaches the audit trail to the applied commit, and "
        f"{'commit ' + commit + ' is not in this clone' if commit else 'no commit is known'}: "
        "run apply in the site repository's checkout (or set MPR_COMMIT to a full commit id)"
    )
