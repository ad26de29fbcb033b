"""Pure: one site's desired and live state (and any pending action) → its SitePlan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from reconciler.engine.decide import Pending, draft_step, plan_action, policy_channels, still_due
from reconciler.engine.diff import diff_events, diff_settings, live_fingerprint, topics_changed
from reconciler.engine.plan import DraftStep, EventChange, PlanAction, SettingChange, SitePlan
from reconciler.model.plan_state import ACTIVE, PlanState
from reconciler.model.policy import Policy
from reconciler.model.settings import read_path
from reconciler.model.site import DesiredSite, LiveSite


def build_site_plan(
    desired: DesiredSite,
    live: LiveSite,
    *,
    now: datetime,
    pending: Pending | None = None,
    no_regenerate: bool = False,
    reviewed: Mapping[str, str] | None = None,
) -> SitePlan:
    """Diff, choose the plan action and the draft steps; warn about what will not work.

    `reviewed`: the content hashes of the drafts a reviewed (saved) plan showed; a draft whose
    words changed since is held (engine.content.review_hold)."""
    settings = diff_settings(desired.settings, live.settings_document)
    events = diff_events(desired.events, live.events, prune=desired.policy.prune_events)
    action = site_action(
        live.plan.status,
        settings,
        events.changes,
        desired.policy,
        no_regenerate=no_regenerate,
        pending=still_due(pending, live.plan, now),
    )
    if action.runs:
        schedule = desired.policy.schedule
        drafts = DraftStep(
            after_generation=True,
            after_generation_mode=schedule.after_generation,
            time_zone=schedule.time_zone,
        )
    else:
        drafts = draft_step(
            live.plan,
            policy=desired.policy,
            channels=channels_for(desired, live),
            now=now,
            excluded=excluded_topics(desired, live),
            reviewed=reviewed,
        )
    return SitePlan(
        site_id=desired.id,
        name=desired.name,
        source=desired.source,
        desired_fingerprint=desired.fingerprint,
        live_fingerprint=live_fingerprint(live, list(desired.settings.values)),
        settings=settings,
        events=events.changes,
        unmanaged_events=events.unmanaged,
        read_only_events=events.read_only,
        plan_status=live.plan.status,
        action=action,
        drafts=drafts,
        warnings=tuple(site_warnings(desired, live)),
        live_event_count=sum(1 for e in live.events if not e.read_only),
        unchanged_settings=len(desired.settings) - len(settings),
        delete_guard=desired.policy.delete_guard,
    )


def site_action(
    status: str,
    settings: Sequence[SettingChange],
    events: Sequence[EventChange],
    policy: Policy,
    *,
    no_regenerate: bool,
    pending: Pending | None,
) -> PlanAction:
    """The plan action a site's changes call for, given its live plan status."""
    return plan_action(
        status,
        topics_changed=topics_changed(settings),
        inputs_changed=bool(settings or events),
        policy=policy,
        no_regenerate=no_regenerate,
        pending=pending,
    )


def effective(desired: DesiredSite, live: LiveSite, path: str) -> Any:
    """A settings value as it will be after apply: the declared one when managed, else live."""
    if path in desired.settings.values:
        return desired.settings.values[path]
    return read_path(live.settings_document, path)


def channels_for(desired: DesiredSite, live: LiveSite) -> tuple[str, ...]:
    """The channels whose drafts get scheduled for this site."""
    return policy_channels(desired.policy, effective(desired, live, "settings.socialChannels"))


def excluded_topics(desired: DesiredSite, live: LiveSite) -> tuple[str, ...]:
    """settings.topics.excluded as it will be after apply (the draft rules flag them)."""
    topics = effective(desired, live, "settings.topics")
    found = topics.get("excluded") if isinstance(topics, Mapping) else None
    return tuple(t for t in found if isinstance(t, str)) if isinstance(found, list) else ()


def site_warnings(desired: DesiredSite, live: LiveSite) -> list[str]:
    """Things that will not work as the owner probably expects."""
    warnings = []
    tools = effective(desired, live, "settings.marketingTools")
    if desired.policy.schedule.enabled and tools and "SOCIAL_MARKETING" not in tools:
        warnings.append(
            "settings.marketingTools lacks SOCIAL_MARKETING while policy.schedule is enabled: "
            "Wix will generate no social posts to schedule"
        )
    if live.plan.status == ACTIVE and missing_posts(desired, live, live.plan):
        warnings.append(no_posts_warning())
    return warnings


def missing_posts(desired: DesiredSite, live: LiveSite, plan: PlanState) -> bool:
    """Whether a plan that should carry social posts has none at all."""
    tools = effective(desired, live, "settings.marketingTools")
    social = not tools or "SOCIAL_MARKETING" in tools
    return social and bool(plan.activities) and not any(a.drafts for a in plan.activities)


def no_posts_warning() -> str:
    """SPEC.md §1.11: an ACTIVE plan without posts usually means an unpublished site."""
    return (
        "the plan is ACTIVE but has no posts: the site may be unpublished (generation reads "
        "the published site) or social marketing may be off"
    )
