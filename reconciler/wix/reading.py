"""How mpr reads Wix's answers: the reading rule of SPEC.md §5 (2026-12-06), in one place.

The docs show only the opening of most answer schemas, so several shapes mpr reads are
guesses ([R]/[I] in SPEC.md). Acting on a misread answer is worse than stopping: a list
read as "nothing there" makes apply create every event again, at every run. So:

* **An absent list is empty**, because Wix leaves empty lists out of its answers, but only
  when no other member of the same object holds a list of objects. A list of objects under
  a name mpr does not know (`{"results": [...], "pagingMetadata": {...}}` instead of
  `{"events": [...]}`) is `UnreadableAnswer`. `{}` is still "empty".
* **An absent object mpr can do without** (a wrapper the docs do not show: [I]) reads as
  the unwrapped answer or as empty, again only when no unknown member holds an object;
  **a member mpr cannot do without** (the plan's `status`, the object a write returns) is
  `UnreadableAnswer` when absent.
* **A member of another type** than the one mpr reads (a string where a list is expected)
  is `UnreadableAnswer`.
* **One malformed entry** of a list (one event, one option, one draft) is skipped: the
  entry-level parse says why, and a note naming the method and the entry goes to the
  caller's `notes` list (the engine turns them into the site's warnings).

`UnreadableAnswer` is the one error a parser raises for an answer it cannot act on; it
names the members found and what mpr expected, and the client adds the method (it becomes
an `errors.UnexpectedAnswer` for that site: nothing is written to it, the others go on).

Which members are required is decided from the SPEC tags, member by member: only what the
docs mark required ([C]) or what mpr cannot act without is; everything [R]/[I] is optional.
The choices for each answer are written where the answer is parsed (`site.py`, `wire.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError

T = TypeVar("T")

_KINDS: dict[type, str] = {dict: "an object", list: "a list", str: "a string"}


class UnreadableAnswer(ValueError):
    """An answer mpr cannot act on: what it expected and the members it found instead."""

    def __init__(self, expected: str, data: Mapping[str, Any], found: str | None = None) -> None:
        self.expected = expected
        self.found = found or describe_members(data)
        super().__init__(f"mpr expected {expected}; found {self.found}")


def describe_members(data: Mapping[str, Any]) -> str:
    """`members a (a list), b (an object)`, or `no member` for `{}`."""
    if not data:
        return "no member"
    return "members " + ", ".join(f"{k} ({_kind_of(v)})" for k, v in data.items())


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list of objects" if _objects(value) else "a list"
    return _KINDS.get(type(value), type(value).__name__)


def _objects(value: Any) -> bool:
    """Whether `value` is a non-empty list whose entries are objects."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


_WRAPPER_DEPTH = 3
"""How deep a list of objects is looked for under members mpr does not know."""


def _object_lists(data: Mapping[str, Any], skip: Collection[str], depth: int) -> list[str]:
    """The paths (`a`, `a.b`) of the lists of objects under members not in `skip`, inside
    wrapper objects too: `{"result": {"events": [...]}}` holds events, not nothing."""
    found: list[str] = []
    for key, value in data.items():
        if key in skip:
            continue
        if _objects(value):
            found.append(key)
        elif isinstance(value, dict) and depth > 1:
            found += [f"{key}.{path}" for path in _object_lists(value, (), depth - 1)]
    return found


def _names(names: Sequence[str]) -> str:
    return " or ".join(repr(n) for n in names)


def expect_member(
    data: Mapping[str, Any],
    names: Sequence[str],
    kind: type,
    *,
    required: bool,
    known: Collection[str] = (),
) -> Any:
    """The first of `names` present (not null) in `data`, checked to be of `kind`.

    Absent: `UnreadableAnswer` when `required`; otherwise None, unless another member that
    is neither in `names` nor in `known` holds a value of `kind` (a renamed member).
    """
    for name in names:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise UnreadableAnswer(
                f"{_names([name])} to be {_KINDS.get(kind, kind.__name__)}", data
            )
        return value
    what = f"{_names(names)} ({_KINDS.get(kind, kind.__name__)})"
    if required:
        raise UnreadableAnswer(what, data)
    strangers = [
        k for k, v in data.items() if k not in names and k not in known and isinstance(v, kind)
    ]
    if strangers:
        raise UnreadableAnswer(f"{what} or nothing, not a member mpr does not know", data)
    return None


def expect_list(
    data: Mapping[str, Any],
    names: Sequence[str],
    entry: Callable[[Any], T],
    *,
    what: str,
    notes: list[str] | None,
    known: Collection[str] = (),
    skipped: Callable[[Any], None] | None = None,
) -> list[T]:
    """The entries of the list under the first of `names`, each read by `entry`.

    Absent (or null): `[]`, unless a member not in `names` or `known` holds a list of
    objects, itself or in an object it holds (then `UnreadableAnswer`). Present but not a
    list: `UnreadableAnswer`. An entry `entry` cannot read (ValueError) is skipped and noted
    in `notes`, as "`what`", and given to `skipped`.
    """
    for name in names:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, list):
            raise UnreadableAnswer(f"{_names([name])} to be a list", data)
        return read_entries(value, entry, what=what, notes=notes, skipped=skipped)
    strangers = _object_lists(data, known, _WRAPPER_DEPTH)
    if strangers:
        raise UnreadableAnswer(
            f"the list under {_names(names)} (absent only when empty)",
            data,
            f"a list of objects under {_names(strangers)} ({describe_members(data)})",
        )
    return []


def read_entries(
    values: Sequence[Any],
    entry: Callable[[Any], T],
    *,
    what: str,
    notes: list[str] | None,
    skipped: Callable[[Any], None] | None = None,
) -> list[T]:
    """Each value read by `entry` (only objects are given to it); one it cannot read, or
    that is no object, is skipped, noted, and given to `skipped`."""
    out: list[T] = []
    for index, value in enumerate(values):
        try:
            if not isinstance(value, dict):
                raise ValueError(f"{_kind_of(value)}, not an object")
            out.append(entry(value))
        except ValueError as exc:
            if notes is not None:
                notes.append(f"{what} #{index + 1}{_label(value)} skipped: {explain(exc)}")
            if skipped is not None:
                skipped(value)
    return out


def _label(value: Any) -> str:
    """How a skipped entry is named: its id and name when it has them."""
    if not isinstance(value, dict):
        return ""
    parts = [
        f"{k} {str(value[k])[:60]!r}"
        for k in ("name", "id", "marketingActivityId", "planGoalKey")
        if isinstance(value.get(k), str) and value[k]
    ]
    return f" ({', '.join(parts)})" if parts else ""


def explain(exc: ValueError) -> str:
    """A short text for why a value did not read (no input values: they may be large)."""
    if isinstance(exc, ValidationError):
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or 'body'}: {error['msg']}"
            for error in exc.errors(include_url=False, include_input=False)
        ]
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        return "; ".join(problems[:3]) + more
    return str(exc)
