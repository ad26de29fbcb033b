"""The lease check before every write sent to Wix, shared by the sites that write at once.

Journal writes check the lease as they push, but most writes change no journal record (an
event created, drafts scheduled) and a run whose lease was taken over must not send them
either. So the client awaits `LeaseGuard` before each write: a check that began after the
call asked (one fetch of the state ref, grouped like the journal's pushes: a fleet's sites
share one) must find the lease still ours, else the write fails unsent, and so does every
later one.
"""

from __future__ import annotations

from reconciler.engine.gitstore.store import GitStore
from reconciler.engine.groupcommit import GroupCommit


class LeaseGuard:
    """Await it before a write: returns once the store's lease is confirmed ours."""

    def __init__(self, store: GitStore) -> None:
        self._checks: GroupCommit[bool] = GroupCommit(lambda: True, self._confirm)
        self._store = store

    async def __call__(self) -> None:
        self._checks.changed()
        await self._checks.flush()

    def _confirm(self, _: bool) -> None:
        self._store.confirm_lease()
