"""A site's live options (plan goals, points of view, calendars, defaults), and the check of a
site file's values against them before anything is written.

Wix offers each site its own plan-goal and point-of-view keys and its own calendars; a value
it does not offer is refused only when the upsert is sent. `plan` reads the options of a site
whose file changes one of those values and reports a value the site does not offer, where
the file says it, with the closest offered one.
"""

from __future__ import annotations

import asyncio
import difflib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from reconciler.engine.observe import cancelled_on_failure
from reconciler.engine.plan import SitePlan
from reconciler.model.settings import ManagedSettings, canonical
from reconciler.model.site import DesiredSite
from reconciler.wix import SiteClient

GOAL = "settings.marketingPlanGoal"
POINT_OF_VIEW = "settings.pointOfView"
CALENDAR = "settings.calendar"
CHECKED = (GOAL, POINT_OF_VIEW, CALENDAR)


@dataclass(frozen=True)
class Option:
    """One offered value and its display title (if Wix gives one)."""

    key: str
    title: str = ""


@dataclass(frozen=True)
class SiteOptions:
    """What a site offers for the settings whose values Wix chooses from a list."""

    goals: tuple[Option, ...] = ()
    points_of_view: tuple[Option, ...] = ()
    calendars: tuple[Option, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)


async def read_options(site: SiteClient) -> SiteOptions:
    """The four option reads of one site, at once (the others cancelled when one fails)."""
    reads = (
        asyncio.ensure_future(site.get_plan_goal_options()),
        asyncio.ensure_future(site.get_point_of_view_options()),
        asyncio.ensure_future(site.get_calendar_options()),
        asyncio.ensure_future(site.get_marketing_settings_defaults()),
    )
    async with cancelled_on_failure(*reads):
        goals, views, calendars, defaults = await asyncio.gather(*reads)
    return SiteOptions(
        goals=tuple(Option(g.plan_goal_key, g.title or "") for g in goals),
        points_of_view=tuple(Option(p.point_of_view_key, p.title or "") for p in views),
        calendars=tuple(Option(c.id, c.name or "") for c in calendars),
        defaults=defaults,
    )


async def live_option_problems(site: SiteClient, desired: DesiredSite) -> list[str]:
    """Every goal, point of view and calendar (by id or by title) that `desired` declares and
    the site does not offer, whether or not a plan would change it (`validate --online`)."""
    options = await read_options(site)
    resolved, problems = resolve_calendars(desired, options)
    return problems + option_problems(resolved, options)


async def unique_titles(site: SiteClient) -> dict[str, str]:
    """Calendar id → title, for the calendars whose title no other calendar of the site has
    (what `import` may write by title and `plan` will resolve back to the same id)."""
    calendars = (await read_options(site)).calendars
    count = Counter(o.title for o in calendars)
    return {o.key: o.title for o in calendars if o.title and count[o.title] == 1}


def needs_check(plan: SitePlan) -> bool:
    """Whether the plan writes a value that must be one the site offers."""
    return any(change.path in CHECKED for change in plan.settings)


def option_problems(desired: DesiredSite, options: SiteOptions) -> list[str]:
    """One message per declared value the site does not offer (`file:line:col: path: …`)."""
    values = desired.settings.values
    problems: list[str] = []
    goal = values.get(GOAL)
    if isinstance(goal, Mapping) and isinstance(goal.get("goalKey"), str):
        problems += _check(desired, f"{GOAL}.goalKey", goal["goalKey"], options.goals, "goal")
    view = values.get(POINT_OF_VIEW)
    if isinstance(view, str):
        problems += _check(desired, POINT_OF_VIEW, view, options.points_of_view, "point of view")
    calendar = values.get(CALENDAR)
    ids = calendar.get("ids") if isinstance(calendar, Mapping) else None
    for index, calendar_id in enumerate(ids if isinstance(ids, list) else []):
        place = desired.locations.get(f"{CALENDAR}.ids={calendar_id}", f"[{index}]")
        path = f"{CALENDAR}.ids{place}"
        problems += _check(desired, path, str(calendar_id), options.calendars, "calendar")
    return problems


async def with_calendar_ids(
    site: SiteClient, desired: DesiredSite
) -> tuple[DesiredSite, list[str]]:
    """`resolve_calendars` against the site's live options, read only when the file names
    calendars by title (so that every write sends ids)."""
    calendar = desired.settings.values.get(CALENDAR)
    if not isinstance(calendar, Mapping) or "names" not in calendar:
        return desired, []
    return resolve_calendars(desired, await read_options(site))


def resolve_calendars(desired: DesiredSite, options: SiteOptions) -> tuple[DesiredSite, list[str]]:
    """`desired` with the calendars named by title (`settings.calendar.names`) turned into ids
    and added to `settings.calendar.ids`, and one message per title that no calendar of the
    site has or that several share (`file:line:col: path: …`). Unchanged without names."""
    calendar = desired.settings.values.get(CALENDAR)
    if not isinstance(calendar, Mapping) or "names" not in calendar:
        return desired, []
    ids = list(calendar.get("ids") or [])
    problems: list[str] = []
    for index, title in enumerate(calendar.get("names") or []):
        path = f"{CALENDAR}.names[{index}]"
        found = [o.key for o in options.calendars if o.title == title]
        if len(found) == 1:
            ids.append(found[0])
        else:
            problems.append(
                f"{desired.locations.get(path, desired.source)}: {path}: "
                + (_shared_title(title, found) if found else _no_title(title, options.calendars))
            )
    values = {**desired.settings.values, CALENDAR: canonical(CALENDAR, {"ids": ids})}
    return replace(desired, settings=ManagedSettings(values)), problems


def _shared_title(title: str, ids: Sequence[str]) -> str:
    return (
        f"{len(ids)} calendars of this site are titled {title!r} ({', '.join(ids)}): "
        "name the one you mean by id in settings.calendar.ids"
    )


def _no_title(title: str, offered: Sequence[Option]) -> str:
    titles = [o.title for o in offered if o.title]
    close = difflib.get_close_matches(title, titles, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listed = ", ".join(repr(t) for t in titles) or "none"
    return (
        f"no calendar of this site is titled {title!r}{hint} (titles offered: {listed}; "
        "see `mpr options`)"
    )


def _check(
    desired: DesiredSite, path: str, value: str, offered: Sequence[Option], what: str
) -> list[str]:
    keys = [o.key for o in offered]
    if value in keys:
        return []
    where = desired.locations.get(path, desired.source)
    close = difflib.get_close_matches(value, keys, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]}?" if close else ""
    listed = ", ".join(_shown(o) for o in offered) or "none"
    return [
        f"{where}: {path}: {value} is not a {what} this site offers{hint} "
        f"(offered: {listed}; see `mpr options`)"
    ]


def _shown(option: Option) -> str:
    return (
        f"{option.key} ({option.title})"
        if option.title and option.title != option.key
        else (option.key)
    )
