"""The emulator stays independent: no imports from the rest of reconciler, no click."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import reconciler.emulator

PACKAGE = Path(reconciler.emulator.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_sources_import_only_the_emulator_package() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        for name in imported_modules(path):
            if name.startswith("reconciler"):
                assert name.startswith("reconciler.emulator"), f"{path.name} imports {name}"
            assert not name.startswith("click"), f"{path.name} imports click"


def test_importing_loads_nothing_else_from_reconciler() -> None:
    code = ("import sys, reconciler.emulator; print(sorted(m for m in sys.modules "
            "if m.startswith('reconciler') and not m.startswith('reconciler.emulator')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "['reconciler']"
