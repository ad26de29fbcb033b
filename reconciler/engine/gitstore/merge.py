"""Merging two versions of the store's files that moved apart from a common base (pure).

Two appliers (shards, a re-run) push to the same refs; a push that finds the ref moved
merges instead of overwriting. A file only one side changed takes that side. Both changed:

* `state.json` (the journal) merges per site: a site one side changed takes that side, the
  same site changed on both takes ours (the later write, the one being pushed). Comparing
  with the base is what keeps a cleared record cleared: no tombstones needed.
* a lease (`lease*.json`) keeps theirs: a lease is taken by compare-and-swap, never by a
  merge.
* a note (audit lines of one applied commit) is theirs followed by the lines ours added.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from reconciler.engine.gitstore.lease import is_lease

STATE = "state.json"
_SECTIONS = ("pending", "posts")

T = TypeVar("T")


def merge_trees(
    base: Mapping[str, T],
    ours: Mapping[str, T],
    theirs: Mapping[str, T],
    both_changed: Callable[[str, T | None, T | None, T | None], T],
) -> dict[str, T]:
    """The merged tree of two trees that share `base` (values: file contents or blob ids).

    A file only one side changed takes that side; `both_changed(name, base, ours, theirs)`
    decides the others.
    """
    merged: dict[str, T] = {}
    for name in sorted({*ours, *theirs}):
        mine, other, common = ours.get(name), theirs.get(name), base.get(name)
        if mine == other or mine == common:
            chosen = other
        elif other == common:
            chosen = mine
        else:
            chosen = both_changed(name, common, mine, other)
        if chosen is not None:
            merged[name] = chosen
    return merged


def merge_file(name: str, base: bytes, ours: bytes, theirs: bytes) -> bytes:
    """One file both sides changed since `base`, merged as its kind says."""
    if name == STATE:
        return merge_journal(base, ours, theirs)
    if is_lease(name):
        return theirs
    return merge_lines(base, ours, theirs)


def merge_lines(base: bytes, ours: bytes, theirs: bytes) -> bytes:
    """Theirs, then every line ours added since `base` that theirs does not hold."""
    old = base.splitlines(keepends=True)
    mine = ours.splitlines(keepends=True)
    added = mine[len(old) :] if mine[: len(old)] == old else [x for x in mine if x not in old]
    held = set(theirs.splitlines(keepends=True))
    text = theirs if not theirs or theirs.endswith(b"\n") else theirs + b"\n"
    return text + b"".join(line for line in added if line not in held)


def merge_journal(base: bytes, ours: bytes, theirs: bytes) -> bytes:
    """Per site and section: what the side that changed it since `base` says (ours if both)."""
    old, mine, other = _body(base), _body(ours), _body(theirs)
    merged: dict[str, Any] = dict(other)
    for section in _SECTIONS:
        was, now, their = old.get(section, {}), mine.get(section, {}), other.get(section, {})
        result = dict(their)
        for site in {*was, *now}:
            if now.get(site) == was.get(site):
                continue  # ours did not touch this site: theirs stands
            if site in now:
                result[site] = now[site]
            else:
                result.pop(site, None)
        if result or section == "pending":
            merged[section] = dict(sorted(result.items()))
        else:
            merged.pop(section, None)
    return (json.dumps(merged, indent=2) + "\n").encode("utf-8")


def _body(text: bytes) -> dict[str, Any]:
    """A journal's JSON object; an unreadable one counts as empty (the reader reports it)."""
    try:
        body = json.loads(text or b"{}")
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    return {k: (v if isinstance(v, dict) or k not in _SECTIONS else {}) for k, v in body.items()}
