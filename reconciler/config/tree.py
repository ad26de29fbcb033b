"""The located document tree: plain mappings and lists that remember where each value was read.

`yamlio` builds it; interpolation, the defaults include and validation only read it. Every
mapping (`YMap`) and list (`YList`) carries the `Mark` of itself, of each key and of each
value, so that a problem found anywhere later can still say `file:line:col`. Nothing here
knows YAML: a tree could as well come from JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

PathPart = str | int
KeyPath = tuple[PathPart, ...]


class Mark(NamedTuple):
    """A place in an input file; line and column count from 1."""

    file: str
    line: int
    column: int


class YMap(dict[str, Any]):
    """A mapping read from a file: a plain dict plus the marks of its keys and values."""

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark
        self.key_marks: dict[str, Mark] = {}
        self.value_marks: dict[str, Mark] = {}

    def put(self, key: str, value: Any, key_mark: Mark, value_mark: Mark) -> None:
        """Set `key` together with where its key and value were read."""
        self[key] = value
        self.key_marks[key] = key_mark
        self.value_marks[key] = value_mark

    def copy_entry(self, source: YMap, key: str, value: Any | None = None) -> None:
        """Set `key` from `source` (or `value`, when given) keeping `source`'s marks."""
        self.put(
            key,
            source[key] if value is None else value,
            source.key_marks.get(key, source.mark),
            source.value_marks.get(key, source.mark),
        )


class YList(list[Any]):
    """A list read from a file: a plain list plus the mark of each item."""

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark
        self.item_marks: list[Mark] = []

    def add(self, value: Any, mark: Mark) -> None:
        """Append `value`, read at `mark`."""
        self.append(value)
        self.item_marks.append(mark)


def format_path(path: KeyPath) -> str:
    """Spell a path the way messages show it: `events[1].recurringRule.frequency`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class Located:
    """Where a path's key (for mapping members) and value were read."""

    key: Mark | None
    value: Mark


class Positions:
    """The side table `path → marks` of one document tree, with a forgiving lookup."""

    def __init__(self, root: Any, fallback: Mark) -> None:
        self._table: dict[KeyPath, Located] = {}
        self._table[()] = Located(None, getattr(root, "mark", fallback))
        for path, located in _walk(root, ()):
            self._table[path] = located

    def value(self, path: KeyPath) -> Mark:
        """The mark of the value at `path`, or of the nearest ancestor that exists."""
        return self._nearest(path).value

    def key(self, path: KeyPath) -> Mark:
        """The mark of the key at `path` (its value's for list items), or the nearest ancestor's."""
        located = self._nearest(path)
        return located.key or located.value

    def _nearest(self, path: KeyPath) -> Located:
        while path not in self._table:
            path = path[:-1]
        return self._table[path]


def _walk(node: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Located]]:
    if isinstance(node, YMap):
        for key, value in node.items():
            child = (*path, key)
            yield child, Located(node.key_marks.get(key), node.value_marks.get(key, node.mark))
            yield from _walk(value, child)
    elif isinstance(node, YList):
        for index, value in enumerate(node):
            child = (*path, index)
            mark = node.item_marks[index] if index < len(node.item_marks) else node.mark
            yield child, Located(None, mark)
            yield from _walk(value, child)
