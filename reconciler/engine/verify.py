"""Verify after write: did Wix keep what apply sent? (SPEC.md §5 reading rule, #22)

A write answered 200 is not proof that Wix stored the value: what the write returns (the
upsert returns the whole stored settings object, CreateEvent/UpdateEvent the stored event)
is compared with what was sent, with the same canonical values and leaf logic the diff
uses, so what Wix normalises (set order, empty values, time spelling), derives (the
read-only settings, which a site file cannot manage) or adds (members mpr does not know)
is never a difference. A difference is one line per leaf:

    did not converge: settings.toneOfVoice — sent "x", Wix kept "y"

and apply fails the site before the plan action those writes made due: regenerating on a
write that did not take would regenerate again at every run, silently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reconciler.engine.diff import diff_settings, leaves, setting_leaves
from reconciler.model.events import CalendarEvent
from reconciler.model.settings import ManagedSettings


def settings_not_kept(sent: Mapping[str, Any], stored: Mapping[str, Any]) -> list[str]:
    """One line per leaf of the sent settings (path → canonical value) that the stored
    `marketingSettings` document (settings + overrides) does not hold."""
    changes = diff_settings(ManagedSettings(dict(sent)), stored)
    return [
        _line(leaf.path, leaf.after, leaf.before)
        for change in changes
        for leaf in setting_leaves(change)
    ]


def event_not_kept(sent: CalendarEvent, stored: CalendarEvent) -> list[str]:
    """One line per member of the event Wix answered that differs from the one sent."""
    if sent.content() == stored.content():
        return []
    where = f"event {sent.name!r}"
    return [
        _line(leaf.path, leaf.before, leaf.after)
        for leaf in leaves(where, _comparable(sent), _comparable(stored))
    ]


def _comparable(event: CalendarEvent) -> dict[str, Any]:
    body = event.to_json()
    if not body.get("description"):
        body.pop("description", None)
    return body


def _line(path: str, sent: Any, kept: Any) -> str:
    return f"did not converge: {path} — sent {_shown(sent)}, Wix kept {_shown(kept)}"


def _shown(value: Any) -> str:
    return "nothing" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
