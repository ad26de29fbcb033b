"""The record that keeps a due regenerate from being lost when apply is interrupted.

GetSocialMarketingPlan gives no generation time, so after an apply that wrote settings or
events and then died before the regenerate ran, the live state alone no longer says that the
plan is stale. Before writing, apply records the due action here (write-ahead); it clears the
record once Wix has accepted the action. `plan` and `apply` read it and treat a recorded
action as still due. The file is small JSON, replaced atomically; keep it between CI runs
(cache or artifact) if runs may be cut short.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import MutableMapping
from pathlib import Path
from typing import Protocol

from reconciler.engine.decide import Pending
from reconciler.engine.plan import ActionKind


class Journal(Protocol):
    """Where pending plan actions are kept between runs."""

    def pending(self, site_id: str) -> Pending | None: ...

    def record(self, site_id: str, kind: ActionKind, since: str) -> None: ...

    def clear(self, site_id: str) -> None: ...


class MemoryJournal:
    """A journal that lives as long as the process (for one-shot runs and `plan`)."""

    def __init__(self) -> None:
        self._entries: MutableMapping[str, Pending] = {}

    def pending(self, site_id: str) -> Pending | None:
        return self._entries.get(site_id)

    def record(self, site_id: str, kind: ActionKind, since: str) -> None:
        self._entries[site_id] = Pending(kind, since)

    def clear(self, site_id: str) -> None:
        self._entries.pop(site_id, None)


class FileJournal(MemoryJournal):
    """A journal kept in a JSON file, rewritten atomically after every change."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        if self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            for site_id, entry in data.get("pending", {}).items():
                super().record(site_id, entry["kind"], entry["since"])

    def record(self, site_id: str, kind: ActionKind, since: str) -> None:
        super().record(site_id, kind, since)
        self._save()

    def clear(self, site_id: str) -> None:
        if self.pending(site_id) is not None:
            super().clear(site_id)
            self._save()

    def _save(self) -> None:
        body = {
            "pending": {
                site: {"kind": p.kind, "since": p.since}
                for site, p in sorted(self._entries.items())
            }
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".journal-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, indent=2)
        os.replace(tmp, self.path)
