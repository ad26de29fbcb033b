"""Two applies at once on the same files: one writes, the other waits or refuses (issue #10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator, EmulatorConfig, FaultRule, serve_in_thread

SITE = "11111111-2222-4333-8444-555555555555"
INSTANCE = "9a3f6c1e-1111-4e2a-9b7c-5d8e0f1a2b3c"
SITE_FILE = f"""version: 1
site: {{id: {SITE}, name: Crumb}}
auth:
  wixApp: {{instanceId: {INSTANCE}}}
settings: {{toneOfVoice: warm}}
events:
  - name: Fresh Bread Friday
    recurringRule: {{frequency: WEEKLY, startDate: "2026-11-06T08:00:00Z"}}
policy: {{schedule: {{enabled: false}}}}
"""


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(EmulatorConfig(generation_seconds=0.5, posts_seconds=0))
    emulator.load_fixtures({"sites": [{"id": SITE, "instanceId": INSTANCE}]})
    # The first apply's upsert takes 8 s: it holds the lock that long, however loaded the
    # machine is when the second one starts.
    emulator.add_fault(FaultRule(method="POST", path="/marketing-settings", delay_seconds=8))
    with serve_in_thread(emulator) as url:
        yield emulator, url


def start(url: str, emulator: Emulator, cwd: Path, *extra: str) -> subprocess.Popen[str]:
    app = emulator.app_credentials()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WIX_")},
        "WIX_API_BASE_URL": url,
        "WIX_APP_ID": str(app["appId"]),
        "WIX_APP_SECRET": str(app["appSecret"]),
        "CI": "true",
    }
    argv = [sys.executable, "-m", "reconciler", "apply", "site.yaml", "--auto-approve", *extra]
    return subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def start_holding_the_lock(url: str, emulator: Emulator, cwd: Path) -> subprocess.Popen[str]:
    """A first apply, once it holds the lock (its holder note is written after it takes it)."""
    first = start(url, emulator, cwd)
    while not (cwd / ".mpr" / "apply.lock.json").exists():
        assert first.poll() is None, first.communicate()
        time.sleep(0.01)
    return first


def writes(emulator: Emulator) -> list[str]:
    return [r.operation or r.path for r in emulator.writes() if 200 <= r.status < 300]


@pytest.mark.slow
def test_a_second_apply_refuses_while_the_first_holds_the_lock(
    served: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, url = served
    (tmp_path / "site.yaml").write_text(SITE_FILE)
    first = start_holding_the_lock(url, emulator, tmp_path)
    second = start(url, emulator, tmp_path)
    out2, err2 = second.communicate(timeout=60)
    out1, err1 = first.communicate(timeout=60)
    assert first.returncode == exitcodes.OK, out1 + err1
    assert second.returncode == exitcodes.REFUSED, out2 + err2
    holder = f"mpr apply (pid {first.pid} on "
    assert holder in err2 and "holds the apply lock of .mpr" in err2, err2
    assert "pass --lock-timeout SECONDS to wait" in err2
    assert sorted(writes(emulator)) == [
        "CreateEvent",
        "GenerateMarketingPlan",
        "UpsertMarketingSettings",
    ]
    assert not (tmp_path / ".mpr" / "apply.lock.json").exists(), "released at the end"


@pytest.mark.slow
def test_with_a_lock_timeout_the_second_apply_waits_then_finds_nothing_to_do(
    served: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, url = served
    (tmp_path / "site.yaml").write_text(SITE_FILE)
    first = start_holding_the_lock(url, emulator, tmp_path)
    info = json.loads((tmp_path / ".mpr" / "apply.lock.json").read_text())
    assert info["pid"] == first.pid and info["command"] == "mpr apply"
    second = start(url, emulator, tmp_path, "--lock-timeout", "60")
    out2, err2 = second.communicate(timeout=90)
    first.communicate(timeout=60)
    assert second.returncode == exitcodes.OK, out2 + err2
    assert "No changes. Nothing to apply." in out2
    assert len(writes(emulator)) == 3, writes(emulator)
