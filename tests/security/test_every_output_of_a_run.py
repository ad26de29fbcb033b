"""A whole run, scanned: no credential reaches any output, file or git object, in any encoding.

`mpr` runs as users run it, from the environment, against `mpr emulator serve`'s app on a
real socket that accepts only its app's tokens and this API key (two sites: one signs in as
a Wix app, one with an API key). Part of the run meets the emulator's `echo` fault, which
answers with the request's Authorization value and app secret echoed back in many
encodings (message, field violations, request id header). Then everything the run left
behind is searched for every credential (the API key, the app secret, GITHUB_TOKEN, every
token the emulator issued) in every encoding of `tests/security/encodings.py` (built with
the standard library's encoders), the case-folded and line-joined text included, and for
the part of its base64 that a longer base64 text holds at each of the three alignments:

- stdout and stderr of every command, and mpr's log records;
- every file under the working folder: `.mpr/` (state, audit log), `--out` plans, the
  pull-request comment markdown, the GitHub outputs;
- with `--store git`, every object of the bare remote and of the runner's clone (notes,
  journal, lease), read with `git cat-file --batch-all-objects`.
"""

from __future__ import annotations

import base64
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator, FaultRule, serve_in_thread
from tests.security.encodings import encoded, joined, stable_run

APP_SECRET = 'app-secret/"q"+<b>&amp;\\9c1d7e3f5a2b4c6d8e0f'
API_KEY = "IST.k+y/with?query=1&and=2%20#frag;x,y:z@h[0]~'q'\"-3f9a7c1e5b2d4086"
GITHUB_TOKEN = "ghs_Scan4TokenOfTheRunner0123456789abcdef"
APP_SITE = "11111111-2222-4333-8444-555555555555"
KEY_SITE = "22222222-2222-4333-8444-555555555555"
INSTANCE = "9a3f6c1e-1111-4e2a-9b7c-5d8e0f1a2b3c"
BODY = """settings:
  toneOfVoice: {tone}
events:
  - name: Launch
    date: "2031-12-01T09:00:00Z"
policy:
  regenerate: never
  schedule: {{enabled: false}}
"""


def write_sites(folder: Path, tone: str) -> None:
    sites = folder / "sites"
    sites.mkdir(exist_ok=True)
    for name, site, auth in (
        ("app", APP_SITE, f"auth:\n  wixApp: {{instanceId: {INSTANCE}}}\n"),
        ("key", KEY_SITE, "auth: {apiKey: {}}\n"),
    ):
        head = f"version: 1\nsite:\n  id: {site}\n  name: {name}\n  labels: {{client: {name}}}\n"
        (sites / f"{name}.yaml").write_text(head + auth + BODY.format(tone=tone), "utf-8")


def needles(secret: str) -> dict[str, str]:
    """What to search for: every encoding of `secret`, and its stable base64 runs."""
    found = encoded(secret)
    for offset in range(3):
        text, start, end = stable_run(secret, b"Bearer "[: 6 + offset], b"!")
        found[f"base64 at alignment {offset}"] = text[start:end]
        urlsafe = text.replace("+", "-").replace("/", "_")
        found[f"URL-safe base64 at alignment {offset}"] = urlsafe[start:end]
    return found


class Run:
    """`mpr` runs in one folder, and everything they printed or logged."""

    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.folder, self.capsys = folder, capsys
        self.printed: dict[str, str] = {}

    def mpr(self, *argv: str) -> int:
        self.capsys.readouterr()
        code = run(list(argv), obj=Hooks())
        out, err = self.capsys.readouterr()
        self.printed[f"{len(self.printed) // 2}: mpr {' '.join(argv)} (stdout)"] = out
        self.printed[f"{len(self.printed) // 2}: mpr {' '.join(argv)} (stderr)"] = err
        self.last = err + out
        return code

    def says(self, *argv: str) -> str:
        """`mpr ARGV`'s exit code and standard error, for a readable failed assertion."""
        return f"{self.mpr(*argv)} {self.last}"

    def files(self) -> dict[str, str]:
        return {
            str(path.relative_to(self.folder)): path.read_bytes().decode("utf-8", "replace")
            for path in sorted(self.folder.rglob("*"))
            if path.is_file() and ".git/objects" not in str(path)
        }


def git_objects(repository: Path) -> str:
    """Every object of `repository`, decompressed (blobs, trees, commits, notes)."""
    done = subprocess.run(
        ["git", "-C", str(repository), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8", "replace")


def leaks(texts: dict[str, str], secrets: list[str]) -> list[str]:
    """`where: encoding of secret…` for every credential found in any encoding anywhere."""
    found = []
    for where, text in texts.items():
        views = (text, joined(text))
        folded = tuple(view.lower() for view in views)
        for secret in secrets:
            for name, needle in needles(secret).items():
                hit = any(needle in view for view in views)
                if needle.isascii() and not hit:  # case is folded for ASCII forms
                    hit = any(needle.lower() in view for view in folded)
                if hit:
                    found.append(f"{where}: {name} of {secret[:10]}…")
    return found


@pytest.fixture
def scan(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> Iterator[Run]:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="reconciler")
    emulator.configure(
        lenient_auth=True,
        accepted_api_keys=[API_KEY],
        app_secret=APP_SECRET,
        generation_seconds=0,
        posts_seconds=0,
    )
    emulator.load_fixtures(
        {
            "sites": [
                {"id": APP_SITE, "instanceId": INSTANCE, "connectedChannels": ["FACEBOOK"]},
                {"id": KEY_SITE, "connectedChannels": ["FACEBOOK"]},
            ]
        }
    )
    folder = tmp_path / "runner"
    folder.mkdir()
    monkeypatch.chdir(folder)
    for name in ("MPR_AUDIT_LOG", "MPR_COMMIT", "GITHUB_SHA", "CI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "WIX_API_KEY": API_KEY,
        "WIX_APP_ID": emulator.config.app_id,
        "WIX_APP_SECRET": APP_SECRET,
        "GITHUB_TOKEN": GITHUB_TOKEN,
        "WIX_API_TIMEOUT": "5",
        "GITHUB_OUTPUT": str(folder / "github_output"),
        "GITHUB_STEP_SUMMARY": str(folder / "github_summary.md"),
    }.items():
        monkeypatch.setenv(name, value)
    with serve_in_thread(emulator) as base_url:
        monkeypatch.setenv("WIX_API_BASE_URL", base_url)
        yield Run(folder, capsys)


def whole_run(scan: Run, emulator: Emulator, *store: str) -> None:
    says = scan.says
    write_sites(scan.folder, "warm")
    assert says("validate", "sites").startswith("0 ")
    assert says("plan", "sites", "--out", "plan.json", "--comment", "c.md", "--github").startswith(
        "0 "
    )
    assert says("plan", "sites", "--format", "json").startswith("0 ")
    assert says("show", "plan.json").startswith("0 ")
    assert says("apply", "plan.json", "--github", *store).startswith("0 ")

    write_sites(scan.folder, "dry")
    echo = FaultRule(method="POST", path="/marketing-settings", status=400, echo=True, times=None)
    emulator.add_fault(echo)
    assert says("plan", "sites", "--format", "markdown").startswith("0 ")
    assert says("apply", "sites", "--auto-approve", "--github", *store).startswith("1 ")
    emulator.clear_faults()
    emulator.add_fault(FaultRule(path="/oauth2/token", status=400, echo=True, times=None))
    assert says("apply", "sites", "--auto-approve", *store).startswith("1 ")
    assert says("drift", "sites", "--comment", "drift.md").startswith("1 ")
    emulator.clear_faults()
    assert says("apply", "sites", "--auto-approve", *store).startswith("0 ")
    assert says("history", *store).startswith("0 ")


def credentials(emulator: Emulator) -> list[str]:
    identities = emulator.backend.identities
    tokens = [*identities.tokens, *identities.revoked]
    assert tokens, "the app site signed in"
    return [APP_SECRET, API_KEY, GITHUB_TOKEN, *tokens]


def echoed(scan: Run) -> str:
    """What the run printed of the echoed answers (masked), to show the echo happened."""
    return "".join(scan.printed.values())


def test_no_output_or_file_of_a_file_store_run_holds_a_credential_in_any_encoding(
    scan: Run, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    whole_run(scan, emulator)
    texts = {**scan.printed, **scan.files(), "log": caplog.text}
    assert {".mpr/audit.jsonl", ".mpr/state.json", "plan.json", "c.md", "github_output"} <= set(
        texts
    )
    assert leaks(texts, credentials(emulator)) == []
    printed = echoed(scan)
    assert "you sent: raw ***" in printed and "base64 ***" in printed
    assert "you sent" in texts[".mpr/audit.jsonl"]


@pytest.mark.usefixtures("scan")
def test_no_git_object_of_a_git_store_run_holds_a_credential_in_any_encoding(
    scan: Run, emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    remote = tmp_path / "remote.git"
    git = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    subprocess.run([*git, "init", "-q", "-b", "main", "."], check=True)
    subprocess.run([*git, "remote", "add", "origin", str(remote)], check=True)
    write_sites(scan.folder, "warm")
    subprocess.run([*git, "add", "sites"], check=True)
    subprocess.run([*git, "commit", "-qm", "sites"], check=True)
    subprocess.run([*git, "push", "-q", "origin", "main"], check=True)

    whole_run(scan, emulator, "--store", "git")
    texts = {
        **scan.printed,
        **scan.files(),
        "log": caplog.text,
        "remote objects": git_objects(remote),
        "clone objects": git_objects(scan.folder),
    }
    assert "you sent" in texts["remote objects"], "the echoed answers reached the notes"
    assert leaks(texts, credentials(emulator)) == []


def test_the_scan_finds_a_credential_in_each_encoding() -> None:
    secret = 'Tok3n/with+"quotes"&<tags>-0123456789'
    for name, needle in needles(secret).items():
        assert leaks({"here": f"x {needle} y"}, [secret]), name
    basic = base64.b64encode(b"Basic mpr:" + secret.encode() + b"!").decode()
    assert leaks({"here": basic}, [secret])
