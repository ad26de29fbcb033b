"""What the git store costs: `mpr apply --store git` against `--store file`, and one push.

    python -m tests.bench.gitstore [--sites 1,50,200] [--pushes 20]

Each apply runs `mpr` in a process of its own, in a clone of a local bare repository (the
remote), against the emulator served on loopback; every site has one setting to change and
`regenerate: never`, so the run is writes and records only (no generation to wait for).
Prints Markdown tables; asserts nothing (figures go to RESULTS.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from reconciler.emulator import Emulator, EmulatorConfig, serve_in_thread
from reconciler.engine.gitstore.refs import Git
from reconciler.engine.gitstore.store import NOTES_REF, STATE_REF, GitStore

KEY = "IST.bench-git-store-key-000000000000"
SITE = "version: 1\nsite: {{id: {id}, name: site-{n}}}\nsettings: {{toneOfVoice: warm}}\n"
POLICY = "policy: {regenerate: never, schedule: {enabled: false}}\n"


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=b", "-c", "user.email=b@b", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def site_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def checkout(root: Path, sites: int) -> Path:
    """A bare remote and a clone of it holding `sites` site files, committed and pushed."""
    bare, work = root / "remote.git", root / "work"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    subprocess.run(["git", "clone", "-q", str(bare), str(work)], capture_output=True, check=True)
    (work / "sites").mkdir()
    for n in range(sites):
        text = SITE.format(id=site_id(n), n=n) + POLICY
        (work / "sites" / f"site-{n}.yaml").write_text(text)
    git(work, "add", "."), git(work, "commit", "-qm", "sites"), git(work, "push", "-q")
    return work


def apply(sites: int, store: str) -> tuple[float, int]:
    """Wall seconds of one `mpr apply` of `sites` sites, and the commits it pushed."""
    emulator = Emulator(EmulatorConfig(lenient_auth=True, seed="bench"))
    ids = [{"id": site_id(n), "plan": {"status": "ACTIVE"}} for n in range(sites)]
    emulator.load_fixtures({"sites": ids})
    with tempfile.TemporaryDirectory() as temp, serve_in_thread(emulator) as url:
        work = checkout(Path(temp), sites)
        env = {**os.environ, "WIX_API_BASE_URL": url, "WIX_API_KEY": KEY, "CI": "true"}
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "reconciler", "apply", "sites", "--auto-approve"]
            + ["--store", store],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        if done.returncode:
            raise SystemExit(f"apply --store {store} failed: {done.stderr}")
        bare = Path(temp) / "remote.git"
        pushed = 0
        if store == "git":
            for ref in (STATE_REF, NOTES_REF):
                pushed += len(git(bare, "rev-list", ref).splitlines())
        return wall, pushed


def one_push(pushes: int) -> tuple[float, float]:
    """Median seconds of a journal write and of an audit note append, each pushed."""
    with tempfile.TemporaryDirectory() as temp:
        work = checkout(Path(temp), 1)
        store = GitStore(Git(work), now=lambda: datetime.now(UTC))
        store.refresh()
        states, notes = [], []
        for n in range(pushes):
            started = time.perf_counter()
            store.write_state(f'{{"pending": {{"s{n}": {{}}}}}}\n'.encode())
            states.append(time.perf_counter() - started)
            started = time.perf_counter()
            store.append_note("a" * 40, f'{{"line": {n}}}\n'.encode())
            notes.append(time.perf_counter() - started)
        return statistics.median(states), statistics.median(notes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", default="1,50,200")
    parser.add_argument("--pushes", type=int, default=20)
    args = parser.parse_args(argv)
    state, note = one_push(args.pushes)
    print("# the git store\n")
    print("| one change, pushed to a local bare remote | median |\n|---|---|")
    print(f"| journal (state.json) | {state * 1000:.0f} ms |")
    print(f"| audit lines (a note) | {note * 1000:.0f} ms |\n")
    print("| sites | --store file | --store git | extra | commits pushed | per site |")
    print("|---|---|---|---|---|---|")
    for sites in (int(s) for s in args.sites.split(",")):
        file_wall, _ = apply(sites, "file")
        git_wall, pushed = apply(sites, "git")
        extra = git_wall - file_wall
        print(
            f"| {sites} | {file_wall:.2f} s | {git_wall:.2f} s | {extra:+.2f} s | {pushed} "
            f"| {pushed / sites:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
