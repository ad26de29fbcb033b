"""Faults that bend what a request does or how its answer reads (first contact, #22).

A real Wix may answer in shapes the docs allow but this emulator never produces, and may
answer 200 to a write it did not keep. These pure functions let a `FaultRule` stage both:

* `keep_old_body` rewrites an UpsertMarketingSettings body so that the chosen masked paths
  carry the values already stored: the backend runs a real upsert, the answer (the full
  stored object) shows the old value, and nothing else differs from a normal answer.
* `reshape_answer` bends a 2xx JSON answer after the backend ran: a member renamed
  (`events` → `results`), members added (`pagingMetadata`), a member of another type, a
  member dropped.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from reconciler.emulator.records import Json, Site


def keep_old_body(body: bytes, site: Site | None, kept: list[str]) -> bytes:
    """`body` with each path of `kept` set to the value `site` stores (null when none)."""
    try:
        request = json.loads(body)
    except ValueError:
        return body  # not JSON: the backend answers 400 as it would anyway
    incoming = request.get("marketingSettings") if isinstance(request, dict) else None
    if site is None or not isinstance(incoming, dict):
        return body
    stored: Json = {"settings": site.settings, "overrides": site.overrides}
    for path in kept:
        _put(incoming, path.split("."), copy.deepcopy(_get(stored, path.split("."))))
    return json.dumps(request).encode()


def masked_paths(body: bytes) -> list[str]:
    """The field-mask paths of an UpsertMarketingSettings body ([] when unreadable)."""
    try:
        mask = json.loads(body).get("fieldMask")
    except (ValueError, AttributeError):
        return []
    return [p.strip() for p in mask.split(",") if p.strip()] if isinstance(mask, str) else []


def _get(tree: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree


def _put(tree: Json, parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        child = tree.get(part)
        if not isinstance(child, dict):
            child = tree[part] = {}
        tree = child
    tree[parts[-1]] = value


def reshape_answer(
    payload: bytes,
    *,
    rename: str | None = None,
    add: Json | None = None,
    retype: str | None = None,
    drop: str | None = None,
) -> bytes:
    """A JSON answer bent as a real server might send it: a member renamed ("old=new",
    dotted paths), members added at the top, a member of another type, a member dropped
    (`drop` may say `*` for every entry of a list: `"events.*.id"`).

    A member the answer lacks is left alone; an answer that is not a JSON object too."""
    try:
        answer = json.loads(payload)
    except ValueError:
        return payload
    if not isinstance(answer, dict):
        return payload
    if rename:
        old, _, new = rename.partition("=")
        parts = old.split(".")
        if _has(answer, parts):
            value = _pop(answer, parts)
            _put(answer, [*parts[:-1], new], value)
    if add:
        answer.update(copy.deepcopy(add))
    if retype:
        parts = retype.split(".")
        if _has(answer, parts):
            _put(answer, parts, _other_type(_get(answer, parts)))
    if drop:
        _drop(answer, drop.split("."))
    return json.dumps(answer).encode()


def _drop(tree: Any, parts: list[str]) -> None:
    """Remove the member at `parts`; `*` stands for every entry of a list."""
    head, rest = parts[0], parts[1:]
    if head == "*" and isinstance(tree, list):
        for entry in tree if rest else ():
            _drop(entry, rest)
    elif isinstance(tree, dict) and head in tree:
        if rest:
            _drop(tree[head], rest)
        else:
            del tree[head]


def _other_type(value: Any) -> Any:
    """`value` as a member of another JSON type, keeping what it held where it can."""
    if isinstance(value, list):
        return {"items": value}
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, str):
        return [value]
    return str(value)


def _has(tree: Any, parts: list[str]) -> bool:
    parent = _get(tree, parts[:-1])
    return isinstance(parent, dict) and parts[-1] in parent


def _pop(tree: Json, parts: list[str]) -> Any:
    for part in parts[:-1]:
        tree = tree[part]
    return tree.pop(parts[-1])
