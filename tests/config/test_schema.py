"""schemas/*.json are generated from the models and cannot drift from them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from reconciler.config.schema import SCHEMAS, main, render
from tests.config.conftest import FIXTURES, REPO

EXAMPLES = REPO / "examples"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_committed_schema_is_what_the_models_generate(name: str) -> None:
    committed = (REPO / "schemas" / name).read_text(encoding="utf-8")
    assert committed == render(SCHEMAS[name]), (
        f"schemas/{name} is stale: run `python -m reconciler.config.schema`"
    )


@pytest.mark.parametrize(
    ("argv", "folder"),
    [(["out/schemas"], "out/schemas"), ([], "schemas")],
    ids=["a new folder", "the default"],
)
def test_the_module_writes_the_schemas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], folder: str
) -> None:
    """In-process (as `python -m` runs it: the arguments from sys.argv), so that a mutation
    test can plant a bug in it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["reconciler.config.schema", *argv])
    assert main() == 0
    assert sorted(p.name for p in (tmp_path / folder).iterdir()) == sorted(SCHEMAS)
    for name, model in SCHEMAS.items():
        assert (tmp_path / folder / name).read_text(encoding="utf-8") == render(model)


def _schemas_in(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("given", [["out/schemas"], []], ids=["a folder", "the default"])
def test_python_dash_m_writes_the_committed_schemas(tmp_path: Path, given: list[str]) -> None:
    """What the README tells a contributor to run regenerates exactly the committed files,
    into the folder given or `schemas/` under the current one."""
    done = subprocess.run(
        [sys.executable, "-m", "reconciler.config.schema", *given],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    written = _schemas_in(tmp_path / (given[0] if given else "schemas"))
    assert written == _schemas_in(REPO / "schemas")
    assert sorted(written) == sorted(SCHEMAS)


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
    return loaded


def test_the_schema_is_2020_12_and_documents_every_key() -> None:
    schema = _schema("site.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    for definition in [schema, *schema["$defs"].values()]:
        for key, prop in definition.get("properties", {}).items():
            assert prop.get("description"), f"{key} has no description"
    settings = schema["$defs"]["SettingsDoc"]["properties"]
    assert settings["pointOfView"]["anyOf"][0]["enum"] == [
        "FIRST_PERSON",
        "SECOND_PERSON",
        "THIRD_PERSON",
    ]
    assert "toneOfVoice" in settings and "language" not in settings


def _documents(*directories: Path) -> list[Path]:
    return [p for d in directories for p in sorted(d.rglob("*.yaml")) if "invalid" not in p.parts]


@pytest.mark.parametrize("path", _documents(EXAMPLES / "sites", FIXTURES / "valid"), ids=str)
def test_valid_documents_satisfy_the_schema_their_modeline_names(path: Path) -> None:
    from reconciler.config.yamlio import read_yaml

    modeline = path.read_text(encoding="utf-8").splitlines()[0]
    assert modeline.startswith("# yaml-language-server: $schema=")
    target = (path.parent / modeline.split("$schema=", 1)[1]).resolve()
    expected = "defaults.schema.json" if path.name.startswith("_") else "site.schema.json"
    assert target == REPO / "schemas" / expected
    document = read_yaml(path, str(path)).tree
    jsonschema.validate(document, json.loads(target.read_text(encoding="utf-8")))
