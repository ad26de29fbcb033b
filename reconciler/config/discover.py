"""Finding site files on disk, and choosing sites with `--site` selectors.

Directories are scanned recursively for `*.yaml` / `*.yml`; any file or directory whose name
starts with `_` or `.` is skipped there (shared defaults and emulator fixtures live in such
places). A file named explicitly is always read. A selector that matches nothing is an error.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TypeVar

from reconciler.errors import Problem, SelectionEmpty
from reconciler.model.site import DesiredSite

SUFFIXES = (".yaml", ".yml")
T = TypeVar("T")


@dataclass(frozen=True)
class SiteFile:
    """A site file found, and the config tree root its includes must stay in."""

    path: Path
    display: str
    """The path as messages show it: relative to what was given on the command line."""
    root: Path
    root_display: str
    scanned: bool = False
    """Found by scanning a directory (not named on the command line)."""

    @property
    def tree_named(self) -> str:
        """The config tree as a message names it: a bare "." reads as a sentence's end."""
        return "the current folder" if self.root_display == "." else self.root_display


def discover(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[SiteFile], list[Problem]]:
    """Every site file under `paths`, sorted by path, deduplicated; and the problems."""
    found: dict[Path, SiteFile] = {}
    problems: list[Problem] = []
    if not paths:
        problems.append(Problem("<command line>", 1, 1, "", "no site file or directory given"))
    for raw in paths:
        given = os.fspath(raw)
        files, problem = _expand(given)
        if problem:
            problems.append(Problem(given, 0, 0, "", problem))
        for site_file in files:
            escape = _outside_tree(site_file)
            if escape:
                problems.append(Problem(site_file.display, 1, 1, "", escape))
            else:
                found.setdefault(site_file.path.resolve(), site_file)
    return sorted(found.values(), key=lambda f: f.display), problems


def _expand(given: str) -> tuple[list[SiteFile], str | None]:
    path = Path(given)
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return [], "no such file or directory"
    except OSError as exc:  # a name too long, a loop of links, a folder mpr may not enter
        return [], f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISDIR(mode):
        files = list(_scan(path, given))
        return files, None if files else "no site files (*.yaml, *.yml) in this directory"
    if stat.S_ISREG(mode):
        return [SiteFile(path, given, path.parent, os.path.dirname(given) or ".")], None
    # a device, a FIFO, a socket: never read (it could be endless)
    return [], "not a regular file or a folder: name a site file or a folder of them"


def _scan(root: Path, given: str) -> Iterator[SiteFile]:
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not _hidden(d))
        for name in sorted(names):
            is_file = os.path.isfile(os.path.join(directory, name))  # not a FIFO or a socket
            if name.endswith(SUFFIXES) and not _hidden(name) and is_file:
                relative = os.path.relpath(os.path.join(directory, name), root)
                display = os.path.normpath(os.path.join(given, relative))
                yield SiteFile(Path(directory) / name, display, root, given, scanned=True)


def _outside_tree(site_file: SiteFile) -> str | None:
    """Why a file found by scanning a directory must not be read: a link leading out of it."""
    if not site_file.scanned:
        return None
    real, root = site_file.path.resolve(), site_file.root.resolve()
    if real.is_relative_to(root):
        return None
    return (
        f"a link to {real}, outside the config tree ({site_file.tree_named}): not read "
        "(name the file on the command line to read it)"
    )


def _hidden(name: str) -> bool:
    return name.startswith(("_", "."))


EXCLUDE = "!"
"""A selector that starts with it leaves the sites it matches out (`--site '!salon*'`)."""


def select_sites(sites: Sequence[DesiredSite], selectors: Sequence[str]) -> tuple[DesiredSite, ...]:
    """The sites the selectors choose, in their original order; all of them with no selector.

    A selector is an exact site id, a name glob (case-insensitive), or `label=value` where
    the value may be a glob; with a leading `!` it leaves the sites it matches out (of those
    the other selectors choose, or of every site when all selectors are exclusions). Raises
    SelectionEmpty naming every selector that matched nothing (an exclusion that matches
    nothing is a typo that would leave a site in), or when the selection leaves no site.
    """
    if not selectors:
        return tuple(sites)
    chosen, unmatched = choose(sites, selectors, matches)
    if unmatched:
        raise SelectionEmpty(unmatched, [site.display_name for site in sites])
    if not chosen:
        raise SelectionEmpty(selectors, [site.display_name for site in sites], leaves_none=True)
    return tuple(site for i, site in enumerate(sites) if i in chosen)


def choose(
    items: Sequence[T], selectors: Sequence[str], match: Callable[[T, str], bool]
) -> tuple[set[int], list[str]]:
    """The indexes of `items` that `selectors` choose (`!` excludes), and the selectors that
    matched no item."""
    included: set[int] = set()
    excluded: set[int] = set()
    unmatched: list[str] = []
    for selector in selectors:
        excluding = selector.strip().startswith(EXCLUDE)
        wanted = selector.strip().removeprefix(EXCLUDE) if excluding else selector
        hits = {i for i, item in enumerate(items) if match(item, wanted)}
        if not hits:
            unmatched.append(selector)
        (excluded if excluding else included).update(hits)
    if not any(not s.strip().startswith(EXCLUDE) for s in selectors):
        included = set(range(len(items)))
    return included - excluded, unmatched


def matches(site: DesiredSite, selector: str) -> bool:
    """Whether one selector picks `site`."""
    wanted = selector.strip()
    if "=" in wanted:
        key, _, pattern = wanted.partition("=")
        value = site.labels.get(key.strip())
        return value is not None and fnmatchcase(value.lower(), pattern.strip().lower())
    if wanted.lower() == site.id.lower():
        return True
    return bool(wanted) and fnmatchcase(site.name.lower(), wanted.lower())
