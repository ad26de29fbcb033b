"""Marketing settings as the engine compares them: a flat map of field-mask path → JSON value.

A path is exactly what UpsertMarketingSettings takes in its field mask (SPEC.md §3.2.2):
`settings.<field>` for a top-level Settings field, `overrides.<tool>.<field>` for a per-tool
override. A path absent from a site file is not managed; a path present with `None` means
"clear it". Values are canonical (see `canonical`) so that what the API normalises (set
order, empty containers, timestamp spelling) never shows up as a difference.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# Fields of Settings that a site file may set (SPEC.md §2.6), in display order.
WRITABLE_SETTINGS = (
    "marketingPlanGoal",
    "marketingTools",
    "socialChannels",
    "topics",
    "toneOfVoice",
    "pointOfView",
    "frequency",
    "businessProfile",
    "customContentGuidelines",
    "imageGuidelines",
    "imageGenerationSettings",
    "calendar",
)

# Derived by Wix from the site itself; upserting them has no effect.
READ_ONLY_SETTINGS = ("language", "businessLocation", "targetLocations")

# Lists whose order carries no meaning: compared as sets, written sorted.
SET_PATHS = frozenset(
    {
        "settings.marketingTools",
        "settings.socialChannels",
        "settings.topics.included",
        "settings.topics.excluded",
        "settings.calendar.ids",
    }
)

# Changing one of these calls for a regenerate with keyword research (SPEC.md §1.14).
KEYWORD_RESEARCH_PATHS = frozenset({"settings.topics"})

# The members mpr knows of each object-valued field (SPEC.md §2.6), by field name. A member
# Wix adds later is unknown: never compared, and carried through unchanged by an upsert
# (tolerant reader). A field not listed here (imageGenerationSettings) is free-form: its
# members are the ones the site file declares. tests/config checks this against the models.
KNOWN_MEMBERS: Mapping[str, frozenset[str]] = {
    "marketingPlanGoal": frozenset({"goalKey", "customGoal"}),
    "topics": frozenset({"included", "excluded", "coreTopic"}),
    "frequency": frozenset({"interval", "count"}),
    "businessProfile": frozenset({"valueProposition", "targetAudience", "businessGoal"}),
    # `names` is the site file's alone: engine.options turns it into ids before any diff.
    "calendar": frozenset({"ids", "names"}),
}


def canonical(path: str, value: Any) -> Any:
    """Return `value` in the one spelling the diff compares.

    Empty strings, lists and objects become None (the API does not distinguish an empty
    value from an absent one), object members that are empty are dropped, and the lists
    named in SET_PATHS are de-duplicated and sorted.
    """
    if isinstance(value, Mapping):
        members = {k: canonical(f"{path}.{k}", v) for k, v in value.items()}
        kept = {k: v for k, v in sorted(members.items()) if v is not None}
        return kept or None
    if isinstance(value, list | tuple):
        items = [canonical(path, v) for v in value]
        items = [v for v in items if v is not None]
        if path in SET_PATHS:
            items = sorted(set(items), key=str)
        return items or None
    if value == "":
        return None
    return value


@dataclass(frozen=True)
class ManagedSettings:
    """The settings fields one site file manages, keyed by field-mask path, values canonical."""

    values: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_documents(
        cls, settings: Mapping[str, Any], overrides: Mapping[str, Mapping[str, Any]]
    ) -> ManagedSettings:
        """Build from a site file's `settings:` and `overrides:` (keys present = managed)."""
        values: dict[str, Any] = {}
        for name, value in settings.items():
            path = f"settings.{name}"
            values[path] = canonical(path, value)
        for tool, fields in overrides.items():
            for name, value in (fields or {}).items():
                path = f"overrides.{tool}.{name}"
                values[path] = canonical(path, value)
        return cls(values)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.values))

    def __len__(self) -> int:
        return len(self.values)


def raw_path(document: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a live `marketingSettings` document, as sent, or None."""
    node: Any = document
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def read_path(document: Mapping[str, Any], path: str, declared: Any = None) -> Any:
    """The canonical value at a dotted path, without the members mpr does not know."""
    value = raw_path(document, path)
    if isinstance(value, Mapping):
        known = _known(path, declared)
        if known is not None:
            value = {k: v for k, v in value.items() if k in known}
    return canonical(path, value)


def unknown_members(document: Mapping[str, Any], path: str, declared: Any) -> dict[str, Any]:
    """The members of the live object at `path` that mpr does not know (to carry through)."""
    value = raw_path(document, path)
    known = _known(path, declared)
    if not isinstance(value, Mapping) or known is None:
        return {}
    return {k: v for k, v in value.items() if k not in known}


def _known(path: str, declared: Any) -> frozenset[str] | None:
    known = KNOWN_MEMBERS.get(path.rsplit(".", 1)[-1])
    if known is None and isinstance(declared, Mapping):
        return frozenset(declared)
    return known


def live_values(
    document: Mapping[str, Any],
    paths: Iterator[str] | list[str],
    declared: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Read every managed path from a live `marketingSettings` document (known members)."""
    wanted = declared or {}
    return {path: read_path(document, path, wanted.get(path)) for path in paths}


def with_unknown_members(values: Mapping[str, Any], document: Mapping[str, Any]) -> dict[str, Any]:
    """The values to upsert, each object keeping the live members mpr does not know."""
    out: dict[str, Any] = {}
    for path, value in values.items():
        extra = unknown_members(document, path, value) if isinstance(value, Mapping) else {}
        out[path] = {**extra, **value} if extra else value
    return out


def nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """Turn {"settings.a": 1, "overrides.blogs.frequency": {...}} into the nested upsert body.

    Cleared fields (None) are kept as explicit nulls: that is how the API is told to clear.
    """
    body: dict[str, Any] = {}
    for path, value in sorted(values.items()):
        node = body
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return body
