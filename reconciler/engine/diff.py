"""Pure diff of desired against live state: settings field by field, events by name.

Both sides are canonical before they are compared (model.settings.canonical, events in UTC
with Wix's time spelling), so what the API normalises never shows as a change and a plan
made right after a successful apply is empty.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import takewhile
from typing import Any

from deepdiff import DeepDiff

from reconciler.engine.plan import EventChange, SettingChange
from reconciler.model.events import CalendarEvent
from reconciler.model.settings import (
    KEYWORD_RESEARCH_PATHS,
    SET_PATHS,
    ManagedSettings,
    live_values,
)
from reconciler.model.site import LiveSite


def diff_settings(
    desired: ManagedSettings, live_document: Mapping[str, Any]
) -> tuple[SettingChange, ...]:
    """One SettingChange per managed path whose live value differs, in path order."""
    wanted = dict(desired.values)
    live = live_values(live_document, list(wanted), wanted)
    tree = DeepDiff(live, wanted, view="tree", verbose_level=2)
    changed = {level.path(output_format="list")[0] for levels in tree.values() for level in levels}
    return tuple(SettingChange(p, live[p], wanted[p]) for p in sorted(changed))


@dataclass(frozen=True)
class Leaf:
    """One changed leaf of a setting: a member of an object, a set of members, or a value."""

    path: str
    before: Any
    after: Any

    @property
    def is_set(self) -> bool:
        """Whether the value is a list whose order means nothing (see model.settings)."""
        return self.path in SET_PATHS

    @property
    def added(self) -> tuple[Any, ...]:
        """The members of a set that only `after` has (empty for anything but a set)."""
        return _missing(self.after, self.before) if self.is_set else ()

    @property
    def removed(self) -> tuple[Any, ...]:
        """The members of a set that only `before` has (empty for anything but a set)."""
        return _missing(self.before, self.after) if self.is_set else ()


def setting_leaves(change: SettingChange) -> tuple[Leaf, ...]:
    """The leaves of one changed setting, in path order, for people to read (see `leaves`)."""
    return leaves(change.path, change.before, change.after)


def leaves(path: str, before: Any, after: Any) -> tuple[Leaf, ...]:
    """The leaves where `before` and `after` differ, in path order, below `path` ("": none).

    An object (or one that appears or goes) is split down to the members that changed, so
    one word changed in businessProfile.targetAudience is one leaf; a list is one leaf,
    whose members `Leaf.added` and `Leaf.removed` name when it is a set; any other value is
    the change itself.
    """
    if not (_is_object(before) and _is_object(after)):
        return (Leaf(path, before, after),)
    old, new = dict(before or {}), dict(after or {})
    # threshold 0: always down to the members, even when the two share no key at all
    tree = DeepDiff(old, new, view="tree", threshold_to_diff_deeper=0)
    keys = {
        tuple(takewhile(lambda part: isinstance(part, str), level.path(output_format="list")))
        for levels in tree.values()
        for level in levels
    }
    return tuple(
        Leaf(".".join([p for p in (path, *key) if p]), _member(old, key), _member(new, key))
        for key in sorted(keys)
    )


def _is_object(value: Any) -> bool:
    return value is None or isinstance(value, Mapping)


def _member(document: Mapping[str, Any], key: Sequence[str]) -> Any:
    node: Any = document
    for part in key:
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _missing(source: Any, other: Any) -> tuple[Any, ...]:
    """The members of list `source` that list `other` lacks, in `source`'s order."""
    return tuple(item for item in source or () if item not in (other or ()))


def topics_changed(changes: Sequence[SettingChange]) -> bool:
    """Whether any change touches the content pillars (calls for keyword research)."""
    return any(c.path in KEYWORD_RESEARCH_PATHS for c in changes)


@dataclass(frozen=True)
class EventDiff:
    """The event changes plus what is listed but never touched."""

    changes: tuple[EventChange, ...]
    unmanaged: tuple[str, ...]
    read_only: tuple[str, ...]


def diff_events(
    desired: Sequence[CalendarEvent], live: Sequence[CalendarEvent], *, prune: bool
) -> EventDiff:
    """Match events by name: create, update (whole replace) and, with `prune`, delete.

    Connected-calendar events are read-only (the API answers 428): never matched, updated or
    deleted, only listed. When several live events share a declared name (two applies at
    once, a create whose answer was lost), the first is kept and the extra copies are deleted
    as duplicates, whatever `prune` says: a declared event exists once.
    """
    writable = [e for e in live if not e.read_only]
    by_name: dict[str, list[CalendarEvent]] = defaultdict(list)
    for event in writable:
        by_name[event.name].append(event)
    changes: list[EventChange] = []
    claimed: set[str | None] = set()
    for event in desired:
        matches = by_name.get(event.name, [])
        if not matches:
            changes.append(EventChange("create", event.name, after=event.to_json()))
            continue
        current = matches[0]
        claimed.update(e.id for e in matches)
        changes += [
            EventChange("delete", e.name, e.id, before=e.to_json(), duplicate=True)
            for e in matches[1:]
        ]
        if current.content() != event.content():
            changes.append(
                EventChange(
                    "update",
                    event.name,
                    current.id,
                    before=current.to_json(),
                    after=event.to_json(),
                )
            )
    leftovers = [e for e in writable if e.id not in claimed]
    if prune:
        changes += [EventChange("delete", e.name, e.id, before=e.to_json()) for e in leftovers]
    return EventDiff(
        changes=tuple(changes),
        unmanaged=() if prune else tuple(e.name for e in leftovers),
        read_only=tuple(e.name for e in live if e.read_only),
    )


def live_fingerprint(live: LiveSite, managed_paths: Sequence[str]) -> str:
    """A digest of everything a plan was computed from, to tell later whether it went stale."""
    body = {
        "settings": live_values(live.settings_document, list(managed_paths)),
        "events": sorted([e.id or "", *map(str, e.content())] for e in live.events),
        "plan": live.plan.status,
        "activities": [
            [a.id, sorted([d.id, d.status] for d in a.drafts)] for a in live.plan.activities
        ],
    }
    encoded = json.dumps(body, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()
