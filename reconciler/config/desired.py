"""A validated site document → the domain's `DesiredSite` (reconciler.model)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from reconciler.config.documents import (
    AuthDoc,
    EventDoc,
    OverridesDoc,
    PolicyDoc,
    SettingsDoc,
    SiteDoc,
)
from reconciler.model.auth import ApiKeyAuth, SiteAuth, WixAppAuth, WixUserAuth
from reconciler.model.events import CalendarEvent, RecurringRule
from reconciler.model.policy import DeleteGuard, Policy, SchedulePolicy
from reconciler.model.settings import ManagedSettings
from reconciler.model.site import DesiredSite, SiteId


def fingerprint(document: Any) -> str:
    """sha256 hex of the canonical JSON of a (merged, interpolated) document."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def to_desired(doc: SiteDoc, source: str, digest: str) -> DesiredSite:
    """Build the domain value from a document that validated."""
    return DesiredSite(
        id=SiteId(doc.site.id),
        name=doc.site.name,
        source=source,
        labels=dict(sorted(doc.site.labels.items())),
        settings=managed_settings(doc.settings, doc.overrides),
        events=tuple(_event(event) for event in doc.events or ()),
        policy=policy(doc.policy or PolicyDoc()),
        fingerprint=digest,
        auth=site_auth(doc.auth),
    )


def site_auth(doc: AuthDoc | None) -> SiteAuth:
    """The declared sign-in (semantics made sure exactly one kind is given, with its id)."""
    if doc is None:
        return ApiKeyAuth()
    if doc.wix_app is not None:
        app = doc.wix_app
        return WixAppAuth(app.instance_id or "", app.app_id_env, app.app_secret_env)
    if doc.wix_user is not None:
        user = doc.wix_user
        return WixUserAuth(user.command, user.cache_for, user.timeout)
    return ApiKeyAuth(doc.api_key.env if doc.api_key is not None else ApiKeyAuth().env)


def managed_settings(
    settings: SettingsDoc | None, overrides: OverridesDoc | None
) -> ManagedSettings:
    """Only the fields the file gives are managed; a null clears (a null tool clears all of it)."""
    given = settings.model_dump(mode="json", by_alias=True, exclude_unset=True) if settings else {}
    tools: dict[str, Any] = {}
    if overrides is not None:
        dumped = overrides.model_dump(mode="json", by_alias=True, exclude_unset=True)
        tools = {tool: {"frequency": None} if v is None else v for tool, v in dumped.items()}
    return ManagedSettings.from_documents(given, tools)


def _event(event: EventDoc) -> CalendarEvent:
    rule = event.recurring_rule
    return CalendarEvent(
        name=event.name,
        description=event.description,
        date=None if rule else event.date,
        recurring_rule=(
            RecurringRule(rule.frequency, rule.start_date, rule.end_date, rule.interval)
            if rule
            else None
        ),
    )


def policy(doc: PolicyDoc) -> Policy:
    """The domain policy a `policy:` section declares (defaults filled in)."""
    schedule = doc.schedule
    return Policy(
        prune_events=doc.prune_events,
        regenerate=doc.regenerate,
        wait_timeout_seconds=doc.wait.timeout,
        max_generation_attempts=doc.wait.max_attempts,
        schedule=SchedulePolicy(
            enabled=schedule.enabled,
            channels=tuple(schedule.channels) if schedule.channels is not None else None,
            horizon_days=schedule.horizon_days,
            generate_missing_posts=schedule.generate_missing_posts,
            after_generation=schedule.after_generation,
            block_words=tuple(schedule.block_words),
            quiet_days=tuple(schedule.quiet_days),
            quiet_dates=tuple(schedule.quiet_dates),
            max_per_day=schedule.max_per_day,
            time_zone=schedule.time_zone,
            hold_excluded_topics=schedule.hold_excluded_topics,
        ),
        delete_guard=DeleteGuard(
            percent=float(doc.delete_guard.percent), min_events=doc.delete_guard.min_events
        ),
    )
