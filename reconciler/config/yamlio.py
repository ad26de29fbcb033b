"""Safe, bounded YAML reading into a located tree (the only module that imports `yaml`).

* `yaml.SafeLoader` underneath: no Python objects, no custom tags.
* YAML 1.2-style scalars: only `true`/`false` are booleans (`no`, `on`, `yes` stay strings,
  so a country label `no` is not silently `false`), and timestamps stay strings (the
  documents parse and check them, time zone included).
* Duplicate keys are reported at the second occurrence; merge keys (`<<`) work.
* Bounded: files over `MAX_FILE_BYTES` are refused unread, and aliases may expand to at most
  `MAX_ALIAS_NODES` nodes in all, so a "billion laughs" file fails fast in bounded memory.

`read_yaml` never raises for bad input: it returns the problems it found instead.
`dump_yaml` writes the other way (for `mpr import`): keys in the order given, block mappings,
short lists of scalars in flow style, multi-line text as literal blocks, and every scalar that
YAML 1.1 or 1.2 could read as something else (`no`, `on`, timestamps, `=`) quoted, so that
`read_yaml` gives back exactly the data dumped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config.tree import KeyPath, Mark, YList, YMap, format_path
from reconciler.errors import Problem

MAX_FILE_BYTES = 1024 * 1024
MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 50

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_NULL = "tag:yaml.org,2002:null"
_VALUE = "tag:yaml.org,2002:value"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and no implicit timestamps."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

# libyaml parses several times faster. Same resolvers; on any error the file is parsed again
# by the pure-Python loader, whose messages (and marks) the error texts are written against.
_FastLoader: type[Any] | None = None
if hasattr(yaml, "CSafeLoader"):

    class _CLoader(yaml.CSafeLoader):
        """libyaml's parser with _Loader's resolvers."""

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

    _FastLoader = _CLoader


@dataclass
class Parsed:
    """What reading one file gave: the tree (None when unusable) and every problem found."""

    tree: Any
    problems: list[Problem] = field(default_factory=list)
    empty: bool = False


class _Fatal(Exception):
    """Stops the walk: the document cannot be used at all."""

    def __init__(self, mark: Mark, message: str, path: KeyPath = ()) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.path = path


def read_yaml(path: Path, display: str) -> Parsed:
    """Read and parse `path`, naming it `display` in problems."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return _failed(Mark(display, 1, 1), f"cannot read the file: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        return _failed(
            Mark(display, 1, 1),
            f"the file is larger than 1 MiB ({MAX_FILE_BYTES} bytes); a site file never is",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(
            data[: exc.start].decode("utf-8", "replace"), len(data[: exc.start])
        )
        return _failed(Mark(display, line, column), "the file is not valid UTF-8 text")
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> Parsed:
    """Parse YAML `text` into a located tree.

    libyaml, when installed, parses the file. A file it cannot parse is parsed again by the
    pure-Python loader, whose messages and marks the syntax errors are written against. What
    mpr itself finds wrong in a file libyaml parsed (a duplicate key, a tag it refuses) is
    told as found: the pure-Python loader is stricter (a tab after `key:`), and a second
    problem must not turn a line mpr accepts alone into an error.
    """
    try:
        if _FastLoader is not None:
            try:
                return _parse_with(_FastLoader, text, display)
            except (yaml.YAMLError, RecursionError):
                pass  # parsed again below, for the pure-Python loader's words
        return _parse_with(_Loader, text, display)
    except _Fatal as exc:
        return _failed(exc.mark, exc.message, exc.path)
    except yaml.MarkedYAMLError as exc:
        return _failed(_yaml_mark(exc, display), "invalid YAML: " + _describe(exc))
    except yaml.reader.ReaderError as exc:
        return _reader_failed(exc, text, display)
    except yaml.YAMLError as exc:
        return _failed(Mark(display, 1, 1), f"invalid YAML: {exc}")
    except RecursionError:
        return _failed(Mark(display, 1, 1), f"invalid YAML: nested deeper than {MAX_DEPTH} levels")


def _parse_with(loader_class: type[Any], text: str, display: str) -> Parsed:
    """Compose and walk the document; YAML errors and fatal problems propagate."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed(None, empty=True)
        if node.tag == _NULL:
            # `~`, `null` or an empty `---`: no document either, only spelled out.
            mark = Mark(display, node.start_mark.line + 1, node.start_mark.column + 1)
            message = "the file holds only null: a site file is a mapping (`version: 1`, …)"
            return _failed(mark, message)
        walker = _Walker(loader, display)
        return Parsed(walker.value(node, (), 0, False, frozenset()), walker.problems)
    finally:
        loader.dispose()


def _failed(mark: Mark, message: str, path: KeyPath = ()) -> Parsed:
    return Parsed(None, [Problem(mark.file, mark.line, mark.column, format_path(path), message)])


def _reader_failed(exc: yaml.reader.ReaderError, text: str, display: str) -> Parsed:
    line, column = _position(text, exc.position)
    return _failed(
        Mark(display, line, column), f"invalid YAML: {exc.reason} (#x{exc.character:04x})"
    )


def _describe(exc: yaml.MarkedYAMLError) -> str:
    problem = _short(exc.problem or "syntax error")
    if not exc.context or exc.context_mark is None or exc.problem_mark is None:
        return problem
    where = f"at line {exc.context_mark.line + 1}"
    if problem.startswith("but "):  # the composer phrases it as "<context>, but <problem>"
        return f"{exc.context} {where}, {problem}"
    return f"{problem} ({exc.context} {where})"


def _short(text: str) -> str:
    return text.replace("tag:yaml.org,2002:", "!!")


def _yaml_mark(exc: yaml.MarkedYAMLError, display: str) -> Mark:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return Mark(display, 1, 1)
    return Mark(display, mark.line + 1, mark.column + 1)


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


class _Walker:
    """Turns composed YAML nodes into YMap/YList/scalars, counting what aliases expand to."""

    def __init__(self, loader: _Loader, display: str) -> None:
        self.loader = loader
        self.display = display
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.alias_budget = MAX_ALIAS_NODES

    def mark(self, node: Node) -> Mark:
        return Mark(self.display, node.start_mark.line + 1, node.start_mark.column + 1)

    def value(
        self, node: Node, path: KeyPath, depth: int, aliased: bool, stack: frozenset[int]
    ) -> Any:
        if id(node) in stack:
            raise _Fatal(
                self.mark(node), "invalid YAML: an alias refers to itself (recursive data)", path
            )
        aliased = aliased or id(node) in self.seen
        self.seen.add(id(node))
        if aliased:
            self.alias_budget -= 1
            if self.alias_budget < 0:
                raise _Fatal(
                    self.mark(node),
                    f"invalid YAML: aliases expand to more than {MAX_ALIAS_NODES} values"
                    " (a YAML bomb?); write the values out instead",
                )
        if depth > MAX_DEPTH:
            message = f"invalid YAML: nested deeper than {MAX_DEPTH} levels"
            raise _Fatal(self.mark(node), message, path)
        inner = stack | {id(node)}
        if isinstance(node, MappingNode):
            return self.mapping(node, path, depth, aliased, inner)
        if isinstance(node, SequenceNode):
            return self.sequence(node, path, depth, aliased, inner)
        return self.scalar(node, path)

    def scalar(self, node: Node, path: KeyPath) -> Any:
        if node.tag == _VALUE:  # a lone "=" is just text
            return str(node.value)
        if node.tag not in _SCALAR_TAGS:
            raise _Fatal(
                self.mark(node),
                f"unsupported YAML tag {_short(node.tag)}; quote the value if it is a string",
                path,
            )
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, KeyError, IndexError):  # `!!int three`: a tag its text does not fit
            message = f"invalid YAML: {node.value[:40]!r} is not a valid {_short(node.tag)}"
            raise _Fatal(self.mark(node), message, path) from None
        if isinstance(value, str):
            self._check_text(value, node, path)
        return value

    def sequence(
        self, node: SequenceNode, path: KeyPath, depth: int, aliased: bool, stack: frozenset[int]
    ) -> YList:
        self._check_tag(node, path, _SEQ)
        result = YList(self.mark(node))
        for index, item in enumerate(node.value):
            result.add(self.value(item, (*path, index), depth + 1, aliased, stack), self.mark(item))
        return result

    def mapping(
        self, node: MappingNode, path: KeyPath, depth: int, aliased: bool, stack: frozenset[int]
    ) -> YMap:
        self._check_tag(node, path, _MAP)
        result = YMap(self.mark(node))
        sources: list[YMap] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                sources.extend(self.merge_sources(value_node, path, depth, aliased, stack))
                continue
            key = self.key(key_node, path)
            if key is None:
                continue
            if key in result:
                self.duplicate(key_node, key, result.key_marks[key], path)
                continue
            value = self.value(value_node, (*path, key), depth + 1, aliased, stack)
            result.put(key, value, self.mark(key_node), self.mark(value_node))
        for source in sources:
            for key in source:
                if key not in result:
                    result.copy_entry(source, key)
        return result

    def merge_sources(
        self, node: Node, path: KeyPath, depth: int, aliased: bool, stack: frozenset[int]
    ) -> list[YMap]:
        merged = self.value(node, path, depth + 1, aliased, stack)
        items = merged if isinstance(merged, YList) else [merged]
        if not all(isinstance(item, YMap) for item in items):
            raise _Fatal(
                self.mark(node),
                "invalid YAML: << (merge) takes a mapping or a list of mappings",
                path,
            )
        return list(items)

    def key(self, node: Node, path: KeyPath) -> str | None:
        if isinstance(node, ScalarNode) and node.tag.startswith("tag:yaml.org,2002:"):
            self._check_text(str(node.value), node, path)
            return str(node.value)
        mark = self.mark(node)
        self.problems.append(
            Problem(
                mark.file, mark.line, mark.column, format_path(path), "keys must be plain strings"
            )
        )
        return None

    def duplicate(self, node: Node, key: str, first: Mark, path: KeyPath) -> None:
        mark = self.mark(node)
        message = f"duplicate key {key!r} (first at line {first.line}); keep one"
        self.problems.append(
            Problem(mark.file, mark.line, mark.column, format_path((*path, key)), message)
        )

    def _check_text(self, text: str, node: Node, path: KeyPath) -> None:
        # "\ud800" escapes decode to lone surrogates, which no file name or digest can hold.
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            message = "invalid YAML: the text holds an invalid character (a lone surrogate)"
            raise _Fatal(self.mark(node), message, path) from None

    def _check_tag(self, node: Node, path: KeyPath, expected: str) -> None:
        if node.tag != expected:
            raise _Fatal(self.mark(node), f"unsupported YAML tag {_short(node.tag)}", path)


class _Dumper(yaml.SafeDumper):
    """SafeDumper with block mappings, flow lists of scalars and literal multi-line text.

    Its resolvers are YAML 1.1's, a superset of what `_Loader` resolves, so any string that
    either could misread (`yes`, `2026-11-27`, `=`) comes out quoted.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as the examples and most editors do.
        super().increase_indent(flow, False)


def _represent_mapping(dumper: _Dumper, data: Mapping[str, Any]) -> Node:
    return dumper.represent_mapping(_MAP, data.items(), flow_style=False)


def _represent_list(dumper: _Dumper, data: list[Any] | tuple[Any, ...]) -> Node:
    flat = all(isinstance(item, str | int | float | bool) or item is None for item in data)
    short = flat and sum(len(str(item)) + 2 for item in data) <= 80
    flow = short and not any(isinstance(item, str) and "\n" in item for item in data)
    return dumper.represent_sequence(_SEQ, data, flow_style=flow)


def _represent_str(dumper: _Dumper, data: str) -> Node:
    style = "|" if "\n" in data.rstrip("\n") else None
    if "\x85" in data:  # NEL: written raw outside double quotes, it would read back as a break
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(dict, _represent_mapping)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(tuple, _represent_list)
_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """`data` (dicts, lists, scalars) as YAML text that `parse_yaml` reads back unchanged."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,  # one line per scalar: easier to read and to diff
        indent=2,
    )
    return text
