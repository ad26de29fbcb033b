"""The git store against a real bare repository as the remote, with real clones: no mocks.

Two appliers race for the lease, push conflicting journals and audit notes, and one is
killed between its local commit and its push; what every test checks is what the remote
holds afterwards, read with plain git.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reconciler.engine.audit import Provenance
from reconciler.engine.gitstore.audit import GitAuditLog, read_notes
from reconciler.engine.gitstore.journal import GitJournal
from reconciler.engine.gitstore.lease import Host, Lease
from reconciler.engine.gitstore.refs import Git
from reconciler.engine.gitstore.store import NOTES_REF, STATE_REF, GitStore, clear_command
from reconciler.engine.journal import FileJournal
from reconciler.engine.report import ActionRecord
from reconciler.errors import ConfigError, LockHeld

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
COMMIT = "3f9c2a81d0e4" + "0" * 28
ROOT = Path(__file__).resolve().parents[2]


def git(folder: Path, *args: str, input: str | None = None) -> str:
    done = subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        capture_output=True,
        text=True,
        check=True,
        input=input,
    )
    return done.stdout


@dataclass
class Remote:
    """A bare repository and a way to make clones of it (each one runner's checkout)."""

    bare: Path
    root: Path

    def clone(self, name: str) -> Path:
        folder = self.root / name
        subprocess.run(["git", "clone", "-q", str(self.bare), str(folder)], check=True)
        return folder

    def store(self, name: str, now: Callable[[], datetime] = lambda: T0) -> GitStore:
        folder = self.root / name
        if not folder.exists():
            self.clone(name)
        store = GitStore(Git(folder), now=now)
        store.refresh()
        return store

    def journal(self) -> dict[str, object]:
        return dict(json.loads(git(self.bare, "show", f"{STATE_REF}:state.json")))


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    seed = tmp_path / "seed"
    subprocess.run(["git", "clone", "-q", str(bare), str(seed)], check=True)
    (seed / "sites").mkdir()
    (seed / "sites" / "crumb.yaml").write_text("version: 1\n")
    git(seed, "add", "."), git(seed, "commit", "-qm", "sites"), git(seed, "push", "-q")
    return Remote(bare, tmp_path)


LOST_BY_ALICE = (
    f"the apply lease (alice (pid {os.getpid()} on {socket.gethostname()}, run 1) since "
    "2026-11-23T09:00:00.000Z) lapsed and another run took it over: this run sends nothing "
    "more to Wix (two writers on one site is what the lease prevents). Run apply again once "
    "the other run has ended; a lease lasts twice the longest policy.wait.timeout + 10 min"
)
"""What a run of alice's (run 1, taken at T0) says once another run took its lease over."""


def by_hand(folder: Path, command: str) -> None:
    """Run a shell command a message told the user to run, in the checkout `folder`."""
    who = {
        f"GIT_{role}_{part}": "t" for role in ("AUTHOR", "COMMITTER") for part in ("NAME", "EMAIL")
    }
    subprocess.run(["sh", "-c", command], cwd=folder, env={**os.environ, **who}, check=True)


def holder(remote: Remote) -> str:
    """Who holds the lease the remote's state ref records."""
    holding: str = json.loads(git(remote.bare, "show", f"{STATE_REF}:lease.json"))["holder"]
    return holding


def never(seconds: float) -> None:
    raise AssertionError("a lease held with no timeout must not be waited for")


# --- the lease -------------------------------------------------------------------------


def test_a_held_lease_refuses_the_second_applier_naming_the_holder(remote: Remote) -> None:
    first, second = remote.store("a"), remote.store("b")
    first.acquire("alice", "9001", 0, never)
    with pytest.raises(LockHeld) as held:
        second.acquire("bob", "9002", 0, never)
    assert str(held.value) == (
        f"alice (pid {os.getpid()} on {socket.gethostname()}, run 9001) since "
        "2026-11-23T09:00:00.000Z holds the apply lease of this repository's mpr store (until "
        "2026-11-23T09:30:00.000Z): one apply at a time writes to Wix. Wait for it to finish "
        "(or pass --lock-timeout SECONDS to wait); a lease whose run died without giving it "
        "back lapses at its expiry and is then taken over"
    )

    first.release()
    second.acquire("bob", "9002", 0, never)
    lease = json.loads(git(remote.bare, "show", f"{STATE_REF}:lease.json"))
    assert (lease["holder"], lease["run"]) == ("bob", "9002")
    assert git(remote.bare, "log", "--format=%s", STATE_REF).splitlines() == [
        "mpr: lease taken by bob",
        "mpr: lease released",
        "mpr: lease taken by alice",
    ]


def test_the_second_applier_waits_for_the_lease_until_it_is_released(remote: Remote) -> None:
    first, second = remote.store("a"), remote.store("b")
    first.acquire("alice", "1", 0, never)
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the first run ends while the second waits
        waits.append(seconds)
        if len(waits) == 3:
            first.release()

    second.acquire("bob", "2", 60, sleep)
    assert waits == [2.0, 2.0, 2.0]
    assert holder(remote) == "bob"


def test_a_lease_waited_for_in_vain_says_how_long_it_was_waited_for(remote: Remote) -> None:
    first, second = remote.store("a"), remote.store("b")
    first.acquire("alice", "1", 0, never)
    waits: list[float] = []
    with pytest.raises(LockHeld) as held:
        second.acquire("bob", "2", 1, waits.append)
    assert waits == [1.0]
    assert str(held.value) == (
        f"alice (pid {os.getpid()} on {socket.gethostname()}, run 1) since "
        "2026-11-23T09:00:00.000Z holds the apply lease of this repository's mpr store after "
        "waiting 1 s (until 2026-11-23T09:30:00.000Z): one apply at a time writes to Wix. Wait "
        "for it to finish (or pass --lock-timeout SECONDS to wait); a lease whose run died "
        "without giving it back lapses at its expiry and is then taken over"
    )


def test_two_appliers_racing_for_the_lease_one_wins(remote: Remote) -> None:
    stores = [remote.store(name) for name in ("a", "b", "c")]
    start = threading.Barrier(len(stores))
    outcome: dict[str, str] = {}

    def race(store: GitStore, holder: str) -> None:
        start.wait()
        try:
            store.acquire(holder, None, 0, never)
            outcome[holder] = "won"
        except LockHeld:
            outcome[holder] = "refused"

    threads = [
        threading.Thread(target=race, args=(s, n)) for s, n in zip(stores, "xyz", strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcome.values()) == ["refused", "refused", "won"]
    (winner,) = [holder for holder, result in outcome.items() if result == "won"]
    assert holder(remote) == winner


def test_a_lapsed_lease_is_taken_over_and_its_old_holder_cannot_release_it(
    remote: Remote,
) -> None:
    dead = remote.store("a")
    dead.acquire("alice", "1", 0, never)
    later = remote.store("b", now=lambda: T0 + timedelta(minutes=31))
    later.acquire("bob", "2", 0, never)
    dead.refresh()
    with pytest.raises(LockHeld) as lost:
        dead.write_state(b'{"pending": {}}')  # it notices before it sends anything more
    assert str(lost.value) == LOST_BY_ALICE
    dead.release()  # the run that lost its lease gives back nothing that is not its own
    assert holder(remote) == "bob"


def test_a_lapsed_lease_its_holder_gives_back_while_another_run_takes_it_over_is_taken(
    remote: Remote,
) -> None:
    """The taker's push is rejected and merged with the release: the lease is free, and the
    taker holds it, never told that a lease (its own) stands in its way."""
    slow = remote.store("a")
    slow.acquire("alice", "1", 0, never)
    later = remote.store("b", now=lambda: T0 + timedelta(minutes=31))
    push = later.git.push

    def push_after_the_release(*args: Any, **kwargs: Any) -> Any:
        if slow.lease is not None:
            slow.release()
        return push(*args, **kwargs)

    later.git.push = push_after_the_release  # type: ignore[method-assign]
    later.acquire("bob", "2", 0, never)
    assert later.lease is not None
    lease = json.loads(git(remote.bare, "show", f"{STATE_REF}:lease.json"))
    assert (lease["holder"], lease["token"]) == ("bob", later.lease.token)


def test_a_damaged_lease_is_refused_with_the_commands_that_remove_it(remote: Remote) -> None:
    writer = remote.store("by-hand")
    record = {"holder": "alice", "run": "", "host": "h", "pid": "abc", "token": "t"}
    record |= {"since": "2026-11-23T08:00:00.000Z", "expires": "2026-11-23T10:00:00.000Z"}
    content = writer.git.blob(json.dumps(record).encode())
    writer.update(STATE_REF, lambda files: {**files, "lease.json": content}, "by hand")

    store = remote.store("a")
    with pytest.raises(LockHeld) as held:
        store.acquire("bob", "2", 0, never)
    command = (
        'git fetch origin refs/mpr/state && git push origin "$(git commit-tree -p FETCH_HEAD '
        "-m 'remove lease.json' \"$(git ls-tree FETCH_HEAD | grep -v "
        "'[[:space:]]lease[.]json$' | git mktree)\")\":refs/mpr/state"
    )
    assert str(held.value) == (
        'a damaged lease record lease.json (pid is "abc"; it reads as alice (pid 0 on h) since '
        "2026-11-23T08:00:00.000Z) holds the apply lease of this repository's mpr store until "
        "2026-11-23T10:00:00.000Z: whoever wrote it may still be writing to Wix, so it is "
        "waited out like any lease. If no apply is running, remove it sooner (README: The git "
        f'store, "A damaged lease"): {command}'
    )
    by_hand(remote.root / "a", command)
    store.acquire("bob", "2", 0, never)
    assert git(remote.bare, "ls-tree", "--name-only", STATE_REF) == "lease.json\n"
    assert holder(remote) == "bob"


def test_the_command_that_removes_a_lease_removes_that_file_whatever_its_name(
    remote: Remote,
) -> None:
    """A lease file's name comes from whoever pushed it: the printed command quotes it, so
    running it removes exactly that file and runs nothing the name holds."""
    writer = remote.store("by-hand")
    name = "lease-'x;$(touch pwned)*[1].json"
    keep, drop = writer.git.blob(b"{}"), writer.git.blob(b"damaged")
    files = {"lease.json": keep, name: drop, "state.json": keep}
    writer.update(STATE_REF, lambda old: {**old, **files}, "by hand")

    by_hand(remote.root / "by-hand", clear_command(name, "origin"))
    listed = git(remote.bare, "ls-tree", "--name-only", STATE_REF).splitlines()
    assert listed == ["lease.json", "state.json"]
    assert not (remote.root / "by-hand" / "pwned").exists()


def test_a_lease_check_renews_the_lease_once_half_its_time_is_gone(remote: Remote) -> None:
    minutes = [0]
    store = remote.store("a", now=lambda: T0 + timedelta(minutes=minutes[0]))
    store.acquire("alice", "1", 0, never)

    def expires() -> str:
        return str(json.loads(git(remote.bare, "show", f"{STATE_REF}:lease.json"))["expires"])

    minutes[0] = 14
    store.confirm_lease()
    assert expires() == "2026-11-23T09:30:00.000Z", "more than half of it left"
    minutes[0] = 15
    store.confirm_lease()
    assert expires() == "2026-11-23T09:45:00.000Z"
    store.confirm_lease()
    assert git(remote.bare, "log", "--format=%s", STATE_REF).splitlines() == [
        "mpr: lease renewed",
        "mpr: lease taken by alice",
    ]


def test_a_lease_taken_over_while_its_renewal_was_pushed_stops_every_later_write(
    remote: Remote,
) -> None:
    """A run stalled past its expiry renews at its next check, just as another run takes
    the lease over: the merge keeps the taker's lease, and this check and every later one
    (another site's write) refuse, saying why."""

    def late() -> datetime:
        return T0 + timedelta(minutes=31)

    stalled, later = remote.store("a"), remote.store("b", now=late)
    stalled.acquire("alice", "1", 0, never)
    stalled.now = late
    push = stalled.git.push

    def push_after_the_takeover(*args: Any, **kwargs: Any) -> Any:
        if later.lease is None:
            later.acquire("bob", "2", 0, never)
        return push(*args, **kwargs)

    stalled.git.push = push_after_the_takeover  # type: ignore[method-assign]
    for _ in range(2):
        with pytest.raises(LockHeld) as refused:
            stalled.confirm_lease()
        assert str(refused.value) == LOST_BY_ALICE
    assert holder(remote) == "bob"


def test_a_lease_another_command_here_saw_taken_over_is_left_to_its_taker(
    remote: Remote,
) -> None:
    """Another mpr of this checkout (a `history`) fetched the takeover after this run's check
    found the lease its own and before it renewed it: the renewal leaves the taker's lease
    be, and the run stops."""

    def late() -> datetime:
        return T0 + timedelta(minutes=31)

    stalled, later = remote.store("a"), remote.store("b", now=late)
    stalled.acquire("alice", "1", 0, never)

    def clock() -> datetime:  # read between the check and the renewal
        if later.lease is None:
            later.acquire("bob", "2", 0, never)
            GitStore(Git(remote.root / "a"), now=late).refresh()
        return late()

    stalled.now = clock
    with pytest.raises(LockHeld) as refused:
        stalled.confirm_lease()
    assert str(refused.value) == LOST_BY_ALICE
    assert holder(remote) == "bob"


def test_a_lease_removed_by_hand_stops_its_run_which_then_gives_back_nothing(
    remote: Remote,
) -> None:
    store = remote.store("a")
    store.acquire("alice", "1", 0, never)
    by_hand(remote.clone("by-hand"), clear_command("lease.json", "origin"))
    with pytest.raises(LockHeld) as lost:
        store.confirm_lease()
    assert str(lost.value) == LOST_BY_ALICE
    store.release()
    assert git(remote.bare, "ls-tree", STATE_REF) == ""
    assert git(remote.bare, "log", "--format=%s", STATE_REF).splitlines() == [
        "remove lease.json",
        "mpr: lease taken by alice",
    ]


def test_a_long_apply_that_only_writes_its_journal_keeps_its_lease(
    remote: Remote, tmp_path: Path
) -> None:
    """Every journal write renews the lease: a run that waits long between them (a slow
    generation) is not taken for dead by a runner that comes after its first expiry."""
    minutes = [0]
    runner = remote.store("a", now=lambda: T0 + timedelta(minutes=minutes[0]))
    runner.acquire("alice", "1", 0, never)
    journal = GitJournal(tmp_path / "a.json", runner)
    for step in range(1, 4):  # a journal write every 20 minutes, for an hour
        minutes[0] = 20 * step
        journal.record("site-1", "regenerate", f"2026-11-23T09:{step:02}:00.000Z")
        journal.save()

    later = remote.store("b", now=lambda: T0 + timedelta(minutes=70))  # 40 min past the first
    with pytest.raises(LockHeld, match=r"alice .* \(until 2026-11-23T10:30:00.000Z\)"):
        later.acquire("bob", "2", 0, never)
    journal.clear("site-1")
    journal.save()  # and the run goes on writing
    assert remote.journal()["pending"] == {}


def test_the_shards_of_a_fleet_hold_leases_side_by_side_and_exclude_a_whole_apply(
    remote: Remote,
) -> None:
    one, two, three = remote.store("a"), remote.store("b"), remote.store("c")
    one.acquire("ci", "7", 0, never, "1/2")
    two.acquire("ci", "7", 0, never, "2/2")
    assert git(remote.bare, "ls-tree", "--name-only", STATE_REF).split() == [
        "lease-1-of-2.json",
        "lease-2-of-2.json",
    ]
    with pytest.raises(LockHeld) as whole:
        three.acquire("alice", None, 0, never)
    assert "for shard 1/2 since" in str(whole.value)
    with pytest.raises(LockHeld):
        three.acquire("alice", None, 0, never, "1/3")  # another split may share sites
    with pytest.raises(LockHeld):
        three.acquire("alice", None, 0, never, "2/2")
    one.release()
    two.release()
    three.acquire("alice", None, 0, never)
    assert git(remote.bare, "ls-tree", "--name-only", STATE_REF) == "lease.json\n"


@pytest.mark.parametrize(("first", "second"), [("1/2", ""), ("", "1/2"), ("1/2", "1/3")])
def test_a_lease_that_lands_after_an_overlapping_one_is_given_back(
    remote: Remote, first: str, second: str
) -> None:
    """The second taker's push is rejected and merged, and a merge keeps both lease files:
    the one that landed second must see the first and give its own back."""
    winner, loser = remote.store("a"), remote.store("b")
    push = loser.git.push
    raced: list[str] = []

    def push_after_the_winner(*args: Any, **kwargs: Any) -> Any:
        if not raced:
            raced.append(first)
            winner.acquire("shard-runner", "1", 0, never, first)
        return push(*args, **kwargs)

    loser.git.push = push_after_the_winner  # type: ignore[method-assign]
    with pytest.raises(LockHeld):
        loser.acquire("fleet-runner", "2", 0, never, second)
    assert winner.lease is not None and loser.lease is None
    names = git(remote.bare, "ls-tree", "--name-only", STATE_REF).split()
    assert names == [winner.lease.file_name]


def test_a_lease_whose_process_on_this_machine_is_gone_is_taken_over_at_once(
    remote: Remote,
) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = remote.store("a")
    dead.acquire("alice", "1", 0, never)
    assert dead.lease is not None
    killed = replace(dead.lease, pid=int(gone.stdout))  # as a killed run left it
    dead.lease = killed
    dead.update(
        STATE_REF,
        lambda files: {**files, "lease.json": dead.git.blob(killed.to_bytes())},
        "killed",
    )
    remote.store("b").acquire("bob", "2", 0, never)
    assert holder(remote) == "bob"


def test_two_applies_in_one_checkout_end_in_the_lease_refusal_never_a_git_error(
    remote: Remote,
) -> None:
    """Both take the lease at once from one clone: their local ref updates and fetches
    collide (`cannot lock ref`), which is a race to run again, not an error (#23)."""
    folder = remote.clone("shared")
    script = f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from datetime import datetime, UTC
from reconciler.engine.gitstore.lease import Host, Lease
from reconciler.engine.gitstore.refs import Git
from reconciler.engine.gitstore.store import GitStore
from reconciler.errors import LockHeld
store = GitStore(Git({str(folder)!r}), now=lambda: datetime.now(UTC))
try:
    store.refresh()
    store.acquire(sys.argv[1], "1", 0, time.sleep)
except LockHeld:
    print("refused")
else:
    time.sleep(0.3)
    store.release()
    print("applied")
"""
    for _ in range(8):
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", script, name], stdout=subprocess.PIPE, text=True
            )
            for name in ("alice", "bob")
        ]
        said = sorted(run.communicate()[0].strip() for run in runs)
        assert said in (["applied", "refused"], ["applied", "applied"]), said


# --- the journal -----------------------------------------------------------------------


def test_a_journal_push_that_finds_the_ref_moved_merges_both_records(
    remote: Remote, tmp_path: Path
) -> None:
    setup = remote.store("setup")
    base = GitJournal(tmp_path / "setup.json", setup)
    base.record("site-3", "regenerate", "2026-11-23T08:00:00.000Z")
    base.save()

    first = GitJournal(tmp_path / "a.json", remote.store("a"))
    second = GitJournal(tmp_path / "b.json", remote.store("b"))  # read before a pushed
    first.record("site-1", "regenerate_keywords", "2026-11-23T09:00:00.000Z")
    first.clear("site-3")
    first.save()
    second.record("site-2", "generate", "2026-11-23T09:00:01.000Z")
    second.record_posts("site-2", "2026-11-23T09:00:02.000Z", ("act-1",))
    second.save()  # rejected: the ref moved; fetched, merged, pushed

    journal = remote.journal()
    assert journal["pending"] == {
        "site-1": {"kind": "regenerate_keywords", "since": "2026-11-23T09:00:00.000Z"},
        "site-2": {"kind": "generate", "since": "2026-11-23T09:00:01.000Z"},
    }, "site-3 stays cleared: a clear is not undone by a journal that never saw it"
    assert journal["posts"] == {
        "site-2": {"sent": "2026-11-23T09:00:02.000Z", "activities": ["act-1"]}
    }
    log = git(remote.bare, "log", "--format=%s", STATE_REF).splitlines()
    assert log[0] == "mpr: merge concurrent writes"
    assert GitJournal(tmp_path / "c.json", remote.store("c")).pending("site-2") is not None


def test_a_run_killed_between_its_commit_and_its_push_is_finished_by_the_next(
    remote: Remote, tmp_path: Path
) -> None:
    folder = remote.clone("killed")
    hook = folder / ".git" / "hooks" / "pre-push"
    hook.write_text('#!/bin/sh\nkill -9 "$MPR_TEST_KILL"\nsleep 5\n')
    hook.chmod(0o755)
    script = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from datetime import datetime, UTC
from reconciler.engine.gitstore.journal import GitJournal
from reconciler.engine.gitstore.lease import Host, Lease
from reconciler.engine.gitstore.refs import Git
from reconciler.engine.gitstore.store import GitStore
os.environ["MPR_TEST_KILL"] = str(os.getpid())
store = GitStore(Git({str(folder)!r}), now=lambda: datetime.now(UTC))
store.refresh()
journal = GitJournal({str(tmp_path / "killed.json")!r}, store)
journal.record("site-1", "regenerate", "2026-11-23T09:00:00.000Z")
journal.save()
print("pushed: the kill did not happen")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == -9, done.stdout + done.stderr
    assert git(remote.bare, "for-each-ref", STATE_REF) == "", "killed before the push"
    assert git(folder, "show", f"{STATE_REF}:state.json"), "but committed in the checkout"

    hook.unlink()
    store = remote.store("killed")  # the next run on that checkout
    assert GitJournal(tmp_path / "next.json", store).pending("site-1") is not None
    assert git(remote.bare, "for-each-ref", STATE_REF) == "", "a read publishes nothing"
    store.sync()  # what apply does before it takes the lease
    assert remote.journal()["pending"] == {
        "site-1": {"kind": "regenerate", "since": "2026-11-23T09:00:00.000Z"}
    }


def test_a_runner_that_only_catches_up_with_another_adds_nothing_to_the_history(
    remote: Remote,
) -> None:
    """Behind the remote is a fast-forward, not a merge: no "merge concurrent writes" in the
    store's history when nobody wrote concurrently (and nothing pushed by a mere sync)."""
    first = remote.store("a")
    first.write_state(b'{"pending": {}}\n')
    second = remote.store("b")
    first.write_state(b'{"pending": {}, "posts": {}}\n')
    second.sync()
    log = git(remote.bare, "log", "--format=%s", STATE_REF).splitlines()
    assert log == ["mpr: journal", "mpr: journal"]
    assert second.git.resolve(STATE_REF) == first.git.resolve(STATE_REF)
    assert second.read(STATE_REF, "state.json") == b'{"pending": {}, "posts": {}}\n'


def test_the_first_git_journal_takes_over_what_the_file_store_left_due(
    remote: Remote, tmp_path: Path
) -> None:
    old = FileJournal(tmp_path / "state.json")
    old.record("site-1", "regenerate_keywords", "2026-11-20T09:00:00.000Z")
    old.save()
    journal = GitJournal(tmp_path / "git-state.json", remote.store("a"), seed=old.path)
    assert journal.pending("site-1") is not None
    journal.save()
    assert remote.journal()["pending"] == {
        "site-1": {"kind": "regenerate_keywords", "since": "2026-11-20T09:00:00.000Z"}
    }
    journal.clear("site-1")
    journal.save()
    again = GitJournal(tmp_path / "later.json", remote.store("b"), seed=old.path)
    assert again.pending("site-1") is None, "once the git store has a journal, it is the one"


# --- the audit trail ---------------------------------------------------------------------


def audit(store: GitStore, path: Path, run: str) -> GitAuditLog:
    origin = Provenance(commit=COMMIT, actor=f"actor-{run}", run=run)
    return GitAuditLog(path, origin, store=store, names={"site-1": "Crumb"}, now=lambda: T0)


def test_audit_lines_of_two_runs_on_one_commit_are_both_kept_in_order(
    remote: Remote, tmp_path: Path
) -> None:
    first = audit(remote.store("a"), tmp_path / "a.jsonl", "1")
    second = audit(remote.store("b"), tmp_path / "b.jsonl", "2")
    first.record("site-1", ActionRecord("settings.upsert", "settings.toneOfVoice", result="intent"))
    first.record("site-1", ActionRecord("settings.upsert", "settings.toneOfVoice", result="ok"))
    first.save()
    second.record("site-1", ActionRecord("event.create", "Sale", result="intent"))
    second.record("site-1", ActionRecord("event.create", "Sale", result="failed"))
    second.save()
    first.outcome("site-1", "applied")
    first.save()

    shown = git(remote.bare, "notes", "--ref", "mpr", "show", COMMIT).splitlines()
    assert [(json.loads(x)["run"], json.loads(x)["result"]) for x in shown] == [
        ("1", "intent"),
        ("1", "ok"),
        ("2", "intent"),
        ("2", "failed"),
        ("1", "applied"),
    ]
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == 3, "the local copy"
    entries, problems = read_notes(remote.store("c"))
    assert problems == [] and [e.run for e in entries] == ["1", "1", "2", "2", "1"]
    assert git(remote.bare, "for-each-ref", "--format=%(refname)", NOTES_REF) == f"{NOTES_REF}\n"


def test_every_note_is_read_and_each_bad_line_is_named_by_its_commit(remote: Remote) -> None:
    store, other = remote.store("a"), "a1b2c3d4e5f6" + "7" * 28
    line = '{"time": "%s", "site": "site-1", "action": "apply", "result": "%s"}\n'
    store.append_note(COMMIT, (line % ("t2", "applied")).encode() + b"[1]\n")
    store.append_note(other, (line % ("t1", "caf\xe9")).encode("latin-1") + b"{\n")
    entries, problems = read_notes(remote.store("b"))
    assert [(e.time, e.result) for e in entries] == [("t1", "caf\ufffd"), ("t2", "applied")]
    assert [p.split(": not an audit entry")[0] for p in problems] == [
        "note 3f9c2a81d0e4 (git notes --ref mpr):2",
        "note a1b2c3d4e5f6 (git notes --ref mpr):2",
    ]


def test_audit_lines_whose_push_failed_reach_the_note_with_the_next_push(
    remote: Remote, tmp_path: Path
) -> None:
    """The local copy has them at once; the note, where the next run looks for open intents,
    must not lose them because the remote refused one push."""
    store = remote.store("a")
    log = audit(store, tmp_path / "a.jsonl", "1")
    hook = remote.bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'not now' >&2\nexit 1\n")
    hook.chmod(0o755)
    log.record("site-1", ActionRecord("settings.upsert", "settings.toneOfVoice", result="intent"))
    with pytest.raises(ConfigError) as refused:
        log.save()
    folder, commit = (remote.root / "a").resolve(), store.git.resolve(NOTES_REF)
    assert str(refused.value) == (
        f"cannot push to the git remote 'origin' from {folder}: {commit}:{NOTES_REF} [remote "
        "rejected] (pre-receive hook declined); the store needs write access to it (in GitHub "
        "Actions: permissions: contents: write)"
    )
    hook.unlink()
    log.record("site-1", ActionRecord("event.create", "Sale", result="intent"))
    log.save()
    shown = git(remote.bare, "notes", "--ref", "mpr", "show", COMMIT).splitlines()
    assert [json.loads(x)["action"] for x in shown] == ["settings.upsert", "event.create"]


# --- what git said, when it failed ----------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("", "no message"),
        ("checking refs/mpr/state\nchecked\nrunner shutting down\n", "runner shutting down"),
    ],
    ids=["silent", "its last line"],
)
def test_a_git_that_was_killed_is_quoted_by_the_last_thing_it_said(
    remote: Remote, said: str, reason: str
) -> None:
    """No `fatal:` or `error:` line from a git killed midway (here by its own hook, on a
    runner by its shutdown or the OOM killer): the last line it printed, or that there was
    none."""
    store = remote.store("a")
    folder = (remote.root / "a").resolve()
    hook = folder / ".git" / "hooks" / "reference-transaction"
    hook.write_text(f"#!/bin/sh\nprintf '{said}' >&2\nkill -9 $PPID\n")
    hook.chmod(0o755)
    with pytest.raises(ConfigError) as failed:
        store.write_state(b'{"pending": {}}\n')
    assert str(failed.value) == f"git update-ref failed in {folder}: {reason}"


def test_a_remote_that_hangs_up_after_its_error_is_quoted_by_that_error(remote: Remote) -> None:
    """git's `fatal: the remote end hung up unexpectedly` comes last; the remote's own
    `remote: error:` line says why."""
    store = remote.store("a")
    hooks = remote.bare / "hooks"
    (hooks / "pre-receive").write_text("#!/bin/sh\necho 'error: refs/mpr/* are frozen' >&2\n")
    (hooks / "update").write_text("#!/bin/sh\nkill -9 $PPID\n")  # then the server goes
    for hook in ("pre-receive", "update"):
        (hooks / hook).chmod(0o755)
    with pytest.raises(ConfigError) as refused:
        store.write_state(b'{"pending": {}}\n')
    assert str(refused.value) == (
        f"cannot push to the git remote 'origin' from {(remote.root / 'a').resolve()}: remote: "
        "error: refs/mpr/* are frozen; the store needs write access to it (in GitHub Actions: "
        "permissions: contents: write)"
    )


def test_a_broken_object_in_the_checkout_is_named_by_git_s_first_error(remote: Remote) -> None:
    """A checkout whose object file was cut short (a full disk, a cache restored halfway):
    git's `error:` that names the file, not the `fatal:` after it."""
    store = remote.store("a")
    store.write_state(b'{"pending": {}}\n')
    folder = (remote.root / "a").resolve()
    tree = git(folder, "rev-parse", f"{STATE_REF}^{{tree}}").strip()
    broken = folder / ".git" / "objects" / tree[:2] / tree[2:]
    broken.chmod(0o644)
    broken.write_bytes(b"")
    with pytest.raises(ConfigError) as failed:
        store.read(STATE_REF, "state.json")
    assert str(failed.value) == (
        f"git ls-tree failed in {folder}: error: object file .git/objects/{tree[:2]}/{tree[2:]} "
        "is empty"
    )


def test_notes_git_spread_over_folders_are_read_and_kept(remote: Remote, tmp_path: Path) -> None:
    folder = remote.clone("by-hand")
    head = git(folder, "rev-parse", "HEAD").strip()
    for n in range(300):  # enough notes for git to fan the tree out into folders
        blob = git(folder, "hash-object", "-w", "--stdin", input=f"{n}\n").strip()
        git(folder, "notes", "--ref", "mpr", "add", "-f", "-C", blob, _fake_commit(n))
    git(folder, "notes", "--ref", "mpr", "add", "-f", "-m", '{"time": "t0", "site": "s"}', head)
    assert "/" in git(folder, "ls-tree", "-r", "--name-only", NOTES_REF)
    git(folder, "push", "-q", "origin", NOTES_REF)

    store = remote.store("a")
    notes = store.notes()
    assert len(notes) == 301
    assert (notes[head], notes[_fake_commit(7)]) == (b'{"time": "t0", "site": "s"}\n', b"7\n")
    store.append_note(head, b'{"time": "t1", "site": "s"}\n')
    shown = git(remote.bare, "notes", "--ref", "mpr", "show", head)
    assert shown == '{"time": "t0", "site": "s"}\n{"time": "t1", "site": "s"}\n'
    assert git(remote.bare, "notes", "--ref", "mpr", "show", _fake_commit(7)) == "7\n"


def test_the_note_git_stops_reading_at_is_the_one_named(remote: Remote) -> None:
    """A note object cut short in the checkout (a cache restored halfway): git prints the
    notes before it, then stops within it; the error names that one, not the first."""
    store = remote.store("a")
    for n in range(3):
        store.append_note(_fake_commit(n), b'{"time": "t%d", "site": "s"}\n' % n)
    folder = (remote.root / "a").resolve()
    second = git(folder, "ls-tree", NOTES_REF).splitlines()[1].split()[2]
    content = git(folder, "cat-file", "blob", second).encode()
    broken = folder / ".git" / "objects" / second[:2] / second[2:]
    whole = zlib.compress(b"blob %d\0" % len(content) + content)
    broken.chmod(0o644)
    broken.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ConfigError) as failed:
        store.notes()
    assert str(failed.value) == f"git cannot read object {second} in {folder}"


def _fake_commit(n: int) -> str:
    """An object id spread like real ones (git fans a notes tree out by their first digits)."""
    return hashlib.sha1(str(n).encode()).hexdigest()


def test_reading_objects_where_git_cannot_is_one_clear_error(tmp_path: Path) -> None:
    """git prints nothing on its standard output when it cannot run at all."""
    with pytest.raises(ConfigError, match="git cannot read object"):
        Git(tmp_path).read_all(["0" * 40])


@pytest.mark.parametrize(
    ("content", "damage"),
    [
        (b"not json", "it is not JSON"),
        (b"[1]", "it is not a JSON object"),
        (b'{"pid": "abc"}', 'pid is "abc"'),
        (b'{"pid": -4, "scope": 5}', "pid is -4"),
    ],
)
def test_a_lease_record_mpr_cannot_read_is_a_damaged_lease_named_by_its_file(
    content: bytes, damage: str
) -> None:
    """Never a crash and never "no lease": whoever wrote it may be writing to Wix (#23)."""
    lease = Lease.read(content, "lease-2-of-4.json")
    assert lease is not None and damage in lease.damage
    assert lease.file_name == "lease-2-of-4.json", "it covers what its file name says"
    assert lease.describe().startswith("a damaged lease record lease-2-of-4.json (")
    assert lease.stale(T0, Host.this_process()), "no readable expiry: nothing to wait for"
    dated = Lease.read(content.replace(b"}", b', "expires": "2999-01-01T00:00:00.000Z"}'))
    if dated is not None and dated.expires:
        assert dated.damage and not dated.stale(T0, Host.this_process()), "held until then"


def test_a_journal_in_git_that_is_not_utf8_is_one_message(remote: Remote, tmp_path: Path) -> None:
    """Someone pushed bytes that are not text as the journal: mpr says so, no traceback."""
    writer = remote.store("by-hand")
    content = writer.git.blob(b"\xff\xfe not text")
    writer.update(STATE_REF, lambda files: {**files, "state.json": content}, "by hand")
    local = tmp_path / "a.json"
    with pytest.raises(ConfigError) as refused:
        GitJournal(local, remote.store("a"))
    assert str(refused.value) == (
        "the journal in the git store (refs/mpr/state, state.json) is not UTF-8 text (invalid "
        "start byte at byte 0): mpr cannot tell what is due; restore a good version from its "
        "history (git log refs/mpr/state), then run again"
    )
    assert not local.exists()


def test_a_journal_whose_local_copy_cannot_be_kept_is_one_message(
    remote: Remote, tmp_path: Path
) -> None:
    """The local copy's place is a plain file's child: the journal cannot be written there."""
    (tmp_path / "plain").write_text("", encoding="utf-8")
    seed = tmp_path / "state.json"
    seed.write_text('{"pending": {}}\n', encoding="utf-8")
    local = tmp_path / "plain" / "a.json"
    with pytest.raises(ConfigError) as refused:
        GitJournal(local, remote.store("a"), seed=seed)
    assert str(refused.value) == (
        f"cannot keep the local copy of the journal {local}: {tmp_path / 'plain'} is a file, "
        "not a folder"
    )
