"""The Plan: what `apply` would do to each site, as a frozen value that round-trips to JSON.

A plan is data. Rendering lives in reconciler.render; the destructive-change gate is
`SitePlan.check_safe`; staleness is judged by comparing fingerprints of the live state and of
the YAML taken when the plan was made with fresh ones (`apply` refuses a stale plan).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from reconciler.errors import StalePlan, UnsafePlan
from reconciler.model.policy import DeleteGuard

FORMAT_VERSION = 1

ActionKind = Literal["none", "generate", "regenerate", "regenerate_keywords", "wait"]
EventOp = Literal["create", "update", "delete"]


@dataclass(frozen=True)
class SettingChange:
    """One managed settings field whose live value differs from the declared one."""

    path: str
    before: Any
    after: Any


@dataclass(frozen=True)
class EventChange:
    """Create, update (whole-event replace) or delete one calendar event, matched by name."""

    op: EventOp
    name: str
    event_id: str | None = None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    duplicate: bool = False
    """A delete of an extra live copy of a declared event (however it came about)."""


@dataclass(frozen=True)
class PlanAction:
    """The one plan action chosen for a site, why, and whether it will be skipped."""

    kind: ActionKind
    reason: str
    skipped: str | None = None
    """Why a due action will not run (policy.regenerate: never, --no-regenerate); None: it runs."""

    @property
    def runs(self) -> bool:
        return self.kind != "none" and self.skipped is None


@dataclass(frozen=True)
class DraftStep:
    """Post generation and draft scheduling as far as they can be known before apply.

    When a plan action runs, the activities are rebuilt first and these lists are decided again
    after the generation ends (`after_generation` is then True).
    """

    generate_posts_for: tuple[str, ...] = ()
    schedule: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Channel → draft ids that ScheduleDrafts will be sent."""
    stays_draft: Mapping[str, int] = field(default_factory=dict)
    """Channel → number of in-horizon drafts that will stay drafts, with the reason in `notes`."""
    notes: tuple[str, ...] = ()
    after_generation: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(self.generate_posts_for or any(self.schedule.values()))


@dataclass(frozen=True)
class SitePlan:
    """Everything apply would do to one site, or the error that kept mpr from knowing."""

    site_id: str
    name: str
    source: str
    desired_fingerprint: str = ""
    live_fingerprint: str = ""
    settings: tuple[SettingChange, ...] = ()
    events: tuple[EventChange, ...] = ()
    unmanaged_events: tuple[str, ...] = ()
    read_only_events: tuple[str, ...] = ()
    plan_status: str = ""
    action: PlanAction = field(default_factory=lambda: PlanAction("none", "nothing changed"))
    drafts: DraftStep = field(default_factory=DraftStep)
    warnings: tuple[str, ...] = ()
    error: str | None = None
    live_event_count: int = 0
    unchanged_settings: int = 0
    delete_guard: DeleteGuard = field(default_factory=DeleteGuard)

    @property
    def has_changes(self) -> bool:
        """Whether apply would write anything (a skipped action is reported, not a change)."""
        return bool(self.settings or self.events or self.action.runs or self.drafts.has_changes)

    @property
    def deletes(self) -> tuple[EventChange, ...]:
        return tuple(c for c in self.events if c.op == "delete")

    def check_safe(self) -> None:
        """Raise UnsafePlan when the deletions exceed the site's delete guard."""
        guard = self.delete_guard
        count = len(self.deletes)
        if not count or self.live_event_count < guard.min_events:
            return
        share = 100.0 * count / self.live_event_count
        if share > guard.percent:
            raise UnsafePlan(
                f"{self.name or self.site_id}: the plan deletes {count} of "
                f"{self.live_event_count} events ({share:.0f}%), more than the "
                f"{guard.percent:g}% allowed by policy.deleteGuard; "
                "review it and re-run with --force to proceed"
            )


@dataclass(frozen=True)
class Plan:
    """A fleet's plan: one SitePlan per selected site, in site-file order."""

    created_at: str
    sites: tuple[SitePlan, ...]
    sources: tuple[str, ...] = ()
    """The paths given on the command line, so a saved plan can reload the same YAML."""
    selectors: tuple[str, ...] = ()
    shard: str = ""
    """The `--shard I/N` the sites were chosen with ("": every site), for `apply PLANFILE`."""
    format_version: int = FORMAT_VERSION

    @property
    def has_changes(self) -> bool:
        return any(s.has_changes for s in self.sites)

    @property
    def has_errors(self) -> bool:
        return any(s.error for s in self.sites)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON document (see docs in README, "Plan JSON")."""
        body = asdict(self)
        body["has_changes"] = self.has_changes
        for site, data in zip(self.sites, body["sites"], strict=True):
            data["has_changes"] = site.has_changes
        return body

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True, default=str) + "\n"

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Plan:
        """Rebuild a plan saved with `mpr plan --out`; raise StalePlan for an unknown version."""
        version = body.get("format_version")
        if version != FORMAT_VERSION:
            raise StalePlan(
                f"the plan file has format_version {version!r}; this mpr reads {FORMAT_VERSION}: "
                "make the plan again with this version"
            )
        return cls(
            created_at=body["created_at"],
            sites=tuple(_site_from_json(s) for s in body["sites"]),
            sources=tuple(body.get("sources", ())),
            selectors=tuple(body.get("selectors", ())),
            shard=str(body.get("shard") or ""),
        )


def _site_from_json(body: Mapping[str, Any]) -> SitePlan:
    drafts = body.get("drafts") or {}
    return SitePlan(
        site_id=body["site_id"],
        name=body.get("name", ""),
        source=body.get("source", ""),
        desired_fingerprint=body.get("desired_fingerprint", ""),
        live_fingerprint=body.get("live_fingerprint", ""),
        settings=tuple(SettingChange(**c) for c in body.get("settings", ())),
        events=tuple(EventChange(**c) for c in body.get("events", ())),
        unmanaged_events=tuple(body.get("unmanaged_events", ())),
        read_only_events=tuple(body.get("read_only_events", ())),
        plan_status=body.get("plan_status", ""),
        action=PlanAction(**body["action"]),
        drafts=DraftStep(
            generate_posts_for=tuple(drafts.get("generate_posts_for", ())),
            schedule={k: tuple(v) for k, v in drafts.get("schedule", {}).items()},
            stays_draft=dict(drafts.get("stays_draft", {})),
            notes=tuple(drafts.get("notes", ())),
            after_generation=bool(drafts.get("after_generation", False)),
        ),
        warnings=tuple(body.get("warnings", ())),
        error=body.get("error"),
        live_event_count=int(body.get("live_event_count", 0)),
        unchanged_settings=int(body.get("unchanged_settings", 0)),
        delete_guard=DeleteGuard(**body.get("delete_guard", {})),
    )
