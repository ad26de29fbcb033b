"""A `mpr apply --store git` killed mid-write; the next run on that checkout finishes the job.

The first run is killed (SIGKILL: no clean-up of any kind) while its settings upsert is in
flight, after the journal's due regenerate and the write's intent reached the remote. The
next run takes over the dead run's lease at once (its process is gone from this machine),
settles the open intent from the live state, runs the regenerate the journal kept due, and
gives the lease back.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator, EmulatorConfig, FaultRule, serve_in_thread
from tests.e2e.test_one_writer import INSTANCE, SITE, SITE_FILE, writes


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(EmulatorConfig(generation_seconds=0.5, posts_seconds=0))
    emulator.load_fixtures(
        {"sites": [{"id": SITE, "instanceId": INSTANCE, "plan": {"status": "ACTIVE"}}]}
    )
    # The upsert answers after 3 s: the first run is killed while it waits for it.
    emulator.add_fault(FaultRule(method="POST", path="/marketing-settings", delay_seconds=3))
    with serve_in_thread(emulator) as url:
        yield emulator, url


def apply(url: str, emulator: Emulator, cwd: Path) -> subprocess.Popen[str]:
    """test_one_writer's `start`, with the git store and without the suite's own CI variables
    (in GitHub Actions, GITHUB_SHA would name another commit than this clone's)."""
    app = emulator.app_credentials()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WIX_", "MPR_", "GITHUB_"))},
        "WIX_API_BASE_URL": url,
        "WIX_APP_ID": str(app["appId"]),
        "WIX_APP_SECRET": str(app["appSecret"]),
        "CI": "true",
        "MPR_STORE": "git",
    }
    argv = [sys.executable, "-m", "reconciler", "apply", "site.yaml", "--auto-approve"]
    return subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def note(bare: Path, commit: str) -> list[dict[str, object]]:
    shown = git(bare, "notes", "--ref", "mpr", "show", commit)
    return [json.loads(line) for line in shown.stdout.splitlines()] if shown.returncode == 0 else []


def due(bare: Path) -> dict[str, dict[str, object]]:
    """The journal's pending records on the remote (none before the first write of it)."""
    shown = git(bare, "show", "refs/mpr/state:state.json")
    return dict(json.loads(shown.stdout)["pending"]) if shown.returncode == 0 else {}


@pytest.mark.slow
def test_a_killed_git_store_apply_is_finished_by_the_next_run(
    served: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, url = served
    bare, work = tmp_path / "remote.git", tmp_path / "work"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    subprocess.run(["git", "clone", "-q", str(bare), str(work)], check=True, capture_output=True)
    (work / "site.yaml").write_text(SITE_FILE)
    git(work, "add", "."), git(work, "commit", "-qm", "crumb"), git(work, "push", "-q")
    head = git(work, "rev-parse", "HEAD").stdout.strip()

    first = apply(url, emulator, work)
    while not (due(bare) and any(line["result"] == "intent" for line in note(bare, head))):
        assert first.poll() is None, first.communicate()
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.communicate()  # closes its pipes
    (intent,) = note(bare, head)
    assert (intent["action"], intent["result"]) == ("settings.upsert", "intent")
    state = git(bare, "ls-tree", "--name-only", "refs/mpr/state").stdout.split()
    assert state == ["lease.json", "state.json"], "the dead run's lease is still there"
    assert due(bare)[SITE]["kind"] == "regenerate", "the due regenerate reached the remote"

    again = apply(url, emulator, work)
    out, err = again.communicate(timeout=120)
    assert again.returncode == exitcodes.OK, out + err
    lines = note(bare, head)
    settled = [line for line in lines[1:] if line["action"] == "settings.upsert"]
    assert [line["result"] for line in settled][:1] in (["landed"], ["lost"]), lines
    assert str(settled[0]["detail"]).startswith("settled from live state, for the write of run ")
    assert [line["result"] for line in lines if line["action"] == "plan.regenerate"] == [
        "intent",
        "ok",
    ], "the regenerate the journal kept due ran once"
    assert lines[-1]["action"] == "apply"
    assert writes(emulator).count("RegenerateMarketingPlan") == 1
    assert git(bare, "ls-tree", "--name-only", "refs/mpr/state").stdout.split() == ["state.json"], (
        "the lease given back"
    )
    assert due(bare) == {}
