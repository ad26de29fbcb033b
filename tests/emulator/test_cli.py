"""``mpr emulator serve``: options reach the emulator; bad fixtures fail clearly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import reconciler.emulator
from reconciler.cli.emulator_cmd import emulator

DATA = Path(__file__).parent / "data"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_serve(emu: reconciler.emulator.Emulator, host: str, port: int) -> None:
        calls.append({"emu": emu, "host": host, "port": port})

    monkeypatch.setattr(reconciler.emulator, "serve", fake_serve)
    return calls


def test_serve_builds_the_emulator(served: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(emulator, [
        "serve", "--port", "9123", "--sites", str(DATA / "sites.yaml"),
        "--generation-seconds", "0.5", "--latency", "0.01", "--api-key", "a", "--api-key", "b"])
    assert result.exit_code == 0, result.output
    (call,) = served
    emu = call["emu"]
    assert (call["host"], call["port"]) == ("127.0.0.1", 9123)
    assert emu.config.generation_seconds == 0.5 and emu.config.latency_seconds == 0.01
    assert emu.config.accepted_api_keys == frozenset({"a", "b"})
    assert len(emu.backend.sites) == 2
    assert "serving 2 site(s)" in result.output


def test_bad_fixtures_exit_with_the_problem(served: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(emulator, ["serve", "--sites",
                                           str(DATA / "invalid_sites.yaml")])
    assert result.exit_code == 1
    assert "invalid emulator fixtures in" in result.output
    assert "sites[0].id: required, must be a GUID string" in result.output
    assert served == []
