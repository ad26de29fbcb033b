"""Faults that bend what a request does or how its answer reads (first contact, #22).

A real Wix may answer in shapes the docs allow but this emulator never produces, and may
answer 200 to a write it did not keep. These pure functions let a `FaultRule` stage both:

* `keep_old_body` rewrites an UpsertMarketingSettings body so that the chosen masked paths
  carry the values already stored: the backend runs a real upsert, the answer (the full
  stored object) shows the old value, and nothing else differs from a normal answer.
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
