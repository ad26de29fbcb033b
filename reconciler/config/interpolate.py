"""`${ENV_VAR}` interpolation inside string values of a located tree.

Only string values are touched (never keys, numbers or booleans), and the result stays a
string. `$${` writes a literal `${`. A variable that is not set is an error naming the file,
line and field; so is a malformed reference such as `${1X}` or an unclosed `${X`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.config.tree import KeyPath, Mark, YList, YMap, format_path
from reconciler.errors import Problem

# Variables that hold credentials: a site file never needs them, and expanding one would copy
# the secret into a setting, every plan output (a PR comment included) and Wix itself.
SECRET_VARIABLES = frozenset({"WIX_API_KEY", "GITHUB_TOKEN", "GH_TOKEN"})

_TOKEN = re.compile(r"\$\$\{|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}|\$\{")


def interpolate(
    tree: Any, env: Mapping[str, str], where: Mark | None = None
) -> tuple[Any, list[Problem]]:
    """Return a copy of `tree` with references replaced, and the problems found.

    `where` locates a document that is a bare string (it has no marks of its own).
    """
    problems: list[Problem] = []
    return _node(tree, (), env, problems, where), problems


def strip_references(text: str) -> str:
    """`text` with every `${NAME}` reference and `$${` escape blanked out."""
    return _TOKEN.sub(" ", text)


def _node(
    node: Any, path: KeyPath, env: Mapping[str, str], out: list[Problem], mark: Mark | None
) -> Any:
    if isinstance(node, YMap):
        result = YMap(node.mark)
        for key, value in node.items():
            value_mark = node.value_marks.get(key, node.mark)
            result.copy_entry(node, key, _node(value, (*path, key), env, out, value_mark))
        return result
    if isinstance(node, YList):
        items = YList(node.mark)
        for index, value in enumerate(node):
            item_mark = node.item_marks[index]
            items.add(_node(value, (*path, index), env, out, item_mark), item_mark)
        return items
    if isinstance(node, str) and "${" in node:
        return _string(node, path, env, out, mark)
    return node


def _string(
    text: str, path: KeyPath, env: Mapping[str, str], out: list[Problem], mark: Mark | None
) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if match.group(0) == "$${":
            return "${"
        if name is None:
            _report(
                out,
                mark,
                path,
                f"malformed reference {_snippet(text, match.start())!r}: write ${{NAME}}"
                " (letters, digits, _) or $${ for a literal ${",
            )
            return match.group(0)
        if name in SECRET_VARIABLES or _holds_the_key(env.get(name), env):
            _report(
                out,
                mark,
                path,
                f"${{{name}}} would copy a secret into the site's settings and every plan "
                "output: site files never need it",
            )
            return match.group(0)
        if name not in env:
            _report(
                out, mark, path, f"environment variable {name} is not set (used as ${{{name}}})"
            )
            return match.group(0)
        return env[name]

    return _TOKEN.sub(replace, text)


def _holds_the_key(value: str | None, env: Mapping[str, str]) -> bool:
    key = env.get("WIX_API_KEY", "")
    return bool(value and key and key in value)


def _snippet(text: str, start: int) -> str:
    """The bad reference as written: up to its closing brace, or to the next space."""
    rest = text[start:]
    end = min((i for i in (rest.find("}") + 1, rest.find(" ")) if i > 0), default=len(rest))
    return rest[:end]


def _report(out: list[Problem], mark: Mark | None, path: KeyPath, message: str) -> None:
    where = mark or Mark("", 1, 1)
    out.append(Problem(where.file, where.line, where.column, format_path(path), message))
