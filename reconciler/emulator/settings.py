"""Marketing Settings V1 rules: validation, field-mask upsert, defaults and options.

Rules (SPEC §2.6, §3.2, §5.1–5.2, §5.31–5.32):
* ``fieldMask`` is ONE comma-separated string; an array/object is a 400 "Failed to parse
  request message"; every path must be present in ``marketingSettings`` (a key sent as
  ``null`` counts as present) else 428 ``INVALID_FIELD_MASK_ERROR``;
* only masked paths change; a masked path sent as null/empty clears it;
* the whole body is validated like a proto parse: unknown keys, wrong types and unknown enum
  values are 400 naming the field; ``frequency.count`` must be 1–30;
* read-only ``language``/``businessLocation``/``targetLocations`` (and ``id``, ``createdAt``,
  ``updatedAt``) are accepted and ignored even when masked; GET always derives them.
"""

from __future__ import annotations

import copy
from typing import Any

from reconciler.emulator.errors import (
    EmulatorError,
    FieldViolation,
    invalid,
    parse_error,
    precondition,
)
from reconciler.emulator.records import CHANNELS, Json, Site

PLAN_GOALS = ("DRIVE_TRAFFIC", "BRAND_AWARENESS", "BOOST_SALES", "COLLECT_LEADS")
POINTS_OF_VIEW = ("FIRST_PERSON", "SECOND_PERSON", "THIRD_PERSON")
TOOLS = ("SOCIAL_MARKETING", "BLOGS", "EMAIL_MARKETING")
INTERVALS = ("WEEK", "MONTH", "YEAR")
READ_ONLY_SETTINGS = ("language", "businessLocation", "targetLocations")
READ_ONLY_ROOT = ("id", "createdAt", "updatedAt")
DEFAULTS_MASK = ("socialChannels", "calendar", "marketingPlanGoal", "frequency")

NEWER_FIELD = "addedLater"
"""The member a newer Wix API adds to every object when ``newer_fields`` is on (tolerant-reader
tests): accepted in requests and stored like any field, unknown to today's clients."""

Spec = Any  # "str" | "any" | "freq" | ("enum", values) | ("list", Spec) | ("obj", {name: Spec})
FREQUENCY: Spec = "freq"
SETTINGS_SPEC: Spec = (
    "obj",
    {
        "marketingPlanGoal": ("obj", {"goalKey": ("enum", PLAN_GOALS), "customGoal": "str"}),
        "marketingTools": ("list", ("enum", TOOLS)),
        "socialChannels": ("list", ("enum", CHANNELS)),
        "topics": (
            "obj",
            {"included": ("list", "str"), "excluded": ("list", "str"), "coreTopic": "str"},
        ),
        "toneOfVoice": "str",
        "pointOfView": ("enum", POINTS_OF_VIEW),
        "businessProfile": (
            "obj",
            {"valueProposition": "str", "targetAudience": "str", "businessGoal": "str"},
        ),
        "calendar": ("obj", {"ids": ("list", "str")}),
        "frequency": FREQUENCY,
        "customContentGuidelines": "str",
        "imageGuidelines": "str",
        "imageGenerationSettings": "any",
        **{name: "any" for name in READ_ONLY_SETTINGS},
    },
)
TOOL_OVERRIDE: Spec = ("obj", {"frequency": FREQUENCY})
OVERRIDES_SPEC: Spec = (
    "obj",
    {k: TOOL_OVERRIDE for k in ("socialMarketing", "emailMarketing", "blogs")},
)
BODY_SPEC: Spec = (
    "obj",
    {
        "settings": SETTINGS_SPEC,
        "overrides": OVERRIDES_SPEC,
        **{name: "any" for name in READ_ONLY_ROOT},
    },
)


def validate(value: Any, spec: Spec, path: str, newer: bool = False) -> list[FieldViolation]:
    """Every violation in ``value`` against ``spec`` (``null`` is always acceptable).

    With ``newer``, every object may also hold ``NEWER_FIELD``.
    """
    if value is None or spec == "any":
        return []
    if spec == "str":
        return (
            [] if isinstance(value, str) else [FieldViolation(path, "must be a string", "FORMAT")]
        )
    if spec == FREQUENCY:
        return _validate_frequency(value, path, newer)
    kind, inner = spec
    if kind == "enum":
        ok = isinstance(value, str) and value in inner
        return [] if ok else [FieldViolation(path, f"must be one of {', '.join(inner)}", "ENUM")]
    if kind == "list":
        if not isinstance(value, list):
            return [FieldViolation(path, "must be an array", "FORMAT")]
        return [
            v for i, item in enumerate(value) for v in validate(item, inner, f"{path}[{i}]", newer)
        ]
    return _validate_object(value, inner, path, newer)


def _validate_object(
    value: Any, fields: dict[str, Spec], path: str, newer: bool
) -> list[FieldViolation]:
    if not isinstance(value, dict):
        return [FieldViolation(path, "must be an object", "FORMAT")]
    out = []
    for key, item in value.items():
        if newer and key == NEWER_FIELD:
            continue
        if key not in fields:
            out.append(FieldViolation(f"{path}.{key}", "unknown field", "UNKNOWN_FIELD"))
        else:
            out += validate(item, fields[key], f"{path}.{key}", newer)
    return out


def _validate_frequency(value: Any, path: str, newer: bool) -> list[FieldViolation]:
    frequency = {"interval": ("enum", INTERVALS), "count": "any"}
    out = _validate_object(value, frequency, path, newer)
    count = value.get("count") if isinstance(value, dict) else None
    if count is not None and (
        isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 30
    ):
        out.append(FieldViolation(f"{path}.count", "must be an integer from 1 to 30", "RANGE"))
    return out


def parse_mask(raw: Any) -> list[str]:
    """The mask paths; 400 parse error unless ``raw`` is a non-empty comma-separated string."""
    if raw is None or raw == "":
        raise invalid("fieldMask", "is required", "REQUIRED_FIELD")
    if not isinstance(raw, str):
        raise parse_error("fieldMask", "must be a single comma-separated string")
    paths = [p.strip() for p in raw.split(",") if p.strip()]
    if not paths:
        raise invalid("fieldMask", "is required", "REQUIRED_FIELD")
    return paths


def upsert(site: Site, body: Json, newer: bool = False) -> None:
    """Apply an UpsertMarketingSettings body to ``site`` (timestamps are the caller's job)."""
    paths = parse_mask(body.get("fieldMask"))
    incoming = body.get("marketingSettings")
    if not isinstance(incoming, dict):
        raise invalid("marketingSettings", "is required", "REQUIRED_FIELD")
    violations = validate(incoming, BODY_SPEC, "marketingSettings", newer)
    if violations:
        first = violations[0]
        raise EmulatorError(
            400, "INVALID_ARGUMENT", f"{first.field}: {first.description}", violations
        )
    for path in paths:
        if not _present(incoming, path.split(".")):
            raise precondition(
                "INVALID_FIELD_MASK_ERROR",
                f"field mask path {path!r} is not present in marketingSettings",
            )
    stored: Json = {"settings": site.settings, "overrides": site.overrides}
    for path in paths:
        _apply(stored, incoming, path.split("."))


def _present(tree: Json, parts: list[str]) -> bool:
    node: Any = tree
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _apply(stored: Json, incoming: Json, parts: list[str]) -> None:
    if parts[0] in READ_ONLY_ROOT:
        return
    if len(parts) > 1 and parts[0] == "settings" and parts[1] in READ_ONLY_SETTINGS:
        return
    value: Any = incoming
    for part in parts:
        value = value[part]
    if parts == ["settings"] and isinstance(value, dict):
        value = {k: v for k, v in value.items() if k not in READ_ONLY_SETTINGS}
    if len(parts) == 1:
        stored[parts[0]].clear()
        stored[parts[0]].update(_prune(value) or {})
        return
    _set_path(stored[parts[0]], parts[1:], _prune(value))


def _prune(value: Any) -> Any:
    """Drop nulls and empty containers recursively; ``None`` if nothing is left."""
    if isinstance(value, dict):
        kept = {k: p for k, v in value.items() if (p := _prune(v)) is not None}
        return kept or None
    if value is None or value == [] or value == "":
        return None
    return copy.deepcopy(value)


def _set_path(node: Json, parts: list[str], value: Any) -> None:
    """Set (or, for ``None``, delete) a nested key, removing parents left empty."""
    head, rest = parts[0], parts[1:]
    if not rest:
        if value is None:
            node.pop(head, None)
        else:
            node[head] = value
        return
    child = node.get(head)
    if not isinstance(child, dict):
        if value is None:
            return
        child = node[head] = {}
    _set_path(child, rest, value)
    if not child:
        node.pop(head, None)


def defaults(raw_mask: Any) -> Json:
    """GetMarketingSettingsDefaults: the §5.31 defaults, restricted by ``fieldMask``."""
    values: Json = {
        "socialChannels": ["FACEBOOK", "INSTAGRAM"],
        "calendar": {"ids": []},
        "marketingPlanGoal": {"goalKey": "BRAND_AWARENESS"},
        "frequency": {"interval": "WEEK", "count": 3},
    }
    wanted = list(DEFAULTS_MASK)
    if raw_mask:
        wanted = [p.strip() for p in str(raw_mask).split(",") if p.strip()]
        for path in wanted:
            if path not in DEFAULTS_MASK:
                raise invalid(
                    "fieldMask",
                    f"unsupported path {path!r}; allowed: " + ", ".join(DEFAULTS_MASK),
                    "ENUM",
                )
    return {"marketingSettings": {"settings": {k: values[k] for k in wanted}}}


def plan_goal_options(site: Site) -> Json:
    titles = ("Drive traffic", "Build brand awareness", "Boost sales", "Collect leads")
    offered = PLAN_GOALS if site.profile.plan_goals is None else site.profile.plan_goals
    return {
        "options": [
            {
                "planGoalKey": key,
                "title": title,
                "description": f"Plan focused on: {title.lower()}.",
            }
            for key, title in zip(PLAN_GOALS, titles, strict=True)
            if key in offered
        ]
    }


def point_of_view_options(site: Site) -> Json:
    titles = (
        ("We / our", "Speak as the business."),
        ("You / your", "Address the reader."),
        ("They / the brand", "Describe the brand from outside."),
    )
    return {
        "options": [
            {"pointOfViewKey": key, "title": t, "description": d}
            for key, (t, d) in zip(POINTS_OF_VIEW, titles, strict=True)
            if site.profile.points_of_view is None or key in site.profile.points_of_view
        ]
    }


def calendar_options(site: Site) -> Json:
    """The site's connected calendars: its fixture's, and the one its read-only events came
    from when the fixture names none (a connected calendar is one this list offers)."""
    calendars = list(site.profile.calendars)
    known = {c["id"] for c in calendars}
    for event in site.events.values():
        if event.read_only and event.calendar_id not in known:
            known.add(event.calendar_id)
            calendars.append({"id": event.calendar_id, "name": "Connected calendar"})
    return {
        "options": [
            {"id": c["id"], "name": c.get("name", ""), "title": c.get("name", "")}
            for c in calendars[:50]
        ]
    }
