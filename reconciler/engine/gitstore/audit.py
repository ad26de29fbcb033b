"""The audit trail of the git store: git notes on the applied commit, one JSON line per write.

`GitAuditLog` is an AuditLog (same lines, same redaction, same local file as a copy) whose
group commits are also appended to the note of the applied commit in `refs/notes/mpr` and
pushed: `git notes --ref mpr show COMMIT` prints what each apply of COMMIT did. Reading
gathers every note, so the ordering guard and `mpr history` see every runner's applies.
"""

from __future__ import annotations

import os
from typing import Any

from reconciler.engine.audit import AuditEntry, AuditLog, Provenance, parse_lines
from reconciler.engine.gitstore.store import GitStore


class GitAuditLog(AuditLog):
    """Appends audit lines to the local file and to the applied commit's note."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        provenance: Provenance,
        *,
        store: GitStore,
        **options: Any,
    ) -> None:
        super().__init__(path, provenance, **options)
        self._store = store
        self._note = provenance.commit or ""

    def _write(self, lines: str) -> None:
        super()._write(lines)
        self._store.append_note(self._note, lines.encode("utf-8"))


def read_notes(store: GitStore) -> tuple[list[AuditEntry], list[str]]:
    """Every entry of every note, oldest first, and one problem per line that is no entry."""
    entries: list[AuditEntry] = []
    problems: list[str] = []
    for commit, content in sorted(store.notes().items()):
        text = content.decode("utf-8", "replace")
        found, wrong = parse_lines(f"note {commit[:12]} ({NOTES})", text.splitlines())
        entries += found
        problems += wrong
    entries.sort(key=lambda entry: entry.time)
    return entries, problems


NOTES = "git notes --ref mpr"
