"""No path written in a site file makes mpr read or write outside the config tree; only
paths named on the command line (or by the CI environment) are touched beyond it.

Every file mpr opens is recorded through a Python audit hook (PEP 578), so the proof is what
the process did, not what the code seems to do. The targets of the escapes tried live in a
folder next to the tree (and /etc/passwd): none of them may ever be opened.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes, run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from reconciler.engine.journal import FileJournal
from reconciler.engine.runtime import Runtime
from tests.conftest import EmulatorTime, emulator_client

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
WRITE_EVENTS = {
    "os.mkdir",
    "os.rename",
    "os.replace",
    "os.remove",
    "os.rmdir",
    "os.symlink",
    "os.truncate",
    "os.link",
    "shutil.copyfile",
    "shutil.move",
    "shutil.rmtree",
}
PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"


@dataclass
class Access:
    """What the process opened, and what it changed, while recording."""

    reads: list[Path] = field(default_factory=list)
    writes: list[Path] = field(default_factory=list)


_recording: list[Access] = []


def _path(value: Any) -> Path | None:
    if isinstance(value, int) or value is None:
        return None
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    return Path(os.path.abspath(os.fspath(value)))


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _recording or not args:
        return
    access = _recording[-1]
    if event == "open":
        path = _path(args[0])
        if path is None:
            return
        mode, flags = (args + (None, 0))[1:3]
        writes = (
            any(c in mode for c in "wax+")
            if isinstance(mode, str)
            else bool((flags or 0) & WRITE_FLAGS)
        )
        (access.writes if writes else access.reads).append(path)
    elif event in WRITE_EVENTS:
        targets = [_path(a) for a in args[:2] if isinstance(a, str | bytes | os.PathLike)]
        access.writes += [p for p in targets if p is not None]


sys.addaudithook(_audit)  # cannot be removed; it does nothing unless a test is recording


@contextmanager
def recording() -> Iterator[Access]:
    access = Access()
    _recording.append(access)
    try:
        yield access
    finally:
        _recording.remove(access)


def interpreter_internal(path: Path) -> bool:
    """Python's own files (modules, bytecode caches) and devices: not mpr's doing."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(PACKAGE)}
    return (
        path.suffix in (".py", ".pyc", ".so")
        or "__pycache__" in path.parts
        or any(str(path).startswith(root + os.sep) for root in roots)
        or str(path).startswith(("/dev/", "/proc/", "/sys/"))
    )


def inside(path: Path, *roots: Path) -> bool:
    resolved = path.resolve()
    return any(resolved == r.resolve() or resolved.is_relative_to(r.resolve()) for r in roots)


@dataclass
class Layout:
    root: Path
    tree: Path
    outside: Path
    targets: list[Path]


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    root = tmp_path / "repo"
    tree, outside = root / "sites", tmp_path / "outside"
    (tree / "nested").mkdir(parents=True)
    (outside / "more").mkdir(parents=True)
    shared = outside / "_shared.yaml"
    shared.write_text("settings:\n  toneOfVoice: from outside\n", encoding="utf-8")
    (outside / "more" / "site.yaml").write_text(site_text("cccccccc-0000-4000-8000-00000000000f"))
    return Layout(
        root, tree, outside, [shared, outside / "more" / "site.yaml", Path("/etc/passwd")]
    )


def site_text(site_id: str, extra: str = "") -> str:
    return f"version: 1\nsite:\n  id: {site_id}\n  name: Site {site_id[-2:]}\n" + extra


@pytest.fixture
def mpr(
    emulator: Emulator,
    engine_time: EmulatorTime,
    layout: Layout,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Any:
    emulator.configure(auto_create_sites=True)
    monkeypatch.chdir(layout.root)

    client = emulator_client(emulator)

    journal_at: list[Path] = []

    def runtime() -> Runtime:
        return Runtime(clock=engine_time, journal=FileJournal(journal_at[-1]), min_poll_delay=5.0)

    hooks = Hooks(client=client, runtime=runtime)

    def invoke(*argv: str, state: Path | None = None) -> tuple[int, str, str]:
        journal_at.append(state or layout.root / ".mpr" / "state.json")
        capsys.readouterr()
        code = run(list(argv), obj=hooks)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_include_paths_that_leave_the_tree_are_refused_unread(layout: Layout, mpr: Any) -> None:
    tree, shared = layout.tree, layout.targets[0]
    (tree / "_link.yaml").symlink_to(shared)
    (tree / "linked").symlink_to(layout.outside, target_is_directory=True)
    escapes = {
        "relative.yaml": "../../outside/_shared.yaml",
        "absolute.yaml": str(shared),
        "passwd.yaml": "/etc/passwd",
        "nested/dotdot.yaml": "../../../outside/_shared.yaml",
        "symlink.yaml": "_link.yaml",
        "home.yaml": "~/.ssh/id_rsa",
    }
    for number, (name, target) in enumerate(escapes.items()):
        (tree / name).write_text(
            site_text(f"cccccccc-0000-4000-8000-{number:012d}", f"defaults: {target}\n")
        )
    with recording() as access:
        for command in (
            ["validate", "sites"],
            ["plan", "sites"],
            ["apply", "sites", "--auto-approve"],
        ):
            code, out, err = mpr(*command)
            assert code == exitcodes.ERROR, err
    assert "outside the config tree" in err
    assert f"sites/absolute.yaml:5:11: defaults: {shared} is outside the config tree" in err
    assert "sites/linked" not in err  # a linked directory is not walked into
    touched = [p for p in access.reads + access.writes if not interpreter_internal(p)]
    assert [p for p in touched if not inside(p, layout.tree)] == []
    assert not any(p.resolve() in {t.resolve() for t in layout.targets} for p in touched)


def test_only_the_paths_named_on_the_command_line_are_written(
    layout: Layout, mpr: Any, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = (
        "  labels: {path: ../../../outside/x}\n"
        "settings:\n  toneOfVoice: ../../outside/pwned.yaml\n"
        'events:\n  - name: ../../../outside/event\n    date: "2026-12-01T09:00:00Z"\n'
        '  - name: /etc/passwd\n    date: "2026-12-02T09:00:00Z"\n'
    )
    (layout.tree / "names.yaml").write_text(
        site_text("cccccccc-0000-4000-8000-0000000000aa", hostile)
    )
    out = layout.root / "out"
    out.mkdir()  # `plan --out` into a missing folder ends in a traceback today
    github = {"GITHUB_OUTPUT": out / "gh_output", "GITHUB_STEP_SUMMARY": out / "gh_summary.md"}
    for name, path in github.items():
        monkeypatch.setenv(name, str(path))
    state = out / "state.json"
    named = [out / "plan.json", out / "audit.jsonl", state, *github.values()]
    audit = audit_args()
    with recording() as access:
        code, _, err = mpr("plan", "sites", "--out", "out/plan.json")
        assert code == exitcodes.OK, err
        code, _, err = mpr(
            "apply", "out/plan.json", "--state-file", str(state), *audit, state=state
        )
        assert code == exitcodes.OK, err
        code, _, err = mpr(
            "apply", "sites", "--auto-approve", "--state-file", str(state), *audit, state=state
        )
        assert code == exitcodes.OK, err
    assert emulator.writes()  # the apply did write to Wix, and only there
    written = [p for p in access.writes if not interpreter_internal(p)]
    assert {out / "plan.json", state} <= set(written)  # the hook did see the writes
    assert (out / "audit.jsonl" in written) == bool(audit)
    allowed_dirs = {p.parent for p in named}
    strays = [
        p
        for p in written
        if p not in named
        and p not in allowed_dirs
        and not (p.parent in allowed_dirs and p.name.startswith("."))
    ]
    assert strays == []
    reads = [p for p in access.reads if not interpreter_internal(p)]
    # a folder that holds a named file is opened too: to fsync a rename into it
    outside = [p for p in reads if not inside(p, layout.tree) and p not in named]
    assert [p for p in outside if p not in allowed_dirs] == []
    assert not (layout.outside / "pwned.yaml").exists()
    assert sorted(p.name for p in layout.outside.rglob("*")) == [
        "_shared.yaml",
        "more",
        "site.yaml",
    ]


def audit_args() -> list[str]:
    """`--audit-log out/audit.jsonl` when this mpr has the option (it is being added)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        run(["apply", "--help"])
    return ["--audit-log", "out/audit.jsonl"] if "--audit-log" in buffer.getvalue() else []


def test_a_file_named_on_the_command_line_may_live_anywhere(layout: Layout, mpr: Any) -> None:
    target = layout.outside / "more" / "site.yaml"
    with recording() as access:
        code, _, err = mpr("validate", str(target))
    assert code == exitcodes.OK, err
    assert target in access.reads


def test_a_symlinked_file_in_the_tree_that_points_outside_is_not_read(
    layout: Layout, mpr: Any
) -> None:
    (layout.tree / "ok.yaml").write_text(site_text("cccccccc-0000-4000-8000-0000000000bb"))
    (layout.tree / "evil.yaml").symlink_to(layout.targets[1])
    with recording() as access:
        code, _, err = mpr("validate", "sites")
    touched = [p for p in access.reads if not interpreter_internal(p)]
    assert [p for p in touched if not inside(p, layout.tree)] == []
    assert code == exitcodes.ERROR
    assert (
        f"sites/evil.yaml:1:1: a link to {layout.targets[1].resolve()}, outside the config tree "
        "(sites): not read (name the file on the command line to read it)"
    ) in err
