"""YAML is loaded safely: no tag can construct a Python object or run anything, and no
loader in the package is an unsafe one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from reconciler.config import check_sites, yamlio
from reconciler.emulator import Emulator, FixtureError

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"
SITE = "version: 1\nsite:\n  id: 11111111-2222-4333-8444-555555555555\n"
PAYLOADS = [
    '!!python/object/apply:os.system ["touch {marker}"]',
    '!!python/object/apply:subprocess.check_call [["touch", "{marker}"]]',
    '!!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:builtins.object {{}}",
    "!!binary aGVsbG8=",
    "!!set {{a, b}}",
    "!!omap [a: 1]",
    '!custom "{marker}"',
]
UNSAFE_CALLS = {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all"}
UNSAFE_LOADERS = {"Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_tag_constructs_or_runs_anything(payload: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    site = tmp_path / "site.yaml"
    site.write_text(SITE + "settings:\n  toneOfVoice: " + payload.format(marker=marker) + "\n")
    result = check_sites([site])
    assert not marker.exists()
    (problem,) = result.errors
    assert (problem.line, problem.column) == (5, 16)
    assert problem.message.startswith("unsupported YAML tag !")


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_the_emulator_fixture_loader_is_safe_too(payload: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    fixture = tmp_path / "sites.yaml"
    fixture.write_text("sites:\n  - id: " + payload.format(marker=marker) + "\n")
    with pytest.raises(FixtureError):
        Emulator().load_fixtures_file(fixture)
    assert not marker.exists()


def test_the_config_loader_is_a_safe_loader() -> None:
    loader = yamlio._Loader
    assert issubclass(loader, yaml.SafeLoader)
    assert not issubclass(loader, yaml.FullLoader | yaml.UnsafeLoader)


def test_no_module_of_the_package_uses_an_unsafe_yaml_loader() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id == "yaml" and node.attr in UNSAFE_CALLS | UNSAFE_LOADERS:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: yaml.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "yaml":
                names = {alias.name for alias in node.names} & (UNSAFE_CALLS | UNSAFE_LOADERS)
                offenders += [f"{path.relative_to(PACKAGE)}:{node.lineno}: {n}" for n in names]
    assert offenders == []
