"""Live state → a canonical site document and its YAML text (for `mpr import`).

The document holds what a site file may manage and nothing else: the writable settings that
are set (read-only ones such as `language` are Wix's to derive), the per-tool frequency
overrides, and the events that are not read-only (connected-calendar events belong to their
calendar). Values are written in the diff's canonical spelling (sets sorted, empty values
left out) and keys in the order of the document models, so two imports of the same state give
the same bytes. A value this mpr could not read back as written (too long, an unknown enum
value, something that looks like a credential) is left out with a note: left out means
unmanaged, so the plan still shows no change for it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from reconciler.config.desired import fingerprint, to_desired
from reconciler.config.documents import (
    EventDoc,
    SettingsDoc,
    SiteDoc,
    ToolOverrideDoc,
)
from reconciler.config.leaks import looks_secret
from reconciler.config.tree import Mark, Positions
from reconciler.config.validate import allowed_keys, validate_document
from reconciler.config.yamlio import dump_yaml
from reconciler.errors import ConfigInvalid, Problem
from reconciler.model.enums import OVERRIDE_TOOLS
from reconciler.model.events import CalendarEvent
from reconciler.model.policy import Policy
from reconciler.model.settings import READ_ONLY_SETTINGS, WRITABLE_SETTINGS, canonical
from reconciler.model.site import DesiredSite

_LIVE = Mark("<live state>", 1, 1)


@dataclass
class Exported:
    """A site document built from live state, and what was left out of it and why."""

    document: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    """One line per thing left out (so not managed by the file): "what: why"."""


def site_document(
    site_id: str,
    name: str,
    settings_document: Mapping[str, Any],
    events: Sequence[CalendarEvent],
    *,
    policy: Policy | None = None,
    secret: str = "",
) -> Exported:
    """The site file that declares this live state; `secret` is a value never to write."""
    out = Exported({"version": 1, "site": {"id": site_id.lower(), "name": name}})
    settings = _settings(settings_document.get("settings") or {}, out.notes, secret)
    if settings:
        out.document["settings"] = settings
    overrides = _overrides(settings_document.get("overrides") or {}, out.notes, secret)
    if overrides:
        out.document["overrides"] = overrides
    declared = _events(events, out.notes, secret)
    if declared:
        out.document["events"] = declared
    out.document["policy"] = policy_document(policy or Policy())
    return out


def _settings(live: Mapping[str, Any], notes: list[str], secret: str) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name in WRITABLE_SETTINGS:
        value = canonical(f"settings.{name}", live.get(name))
        if value is None:
            continue
        reason = _refusal(SettingsDoc, {name: value}, secret) or _setting_rule(name, value)
        if reason:
            notes.append(f"settings.{name}: {reason}")
            continue
        settings[name] = _ordered(value, SettingsDoc, (name,))
    for name in sorted(set(live) - set(WRITABLE_SETTINGS) - set(READ_ONLY_SETTINGS)):
        if canonical(f"settings.{name}", live[name]) is not None:
            notes.append(f"settings.{name}: this mpr does not know the field")
    return settings


def name_calendars(document: dict[str, Any], titles: Mapping[str, str]) -> None:
    """Write the calendars of `settings.calendar.ids` that have a title of their own
    (`titles`: id → title) by that title instead, in `settings.calendar.names`."""
    calendar = (document.get("settings") or {}).get("calendar")
    if not isinstance(calendar, dict) or not calendar.get("ids"):
        return
    ids = [i for i in calendar["ids"] if not 0 < len(titles.get(i, "")) <= MAX_TITLE]
    names = sorted(titles[i] for i in calendar["ids"] if i not in ids)
    if names:
        document["settings"]["calendar"] = {"ids": ids, "names": names} if ids else {"names": names}


MAX_TITLE = 200
"""settings.calendar.names' limit in a site file: a longer title stays an id."""


def _setting_rule(name: str, value: Any) -> str | None:
    """What `mpr validate` checks beyond the schema (semantics.py), for one settings field."""
    if name == "marketingPlanGoal" and ("goalKey" in value) == ("customGoal" in value):
        return "a site file gives goalKey or customGoal, exactly one of them"
    if name == "topics":
        both = set(value.get("included") or ()) & set(value.get("excluded") or ())
        if both:
            return f"{sorted(both)[0]!r} is both included and excluded"
    return None


def _overrides(live: Mapping[str, Any], notes: list[str], secret: str) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for tool in OVERRIDE_TOOLS:
        fields = live.get(tool)
        if not isinstance(fields, Mapping):
            continue
        frequency = canonical(f"overrides.{tool}.frequency", fields.get("frequency"))
        if frequency is not None:
            reason = _refusal(ToolOverrideDoc, {"frequency": frequency}, secret)
            if reason:
                notes.append(f"overrides.{tool}.frequency: {reason}")
            else:
                spelled = _ordered(frequency, ToolOverrideDoc, ("frequency",))
                overrides[tool] = {"frequency": spelled}
        for name in sorted(set(fields) - {"frequency"}):
            if canonical(f"overrides.{tool}.{name}", fields[name]) is not None:
                notes.append(f"overrides.{tool}.{name}: this mpr does not know the field")
    return overrides  # OVERRIDE_TOOLS is already the schema's order


def _events(events: Sequence[CalendarEvent], notes: list[str], secret: str) -> list[Any]:
    declared: list[Any] = []
    names: set[str] = set()
    read_only = 0
    for event in events:
        if event.read_only:
            read_only += 1
            continue
        body = event.to_json()
        if event.name in names:
            notes.append(
                f"event {event.name!r}: another live event has the same name (apply deletes "
                "the extra copy: a declared event exists once)"
            )
            continue
        reason = _refusal(EventDoc, body, secret) or _event_kind(event)
        if reason:
            notes.append(f"event {event.name!r}: {reason}")
            continue
        names.add(event.name)
        declared.append(body)
    if read_only:
        notes.append(
            f"{read_only} read-only event(s) of connected calendars: they belong to their calendar"
        )
    return declared


def _event_kind(event: CalendarEvent) -> str | None:
    rule = event.recurring_rule
    if rule is None and event.date is None:
        return "it has neither a date nor a recurring rule"
    if rule is not None and not rule.fires():
        return "its recurring rule ends before it starts"
    return None


def policy_document(policy: Policy) -> dict[str, Any]:
    """A `policy:` section that spells out every value, defaults included."""
    schedule: dict[str, Any] = {"enabled": policy.schedule.enabled}
    if policy.schedule.channels is not None:
        schedule["channels"] = list(policy.schedule.channels)
    schedule["horizonDays"] = policy.schedule.horizon_days
    schedule["generateMissingPosts"] = policy.schedule.generate_missing_posts
    schedule["afterGeneration"] = policy.schedule.after_generation
    schedule["blockWords"] = list(policy.schedule.block_words)
    schedule["quietDays"] = list(policy.schedule.quiet_days)
    schedule["quietDates"] = list(policy.schedule.quiet_dates)
    if policy.schedule.max_per_day is not None:
        schedule["maxPerDay"] = policy.schedule.max_per_day
    schedule["timeZone"] = policy.schedule.time_zone
    schedule["holdExcludedTopics"] = policy.schedule.hold_excluded_topics
    return {
        "pruneEvents": policy.prune_events,
        "regenerate": policy.regenerate,
        "wait": {
            "timeout": duration_text(policy.wait_timeout_seconds),
            "maxAttempts": policy.max_generation_attempts,
        },
        "schedule": schedule,
        "deleteGuard": {
            "percent": _number(policy.delete_guard.percent),
            "minEvents": policy.delete_guard.min_events,
        },
    }


def duration_text(seconds: float) -> str | float:
    """900 → "15m", 5400 → "1h30m", 90 → "90s"; a fraction of a second stays a number."""
    if seconds != int(seconds):
        return seconds
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if secs and (hours or minutes):
        return f"{whole}s"
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return text or f"{secs}s"


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _refusal(model: type[BaseModel], body: Mapping[str, Any], secret: str) -> str | None:
    """Why `body` cannot be written as it is (None: it can)."""
    _, problems = validate_document(model, body, Positions(body, _LIVE))
    if problems:
        first = problems[0]
        inner = first.path not in ("", *body)
        return f"{first.path}: {first.message}" if inner else first.message
    if any(looks_secret(text, secret) for text in _strings(body)):
        return "it looks like a credential, which a site file must never hold"
    return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _ordered(value: Any, model: type[BaseModel], path: tuple[str, ...]) -> Any:
    """`value` with its mapping keys in the document model's order (unknown keys last)."""
    if not isinstance(value, Mapping):
        return value
    known = allowed_keys(model, path)
    keys = [k for k in known if k in value] + sorted(k for k in value if k not in known)
    return {k: _ordered(value[k], model, (*path, k)) if known else value[k] for k in keys}


def desired_site(document: Mapping[str, Any], source: str) -> DesiredSite:
    """The DesiredSite a document declares; raise ConfigInvalid if it does not validate."""
    positions = Positions(document, Mark(source, 1, 1))
    doc, problems = validate_document(SiteDoc, document, positions)
    if doc is None:
        raise ConfigInvalid(problems or [Problem(source, 1, 1, "", "invalid document")])
    return to_desired(doc, source, fingerprint(document))


def render_site_file(exported: Exported, schema: str, header: Sequence[str] = ()) -> str:
    """The YAML text of a site file: the schema modeline, `header` comments, the document.

    Every `${` in a value is written `$${`, so interpolation gives the live text back.
    """
    lines = [f"# yaml-language-server: $schema={schema}"]
    comments = [*header, *(f"Left out (not managed here): {note}" for note in exported.notes)]
    for text in comments:
        lines.append("#")
        lines += [f"# {line}" for line in textwrap.wrap(text, 96, break_long_words=False)]
    return "\n".join(lines) + "\n" + dump_yaml(_escaped(exported.document))


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, Mapping):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(v) for v in value]
    return value
