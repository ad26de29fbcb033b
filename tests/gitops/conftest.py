"""The mpr command line against the in-process emulator, in an environment with no CI in it.

Every test here starts from an environment without GitHub's or mpr's variables (the suite
itself may run inside GitHub Actions), in its own working directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator

SITE = "11111111-2222-4333-8444-555555555555"
OTHER = "22222222-3333-4444-8555-666666666666"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "MPR_", "WIX_", "RUNNER_")) or name in ("CI", "GH_TOKEN"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("USER", "tester")
    monkeypatch.chdir(tmp_path)


def seed(emulator: Emulator, *sites: dict[str, Any]) -> None:
    emulator.load_fixtures({"sites": list(sites)})


def site_file(folder: Path, name: str, site_id: str, body: str = "", label: str = "crumb") -> Path:
    """A minimal valid site file, with `body` appended (settings/events/policy sections)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(
        f"version: 1\nsite:\n  id: {site_id}\n  name: {name}\n  labels: {{client: {label}}}\n"
        + body,
        encoding="utf-8",
    )
    return path
