"""Writes `schemas/*.schema.json` from the document models: pydantic is the single source.

Run `python -m reconciler.config.schema [OUTPUT_DIR]` (default `schemas`) after changing
`documents.py`; a test regenerates the files and compares them byte for byte.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reconciler.config.documents import DefaultsDoc, SiteDoc

SCHEMAS: dict[str, type[BaseModel]] = {
    "site.schema.json": SiteDoc,
    "defaults.schema.json": DefaultsDoc,
}
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def render(model: type[BaseModel]) -> str:
    """The JSON Schema (2020-12) of a document model, as the committed file spells it."""
    body: dict[str, Any] = {"$schema": _DIALECT}
    body.update(model.model_json_schema(mode="validation"))
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def write(directory: Path) -> list[Path]:
    """Write every schema into `directory`; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        target = directory / name
        target.write_text(render(model), encoding="utf-8")
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m reconciler.config.schema`."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    write(Path(arguments[0] if arguments else "schemas"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
