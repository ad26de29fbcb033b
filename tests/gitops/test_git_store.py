"""`mpr apply --store git` and `mpr history --store git` against a real bare repository.

Each runner is a clone of the bare remote; what one apply records (the audit notes, the
journal, the lease) is what another clone reads back: history, the ordering guard and the
lease all come from Git, and no secret reaches any object in the remote.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from reconciler.cli import exitcodes
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator, serve_in_thread
from reconciler.engine.gitstore.lease import Host, Lease
from reconciler.engine.gitstore.refs import Git
from reconciler.engine.gitstore.store import STATE_REF, GitStore
from reconciler.model.events import wire_time
from reconciler.wix import WixClient
from tests.conftest import TEST_KEY, Mpr
from tests.gitops.conftest import SITE, seed, site_file

KEY = "IST.git-store-must-never-hold-this-key-5c4b3a29"
TOKEN = "ghs_git-store-must-never-hold-this-token-11aa22"
TONE = """settings:
  toneOfVoice: {tone}
policy:
  regenerate: never
  schedule: {{enabled: false}}
"""


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
        + list(args),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def on_disk(hooks: Hooks) -> Hooks:
    """The emulator as the server; the journal, lease and audit as a user's run has them."""
    return Hooks(client=hooks.client)


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The remote, and the runner's checkout of it as the working directory."""
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    checkout = clone(remote, tmp_path / "runner-1")
    monkeypatch.chdir(checkout)
    monkeypatch.setenv("WIX_API_KEY", KEY)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    yield remote


def clone(remote: Path, folder: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(remote), str(folder)], check=True)
    return folder


def commit_tone(checkout: Path, tone: str) -> str:
    site_file(checkout / "sites", "crumb", SITE, TONE.format(tone=tone))
    git(checkout, "add", "sites")
    git(checkout, "commit", "-qm", f"tone: {tone}")
    git(checkout, "push", "-q", "origin", "main")
    return git(checkout, "rev-parse", "HEAD")


def mpr_in(folder: Path, *args: str, wix: str | None = None) -> subprocess.CompletedProcess[str]:
    """`mpr` run in a process of its own in `folder`: another runner's checkout."""
    env = {**os.environ, **({"WIX_API_BASE_URL": wix} if wix else {})}
    return subprocess.run(
        ["mpr", *args], cwd=folder, capture_output=True, text=True, check=False, env=env
    )


def note(remote: Path, commit: str) -> list[dict[str, object]]:
    shown = git(remote, "notes", "--ref", "mpr", "show", commit)
    return [json.loads(line) for line in shown.splitlines()]


def test_apply_keeps_its_audit_and_journal_in_the_remote_and_history_reads_them(
    mpr: Mpr, emulator: Emulator, bare: Path, on_disk: Hooks, tmp_path: Path
) -> None:
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    applied = commit_tone(Path.cwd(), "warm")

    result = mpr("apply", "sites", "--auto-approve", "--store", "git", obj=on_disk)
    assert result.code == exitcodes.OK, result.err
    lines = note(bare, applied)
    assert [(line["action"], line["result"]) for line in lines] == [
        ("settings.upsert", "intent"),
        ("settings.upsert", "ok"),
        ("apply", "applied"),
    ]
    assert {line["commit"] for line in lines} == {applied}
    assert {line["actor"] for line in lines} == {"tester"}
    pending = json.loads(git(bare, "show", f"{STATE_REF}:state.json"))["pending"]
    assert pending[SITE]["kind"] == "regenerate", "the skipped regenerate stays due, in Git"
    assert git(bare, "ls-tree", "--name-only", STATE_REF) == "state.json", "lease given back"

    other = clone(bare, tmp_path / "runner-2")  # another runner, nothing on its disk
    history = mpr_in(other, "history", "--store", "git", "--format", "json")
    assert history.returncode == 0, history.stderr
    assert [json.loads(line) for line in history.stdout.splitlines()] == [
        {**line, "dirty": False} for line in lines[1:]
    ], "each write once, with its outcome"
    text = mpr("history", "--store", "git", "--site", "crumb")
    assert text.out.splitlines()[-3:] == [
        '    {"settings.toneOfVoice": null} → {"settings.toneOfVoice": "warm"}',
        f"{lines[2]['time']}  crumb ({SITE})  apply: applied  {applied[:12]} by tester",
        "2 entries.",
    ]

    objects = subprocess.run(
        ["git", "-C", str(bare), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout
    assert b"mpr: audit of" in objects and b"toneOfVoice" in objects
    for secret in (KEY, TOKEN, TEST_KEY):
        assert secret.encode() not in objects, "a secret reached the remote"


def test_the_ordering_guard_reads_the_last_applied_commit_from_another_runner(
    mpr: Mpr, emulator: Emulator, bare: Path, on_disk: Hooks, tmp_path: Path
) -> None:
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    older = commit_tone(Path.cwd(), "first")
    newer = commit_tone(Path.cwd(), "second")
    assert mpr("apply", "sites", "--auto-approve", "--store", "git", obj=on_disk).code == 0

    late = clone(bare, tmp_path / "runner-2")  # a re-run of the older merge, elsewhere
    git(late, "checkout", "-q", older)
    emulator.clear_requests()
    dead_end = "http://127.0.0.1:9"  # refused before any request
    refused = mpr_in(late, "apply", "sites", "--auto-approve", "--store", "git", wix=dead_end)
    assert refused.returncode == exitcodes.REFUSED, refused.stderr
    assert (
        f"refusing to apply commit {older[:12]}: it is older than the commit last applied to "
        f"these sites, and applying it would roll them back:\n  crumb ({SITE}): {newer[:12]} "
        "was applied at "
    ) in refused.stderr
    assert " by tester\n" in refused.stderr
    assert git(bare, "ls-tree", "--name-only", STATE_REF) == "state.json", "lease given back"


def test_a_held_lease_refuses_a_second_apply_naming_its_holder(
    mpr: Mpr, emulator: Emulator, bare: Path, on_disk: Hooks, tmp_path: Path
) -> None:
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    commit_tone(Path.cwd(), "warm")
    holder = GitStore(Git(clone(bare, tmp_path / "runner-2")), now=lambda: datetime.now(UTC))
    holder.refresh()
    holder.acquire("alice", "9001", 0, time.sleep)

    refused = mpr("apply", "sites", "--auto-approve", "--store", "git", obj=on_disk)
    assert refused.code == exitcodes.REFUSED
    assert refused.err.startswith("Error: alice (pid ")
    assert ", run 9001) since " in refused.err and "holds the apply lease" in refused.err
    assert emulator.writes() == []
    holder.release()
    assert mpr("apply", "sites", "--auto-approve", "--store", "git", obj=on_disk).code == 0


def test_the_git_store_outside_a_checkout_with_that_remote_is_one_clear_error(
    mpr: Mpr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "not-a-clone"
    folder.mkdir()
    monkeypatch.chdir(folder)
    git(folder, "init", "-q")
    result = mpr("history", "--store", "git")
    assert (result.code, result.out) == (exitcodes.ERROR, "")
    assert result.err == (
        f"Error: git fetch failed in {folder}: fatal: 'origin' does not appear to be a git "
        "repository; --store git keeps apply's records in the git remote 'origin' of the site "
        "repository: run mpr in its checkout (or name another remote with --store-remote)\n"
    )


def test_a_remote_that_refuses_the_push_stops_apply_before_any_write(
    mpr: Mpr, emulator: Emulator, bare: Path, on_disk: Hooks
) -> None:
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    commit_tone(Path.cwd(), "warm")
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'refs/mpr/* are protected' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = mpr("apply", "sites", "--auto-approve", "--store", "git", obj=on_disk)
    assert result.code == exitcodes.ERROR
    assert result.err.startswith("Error: cannot push to the git remote 'origin' from "), result.err
    assert "[remote rejected] (pre-receive hook declined); the store needs write access" in (
        result.err
    )
    assert emulator.writes() == [], "no lease, no write"


def keep_leases(bare: Path) -> None:
    """A remote that takes a lease and refuses to see it go (so tests can read it after)."""
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\nwhile read old new ref; do\n"
        '  git ls-tree --name-only "$new" | grep -q lease || { echo no >&2; exit 1; }\n'
        "done\n"
    )
    hook.chmod(0o755)


@pytest.mark.parametrize(("timeout", "minutes"), [("15m", 40), ("45m", 100), ("1m", 30)])
def test_the_lease_outlasts_two_of_the_longest_wait_a_site_may_make(
    mpr: Mpr, emulator: Emulator, bare: Path, on_disk: Hooks, timeout: str, minutes: int
) -> None:
    """A run waiting on a slow generation renews its lease only at its next journal write:
    a lease shorter than that would let another runner take it from a live run."""
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    body = f"policy: {{wait: {{timeout: {timeout}}}, schedule: {{enabled: false}}}}\n"
    site_file(Path.cwd() / "sites", "crumb", SITE, body)
    git(Path.cwd(), "add", "sites"), git(Path.cwd(), "commit", "-qm", "crumb")
    keep_leases(bare)
    result = mpr("apply", "sites", "--auto-approve", "--store", "git", "--no-audit", obj=on_disk)
    assert result.code == exitcodes.OK, result.err
    lease = json.loads(git(bare, "show", f"{STATE_REF}:lease.json"))
    lasts = datetime.fromisoformat(lease["expires"]) - datetime.fromisoformat(lease["since"])
    assert timedelta(minutes=minutes) <= lasts < timedelta(minutes=minutes + 1)


def test_a_lease_that_cannot_be_given_back_is_a_warning_with_its_expiry(
    mpr: Mpr, emulator: Emulator, bare: Path, on_disk: Hooks
) -> None:
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    site_file(Path.cwd() / "sites", "crumb", SITE, "policy: {schedule: {enabled: false}}\n")
    git(Path.cwd(), "add", "sites"), git(Path.cwd(), "commit", "-qm", "crumb")
    keep_leases(bare)
    result = mpr("apply", "sites", "--auto-approve", "--store", "git", "--no-audit", obj=on_disk)
    assert result.code == exitcodes.OK, result.err
    (warning,) = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert warning.startswith(
        "warning: could not give the apply lease back: cannot push to the git remote 'origin'"
    )
    assert "[remote rejected] (pre-receive hook declined)" in warning
    assert warning.endswith(json.loads(git(bare, "show", f"{STATE_REF}:lease.json"))["expires"]), (
        "it says when the lease lapses"
    )


# --- a lease is the only truth for a holder (#23) -------------------------------------------
# Containers and CI runners share host names: a lease held on another machine with this
# machine's host name, whose pid runs nowhere here, is no dead lease. A run whose lease was
# taken over sends nothing more to Wix, not only no journal write, and says so. A damaged
# lease record is named and waited out, not a crash of every apply.

EVENTS = """events:
  - {name: One, date: "2026-12-01T09:00:00Z"}
  - {name: Two, date: "2026-12-02T09:00:00Z"}
  - {name: Three, date: "2026-12-03T09:00:00Z"}
policy:
  regenerate: never
  schedule: {enabled: false}
"""


def commit_events(checkout: Path) -> None:
    site_file(checkout / "sites", "crumb", SITE, EVENTS)
    git(checkout, "add", "sites")
    git(checkout, "commit", "-qm", "three events")
    git(checkout, "push", "-q", "origin", "main")


def dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def other_machine(tmp_path: Path) -> Host:
    """A runner elsewhere: its own boot and pid namespace, its own (empty) /proc."""
    proc = tmp_path / "other-proc"
    proc.mkdir(exist_ok=True)
    return Host("another-boot/pid:[4026531999]", dead_pid(), proc)


def push_lease(bare: Path, tmp_path: Path, body: dict[str, object] | bytes) -> None:
    """A lease file as another runner (or a broken tool) left it in the remote."""
    store = GitStore(Git(clone(bare, tmp_path / "writer")), now=lambda: datetime.now(UTC))
    store.refresh()
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    store.update(STATE_REF, lambda f: {**f, "lease.json": store.git.blob(content)}, "lease")


def test_a_lease_of_another_machine_with_this_host_name_is_not_taken_for_a_dead_one(
    mpr: Mpr, emulator: Emulator, bare: Path, on_disk: Hooks, tmp_path: Path
) -> None:
    """Same host name, a pid that runs nowhere here: before #23 that read as "its run died
    here" and the lease was taken over while its holder was writing."""
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    commit_events(Path.cwd())
    holder = GitStore(
        Git(clone(bare, tmp_path / "runner-2")),
        now=lambda: datetime.now(UTC),
        here=other_machine(tmp_path),
    )
    holder.refresh()
    holder.acquire("alice", "7", 0, lambda _: None)
    assert holder.lease is not None and holder.lease.host == socket.gethostname()

    refused = mpr("apply", "sites", "--auto-approve", "--store", "git", obj=on_disk)
    assert refused.code == exitcodes.REFUSED, refused.err
    assert refused.err.startswith(f"Error: alice (pid {holder.lease.pid} on ")
    assert emulator.writes() == []


def test_a_lease_of_this_machine_whose_process_is_gone_is_taken_over_at_once(
    bare: Path, tmp_path: Path
) -> None:
    here = Host.this_process()
    gone = Host(here.machine, dead_pid(), here.proc)
    dead = GitStore(Git(clone(bare, tmp_path / "a")), now=lambda: datetime.now(UTC), here=gone)
    dead.refresh()
    dead.acquire("alice", "1", 0, lambda _: None)
    alive = GitStore(Git(clone(bare, tmp_path / "b")), now=lambda: datetime.now(UTC))
    alive.refresh()
    alive.acquire("bob", "2", 0, lambda _: None)
    assert alive.lease is not None and alive.lease.holder == "bob"


def test_a_pid_reused_by_another_process_is_no_holder() -> None:
    here = Host.this_process()
    started = here.started(here.pid)
    assert started is not None
    lease = Lease("t", "alice", "", "h", here.pid, "x", "2999-01-01T00:00:00.000Z")
    lease = replace(lease, machine=here.machine, started=started)
    now = datetime.now(UTC)
    assert not lease.stale(now, here), "this very process holds it"
    reused = replace(lease, started=str(int(started) + 1))
    assert reused.stale(now, here), "same pid, another start time: the holder is gone"


def racing_client(
    emulator: Emulator, take_over: Callable[[], None]
) -> Callable[[], AbstractAsyncContextManager[WixClient]]:
    """The emulator, and another runner taking the lease over once the first event landed."""

    class Transport(httpx.ASGITransport):
        taken = False

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await super().handle_async_request(request)
            if request.method == "POST" and request.url.path.endswith("/events"):
                if not Transport.taken:
                    Transport.taken = True
                    take_over()
            return response

    @asynccontextmanager
    async def client() -> AsyncIterator[WixClient]:
        async with WixClient(
            base_url="http://emulator.test", api_key=TEST_KEY, transport=Transport(app=emulator.app)
        ) as wix:
            yield wix

    return client


def test_a_run_whose_lease_was_taken_over_sends_no_more_writes_and_says_so(
    mpr: Mpr, emulator: Emulator, bare: Path, tmp_path: Path
) -> None:
    """The second and third event change no journal record: before #23 they were sent
    after the lease had gone to another runner (25 declared events became 45)."""
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    commit_events(Path.cwd())
    later = GitStore(
        Git(clone(bare, tmp_path / "runner-2")),
        now=lambda: datetime.now(UTC) + timedelta(hours=3),  # past the first run's expiry
        here=other_machine(tmp_path),
    )

    def take_over() -> None:
        later.refresh()
        later.acquire("bob", "2", 0, lambda _: None)

    obj = Hooks(client=racing_client(emulator, take_over))
    result = mpr("apply", "sites", "--auto-approve", "--store", "git", obj=obj)
    assert result.code == exitcodes.ERROR
    assert [w.operation for w in emulator.writes()] == ["CreateEvent"], "nothing after the loss"
    assert "lapsed and another run took it over: this run sends nothing more to Wix" in (
        result.out + result.err
    )
    held = json.loads(git(bare, "show", f"{STATE_REF}:lease.json"))
    assert held["holder"] == "bob", "the run that lost it gave back nothing of another's"


@pytest.mark.parametrize(
    ("record", "said"),
    [
        ({"pid": "abc"}, 'pid is "abc"'),
        ({"pid": True}, "pid is true"),
        ({"holder": None}, "holder is null"),
        ({"scope": "2/x"}, 'scope is "2/x"'),
    ],
)
def test_a_damaged_lease_record_is_named_and_held_until_its_expiry(
    mpr: Mpr,
    emulator: Emulator,
    bare: Path,
    on_disk: Hooks,
    tmp_path: Path,
    record: dict[str, object],
    said: str,
) -> None:
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    commit_events(Path.cwd())
    sound = {
        "token": "t",
        "holder": "alice",
        "run": "",
        "host": "h",
        "pid": 12,
        "since": "2026-11-23T09:00:00.000Z",
    }
    until = wire_time(datetime.now(UTC) + timedelta(hours=1))
    push_lease(bare, tmp_path, {**sound, "expires": until, **record})

    refused = mpr("apply", "sites", "--auto-approve", "--store", "git", obj=on_disk)
    assert refused.code == exitcodes.REFUSED, refused.err
    assert refused.err.startswith("Error: a damaged lease record lease.json (" + said)
    assert f"until {until}" in refused.err and "git push origin" in refused.err
    assert emulator.writes() == []


def test_a_damaged_lease_record_that_cannot_be_dated_is_taken_over(
    mpr: Mpr, emulator: Emulator, bare: Path, on_disk: Hooks, tmp_path: Path
) -> None:
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    commit_events(Path.cwd())
    push_lease(bare, tmp_path, {"pid": "abc", "expires": "whenever"})
    result = mpr("apply", "sites", "--auto-approve", "--store", "git", obj=on_disk)
    assert result.code == exitcodes.OK, result.err
    assert len(emulator.writes()) == 3


@pytest.mark.slow
def test_two_applies_in_one_checkout_end_in_exit_4_never_a_git_error(
    emulator: Emulator, bare: Path
) -> None:
    """Two `mpr apply --store git` processes started together in one clone, three times:
    each ends applied (0) or refused by the lease (4), never `cannot lock ref` (1)."""
    seed(emulator, {"id": SITE, "plan": {"status": "ACTIVE"}})
    checkout = Path.cwd()
    codes = set()
    with serve_in_thread(emulator) as url:
        for tone in ("warm", "cold", "dry"):
            commit_tone(checkout, tone)
            env = {**os.environ, "WIX_API_BASE_URL": url}
            runs = [
                subprocess.Popen(
                    ["mpr", "apply", "sites", "--auto-approve", "--store", "git"],
                    cwd=checkout,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            for run in runs:
                err = run.communicate()[1]
                assert run.returncode in (exitcodes.OK, exitcodes.REFUSED), err
                codes.add(run.returncode)
    assert exitcodes.OK in codes
