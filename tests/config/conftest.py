"""Shared helpers for the config tests: a fixed clock, the fixture tree, a site-file writer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

NOW = datetime(2026, 11, 23, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "sites"
SITE_ID = "11111111-2222-4333-8444-555555555555"

Writer = Callable[..., Path]
SIGNED_IN = "auth:\n  wixApp: {instanceId: 9a3f6c1e-1111-4e2a-9b7c-5d8e0f1a2b3c}\n"
"""Appended to a site document: it signs in as Wix accepts (validate warns without `auth`)."""


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """Write a file under tmp_path (default name site.yaml) and return its path."""

    def _write(text: str, name: str = "site.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def site(body: str = "", site_id: str = SITE_ID) -> str:
    """A minimal valid site document with `body` appended."""
    return f"version: 1\nsite:\n  id: {site_id}\n  name: Test Site\n" + body
