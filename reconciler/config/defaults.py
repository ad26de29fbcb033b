"""The `defaults:` include: a shared, partial document merged under a site file.

Merge rules (the site always wins): mappings are merged key by key, recursively; `events`
are merged by name (a site event replaces the shared one of the same name, in its place;
new ones are appended); any other value, lists included, is replaced whole. The defaults
file's top-level `labels` become `site.labels`. The include path is relative to the site
file and must stay inside the config tree root given on the command line; a defaults file
may not contain `site` or `defaults` itself (no chains).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from reconciler.config.tree import Mark, YList, YMap
from reconciler.errors import Problem

_SHARED_SECTIONS = ("settings", "overrides", "policy", "events", "auth")


def resolve(
    reference: object, mark: Mark, site_path: Path, root: Path, tree_named: str
) -> tuple[Path | None, str, list[Problem]]:
    """Find the file `defaults: reference` names; returns (path, display, problems)."""
    if not isinstance(reference, str) or not reference.strip():
        return None, "", [_problem(mark, "defaults must be a path to a YAML file")]
    target = site_path.parent / reference
    display = os.path.normpath(os.path.join(os.path.dirname(mark.file), reference))
    try:
        inside = target.resolve().is_relative_to(root.resolve())
        found = inside and target.is_file()
    except (OSError, ValueError):  # a NUL byte, a symlink loop, ...
        return None, display, [_problem(mark, f"defaults file {reference!r} cannot be read")]
    if not inside:
        message = (
            f"{reference} is outside the config tree ({tree_named}): move it into that folder "
            "(a name starting with _ keeps it from being read as a site file)"
        )
        return None, display, [_problem(mark, message)]
    if not found:
        return None, display, [_problem(mark, f"defaults file {reference} not found")]
    return target, display, []


def merge(shared: YMap, site: YMap) -> YMap:
    """The site document with `shared` merged under it."""
    # Labels alone make no `site:`: a site file without one is told so at its own line.
    base = _site_shaped(shared, site_given="site" in site)
    merged = _merge_value(base, site, top=True)
    assert isinstance(merged, YMap)
    return merged


def _site_shaped(shared: YMap, *, site_given: bool) -> YMap:
    shaped = YMap(shared.mark)
    for key in _SHARED_SECTIONS:
        if key in shared:
            shaped.copy_entry(shared, key)
    if site_given and "labels" in shared:
        site = YMap(shared.key_marks["labels"])
        site.copy_entry(shared, "labels")
        shaped.put("site", site, shared.key_marks["labels"], shared.key_marks["labels"])
    return shaped


def _merge_value(base: Any, over: Any, top: bool = False) -> Any:
    if not (isinstance(base, YMap) and isinstance(over, YMap)):
        return over
    merged = YMap(over.mark)
    for key, value in over.items():
        if key not in base:
            merged.copy_entry(over, key)
        elif top and key == "events":
            merged.copy_entry(over, key, _merge_events(base[key], value))
        else:
            merged.copy_entry(over, key, _merge_value(base[key], value))
    for key in base:
        if key not in over:
            merged.copy_entry(base, key)
    return merged


def _merge_events(base: Any, over: Any) -> Any:
    if not (isinstance(base, YList) and isinstance(over, YList)):
        return over
    merged = YList(base.mark)
    position: dict[str, int] = {}
    for item, mark in zip(base, base.item_marks, strict=True):
        name = _name(item)
        if name is not None and name not in position:
            position[name] = len(merged)
        merged.add(item, mark)
    replaced: set[str] = set()
    for item, mark in zip(over, over.item_marks, strict=True):
        name = _name(item)
        if name is not None and name in position and name not in replaced:
            replaced.add(name)
            merged[position[name]] = item
            merged.item_marks[position[name]] = mark
        else:
            merged.add(item, mark)
    return merged


def _name(event: Any) -> str | None:
    name = event.get("name") if isinstance(event, YMap) else None
    return name if isinstance(name, str) else None


def _problem(mark: Mark, message: str) -> Problem:
    return Problem(mark.file, mark.line, mark.column, "defaults", message)
