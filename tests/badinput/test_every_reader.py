"""Property-based, issue #11: random and mutated content fed to every file mpr reads, through
the real command line.

The readers: a site file, a defaults file, the state file, a saved plan, an audit log and an
emulator fixture. Each starts from a valid file of its kind (or from random bytes) and is
broken in one random way: cut short, spliced with random text, a value swapped for a random
JSON value, a key dropped. Whatever hypothesis draws, every command that reads the file
must end with an exit code from README's table, print no traceback and no "unexpected
error" (the line a bug prints), and write nothing to Wix. The site is already in its
declared state, so even a damaged file that happens to stay valid has nothing to write.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.cli import exitcodes, run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from reconciler.engine.audit import AuditEntry
from tests.conftest import emulator_client

SITE = "cccccccc-0000-4000-8000-0000000000f1"
DOCUMENTED = {0, 1, 2, 3, 4, 5, 130, 143}
"""README's exit-code table."""
SITE_TEXT = f"""version: 1
site:
  id: {SITE}
  name: Fuzz Bakery
  labels: {{client: fuzz}}
settings:
  toneOfVoice: dry
  socialChannels: [FACEBOOK]
events:
  - name: Launch
    date: "2027-03-01T09:00:00Z"
  - name: Bread Day
    recurringRule: {{frequency: WEEKLY, startDate: "2027-01-01T08:00:00Z"}}
policy:
  regenerate: never
  pruneEvents: false
  schedule: {{enabled: false}}
"""
DEFAULTS_TEXT = """version: 1
labels: {agency: fuzz}
settings:
  toneOfVoice: dry
  socialChannels: [FACEBOOK]
events:
  - name: Newsletter
    recurringRule: {frequency: MONTHLY, startDate: "2027-01-01T15:00:00Z"}
policy:
  regenerate: never
  schedule: {enabled: false}
"""
STATE_TEXT = json.dumps(
    {"pending": {SITE: {"kind": "regenerate", "since": "2026-11-20T10:00:00.000Z"}}}
)
FIXTURE_TEXT = f"""config: {{lenientAuth: true, generationSeconds: 0}}
sites:
  - id: {SITE}
    connectedChannels: [FACEBOOK]
    settings: {{toneOfVoice: dry, socialChannels: [FACEBOOK]}}
    plan: {{status: ACTIVE}}
    events:
      - {{name: Launch, date: "2027-03-01T09:00:00.000Z"}}
      - name: Bread Day
        recurringRule: {{frequency: WEEKLY, startDate: "2027-01-01T08:00:00.000Z"}}
"""
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
EXTREME_DATES = [
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "1969-12-31T23:59:59Z",
    "2101-01-01T00:00:00Z",
]
NOISE = st.text(string.printable + "\x00\u00e9\u202e\U0001f600", max_size=40)


@dataclass
class Outcome:
    code: int
    out: str
    err: str


class World:
    """A converged site on the emulator, a folder, and `mpr` run in-process on them."""

    def __init__(self, emulator: Emulator, folder: Path, capsys: pytest.CaptureFixture[str]):
        self.emulator, self.folder, self.capsys = emulator, folder, capsys

        client = emulator_client(emulator)

        self.hooks = Hooks(client=client)  # the real runtime: --state-file is really read

    def mpr(self, *argv: str, hooks: Hooks | None = None) -> Outcome:
        self.capsys.readouterr()
        code = run(list(argv), obj=hooks or self.hooks)  # never raises: that is asserted too
        captured = self.capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    def check(self, outcome: Outcome, what: str) -> None:
        printed = outcome.out + outcome.err
        assert outcome.code in DOCUMENTED, (what, outcome)
        assert "Traceback" not in printed, (what, printed)
        assert "unexpected error" not in printed, (what, printed)
        assert self.emulator.writes() == [], (what, printed)


@pytest.fixture
def world(
    emulator: Emulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    monkeypatch.chdir(tmp_path)
    for name in ("MPR_AUDIT_LOG", "MPR_STATE_FILE", "MPR_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MPR_COMMIT", "f" * 40)
    emulator.load_fixtures(yaml.safe_load(FIXTURE_TEXT))
    folder = tmp_path / "sites"
    folder.mkdir()
    (folder / "site.yaml").write_text(SITE_TEXT, encoding="utf-8")
    found = World(emulator, tmp_path, capsys)
    converged = found.mpr("plan", "sites", "--detailed-exitcode")
    assert converged.code == exitcodes.OK, converged  # nothing to write: any write is a bug
    return found


# --- how a valid file is broken -------------------------------------------------------------


@st.composite
def broken_text(draw: st.DrawFn, valid: str) -> bytes:
    """`valid` broken in one random way, as bytes (not every break is valid UTF-8)."""
    how = draw(st.sampled_from(["cut", "splice", "swap", "bytes", "repeat", "empty", "date"]))
    if how == "date" and "T" in valid:  # a time Wix cannot store, or Python cannot convert
        extreme = draw(st.sampled_from(EXTREME_DATES))
        return re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z", extreme, valid, count=1).encode("utf-8")
    if how == "bytes":
        return draw(st.binary(max_size=120))
    if how == "empty":
        return draw(st.sampled_from([b"", b"~\n", b"# only a comment\n", b"null", b"\n\n"]))
    at = draw(st.integers(0, len(valid)))
    if how == "cut":
        return valid[:at].encode("utf-8")
    if how == "repeat":
        return (valid[:at] + valid).encode("utf-8")
    if how == "splice":
        end = draw(st.integers(at, min(len(valid), at + 30)))
        return (valid[:at] + draw(NOISE) + valid[end:]).encode("utf-8", "surrogatepass")
    lines = valid.splitlines(keepends=True)
    index = draw(st.integers(0, max(len(lines) - 1, 0)))
    key = lines[index].split(":", 1)[0] if lines else ""
    value = json.dumps(draw(JSON))
    lines[index : index + 1] = [f"{key}: {value}\n"]
    return "".join(lines).encode("utf-8")


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


@st.composite
def broken_json(draw: st.DrawFn, valid: Any) -> bytes:
    """A JSON document with one value swapped, one key dropped, or its text broken."""
    if draw(st.booleans()):
        return draw(broken_text(json.dumps(valid, indent=2)))
    document = json.loads(json.dumps(valid))
    where = draw(st.sampled_from(paths(document)))
    if not where:
        return json.dumps(draw(JSON)).encode()
    parent = document
    for part in where[:-1]:
        parent = parent[part]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[where[-1]]
    else:
        parent[where[-1]] = draw(JSON)
    return json.dumps(document).encode()


AUDIT_KEYS = [f.name for f in fields(AuditEntry)]


@st.composite
def broken_log(draw: st.DrawFn, valid: str) -> bytes:
    """An audit log with one line broken as JSON (or one of its keys given a value of any
    kind), or the whole file broken as text."""
    lines = valid.splitlines()
    how = draw(st.sampled_from(["text", "line", "key"]))
    if not lines or how == "text":
        return draw(broken_text(valid))
    index = draw(st.integers(0, len(lines) - 1))
    if how == "key":
        entry = {**json.loads(lines[index]), "result": draw(st.sampled_from(["applied", "ok"]))}
        entry[draw(st.sampled_from(AUDIT_KEYS))] = draw(JSON)
        lines[index] = json.dumps(entry)
    else:
        lines[index] = draw(broken_json(json.loads(lines[index]))).decode("utf-8", "replace")
    return ("\n".join(lines) + draw(st.sampled_from(["\n", ""]))).encode("utf-8")


# --- the readers ------------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_a_site_file(world: World, data: st.DataObject) -> None:
    content = data.draw(broken_text(SITE_TEXT))
    (world.folder / "sites" / "site.yaml").write_bytes(content)
    for command in (["validate"], ["plan"], ["drift"], ["plan", "--format", "json"]):
        world.check(world.mpr(*command, "sites"), f"{command} {content!r}")


@SETTINGS
@given(data=st.data())
def test_a_defaults_file(world: World, data: st.DataObject) -> None:
    site = SITE_TEXT.split("settings:")[0] + "defaults: _defaults.yaml\n"
    (world.folder / "sites" / "site.yaml").write_text(site, encoding="utf-8")
    content = data.draw(broken_text(DEFAULTS_TEXT))
    (world.folder / "sites" / "_defaults.yaml").write_bytes(content)
    for command in (["validate"], ["plan"]):
        world.check(world.mpr(*command, "sites"), f"{command} {content!r}")


@SETTINGS
@given(data=st.data())
def test_the_state_file(world: World, data: st.DataObject) -> None:
    content = data.draw(broken_json(json.loads(STATE_TEXT)))
    state = world.folder / ".mpr" / "state.json"
    state.parent.mkdir(exist_ok=True)
    state.write_bytes(content)
    for command in (["plan"], ["apply", "--auto-approve", "--no-regenerate"]):
        outcome = world.mpr(command[0], "sites", "--state-file", str(state), *command[1:])
        world.check(outcome, f"{command} {content!r}")


@SETTINGS
@given(data=st.data())
def test_a_saved_plan(world: World, data: st.DataObject) -> None:
    saved = world.folder / "plan.json"
    if not saved.exists():
        assert world.mpr("plan", "sites", "--out", str(saved)).code == exitcodes.OK
    valid = json.loads((world.folder / "plan.json").read_text(encoding="utf-8"))
    content = data.draw(broken_json(valid))
    broken = world.folder / "broken.json"
    broken.write_bytes(content)
    world.check(world.mpr("apply", str(broken)), f"apply {content!r}")


@SETTINGS
@given(data=st.data())
def test_an_audit_log(world: World, data: st.DataObject) -> None:
    log = world.folder / "audit.jsonl"
    valid_path = world.folder / "valid.jsonl"
    if not valid_path.exists():
        first = world.mpr("apply", "sites", "--auto-approve", "--audit-log", str(valid_path))
        assert first.code == exitcodes.OK, first
    content = data.draw(broken_log(valid_path.read_text(encoding="utf-8")))
    log.write_bytes(content)
    world.check(world.mpr("history", "--audit-log", str(log)), f"history {content!r}")
    log.write_bytes(content)
    outcome = world.mpr("apply", "sites", "--auto-approve", "--audit-log", str(log))
    world.check(outcome, f"apply {content!r}")


@SETTINGS
@given(data=st.data())
def test_an_emulator_fixture(world: World, data: st.DataObject) -> None:
    content = data.draw(
        st.one_of(broken_text(FIXTURE_TEXT), broken_json(yaml.safe_load(FIXTURE_TEXT)))
    )
    fixture = world.folder / "fixture.yaml"
    fixture.write_bytes(content)
    outcome = world.mpr("plan", "sites", "--emulator", str(fixture), hooks=Hooks())
    world.check(outcome, f"plan --emulator {content!r}")
