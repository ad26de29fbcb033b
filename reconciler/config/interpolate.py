"""`${ENV_VAR}` interpolation inside string values of a located tree.

Only string values are touched (never keys, numbers or booleans), and the result stays a
string. `$${` writes a literal `${`. A variable that is not set is an error naming the file,
line and field; so is a malformed reference such as `${1X}` or an unclosed `${X`.

A credential is never expanded: a site file never needs one, and expanding it would copy the
secret into a setting, every plan output (a pull-request comment included) and Wix itself.
Refused: `WIX_API_KEY`, every variable an `auth` block names for a secret (`refused`), any
variable whose name says it holds a secret (`SECRET`, `TOKEN` or `PASSWORD` in it, or a
`_KEY` ending), and any variable whose value holds the value of one of those.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.config.tree import KeyPath, Mark, YList, YMap, format_path
from reconciler.errors import Problem

SECRET_VARIABLES = frozenset({"WIX_API_KEY", "GITHUB_TOKEN", "GH_TOKEN"})
"""Credentials by name, whatever the site files say (the pattern below covers most too)."""
_SECRET_WORDS = ("SECRET", "TOKEN", "PASSWORD")
_MIN_SECRET_VALUE = 8
"""A shorter value is not looked for inside others: "true" is no credential worth matching."""

_TOKEN = re.compile(r"\$\$\{|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}|\$\{")


def interpolate(
    tree: Any,
    env: Mapping[str, str],
    where: Mark | None = None,
    refused: Mapping[str, str] | None = None,
) -> tuple[Any, list[Problem]]:
    """Return a copy of `tree` with references replaced, and the problems found.

    `where` locates a document that is a bare string (it has no marks of its own).
    `refused`: the variables the configuration's `auth` blocks name for a secret → where.
    """
    problems: list[Problem] = []
    rules = _Refusals(env, refused or {})
    return _node(tree, (), rules, problems, where), problems


def names_a_secret(name: str) -> bool:
    """Whether a variable's name says it holds a credential."""
    upper = name.upper()
    return any(word in upper for word in _SECRET_WORDS) or upper.endswith("_KEY")


def credential_values(env: Mapping[str, str], named: Iterable[str] = ()) -> set[str]:
    """The values of every credential variable set in `env` (`SECRET_VARIABLES`, `named`
    ones, those `names_a_secret`) long enough to be looked for inside other text."""
    secret = {*SECRET_VARIABLES, *named, *filter(names_a_secret, env)}
    return {env[n] for n in secret if len(env.get(n, "").strip()) >= _MIN_SECRET_VALUE}


class _Refusals:
    """Which references may not be expanded, and why."""

    def __init__(self, env: Mapping[str, str], named: Mapping[str, str]) -> None:
        self.env = env
        self.named = named
        self.values = credential_values(env, named)

    def why(self, name: str) -> str | None:
        """Why `${name}` is refused; None when it may be expanded."""
        if name in self.named:
            return f"{self.named[name]} names it for a credential"
        if name in SECRET_VARIABLES or names_a_secret(name):
            return "its name says it holds a credential"
        value = self.env.get(name, "")
        if any(secret in value for secret in self.values):
            return "its value holds a credential's"
        return None


def strip_references(text: str) -> str:
    """`text` with every `${NAME}` reference and `$${` escape blanked out."""
    return _TOKEN.sub(" ", text)


def _node(node: Any, path: KeyPath, rules: _Refusals, out: list[Problem], mark: Mark | None) -> Any:
    if isinstance(node, YMap):
        result = YMap(node.mark)
        for key, value in node.items():
            value_mark = node.value_marks.get(key, node.mark)
            result.copy_entry(node, key, _node(value, (*path, key), rules, out, value_mark))
        return result
    if isinstance(node, YList):
        items = YList(node.mark)
        for index, value in enumerate(node):
            item_mark = node.item_marks[index]
            items.add(_node(value, (*path, index), rules, out, item_mark), item_mark)
        return items
    if isinstance(node, str) and "${" in node:
        return _string(node, path, rules, out, mark)
    return node


def _string(
    text: str, path: KeyPath, rules: _Refusals, out: list[Problem], mark: Mark | None
) -> str:
    env = rules.env

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
        why = rules.why(name)
        if why is not None:
            _report(
                out,
                mark,
                path,
                f"${{{name}}} would copy a secret into the site's settings and every plan "
                f"output ({why}): site files never need it",
            )
            return match.group(0)
        if name not in env:
            _report(
                out, mark, path, f"environment variable {name} is not set (used as ${{{name}}})"
            )
            return match.group(0)
        return env[name]

    return _TOKEN.sub(replace, text)


def _snippet(text: str, start: int) -> str:
    """The bad reference as written: up to its closing brace, or to the next space."""
    rest = text[start:]
    end = min((i for i in (rest.find("}") + 1, rest.find(" ")) if i > 0), default=len(rest))
    return rest[:end]


def _report(out: list[Problem], mark: Mark | None, path: KeyPath, message: str) -> None:
    where = mark or Mark("", 1, 1)
    out.append(Problem(where.file, where.line, where.column, format_path(path), message))
