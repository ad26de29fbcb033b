"""Helpers for the CLI tests; the `mpr` fixture itself lives in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

SITE = "11111111-2222-4333-8444-555555555555"


def write_site(folder: Path, name: str = "crumb.yaml", body: str = "", site_id: str = SITE) -> Path:
    """A minimal valid site file, with `body` appended (settings/events/policy sections)."""
    path = folder / name
    path.write_text(
        f"version: 1\nsite:\n  id: {site_id}\n  name: Crumb & Co\n  labels: {{client: crumb}}\n"
        + body,
        encoding="utf-8",
    )
    return path
