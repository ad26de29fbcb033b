"""`mpr import`: read live sites whole, and choose a policy under which apply stays still.

Reading uses `observe` with nothing declared (the settings, the plan and the events of the
coming year), plus the events dated up to `IMPORT_AHEAD` further out: a plan finds every
one of those again, since it also reads around the date of each declared event.

An imported file must plan to "no changes": its settings and events are the live ones, and
where the default policy would act on its own (schedule the drafts already in the horizon,
regenerate an INACTIVE plan) `adoption_policy` turns that part off and says so, for the
owners to turn it on when they mean to. Only what no policy can stop (a site with no plan,
or a FAILED one, gets generated) is left, as a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from reconciler.engine.decide import Pending
from reconciler.engine.fleet import bounded
from reconciler.engine.observe import (
    LOOK_AHEAD,
    connected_marked,
    observe,
    read_events,
    settings_calendars,
    with_offered_calendars,
)
from reconciler.engine.plan import SitePlan
from reconciler.engine.planning import build_site_plan
from reconciler.engine.runtime import READING, Runtime
from reconciler.errors import ApiError
from reconciler.model.counts import counted
from reconciler.model.events import CalendarEvent
from reconciler.model.policy import Policy
from reconciler.model.site import DesiredSite, LiveSite, SiteId
from reconciler.wix import WixClient

IMPORT_AHEAD = timedelta(days=3 * 366)
"""How far ahead import looks for events (a plan reads the coming year, and declared dates)."""


@dataclass(frozen=True)
class LiveRead:
    """What was read of one site, or why it could not be."""

    site_id: str
    live: LiveSite | None
    error: str | None = None


async def read_live_sites(
    client: WixClient, site_ids: Sequence[str], rt: Runtime, parallelism: int = 8
) -> list[LiveRead]:
    """Read every site's settings, events and plan; a site that cannot be read gets an error."""

    async def one(site_id: str) -> LiveRead:
        rt.progress(site_id, READING)
        nothing = DesiredSite(id=SiteId(site_id), name="", source="")
        site, now = client.site(site_id), rt.clock.now()
        try:
            live = await observe(site, nothing, now)
            later = await read_events(site, [(now + LOOK_AHEAD, now + IMPORT_AHEAD)])
            known = {e.id for e in live.events}
            extra = tuple(e for e in later if e.id not in known)
            named = settings_calendars(live.settings_document.get("settings") or {})
            live = replace(live, events=connected_marked(live.events + extra, named))
            if any(e.calendar_id and not e.read_only for e in live.events):
                # a connected calendar's events are never adopted as managed ones
                live = await with_offered_calendars(site, live)
        except ApiError as exc:
            return LiveRead(site_id, None, str(exc))
        return LiveRead(site_id, live)

    return await bounded(site_ids, parallelism, one)


def adoption_policy(
    desired: DesiredSite, live: LiveSite, *, now: datetime, pending: Pending | None = None
) -> tuple[Policy, list[str], list[str]]:
    """The desired site's policy with whatever would act at once turned off.

    Returns the policy, notes on what was turned off (for the file's header), and what the
    first apply will still do (a plan generated for a site without one, say).
    """
    policy = desired.policy
    notes: list[str] = []
    # Extra copies of an event are deleted by the first apply whatever the policy says, so
    # the policy is tuned as if they were gone.
    converged = replace(live, events=_first_of_each_name(live.events))
    plan = build_site_plan(desired, converged, now=now, pending=pending)
    if plan.action.runs and plan.action.kind in ("regenerate", "regenerate_keywords"):
        policy = replace(policy, regenerate="never")
        notes.append(
            f"policy.regenerate is never: the plan is {plan.plan_status} and apply would "
            "regenerate it now; set it to auto when apply should regenerate the plan after "
            "settings or events change"
        )
        # A regenerate leaves the drafts for after it: without one they are decided now.
        plan = build_site_plan(replace(desired, policy=policy), converged, now=now, pending=pending)
    if plan.drafts.has_changes:
        policy = replace(policy, schedule=replace(policy.schedule, enabled=False))
        notes.append(
            f"policy.schedule.enabled is false: with true, apply would now {_drafts(plan)}; "
            "set it to true when apply should generate and schedule post drafts"
        )
    if policy.schedule.enabled and _no_social_tool(desired):
        # `mpr validate` warns about scheduling posts a site cannot have: the file it is
        # given must not earn that warning.
        policy = replace(policy, schedule=replace(policy.schedule, enabled=False))
        notes.append(
            "policy.schedule.enabled is false: settings.marketingTools has no "
            "SOCIAL_MARKETING, so there are no social posts to schedule"
        )
    after = build_site_plan(replace(desired, policy=policy), live, now=now, pending=pending)
    still = [
        f"the first apply will still: delete an extra copy of {c.name!r} (it exists twice)"
        for c in after.events
        if c.duplicate
    ]
    if after.action.runs:
        still.append(f"the first apply will still: {after.action.reason}")
    return policy, notes, still


def _no_social_tool(desired: DesiredSite) -> bool:
    """The site manages its marketing tools and social marketing is not among them."""
    tools = desired.settings.values.get("settings.marketingTools")
    return isinstance(tools, list | tuple) and "SOCIAL_MARKETING" not in tools


def _first_of_each_name(events: Sequence[CalendarEvent]) -> tuple[CalendarEvent, ...]:
    seen: set[str] = set()
    kept = []
    for event in events:
        if event.read_only or event.name not in seen:
            kept.append(event)
        if not event.read_only:
            seen.add(event.name)
    return tuple(kept)


def _drafts(plan: SitePlan) -> str:
    step = plan.drafts
    parts = []
    if step.generate_posts_for:
        activities = counted(len(step.generate_posts_for), "activity", "activities")
        parts.append(f"generate posts for {activities}")
    sends = sum(len(ids) for ids in step.schedule.values())
    if sends:
        parts.append(f"schedule {counted(sends, 'draft')}")
    return " and ".join(parts)
