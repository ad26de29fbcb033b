"""Reading the audit trail for `mpr history`: which entries a reader asked for.

A commit is named as Git names it (`HEAD`, a branch, a short sha) and resolved in the
current checkout; a prefix Git does not know (a commit of another clone) still matches the
entries whose commit starts with it. A write is one entry, with its outcome: the intent
line the engine logs before sending is left out once a later line settled it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from reconciler.config.discover import choose
from reconciler.engine.audit import AuditEntry
from reconciler.engine.intents import one_per_write
from reconciler.gitops.gitinfo import full_commit


def select_entries(
    entries: Sequence[AuditEntry],
    *,
    selectors: Sequence[str] = (),
    commit: str | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """The entries of the sites and commit asked for, one per write, the last `limit` of them."""
    wanted_commit = _commit_prefix(commit) if commit else None
    chosen = [entry for entry in one_per_write(entries) if _of_commit(entry, wanted_commit)]
    if selectors:
        picked, _ = choose(chosen, selectors, _names)
        chosen = [entry for i, entry in enumerate(chosen) if i in picked]
    return chosen if limit is None else chosen[-limit:]


def _commit_prefix(commit: str) -> str:
    """The full id Git gives `commit` in this checkout, else `commit` as a prefix."""
    return (full_commit(commit.strip()) or commit.strip()).lower()


def _of_commit(entry: AuditEntry, prefix: str | None) -> bool:
    return prefix is None or (entry.commit or "").lower().startswith(prefix)


def _names(entry: AuditEntry, selector: str) -> bool:
    """Whether `selector` (a site id or a name glob; `!` is `choose`'s) names the entry's site."""
    wanted = selector.strip().lower()
    return wanted == entry.site.lower() or fnmatchcase(entry.site_name.lower(), wanted)
