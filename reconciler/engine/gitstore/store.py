"""The git store: read, change and publish `refs/mpr/state` and `refs/notes/mpr`.

Every change is made as a local commit on the ref in the checkout first (git's object
database: it survives a killed process), then pushed. A push only ever moves the remote ref
forward, so it is a compare-and-swap: when someone else pushed in between, it is rejected;
the store fetches, merges the two (`merge.merge_trees`: per site, per note line; the lease
is never merged into ours) and pushes the merge. A run killed between its local commit and
its push leaves the local ref ahead of the remote: the next run's `sync` finds it and
publishes it. Calls from several threads are serialised (the journal's and the audit
trail's group commits each push from a worker thread).
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from datetime import datetime, timedelta

from reconciler.engine.gitstore.lease import DEFAULT_TTL, Host, Lease, is_lease, new_lease
from reconciler.engine.gitstore.merge import STATE, merge_file, merge_trees
from reconciler.engine.gitstore.refs import Git, RefMoved, Tree
from reconciler.errors import ConfigError, LockHeld
from reconciler.model.events import parse_wire_time, wire_time

STATE_REF = "refs/mpr/state"
"""The journal (`state.json`) and the leases (`lease*.json`), one commit per change."""
NOTES_REF = "refs/notes/mpr"
"""The audit trail: a note per applied commit, one JSON line per write."""
_TRACKING = {STATE_REF: "refs/mpr-remote/mpr/state", NOTES_REF: "refs/mpr-remote/notes/mpr"}
_FETCH = ["+refs/mpr/*:refs/mpr-remote/mpr/*", "+refs/notes/*:refs/mpr-remote/notes/*"]
_TRIES = 30
"""Pushes one change may take when others keep winning the race (shards of one fleet)."""

_LOST_LEASE = (
    "the apply lease ({lease}) lapsed and another run took it over: this run sends nothing "
    "more to Wix (two writers on one site is what the lease prevents). Run apply again once "
    "the other run has ended; a lease lasts twice the longest policy.wait.timeout + 10 min"
)
_STATE_FETCH = ["+refs/mpr/state:refs/mpr-remote/mpr/state"]
_BUSY = (
    "could not update {ref} in {where} after {tries} tries: other processes of this checkout "
    "kept moving it; run one apply at a time per checkout"
)
Change = Callable[[Tree], Tree]
"""A change of a ref's files (name → blob id); returning the same tree changes nothing."""


class HeldLease(Exception):
    """Internal: someone else's lease stands in the way of ours."""

    def __init__(self, lease: Lease) -> None:
        super().__init__(lease.describe())
        self.lease = lease


class GitStore:
    """The store's refs in the checkout `git`, published to its remote."""

    def __init__(
        self,
        git: Git,
        now: Callable[[], datetime],
        ttl: timedelta = DEFAULT_TTL,
        here: Host | None = None,
    ) -> None:
        self.git = git
        self.now = now
        self.ttl = ttl
        self.here = here or Host.this_process()
        """This process, as a lease records it (tests inject another machine)."""
        self.lease: Lease | None = None
        """Ours, while this run holds it."""
        self._lost: str | None = None
        """Why our lease is no longer ours, once a check found it so: nothing more is sent."""
        self._lock = threading.RLock()

    # --- reading -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Fetch both refs and bring the local ones up to them (a read: nothing is pushed)."""
        with self._lock:
            self.git.fetch(_FETCH)
            for ref in (STATE_REF, NOTES_REF):
                self._integrated(ref)

    def sync(self) -> None:
        """`refresh`, then publish what an earlier run committed here but never pushed."""
        with self._lock:
            self.refresh()
            for ref in (STATE_REF, NOTES_REF):
                self._push(ref)

    def read(self, ref: str, name: str) -> bytes | None:
        """A file of `ref` as this checkout has it (after `sync`), or None."""
        with self._lock:
            blob = self.git.tree(self.git.resolve(ref)).get(name)
            return None if blob is None else self.git.read(blob)

    def notes(self) -> dict[str, bytes]:
        """Every note of the audit trail: applied commit → its lines."""
        with self._lock:
            tree = self.git.tree(self.git.resolve(NOTES_REF))
            return dict(zip(tree, self.git.read_all(list(tree.values())), strict=True))

    # --- writing -----------------------------------------------------------------------

    def write_state(self, content: bytes) -> None:
        """Publish the journal (and renew our lease with it)."""
        blob = self.git.blob(content)

        def change(files: Tree) -> Tree:
            if self.lease is not None and not self._ours(files):
                raise self._lose()
            return self._renewed({**files, STATE: blob})

        self.update(STATE_REF, change, "mpr: journal")

    def confirm_lease(self) -> None:
        """Return only when our lease still stands on the remote, with half its time left:
        the check before every write sent to Wix. Nobody takes a lease over before its
        expiry (the holder's process is alive), so a write sent now is the holder's alone.
        LockHeld, now and for every later check, once another run has taken it over."""
        with self._lock:
            mine = self.lease
            if self._lost is not None:
                raise LockHeld(self._lost)
            if mine is None:
                return
            self.git.fetch(_STATE_FETCH)
            if not self._ours(self.git.tree(self._integrated(STATE_REF))):
                raise self._lose()
            if self.now() + self.ttl / 2 >= parse_wire_time(mine.expires):
                self.update(STATE_REF, self._renewed, "mpr: lease renewed")
                held = Lease.read(self.read(STATE_REF, mine.file_name))
                if held is None or held.token != mine.token:  # taken over while we pushed
                    raise self._lose()

    def _lose(self) -> LockHeld:
        """Note that our lease was taken over: this and every later check refuse."""
        mine = self.lease
        assert mine is not None
        self._lost = _LOST_LEASE.format(lease=mine.describe())
        return LockHeld(self._lost)

    def append_note(self, commit: str, lines: bytes) -> None:
        """Append audit lines to the note of the applied `commit`."""

        def change(files: Tree) -> Tree:
            old = self.git.read(files[commit]) if commit in files else b""
            return {**files, commit: self.git.blob(old + lines)}

        self.update(NOTES_REF, change, f"mpr: audit of {commit}")

    def update(self, ref: str, change: Change, message: str) -> None:
        """Commit `change` on top of the ref here, then publish it (merging until it lands)."""
        with self._lock:
            for _ in range(_TRIES):
                try:
                    self._commit(ref, change, message)
                    break
                except RefMoved:  # another apply in this checkout moved it: read it again
                    continue
            else:
                raise ConfigError(_BUSY.format(ref=ref, tries=_TRIES, where=self.git.folder))
            self._push(ref)

    def _commit(self, ref: str, change: Change, message: str) -> None:
        tip = self._integrate(ref)
        files = self.git.tree(tip)
        changed = change(files)
        if changed != files:
            commit = self.git.commit(changed, [tip] if tip else [], message)
            self.git.set_ref(ref, commit, tip)

    # --- the lease ---------------------------------------------------------------------

    def acquire(
        self,
        holder: str,
        run: str | None,
        timeout: float,
        sleep: Callable[[float], None],
        scope: str = "",
    ) -> None:
        """Take the lease over `scope` (a shard "I/N", or "" for every site); LockHeld when
        someone else holds one it overlaps past `timeout` seconds."""
        waited = 0.0
        while True:
            try:
                self._take(holder, run, scope)
                return
            except HeldLease as held:
                if waited >= timeout:
                    raise LockHeld(_held_message(held.lease, waited, self.git.remote)) from None
                pause = min(2.0, timeout - waited)
                sleep(pause)
                waited += pause

    def _take(self, holder: str, run: str | None, scope: str) -> None:
        mine = new_lease(holder, run, self.now(), self.ttl, self.here, scope)
        blob = self.git.blob(mine.to_bytes())

        def change(files: Tree) -> Tree:
            for lease in self._leases(files):
                if lease.overlaps(scope) and not lease.stale(self.now(), self.here):
                    raise HeldLease(lease)
            return {**files, mine.file_name: blob}

        with self._lock:
            self.sync()
            held: Lease | None = None
            for _ in range(_TRIES):
                self.update(STATE_REF, change, f"mpr: lease taken by {holder}")
                held = Lease.read(self.read(STATE_REF, mine.file_name))
                if held is not None:
                    break  # else its holder gave it back as ours landed (merged): take it again
            if held is None or held.token != mine.token:  # a racer took it first
                raise HeldLease(held or mine)
            self.lease = mine
            self._yield_to_an_earlier_rival(scope)

    def _yield_to_an_earlier_rival(self, scope: str) -> None:
        """A lease that lost the race to the remote gives itself back.

        A rejected push is merged, and the merge keeps every lease file: a whole-fleet
        lease and a shard's (or shards of two splits) could both stand. The tree that
        landed holds every lease that landed before ours, and none that landed after (a
        later one is checked by its own taker the same way): any overlapping one there
        came first, so ours goes.
        """
        mine = self.lease
        assert mine is not None
        rivals = [
            lease
            for lease in self._leases(self.git.tree(self.git.resolve(STATE_REF)))
            if lease.token != mine.token
            and lease.overlaps(scope)
            and not lease.stale(self.now(), self.here)
        ]
        if rivals:
            self.release()
            raise HeldLease(rivals[0])

    def _leases(self, files: Tree) -> list[Lease]:
        found = (
            Lease.read(self.git.read(blob), name) for name, blob in files.items() if is_lease(name)
        )
        return [lease for lease in found if lease is not None]

    def _ours(self, files: Tree) -> bool:
        """Whether `files` hold our lease, as we took it (not one someone took over)."""
        mine = self.lease
        if mine is None or mine.file_name not in files:
            return False
        current = Lease.read(self.git.read(files[mine.file_name]))
        return current is not None and current.token == mine.token

    def release(self) -> None:
        """Give the lease back, if it is still ours (a stale one someone took stays theirs)."""
        mine = self.lease
        if mine is None:
            return

        def change(files: Tree) -> Tree:
            if not self._ours(files):
                return files
            return {name: blob for name, blob in files.items() if name != mine.file_name}

        self.update(STATE_REF, change, "mpr: lease released")
        self.lease = None

    def _renewed(self, files: Tree) -> Tree:
        """`files` with our lease's expiry moved on (when we hold it)."""
        mine = self.lease
        if mine is None or not self._ours(files):
            return files
        self.lease = replace(mine, expires=wire_time(self.now() + self.ttl))
        return {**files, mine.file_name: self.git.blob(self.lease.to_bytes())}

    # --- publishing --------------------------------------------------------------------

    def _integrated(self, ref: str) -> str | None:
        """`_integrate`, again while another process of this checkout moves the local ref."""
        for _ in range(_TRIES):
            with suppress(RefMoved):
                return self._integrate(ref)
        raise ConfigError(_BUSY.format(ref=ref, tries=_TRIES, where=self.git.folder))

    def _integrate(self, ref: str) -> str | None:
        """The local ref, brought up to the remote's: fast-forwarded, or merged with it."""
        local, remote = self.git.resolve(ref), self.git.resolve(_TRACKING[ref])
        if remote is None or local == remote:
            return local
        if local is None or self.git.contains(remote, local):
            self.git.set_ref(ref, remote, local)
            return remote
        if self.git.contains(local, remote):
            return local
        merged = self._merge(local, remote)
        self.git.set_ref(ref, merged, local)
        return merged

    def _merge(self, ours: str, theirs: str) -> str:
        base = self.git.merge_base(ours, theirs)
        git = self.git

        def both_changed(name: str, common: str | None, mine: str | None, other: str | None) -> str:
            def text(blob: str | None) -> bytes:
                return git.read(blob) if blob else b""

            return git.blob(merge_file(name, text(common), text(mine), text(other)))

        files = merge_trees(git.tree(base), git.tree(ours), git.tree(theirs), both_changed)
        return git.commit(files, [theirs, ours], "mpr: merge concurrent writes")

    def _push(self, ref: str) -> None:
        """Publish the local ref; on a lost race fetch, merge and try again."""
        for _ in range(_TRIES):
            local, remote = self.git.resolve(ref), self.git.resolve(_TRACKING[ref])
            if local is None or local == remote:
                return
            if self.git.push({ref: local}):
                with suppress(RefMoved):  # a fetch of another process here moved it on
                    self.git.set_ref(_TRACKING[ref], local, remote)
                return
            self.git.fetch(_FETCH)
            with suppress(RefMoved):  # another process here moved it: the next round reads it
                self._integrate(ref)
        raise ConfigError(
            f"could not publish {ref} to the git remote {self.git.remote!r} after {_TRIES} "
            "tries: others kept pushing to it; run apply again"
        )


def _held_message(lease: Lease, waited: float, remote: str) -> str:
    after = f" after waiting {waited:g} s" if waited > 0 else ""
    if lease.damage:
        return (
            f"{lease.describe()} holds the apply lease of this repository's mpr store{after} "
            f"until {lease.expires}: whoever wrote it may still be writing to Wix, so it is "
            "waited out like any lease. If no apply is running, remove it sooner (README: "
            f'The git store, "A damaged lease"): {clear_command(lease.file_name, remote)}'
        )
    return (
        f"{lease.describe()} holds the apply lease of this repository's mpr store{after} "
        f"(until {lease.expires}): one apply at a time writes to Wix. Wait for it to finish "
        "(or pass --lock-timeout SECONDS to wait); a lease whose run died without giving it "
        f"back lapses at its expiry and is then taken over"
    )


def clear_command(name: str, remote: str) -> str:
    """The shell commands that remove the lease file `name` with a fast-forward push.

    `name` may be any file name someone pushed to the state ref: it is quoted for the shell
    and escaped for grep, so the printed command removes that file and does nothing else.
    """
    remote, message = shlex.quote(remote), shlex.quote(f"remove {name}")
    line = shlex.quote(f"[[:space:]]{_grep_literal(name)}$")
    return (
        f'git fetch {remote} refs/mpr/state && git push {remote} "$(git commit-tree -p '
        f'FETCH_HEAD -m {message} "$(git ls-tree FETCH_HEAD | grep -v {line} | '
        f'git mktree)")":refs/mpr/state'
    )


def _grep_literal(text: str) -> str:
    """`text` as a grep basic regular expression that matches it and only it."""
    return "".join("[.]" if c == "." else f"\\{c}" if c in "*[]^$\\" else c for c in text)
