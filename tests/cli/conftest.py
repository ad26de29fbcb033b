"""Helpers for the CLI tests; the `mpr` fixture itself lives in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator, EmulatorConfig, serve_in_thread

SITE = "11111111-2222-4333-8444-555555555555"
INSTANCE = "9a3f6c1e-1111-4e2a-9b7c-5d8e0f1a2b3c"


def write_site(folder: Path, name: str = "crumb.yaml", body: str = "", site_id: str = SITE) -> Path:
    """A minimal valid site file, with `body` appended (settings/events/policy sections)."""
    path = folder / name
    path.write_text(
        f"version: 1\nsite:\n  id: {site_id}\n  name: Crumb & Co\n  labels: {{client: crumb}}\n"
        + body,
        encoding="utf-8",
    )
    return path


def faithful_emulator() -> Emulator:
    """An emulator that refuses API keys, as Wix does (SPEC §1.3), with SITE installed in
    the app as INSTANCE."""
    emulator = Emulator(EmulatorConfig(generation_seconds=0, posts_seconds=0))
    emulator.load_fixtures({"sites": [{"id": SITE, "instanceId": INSTANCE}]})
    return emulator


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Emulator, dict[str, Any]]]:
    """A faithful emulator over a socket, and the app credentials mpr finds in the
    environment (no API key there)."""
    emulator = faithful_emulator()
    app = emulator.app_credentials()
    monkeypatch.delenv("WIX_API_KEY", raising=False)
    monkeypatch.setenv("WIX_APP_ID", str(app["appId"]))
    monkeypatch.setenv("WIX_APP_SECRET", str(app["appSecret"]))
    with serve_in_thread(emulator) as url:
        monkeypatch.setenv("WIX_API_BASE_URL", url)
        yield emulator, app
