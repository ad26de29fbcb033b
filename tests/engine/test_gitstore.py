"""The git store against a real bare repository as the remote, with real clones: no mocks.

Two appliers race for the lease, push conflicting journals and audit notes, and one is
killed between its local commit and its push; what every test checks is what the remote
holds afterwards, read with plain git.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
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
from reconciler.engine.gitstore.store import NOTES_REF, STATE_REF, GitStore
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


def never(seconds: float) -> None:
    raise AssertionError("a lease held with no timeout must not be waited for")


# --- the lease -------------------------------------------------------------------------


def test_a_held_lease_refuses_the_second_applier_naming_the_holder(remote: Remote) -> None:
    first, second = remote.store("a"), remote.store("b")
    first.acquire("alice", "9001", 0, never)
    with pytest.raises(LockHeld) as held:
        second.acquire("bob", "9002", 0, never)
    message = str(held.value)
    assert message.startswith(f"alice (pid {os.getpid()} on ")
    assert ", run 9001) since 2026-11-23T09:00:00.000Z holds the apply lease" in message
    assert "(until 2026-11-23T09:30:00.000Z)" in message
    assert "--lock-timeout SECONDS" in message

    first.release()
    second.acquire("bob", "9002", 0, never)
    lease = json.loads(git(remote.bare, "show", f"{STATE_REF}:lease.json"))
    assert (lease["holder"], lease["run"]) == ("bob", "9002")


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
    assert json.loads(git(remote.bare, "show", f"{STATE_REF}:lease.json"))["holder"] == "bob"


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
    assert json.loads(git(remote.bare, "show", f"{STATE_REF}:lease.json"))["holder"] == winner


def test_a_lapsed_lease_is_taken_over_and_its_old_holder_cannot_release_it(
    remote: Remote,
) -> None:
    dead = remote.store("a")
    dead.acquire("alice", "1", 0, never)
    later = remote.store("b", now=lambda: T0 + timedelta(minutes=31))
    later.acquire("bob", "2", 0, never)
    dead.refresh()
    with pytest.raises(LockHeld, match="lapsed and another run took it over"):
        dead.write_state(b'{"pending": {}}')  # it notices before it sends anything more
    dead.release()  # the run that lost its lease gives back nothing that is not its own
    assert json.loads(git(remote.bare, "show", f"{STATE_REF}:lease.json"))["holder"] == "bob"


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
    one.release(), two.release()
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
    dead.lease = replace(dead.lease, pid=int(gone.stdout))  # as a killed run left it
    dead.update(
        STATE_REF,
        lambda files: {**files, "lease.json": dead.git.blob(dead.lease.to_bytes())},
        "killed",
    )
    remote.store("b").acquire("bob", "2", 0, never)
    assert json.loads(git(remote.bare, "show", f"{STATE_REF}:lease.json"))["holder"] == "bob"


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


def test_audit_lines_whose_push_failed_reach_the_note_with_the_next_push(
    remote: Remote, tmp_path: Path
) -> None:
    """The local copy has them at once; the note, where the next run looks for open intents,
    must not lose them because the remote refused one push."""
    log = audit(remote.store("a"), tmp_path / "a.jsonl", "1")
    hook = remote.bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'not now' >&2\nexit 1\n")
    hook.chmod(0o755)
    log.record("site-1", ActionRecord("settings.upsert", "settings.toneOfVoice", result="intent"))
    with pytest.raises(ConfigError, match="pre-receive hook declined"):
        log.save()
    hook.unlink()
    log.record("site-1", ActionRecord("event.create", "Sale", result="intent"))
    log.save()
    shown = git(remote.bare, "notes", "--ref", "mpr", "show", COMMIT).splitlines()
    assert [json.loads(x)["action"] for x in shown] == ["settings.upsert", "event.create"]


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
    assert len(store.notes()) == 301
    store.append_note(head, b'{"time": "t1", "site": "s"}\n')
    shown = git(remote.bare, "notes", "--ref", "mpr", "show", head)
    assert shown == '{"time": "t0", "site": "s"}\n{"time": "t1", "site": "s"}\n'
    assert git(remote.bare, "notes", "--ref", "mpr", "show", _fake_commit(7)) == "7\n"


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
