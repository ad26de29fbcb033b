"""Validation of a located tree against a document model, every error mapped to file:line:col.

The one place pydantic's `ValidationError` becomes ours: each error turns into a `Problem`
whose path is dotted (`events[1].recurringRule.frequency`) and whose position comes from the
tree's side table. An unknown key points at the key and suggests the closest known one; a
missing key points at the mapping that lacks it. Nothing is raised here; problems are returned.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reconciler.config.documents import PATTERN_WORDS
from reconciler.config.tree import KeyPath, Mark, Positions, format_path
from reconciler.config.values import kind, suggest
from reconciler.errors import Problem

M = TypeVar("M", bound=BaseModel)

READ_ONLY_MESSAGES: Mapping[str, str] = {
    "language": "language is read-only: Wix derives it from the site's Language & Region settings",
    "businessLocation": (
        "businessLocation is read-only: Wix derives it from the site's business location"
        " (SEO settings)"
    ),
    "targetLocations": (
        "targetLocations is read-only (and deprecated): Wix derives it from the site's"
        " business location"
    ),
}

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "float_type": "a number",
    "float_parsing": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def validate_document(
    model: type[M],
    tree: Any,
    positions: Positions,
    special: Mapping[KeyPath, str] | None = None,
) -> tuple[M | None, list[Problem]]:
    """Validate `tree` as `model`; returns the document (None on errors) and the problems.

    `special` gives the message for particular unknown keys (read-only settings, say).
    """
    try:
        return model.model_validate(tree), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        return None, [_problem(model, tree, positions, e, special or {}) for e in errors]


def _problem(
    model: type[BaseModel],
    tree: Any,
    positions: Positions,
    error: ErrorDetails,
    special: Mapping[KeyPath, str],
) -> Problem:
    kind_ = error["type"]
    path = _data_path(error["loc"], tree, keep_last=kind_ == "missing")
    if kind_ == "extra_forbidden":
        mark = positions.key(path)
        message = special.get(path) or _unknown_key(model, path)
    elif kind_ == "missing":
        mark = positions.key(path[:-1])
        message = "required field is missing"
    else:
        on_key = bool(error["loc"]) and error["loc"][-1] == "[key]"
        mark = positions.key(path) if on_key else positions.value(path)
        message = _message(error, on_key)
    return _at(mark, path, message)


def _at(mark: Mark, path: KeyPath, message: str) -> Problem:
    return Problem(mark.file, mark.line, mark.column, format_path(path), message)


def _data_path(loc: tuple[int | str, ...], tree: Any, keep_last: bool) -> KeyPath:
    """The part of a pydantic location that names real keys and indexes of `tree`.

    Pydantic adds entries of its own (union members, "[key]"); those are dropped. For a
    missing field the last entry is kept even though the data lacks it.
    """
    node, path = tree, []
    for index, part in enumerate(loc):
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif not (keep_last and index == len(loc) - 1):
            continue
        path.append(part)
    return tuple(path)


def _unknown_key(model: type[BaseModel], path: KeyPath) -> str:
    key = str(path[-1])
    allowed = allowed_keys(model, path[:-1])
    hint = suggest(key, allowed) if allowed else None
    if hint:
        return f"unknown field {key!r}; did you mean {hint!r}?"
    if allowed:
        return f"unknown field {key!r}; expected one of: {', '.join(allowed)}"
    return f"unknown field {key!r}"


def allowed_keys(model: type[BaseModel], path: KeyPath) -> list[str]:
    """The keys the mapping at `path` of a `model` document may have (empty when free-form)."""
    current: type[BaseModel] | None = model
    for part in path:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        field = next((f for f in current.model_fields.values() if f.alias == part), None)
        current = _model_in(field.annotation) if field is not None else None
    if current is None:
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _message(error: ErrorDetails, on_key: bool) -> str:
    kind_, context = error["type"], error.get("ctx") or {}
    if kind_ in _EXPECTED:
        return f"expected {_EXPECTED[kind_]}, got {kind(error['input'])}"
    if kind_ == "value_error":
        return str(context.get("error", error["msg"]))
    if kind_ == "string_too_short":
        return "must not be empty"
    if kind_ == "string_too_long" or (kind_ == "too_long" and isinstance(error["input"], str)):
        # `too_long` on text: a length limit after a validator (blockWords) counts "items"
        return f"is too long: at most {context.get('max_length')} characters"
    if kind_ == "string_pattern_mismatch" and on_key:
        return "a label key is letters, digits and . _ - /, starting with a letter or digit"
    if kind_ == "string_pattern_mismatch" and context.get("pattern") in PATTERN_WORDS:
        return PATTERN_WORDS[context["pattern"]]  # not the value: a secret pasted in its place
    if kind_ == "finite_number":
        return "expected a finite number"
    return str(error["msg"])
