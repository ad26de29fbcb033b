"""The journal of the git store: a FileJournal whose file is a local copy of `refs/mpr/state`.

The local file is written first (by the FileJournal's own group commit), then its text is
published to the state ref. A `flush` returns once the remote holds it: that is what
"durable" means here, so a write is sent to Wix only after the record it depends on is on
the remote, where any runner finds it. Pushes are grouped the same way as the file writes:
while one is under way, the records of every other site pile up for the next.
"""

from __future__ import annotations

import os
from pathlib import Path

from reconciler.engine.files import write_atomically
from reconciler.engine.gitstore.merge import STATE
from reconciler.engine.gitstore.store import STATE_REF, GitStore
from reconciler.engine.groupcommit import GroupCommit
from reconciler.engine.journal import FileJournal
from reconciler.errors import ConfigError


class GitJournal(FileJournal):
    """Pending plan actions and posts requests, kept in the store's state ref."""

    def __init__(
        self, path: str | os.PathLike[str], store: GitStore, seed: Path | None = None
    ) -> None:
        """`seed`: the file store's journal, taken over while the git store has none yet
        (the first apply that switches stores keeps what an earlier one left due)."""
        content = store.read(STATE_REF, STATE)
        published = content
        if content is None and seed is not None and seed.is_file():
            content = seed.read_bytes()
        local = Path(path)
        try:
            if content is not None:
                write_atomically(local, content.decode("utf-8"))
            elif local.is_file():
                local.unlink()  # a copy of another store's journal, not this one's
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"the journal in the git store ({STATE_REF}, {STATE}) is not UTF-8 text "
                f"({exc.reason} at byte {exc.start}): mpr cannot tell what is due; restore a "
                f"good version from its history (git log {STATE_REF}), then run again"
            ) from None
        except OSError as exc:
            raise ConfigError(
                f"cannot keep the local copy of the journal {local}: {exc.strerror or exc}"
            ) from None
        super().__init__(local)
        self._store = store
        self._published = published
        self._pushes: GroupCommit[bytes] = GroupCommit(self._unpublished, self._publish)

    async def flush(self) -> None:
        await super().flush()
        self._pushes.changed()
        await self._pushes.flush()

    def save(self) -> None:
        super().save()
        self._pushes.changed()
        self._pushes.flush_now()

    def _unpublished(self) -> bytes | None:
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(
                f"cannot read the local copy of the journal {self.path}: {exc}"
            ) from None
        return None if content == self._published else content

    def _publish(self, content: bytes) -> None:
        self._store.write_state(content)
        self._published = content
