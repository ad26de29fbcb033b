"""The Plan: what `apply` would do to each site, as a frozen value that round-trips to JSON.

A plan is data. Rendering lives in reconciler.render; the destructive-change gate is
`SitePlan.refusals`; staleness is judged by comparing fingerprints of the live state and of
the YAML taken when the plan was made with fresh ones (`apply` refuses a stale plan).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from reconciler.errors import StalePlan
from reconciler.model.events import EARLIEST, LATEST, in_range, parse_wire_time
from reconciler.model.json_kind import json_kind
from reconciler.model.policy import DeleteGuard

if TYPE_CHECKING:
    from pydantic import TypeAdapter

FORMAT_VERSION = 1
REFUSED_EXIT_CODE = 4
"""`apply`'s exit code when it refuses (cli.exitcodes.REFUSED; a test holds the two equal)."""

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
class DraftPost:
    """One draft apply will send to ScheduleDrafts, with the words and image it will post."""

    id: str
    channel: str
    at: str
    """When it will be published: its activity's date (wire time, UTC)."""
    activity_id: str = ""
    type: str = "POST"
    content_key: str = ""
    content: Mapping[str, Any] = field(default_factory=dict)
    """The channel's whole content object as Wix holds it (caption or title/description…)."""
    text: str = ""
    image: str = ""
    digest: str = ""
    """A hash of `content`: the review digest covers it, and a saved plan's apply compares it."""
    flags: tuple[str, ...] = ()
    """Content warnings that do not hold it back (an excluded topic mentioned, say)."""


@dataclass(frozen=True)
class HeldDraft:
    """A draft a content rule keeps from being scheduled (it stays a draft), and why."""

    id: str
    channel: str
    at: str
    rule: str
    """The policy key or check that holds it (`policy.schedule.blockWords`…)."""
    detail: str
    """What the rule found: the words, the day, the limit."""
    text: str = ""
    digest: str = ""
    """The hash of its content object, as for DraftPost (a held draft was seen too)."""


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
    posts: tuple[DraftPost, ...] = ()
    """Every draft in `schedule`, with its words, in publishing order."""
    held: tuple[HeldDraft, ...] = ()
    """Drafts a content rule (or the review) keeps back, in publishing order."""
    after_generation_mode: str = "schedule"
    """policy.schedule.afterGeneration: what apply does with drafts a generation makes."""
    time_zone: str = "UTC"
    """policy.schedule.timeZone: the zone days are shown and counted in."""

    @property
    def has_changes(self) -> bool:
        return bool(self.generate_posts_for or any(self.schedule.values()))

    @property
    def shown(self) -> dict[str, str]:
        """Draft id → content hash of every draft this step shows a reviewer (sent or held)."""
        shown = {d.id: d.digest for d in self.posts}
        return shown | {d.id: d.digest for d in self.held}


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
    forced: bool = False
    """`apply --force` (bare, or with a selector that picks this site) passes its guard."""

    @property
    def has_changes(self) -> bool:
        """Whether apply would write anything (a skipped action is reported, not a change)."""
        return bool(self.settings or self.events or self.action.runs or self.drafts.has_changes)

    @property
    def deletes(self) -> tuple[EventChange, ...]:
        return tuple(c for c in self.events if c.op == "delete")

    @property
    def refusals(self) -> tuple[str, ...]:
        """Why `apply` will refuse this site's plan without `--force` (empty: it will not).

        Known when the plan is made, so `plan` shows (and the PR comment and JSON carry) the
        refusal that `apply` would otherwise only meet after the merge. Apply refuses the
        site alone: the others are applied.
        """
        if self.forced:
            return ()
        guard = self.delete_guard
        count = len(self.deletes)
        if not count or self.live_event_count < guard.min_events:
            return ()
        share = 100.0 * count / self.live_event_count
        if share <= guard.percent:
            return ()
        return (
            f"the plan deletes {count} of {self.live_event_count} events ({share:.0f}%), more "
            f"than the {guard.percent:g}% allowed by policy.deleteGuard; "
            f"review it and re-run with --force={self.site_id} to proceed",
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
    files: Mapping[str, str] = field(default_factory=dict)
    """Each YAML file read (site files, defaults) → the SHA-256 of its bytes: a stale plan
    names the files that changed ({}: a plan saved by an older mpr)."""
    format_version: int = FORMAT_VERSION

    @property
    def has_changes(self) -> bool:
        return any(s.has_changes for s in self.sites)

    @property
    def has_errors(self) -> bool:
        return any(s.error for s in self.sites)

    @property
    def refused(self) -> tuple[SitePlan, ...]:
        """The sites whose plan `apply` will refuse without `--force` (it applies the others)."""
        return tuple(s for s in self.sites if s.refusals)

    @property
    def to_apply(self) -> tuple[SitePlan, ...]:
        """The sites `apply` will write to: those with changes it does not refuse."""
        return tuple(s for s in self.sites if s.has_changes and not s.refusals and not s.error)

    @property
    def refusal_exit_code(self) -> int | None:
        """The exit code `apply` will end with when it refuses this plan; None: it will not."""
        return REFUSED_EXIT_CODE if self.refused else None

    def to_json(self) -> dict[str, Any]:
        """The documented JSON document (see docs in README, "Plan JSON")."""
        body = asdict(self)
        body["has_changes"] = self.has_changes
        body["refusal_exit_code"] = self.refusal_exit_code
        body["sites_to_refuse"] = [s.site_id for s in self.refused]
        body["sites_to_apply"] = [s.site_id for s in self.to_apply]
        for site, data in zip(self.sites, body["sites"], strict=True):
            data["has_changes"] = site.has_changes
            data["refusals"] = list(site.refusals)
        return body

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True, default=str) + "\n"

    @classmethod
    def from_json(cls, body: Any) -> Plan:
        """Rebuild a plan saved with `mpr plan --out`, checking every key on the way.

        Raises StalePlan for another format_version and ValueError naming each key that is
        missing or of the wrong kind (a file that is not a saved plan, or was edited), the
        format_version first.
        """
        if not isinstance(body, Mapping):
            raise ValueError(f"expected a JSON object, got {json_kind(body)}")
        if "format_version" not in body:
            raise ValueError("it has no format_version, which every saved plan has")
        version = body["format_version"]
        if version != FORMAT_VERSION:
            raise StalePlan(
                f"the plan file has format_version {version!r}; this mpr reads {FORMAT_VERSION}: "
                "make the plan again with this version"
            )
        from pydantic import ValidationError

        try:
            plan = _adapter().validate_python(body)
        except ValidationError as exc:
            problems = [
                f"{_dotted(error['loc'])}: {_plain(error['msg'])}"  # the root is an object
                for error in exc.errors()
            ]
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise ValueError("; ".join(problems[:5]) + more) from None
        problems = [p for i, site in enumerate(plan.sites) for p in _event_problems(i, site)]
        if problems:
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise ValueError("; ".join(problems[:5]) + more)
        if plan.shard:
            from reconciler.config.shard import parse_shard

            try:
                parse_shard(plan.shard)
            except ValueError as exc:
                raise ValueError(f"shard: {exc}") from None
        return plan


def _event_problems(index: int, site: SitePlan) -> list[str]:
    """What is wrong with the event bodies of a saved plan's site (their shape is Wix's,
    so pydantic takes them as they come): each member mpr reads, checked."""
    problems = []
    for number, change in enumerate(site.events):
        for side in ("before", "after"):
            where = f"sites[{index}].events[{number}].{side}"
            body = getattr(change, side)  # an object or None: pydantic checked that
            if body is None:
                continue
            problems += _time_problem(f"{where}.date", body.get("date"), required=False)
            rule = body.get("recurringRule")
            if rule is not None:
                problems += _rule_problems(f"{where}.recurringRule", rule)
    return problems


def _rule_problems(where: str, rule: Any) -> list[str]:
    if not isinstance(rule, Mapping):
        return [f"{where}: expected an object, got {json_kind(rule)}"]
    problems = []
    if not isinstance(rule.get("frequency"), str):
        problems.append(f"{where}.frequency: expected a string such as WEEKLY")
    interval = rule.get("interval", 1)
    if isinstance(interval, bool) or not isinstance(interval, int) or not 1 <= interval <= 1000:
        problems.append(f"{where}.interval: expected a whole number from 1 to 1000")
    problems += _time_problem(f"{where}.startDate", rule.get("startDate"), required=True)
    problems += _time_problem(f"{where}.endDate", rule.get("endDate"), required=False)
    return problems


def _time_problem(where: str, value: Any, *, required: bool) -> list[str]:
    if value is None and not required:
        return []
    try:
        fine = isinstance(value, str) and in_range(parse_wire_time(value))
    except (ValueError, OverflowError):
        fine = False
    if fine:
        return []
    return [
        f"{where}: expected a time such as 2026-11-27T09:00:00.000Z within "
        f"{EARLIEST:%Y}-{LATEST:%Y}, got {'nothing' if value is None else json_kind(value)}"
        + (f" {value[:40]!r}" if isinstance(value, str) else "")
    ]


@functools.cache
def _adapter() -> TypeAdapter[Plan]:
    """The validator of a saved plan (built on first use: pydantic is slow to set up)."""
    from pydantic import TypeAdapter

    return TypeAdapter(Plan)


def _dotted(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _plain(message: str) -> str:
    """pydantic's wording in JSON's terms: a tuple or a dataclass is a list or an object."""
    message = re.sub(r"a dictionary or an instance of \w+|a valid dictionary", "an object", message)
    message = message.replace("a valid tuple", "a list")
    return message.replace("Input should be", "expected").replace("Field required", "missing")
