"""`mpr options`: each site's live options, as text for people or JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from reconciler.engine.options import Option, SiteOptions
from reconciler.model.site import DesiredSite

SiteOptionsRead = tuple[DesiredSite, SiteOptions | None, str]
"""A site, its options (None when they could not be read) and the error if any."""


def render_options(found: Sequence[SiteOptionsRead], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"sites": [_json(*row) for row in found]}, indent=2) + "\n"
    return "\n".join(_text(*row) for row in found)


def _json(site: DesiredSite, options: SiteOptions | None, error: str) -> dict[str, object]:
    body: dict[str, object] = {"site": site.id, "name": site.name, "source": site.source}
    if options is None:
        return body | {"error": error}
    return body | {
        "planGoals": [asdict(o) for o in options.goals],
        "pointsOfView": [asdict(o) for o in options.points_of_view],
        "calendars": [asdict(o) for o in options.calendars],
        "defaults": dict(options.defaults),
    }


def _text(site: DesiredSite, options: SiteOptions | None, error: str) -> str:
    lines = [f"{site.display_name} — {site.source}"]
    if options is None:
        return "\n".join([*lines, f"  ! error: {error}", ""])
    lines += _table("settings.marketingPlanGoal.goalKey", options.goals)
    lines += _table("settings.pointOfView", options.points_of_view)
    lines += _table("settings.calendar.ids (or .names, by title)", options.calendars)
    lines.append("  defaults (GetMarketingSettingsDefaults):")
    lines += [
        f"    {key}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}"
        for key, value in sorted(options.defaults.items())
    ] or ["    (none)"]
    return "\n".join([*lines, ""])


def _table(path: str, offered: Sequence[Option]) -> list[str]:
    width = max((len(o.key) for o in offered), default=0)
    rows = [f"    {o.key.ljust(width)}  {o.title}".rstrip() for o in offered]
    return [f"  {path}:", *(rows or ["    (none offered)"])]
