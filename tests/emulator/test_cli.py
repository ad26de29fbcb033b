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

    def fake_serve(
        emu: reconciler.emulator.Emulator, host: str, port: int, listening: Any
    ) -> None:
        calls.append({"emu": emu, "host": host, "port": port})
        listening(f"http://{host}:{port}")

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


def test_serve_on_port_0_prints_the_port_it_bound() -> None:
    """`--port 0` picks a free port; the `export` line names it, and it answers there."""
    import subprocess
    import sys

    import httpx

    command = [sys.executable, "-m", "reconciler", "emulator", "serve", "--port", "0"]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as server:
        try:
            assert server.stderr is not None
            lines = [server.stderr.readline() for _ in range(3)]
            url = lines[2].strip().removeprefix("export WIX_API_BASE_URL=")
            assert lines[0] == (
                f"mpr emulator: {url} serving 0 site(s); control plane at /_emulator/\n"
            )
            assert int(url.rsplit(":", 1)[1]) > 0
            assert httpx.get(f"{url}/_emulator/requests", timeout=10).status_code == 200
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_a_port_in_use_is_one_clear_error_before_anything_else(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import socket

    from reconciler.cli import exitcodes, run

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = run(["emulator", "serve", "--port", str(port)])
    assert code == exitcodes.ERROR
    assert capsys.readouterr().err == (
        f"Error: port {port} is in use: choose another with --port\n"
    )
