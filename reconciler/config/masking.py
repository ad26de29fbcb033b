"""A site's declared state as a site file with its free text masked (`mpr doctor --record`).

The recording masks the live answers; this masks the YAML the same way (the caller passes
the one masker of the recording), so a plan of the masked file against the replayed answers
shows what a plan of the real file against the live site showed. The file is written from
the resolved state (defaults merged, variables filled in), under the site id, without `auth`:
the replay signs in with any API key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from reconciler.config.export import Exported, site_document
from reconciler.model.site import DesiredSite


def masked_site(
    desired: DesiredSite, text: Callable[[str], str], value: Callable[[Any], Any]
) -> Exported:
    """The site document of `desired` with every name and free text masked: `text` masks
    one string, `value` every string inside a JSON value."""
    declared = _settings_document(desired.settings.values)
    events = [
        replace(
            event,
            name=text(event.name),
            description=text(event.description) if event.description else event.description,
        )
        for event in desired.events
    ]
    exported = site_document(
        desired.id, text(desired.name), value(declared), events, policy=desired.policy
    )
    cleared = {path: None for path, setting in desired.settings.values.items() if setting is None}
    exported.document = _with_cleared(exported.document, _settings_document(cleared))
    return exported


def _settings_document(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Field-mask paths → `{"settings": {...}, "overrides": {tool: {...}}}`."""
    document: dict[str, dict[str, Any]] = {"settings": {}, "overrides": {}}
    for path, setting in values.items():
        part, _, rest = path.partition(".")
        if part == "overrides":
            tool, _, name = rest.partition(".")
            document["overrides"].setdefault(tool, {})[name] = setting
        else:
            document["settings"][rest] = setting
    return document


def _with_cleared(document: dict[str, Any], cleared: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`document` with the fields the file clears written as null: the export leaves empty
    values out, which would read as unmanaged, and the replayed plan would not clear them."""
    merged = dict(document)
    merged["settings"] = {**document.get("settings", {}), **cleared["settings"]}
    # A tool's one field is its frequency: a tool is either set (exported) or cleared here.
    merged["overrides"] = {**document.get("overrides", {}), **cleared["overrides"]}
    return {key: merged[key] for key in _ORDER if merged.get(key)}


_ORDER = ("version", "site", "settings", "overrides", "events", "policy")
