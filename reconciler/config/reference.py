"""The README's reference of the site and defaults files, generated from the document models.

Every key with its type, default, an example and its description, read from the same JSON
Schema `schema.py` writes (pydantic is the single source) and, for defaults a schema cannot
state (a list or an object made fresh per file), from the models themselves. The README holds
it between two markers; `python -m reconciler.config.reference --write README.md` rewrites
that section and `--check README.md` fails when it differs (a test runs the check).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reconciler.config import documents
from reconciler.config.documents import DefaultsDoc, SiteDoc

COMMAND = "python -m reconciler.config.reference --write README.md"
START = f"<!-- site-reference:start (generated: {COMMAND}) -->"
END = "<!-- site-reference:end -->"
_REQUIRED = "required"
_NESTED = "see its keys"


@dataclass(frozen=True)
class Row:
    """One key of a document: where it is, what it holds, its default, an example, what for."""

    key: str
    kind: str
    default: str
    example: str
    description: str


def reference() -> str:
    """The generated section: every key of a site file, then the top keys of a defaults file
    (below them, a defaults file holds what a site file does)."""
    site = SiteDoc.model_json_schema(mode="validation")
    shared = DefaultsDoc.model_json_schema(mode="validation")
    shared_rows = [row for row in rows(shared) if "." not in row.key]
    return (
        f"**A site file** — {_about(site)}\n\n{table(rows(site))}\n"
        f"**A defaults file** — {_about(shared)} A site file names it in `defaults:`; "
        "below these keys it holds what a site file does (see above), and the site file's "
        f"own values win.\n\n{table(shared_rows)}"
    )


def table(found: Sequence[Row]) -> str:
    head = "| key | type | default | example | description |\n| --- | --- | --- | --- | --- |\n"
    return head + "".join(
        f"| `{r.key}` | {r.kind} | {r.default} | {r.example} | {_cell(r.description)} |\n"
        for r in found
    )


def rows(schema: Mapping[str, Any]) -> list[Row]:
    """Every key of the document `schema`, depth first, in declaration order."""
    return list(_walk(schema, schema, "", _model(schema)))


def _walk(
    root: Mapping[str, Any], node: Mapping[str, Any], prefix: str, model: type[BaseModel] | None
) -> Iterator[Row]:
    required = set(node.get("required", ()))
    fields = {f.alias or name: f for name, f in model.model_fields.items()} if model else {}
    for key, prop in node.get("properties", {}).items():
        path = f"{prefix}{key}"
        field = fields.get(key)
        default = _REQUIRED if key in required else _default(prop, field)
        yield Row(path, _kind(root, prop), default, _example(root, prop), _about(prop))
        inner, suffix = _object_of(root, prop)
        if inner is not None:
            yield from _walk(root, inner, f"{path}{suffix}.", _model(inner))


def _model(node: Mapping[str, Any]) -> type[BaseModel] | None:
    found = getattr(documents, str(node.get("title", "")), None)
    return found if isinstance(found, type) and issubclass(found, BaseModel) else None


def _choices(prop: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The non-null alternatives of a property (itself when it has none)."""
    options = prop.get("anyOf")
    if options is None:
        return [prop]
    return [o for o in options if o.get("type") != "null"]


def _resolve(root: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    found: Mapping[str, Any] = root["$defs"][str(ref).rsplit("/", 1)[1]]
    return found


def _object_of(root: Mapping[str, Any], prop: Mapping[str, Any]) -> tuple[Any, str]:
    """The object schema whose keys nest under this property ("[]" for a list of them)."""
    for choice in _choices(prop):
        if choice.get("type") == "array":
            item = _resolve(root, choice.get("items", {}))
            if "properties" in item:
                return item, "[]"
        target = _resolve(root, choice)
        if "properties" in target:
            return target, ""
    return None, ""


def _nullable(prop: Mapping[str, Any]) -> bool:
    return any(o.get("type") == "null" for o in prop.get("anyOf", ()))


def _kind(root: Mapping[str, Any], prop: Mapping[str, Any]) -> str:
    choices = _choices(prop)
    types = {c.get("type") for c in choices}
    if types == {"number", "string"}:
        kind = "duration (seconds, or `90s`, `15m`, `1h30m`)"
    else:
        kind = " or ".join(_one_kind(root, c) for c in choices)
    return f"{kind}, or `null`" if _nullable(prop) else kind


def _one_kind(root: Mapping[str, Any], node: Mapping[str, Any]) -> str:
    node = _resolve(root, node)
    if "const" in node:
        return f"`{node['const']}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type")
    if kind == "array":
        return f"list of {_one_kind(root, node.get('items', {}))}"
    if kind == "object":
        if "properties" in node:
            return "object"
        return "map of label to text" if "patternProperties" in node else "object (free-form)"
    if kind == "string":
        return {"uuid": "GUID", "date-time": "timestamp"}.get(node.get("format", ""), "text")
    bounds = [node.get("minimum", node.get("exclusiveMinimum")), node.get("maximum")]
    if kind in ("integer", "number") and bounds[0] is not None and bounds[1] is not None:
        return f"{kind} ({bounds[0]:g}-{bounds[1]:g})"
    return str(kind or "any")


def _default(prop: Mapping[str, Any], field: Any) -> str:
    if "default" in prop:
        return _code(prop["default"])
    if field is None:
        return ""
    value = field.get_default(call_default_factory=True)
    return _NESTED if isinstance(value, BaseModel) else _code(value)


def _example(root: Mapping[str, Any], prop: Mapping[str, Any]) -> str:
    """The property's first example, else one from what it may hold (a list of those)."""
    for node in [prop, *_choices(prop)]:
        node = _resolve(root, node)
        if node.get("examples"):
            return _code(node["examples"][0])
        if "const" in node:
            return _code(node["const"])
        items = _resolve(root, node.get("items", {}))
        if items.get("examples"):
            return _code([items["examples"][0]])
        if "enum" in node:
            return _code(node["enum"][0])
    return ""


def _about(prop: Mapping[str, Any]) -> str:
    return " ".join(str(prop.get("description", "")).split())


def _code(value: Any) -> str:
    """A value as it is written in YAML flow style, as inline code."""
    return f"`{_flow(value)}`"


def _flow(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if _needs_quotes(value) else value
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


def _needs_quotes(text: str) -> bool:
    """Whether YAML would read `text` unquoted as something else (a number, a date, a mark)."""
    if not text or text != text.strip() or text.lower() in ("true", "false", "null", "yes", "no"):
        return True
    if text[0] in "&*!|>'\"%@`{}[],#?:-" or text[0].isdigit():
        return True
    return ": " in text or " #" in text or "," in text or "{" in text or "}" in text


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def replace_section(readme: str) -> str:
    """`readme` with the text between the markers replaced by the generated reference.

    Raises ValueError when the markers are missing or out of order.
    """
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the markers {START!r} and {END!r} are not both there, in that order")
    return readme[: start + len(START)] + "\n" + reference() + readme[end:]


def main(argv: Sequence[str] | None = None) -> int | str:
    """`python -m reconciler.config.reference README.md [--write]`: 0 when the section is as
    generated (or was rewritten), else the message saying how to fix it (exit status 1)."""
    parser = argparse.ArgumentParser(prog="python -m reconciler.config.reference")
    parser.add_argument("readme", type=Path)
    parser.add_argument("--write", action="store_true", help="rewrite the section in place")
    args = parser.parse_args(argv)
    current = args.readme.read_text(encoding="utf-8")
    wanted = replace_section(current)
    if args.write:
        args.readme.write_text(wanted, encoding="utf-8")
        return 0
    if wanted != current:
        return f"{args.readme}: the site-file reference is stale: run `{COMMAND}`"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
