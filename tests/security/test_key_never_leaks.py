"""The API key never shows: every output of a full run is scanned for it.

`mpr` runs as users run it: the key and the endpoint come from WIX_API_KEY and
WIX_API_BASE_URL, and the emulator listens on a real socket, accepting only that key. The
run covers validate, plan in every format and to a file, apply (with the audit log and the
GitHub outputs when this mpr has them), apply of a saved plan, throttling, a server error, a
dropped connection, a wrong key, and a server that echoes the key back in its error answers
(message, field violations, request id). Then stdout, stderr, the log (mpr's own loggers at
DEBUG, libraries at INFO) and every file the run wrote are searched for the key and pieces
of it. (httpcore's DEBUG trace prints raw response headers, so a server that echoes the key
in a header would show there; mpr never turns that trace on.)

The key is searched for in every encoding of `tests/security/encodings.py`, built with the
standard library's encoders (never with mpr's own). The same full run is made with a key full of
URL-special characters; and keys that cannot travel in an HTTP header at all (a newline, a
tab, a carriage return, non-ASCII, white space around it) must be refused by every command
before any request, with a message that names the variable and never echoes the value.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes, run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator, FaultRule, serve_in_thread
from reconciler.engine.journal import FileJournal
from reconciler.engine.runtime import Runtime
from tests.conftest import EmulatorTime
from tests.faults.conftest import EndsWith
from tests.security.encodings import encoded

KEY = "IST.eyJhbGciOiJub25lIn0.mpr-security-scan-3f9a7c1e5b2d4086e1f0"
URL_KEY = "IST.k+y/with?query=1&and=2%20#frag;x,y:z@h[0]~'q'\"-3f9a7c1e5b2d4086"
"""A key Wix could issue that every encoding changes: URL-special characters, quotes, `%`."""
HOSTILE_KEYS = {
    "a newline": "IST.sekret-before-the-newline\nabc123-after-the-newline-4086e1f0",
    "a tab": "IST.sekret-before-the-tab\tafter-the-tab-3f9a7c1e5b2d4086",
    "non-ASCII": "IST.sekret-schl\u00fcssel-\u043a\u043b\u044e\u0447-3f9a7c1e5b2d4086",
    "white space around it": "  IST.sekret-with-spaces-around-3f9a7c1e5b2d  ",
    "a carriage return": "IST.sekret-before-the-return\r\nX-Injected: header-3f9a7c1e",
    # bytes that are not UTF-8 reach Python as lone surrogates (os.environ's surrogateescape)
    "bytes that are not UTF-8": "IST.sekret-\udcff\udcfe-not-utf8-3f9a7c1e5b2d4086",
}
"""Keys that cannot travel in an HTTP header: refused before any request, never echoed."""


def pieces(key: str) -> tuple[str, ...]:
    """The key in every encoding of `tests/security/encodings.py` (the standard library's
    encoders), and long enough pieces of it (between its special characters too) that a
    truncated or split leak is caught as well."""
    core = key.strip()
    found = {*encoded(key).values(), *encoded(core).values(), core[4:], core[-24:], core[:28]}
    found |= {part for part in re.split(r"[^A-Za-z0-9.\-]", core) if len(part) >= 12}
    return tuple(sorted(found, key=len, reverse=True))


PIECES = pieces(KEY)
"""The key, and long enough pieces of it that a truncated or split leak is caught too."""
SITE = "11111111-2222-4333-8444-555555555555"
SITE_FILE = f"""version: 1
site:
  id: {SITE}
  name: Crumb & Co
  labels: {{client: crumb}}
settings:
  toneOfVoice: warm and playful
  socialChannels: [FACEBOOK, INSTAGRAM]
  customContentGuidelines: "${{GUIDELINES}}"
events:
  - name: Black Friday Sale
    date: "2026-11-27T09:00:00Z"
"""
LAUNCH = """  - name: Launch
    date: "2026-12-01T09:00:00Z"
"""


class Echo:
    """An ASGI wrapper that, when armed, answers the settings upsert with the caller's
    Authorization value in the error message, a field violation and the request id."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.armed = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        echoed = dict(scope.get("headers") or []).get(b"authorization", b"").decode()
        upsert = scope["type"] == "http" and scope["method"] == "POST"
        if not (self.armed and upsert and scope["path"].endswith("/marketing-settings")):
            await self.inner(scope, receive, send)
            return
        violation = {
            "field": f"auth[{echoed}]",
            "description": f"bad key {echoed}",
            "violatedRule": "INVALID",
        }
        body = {
            "message": f"the key {echoed} is not allowed here",
            "details": {"validationError": {"fieldViolations": [violation]}},
        }
        headers = [(b"content-type", b"application/json"), (b"x-wix-request-id", echoed.encode())]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})


class Scan:
    """One scenario's `mpr` runs, and everything they printed, logged or wrote."""

    def __init__(
        self,
        folder: Path,
        hooks: Hooks,
        capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture,
        echo: Echo,
    ) -> None:
        self.folder, self.hooks, self.capsys, self.caplog = folder, hooks, capsys, caplog
        self.echo = echo
        self.printed: list[str] = []
        self.pieces = PIECES

    def mpr(self, *argv: str) -> int:
        self.capsys.readouterr()
        code = run(list(argv), obj=self.hooks)
        captured = self.capsys.readouterr()
        self.printed += [captured.out, captured.err]
        return code

    def everything(self) -> dict[str, str]:
        """Every output by where it went: printed, logged, or a file of the run."""
        found = {f"printed {i}": text for i, text in enumerate(self.printed)}
        found["log"] = self.caplog.text
        found |= {
            f"log record {i}": f"{r.getMessage()} {r.exc_info}"
            for i, r in enumerate(self.caplog.records)
        }
        for path in sorted(self.folder.rglob("*")):
            if path.is_file():
                found[str(path.relative_to(self.folder))] = path.read_text("utf-8", "replace")
        return found

    def leaks(self) -> list[str]:
        """`where: …context…` for every piece of the key found anywhere."""
        found = []
        for where, text in self.everything().items():
            for piece in self.pieces:
                if (at := text.find(piece)) >= 0:
                    found.append(f"{where}: …{text[max(0, at - 120) : at + len(piece)]}")
        return found


def option(command: str, name: str) -> str:
    """NAME, after checking that this mpr's COMMAND still has it: the scan covers every output
    these options write, so one that disappears fails here rather than narrowing it quietly."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        run([command, "--help"])
    assert name in buffer.getvalue(), f"`mpr {command}` has no {name}: the scan needs it"
    return name


@pytest.fixture
def scan(
    emulator: Emulator,
    engine_time: EmulatorTime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
) -> Iterator[Scan]:
    key = getattr(request, "param", KEY)
    caplog.set_level(logging.INFO)  # httpx logs every request at INFO
    caplog.set_level(logging.DEBUG, logger="reconciler")
    emulator.configure(accepted_api_keys=[key])
    emulator.load_fixtures({"sites": [{"id": SITE, "connectedChannels": ["FACEBOOK"]}]})
    echo = Echo(emulator.app)
    emulator.app = echo  # type: ignore[assignment]
    folder = tmp_path / "run"
    (folder / "sites").mkdir(parents=True)
    (folder / "sites" / "crumb.yaml").write_text(SITE_FILE, encoding="utf-8")
    monkeypatch.chdir(folder)
    for name, value in {
        "WIX_API_KEY": key,
        "WIX_API_TIMEOUT": "5",
        "GUIDELINES": "be kind",
        "GITHUB_OUTPUT": str(folder / "github_output"),
        "GITHUB_STEP_SUMMARY": str(folder / "github_summary.md"),
    }.items():
        monkeypatch.setenv(name, value)
    journal = folder / "state.json"
    hooks = Hooks(
        runtime=lambda: Runtime(clock=engine_time, journal=FileJournal(journal), min_poll_delay=5.0)
    )
    with serve_in_thread(emulator) as base_url:
        monkeypatch.setenv("WIX_API_BASE_URL", base_url)
        found = Scan(folder, hooks, capsys, caplog, echo)
        found.pieces = pieces(key)
        yield found


def full_run(scan: Scan, emulator: Emulator) -> None:
    mpr = scan.mpr
    extra_apply = [option("apply", "--audit-log"), "audit.jsonl", option("apply", "--github")]
    extra_plan = [option("plan", "--github"), option("plan", "--comment"), "comment.md"]

    assert mpr("validate", "sites") == exitcodes.OK
    assert mpr("plan", "sites", "--out", "plan.json", *extra_plan) == exitcodes.OK
    assert mpr("plan", "sites", "--format", "json") == exitcodes.OK
    assert mpr("plan", "sites", "--format", "markdown") == exitcodes.OK

    emulator.add_fault(FaultRule(method="GET", status=429, retry_after=0.01, times=2))
    emulator.add_fault(FaultRule(method="GET", path="/marketing-plan", disconnect=True))
    emulator.add_fault(FaultRule(path="generate-marketing-plan", status=500, after_backend=True))
    assert mpr("apply", "plan.json", *extra_apply) == exitcodes.OK
    assert mpr("plan", "sites", "--detailed-exitcode") == exitcodes.OK

    site = Path("sites/crumb.yaml")
    site.write_text(site.read_text().replace("warm and playful", "dry"), encoding="utf-8")
    scan.echo.armed = True  # the upsert is refused with the key echoed back three ways
    assert mpr("apply", "sites", "--auto-approve", *extra_apply) == exitcodes.ERROR
    scan.echo.armed = False
    site.write_text(site.read_text() + LAUNCH, encoding="utf-8")
    emulator.add_fault(EndsWith(method="POST", path="/events", status=503, times=None))
    assert mpr("apply", "sites", "--auto-approve", *extra_apply) == exitcodes.ERROR
    emulator.clear_faults()
    assert mpr("apply", "sites", "--auto-approve", *extra_apply) == exitcodes.OK

    emulator.configure(accepted_api_keys=["some-other-key"])  # the key is refused: 401
    assert mpr("plan", "sites", "--format", "markdown") == exitcodes.ERROR
    assert mpr("apply", "sites", "--auto-approve", *extra_apply) == exitcodes.ERROR


def test_no_output_of_a_full_run_holds_the_key(scan: Scan, emulator: Emulator) -> None:
    full_run(scan, emulator)
    assert {"plan.json", "state.json"} <= set(scan.everything())
    assert scan.leaks() == []
    # the run did go where it claims to: the echo (masked), the outage and the 401
    printed = "".join(scan.printed)
    assert "the key *** is not allowed here" in printed and "(request id ***)" in printed
    assert "HTTP 503" in printed
    assert "HTTP 401" in printed and "the API key in WIX_API_KEY" in printed


@pytest.mark.parametrize("scan", [URL_KEY], indirect=True)
def test_a_key_full_of_url_special_characters_never_shows_in_any_form(
    scan: Scan, emulator: Emulator
) -> None:
    full_run(scan, emulator)
    assert scan.leaks() == []
    printed = "".join(scan.printed)
    assert "the key *** is not allowed here" in printed and "(request id ***)" in printed


@pytest.mark.parametrize("scan", list(HOSTILE_KEYS.values()), ids=list(HOSTILE_KEYS), indirect=True)
def test_a_key_that_cannot_be_a_header_is_refused_before_any_request_and_never_echoed(
    scan: Scan, emulator: Emulator
) -> None:
    mpr = scan.mpr
    runs = [
        ["plan", "sites", "--out", "plan.json", "--comment", "comment.md", "--github"],
        ["plan", "sites", "--format", "json"],
        ["plan", "sites", "--format", "markdown"],
        ["drift", "sites", "--comment", "drift.md", "--github"],
        ["apply", "sites", "--auto-approve", "--audit-log", "audit.jsonl", "--github"],
        ["import", SITE, "--out", "imported"],
    ]
    for argv in runs:
        assert mpr(*argv) == exitcodes.ERROR, argv
        said = scan.printed[-1]
        assert said.startswith("Error: ") and "WIX_API_KEY" in said, (argv, said)
        assert "copy" in said and (
            "control character" in said or "non-ASCII" in said or "white space" in said
        ), said
    assert emulator.requests == []
    assert scan.leaks() == []


def test_the_audit_log_never_holds_the_key(scan: Scan, emulator: Emulator) -> None:
    full_run(scan, emulator)
    log = (scan.folder / "audit.jsonl").read_text(encoding="utf-8")
    entries = [json.loads(line) for line in log.splitlines() if line.strip()]
    assert len(entries) >= 5
    assert [piece for piece in PIECES if piece in log] == []
    assert "not allowed here" in log  # the echoed error was recorded, masked


def test_a_site_file_cannot_pull_the_key_into_a_setting(scan: Scan) -> None:
    site = scan.folder / "sites" / "crumb.yaml"
    site.write_text(SITE_FILE.replace("warm and playful", "${WIX_API_KEY}"), encoding="utf-8")
    code = scan.mpr("plan", "sites", "--format", "markdown")
    assert scan.leaks() == []
    assert code == exitcodes.ERROR
    assert "sites/crumb.yaml:7:16: settings.toneOfVoice:" in "".join(scan.printed)


# --- a Wix app: its secret and every token issued never show --------------------------------

APP_SECRET = "app-secret-security-scan-9c1d7e3f5a2b4c6d8e0f"
INSTANCE = "9a3f6c1e-1111-4e2a-9b7c-5d8e0f1a2b3c"


@pytest.fixture
def app_scan(scan: Scan, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Scan:
    """The same run, signed in as a Wix app on a faithful emulator (API keys refused)."""
    emulator.configure(lenient_auth=False, accepted_api_keys=[], app_secret=APP_SECRET)
    emulator.reset()
    emulator.load_fixtures(
        {"sites": [{"id": SITE, "instanceId": INSTANCE, "connectedChannels": ["FACEBOOK"]}]}
    )
    site = scan.folder / "sites" / "crumb.yaml"
    auth = f"auth:\n  wixApp: {{instanceId: {INSTANCE}}}\n"
    site.write_text(SITE_FILE.replace("settings:\n", auth + "settings:\n", 1), encoding="utf-8")
    monkeypatch.delenv("WIX_API_KEY")
    monkeypatch.setenv("WIX_APP_ID", emulator.config.app_id)
    monkeypatch.setenv("WIX_APP_SECRET", APP_SECRET)
    return scan


def test_no_output_of_an_app_run_holds_the_secret_or_a_token(
    app_scan: Scan, emulator: Emulator
) -> None:
    mpr = app_scan.mpr
    assert mpr("validate", "sites") == exitcodes.OK
    assert mpr("plan", "sites", "--out", "plan.json", "--comment", "comment.md") == exitcodes.OK
    assert mpr("plan", "sites", "--format", "json") == exitcodes.OK
    assert mpr("apply", "plan.json", "--audit-log", "audit.jsonl") == exitcodes.OK
    site = Path("sites/crumb.yaml")
    site.write_text(site.read_text().replace("warm and playful", "dry"), encoding="utf-8")
    app_scan.echo.armed = True  # the upsert is refused with the token echoed back three ways
    assert mpr("apply", "sites", "--auto-approve", "--audit-log", "audit.jsonl") == exitcodes.ERROR
    app_scan.echo.armed = False
    emulator.add_fault(FaultRule(path="/marketing-settings", status=401, times=None))
    assert mpr("plan", "sites", "--format", "markdown") == exitcodes.ERROR

    identities = emulator.backend.identities
    tokens = [*identities.tokens, *identities.revoked]
    assert len(tokens) >= 4, "every run signed in afresh"
    secrets = [APP_SECRET, APP_SECRET[6:], *tokens, *(t[-20:] for t in tokens)]
    found = [
        f"{where}: {secret[:12]}…"
        for where, text in app_scan.everything().items()
        for secret in secrets
        if secret in text
    ]
    assert found == []
    printed = "".join(app_scan.printed)
    assert "the key *** is not allowed here" in printed and "(request id ***)" in printed
    assert "Wix did not accept the Wix app" in printed
    audit = [json.loads(line) for line in Path("audit.jsonl").read_text().splitlines()]
    assert {line["identity"] for line in audit} == {"wix-app"}
