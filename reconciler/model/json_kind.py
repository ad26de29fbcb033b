"""What kind of JSON value something is, in the words mpr's messages use ("a string",
"an object", "true/false"…): one wording for every file and answer mpr reads."""

from __future__ import annotations

from typing import Any

_NAMES = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}


def json_kind(value: Any) -> str:
    """`value`'s kind: null, true/false, a number, a string, a list, an object (or the
    Python type's name for anything JSON cannot hold)."""
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return _NAMES.get(type(value), type(value).__name__)
