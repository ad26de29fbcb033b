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


def test_serve_prints_exports_for_the_variables_the_site_files_name(
    served: list[dict[str, Any]], tmp_path: Path
) -> None:
    (tmp_path / "_defaults.yaml").write_text(
        "version: 1\nauth:\n  wixApp: {appIdEnv: AGENCY_APP_ID, appSecretEnv: AGENCY_SECRET}\n"
    )
    for number in (1, 2):
        (tmp_path / f"client{number}.yaml").write_text(
            f"version: 1\ndefaults: _defaults.yaml\nsite: {{id: {str(number) * 8}-2222-4333-8444-"
            f"555555555555}}\nauth:\n  wixApp: {{instanceId: {str(number) * 8}-1111-4e2a-9b7c-"
            "5d8e0f1a2b3c}\n"
        )
    result = CliRunner().invoke(emulator, ["serve", "--port", "9124", "--for", str(tmp_path)])
    assert result.exit_code == 0, result.output
    app = served[0]["emu"].app_credentials()
    lines = result.output.splitlines()
    assert lines[lines.index(f"  export WIX_APP_SECRET={app['appSecret']}") + 1 :][:2] == [
        f"  export AGENCY_APP_ID={app['appId']}",
        f"  export AGENCY_SECRET={app['appSecret']}",
    ], "once, however many site files name them"


def test_serve_for_site_files_that_do_not_load_says_why_and_does_not_serve(
    served: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reconciler.cli import exitcodes, run

    (tmp_path / "broken.yaml").write_text("version: 1\nsite: {id: nope}\n")
    assert run(["emulator", "serve", "--for", str(tmp_path)]) == exitcodes.ERROR
    assert "broken.yaml:2:12: site.id: expected a GUID" in capsys.readouterr().err
    assert served == []
