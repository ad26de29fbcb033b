"""Execute one site's plan in a fixed order, each step safe to run again.

settings upsert → events (create, update, delete) → plan action → wait → missing posts →
schedule. A regenerate made due by this apply is recorded in the journal before the first
write and cleared once Wix accepts it, so a run cut short in between still regenerates next
time. Errors end the site's apply with a reason; they never escape to the other sites.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

from reconciler.engine.decide import draft_step, plan_action
from reconciler.engine.diff import topics_changed
from reconciler.engine.observe import read_events, to_activity, to_plan_state
from reconciler.engine.plan import ActionKind, DraftStep, SitePlan
from reconciler.engine.planning import channels_for, missing_posts, no_posts_warning
from reconciler.engine.report import SiteOutcome
from reconciler.engine.runtime import Runtime
from reconciler.engine.wait import generation_over, poll, posts_ready
from reconciler.errors import (
    ApiError,
    FailedPrecondition,
    GenerationFailed,
    GenerationTimedOut,
    MprError,
    PlanAlreadyGenerating,
)
from reconciler.model.events import parse_wire_time, wire_time
from reconciler.model.plan_state import FAILED, GENERATING, Activity, PlanState
from reconciler.model.settings import nest
from reconciler.model.site import DesiredSite, LiveSite
from reconciler.wix import SiteClient, may_have_been_applied

BATCH = 20
POSTS_READ_BATCH = 100
_LABEL = {
    "generate": "GenerateMarketingPlan",
    "regenerate": "RegenerateMarketingPlan",
    "regenerate_keywords": "RegenerateMarketingPlanWithKeywordResearch",
}
T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def apply_site(
    rt: Runtime, site: SiteClient, desired: DesiredSite, live: LiveSite, plan: SitePlan
) -> SiteOutcome:
    """Apply one site's plan; the outcome says what was done, what was not and why."""
    outcome = SiteOutcome(plan.site_id, plan.name)
    outcome.sink = lambda record: rt.audit(plan.site_id, record)
    outcome.warnings.extend(plan.warnings)
    try:
        await _apply_steps(rt, site, desired, live, plan, outcome)
    except GenerationTimedOut as exc:
        outcome.failed("timed_out", str(exc))
    except MprError as exc:
        outcome.failed("failed", str(exc))
    return outcome


async def _apply_steps(
    rt: Runtime,
    site: SiteClient,
    desired: DesiredSite,
    live: LiveSite,
    plan: SitePlan,
    outcome: SiteOutcome,
) -> None:
    _record_due_regenerate(rt, plan)
    await _apply_settings(site, plan, outcome)
    await _apply_events(site, plan, outcome)
    state = await _run_plan_action(rt, site, desired, live, plan, outcome)
    await _posts_and_schedule(rt, site, desired, live, state, outcome)


def _record_due_regenerate(rt: Runtime, plan: SitePlan) -> None:
    """Write-ahead: note the regenerate these writes make due, before making them."""
    if not (plan.settings or plan.events):
        return
    kind: ActionKind = "regenerate_keywords" if topics_changed(plan.settings) else "regenerate"
    earlier = rt.journal.pending(plan.site_id)
    if earlier is not None and earlier.kind == "regenerate_keywords":
        return
    rt.journal.record(plan.site_id, kind, wire_time(rt.clock.now()))


async def _apply_settings(site: SiteClient, plan: SitePlan, outcome: SiteOutcome) -> None:
    if not plan.settings:
        return
    paths = [c.path for c in plan.settings]
    outcome.attempt(
        "settings.upsert",
        ", ".join(paths),
        {c.path: c.before for c in plan.settings},
        {c.path: c.after for c in plan.settings},
    )
    await site.upsert_marketing_settings(nest({c.path: c.after for c in plan.settings}), paths)
    outcome.did(f"settings: upserted {', '.join(paths)}")


async def _apply_events(site: SiteClient, plan: SitePlan, outcome: SiteOutcome) -> None:
    for change in plan.events:
        outcome.attempt(f"event.{change.op}", change.name, change.before, change.after)
        if change.op == "create":
            await _create_event(site, change.name, change.after or {})
        elif change.op == "update":
            await site.update_event(change.event_id or "", change.after or {})
        else:
            await site.delete_event(change.event_id or "")
        outcome.did(f"event {change.op}d: {change.name}")


async def _create_event(site: SiteClient, name: str, body: Mapping[str, Any]) -> None:
    """CreateEvent; when a failure may hide a success, look before sending it again."""
    try:
        await site.create_event(body)
    except ApiError as exc:
        if not may_have_been_applied(exc):
            raise
        moment = parse_wire_time(body.get("date") or body["recurringRule"]["startDate"])
        window = (moment - timedelta(seconds=1), moment + timedelta(seconds=1))
        found = await read_events(site, [window])
        if any(e.name == name and not e.read_only for e in found):
            return
        await site.create_event(body)


async def _run_plan_action(
    rt: Runtime,
    site: SiteClient,
    desired: DesiredSite,
    live: LiveSite,
    plan: SitePlan,
    outcome: SiteOutcome,
) -> PlanState:
    action = plan.action
    state = live.plan
    if action.kind == "wait":
        rt.progress(plan.site_id, "waiting for the running generation")
        state = await _wait_generation(rt, site, desired, "the generation already running")
        action = plan_action(
            state.status,
            topics_changed=topics_changed(plan.settings),
            inputs_changed=bool(plan.settings or plan.events),
            policy=desired.policy,
            no_regenerate=rt.no_regenerate,
            pending=rt.journal.pending(plan.site_id),
        )
    if action.skipped:
        outcome.not_done.append(f"{_LABEL.get(action.kind, action.kind)} skipped: {action.skipped}")
        return state
    if action.kind in ("none", "wait"):
        return state
    state = await _generate(rt, site, desired, action.kind, outcome)
    if missing_posts(desired, live, state):
        outcome.warnings.append(no_posts_warning())
    return state


async def _generate(
    rt: Runtime, site: SiteClient, desired: DesiredSite, kind: ActionKind, outcome: SiteOutcome
) -> PlanState:
    """Start the action and wait; a FAILED plan is generated again, up to the policy's tries."""
    tries = desired.policy.max_generation_attempts
    for attempt in range(1, tries + 1):
        outcome.attempt(f"plan.{kind}", site.site_id, None, "GENERATING")
        await _start(rt, site, desired, kind)
        rt.journal.clear(site.site_id)
        outcome.did(f"plan: {_LABEL[kind]} started")
        state = await _wait_generation(rt, site, desired, "the plan generation")
        if state.status != FAILED:
            outcome.done.append(f"plan: generation ended {state.status}")
            return state
        outcome.warnings.append(f"plan generation FAILED (try {attempt} of {tries})")
        kind = "generate"
    raise GenerationFailed(
        f"the plan generation FAILED {tries} time(s): check that the site is published, "
        "then run apply again (it will generate again)"
    )


async def _start(rt: Runtime, site: SiteClient, desired: DesiredSite, kind: ActionKind) -> None:
    """Call the generate method; when another run is going, wait for it and start ours after."""
    call = {
        "generate": site.generate_marketing_plan,
        "regenerate": site.regenerate_marketing_plan,
        "regenerate_keywords": site.regenerate_marketing_plan_with_keyword_research,
    }[kind]
    try:
        await call()
    except PlanAlreadyGenerating:
        await _wait_generation(rt, site, desired, "a generation started by someone else")
        await call()
    except ApiError as exc:
        # The start may have gone through with the answer lost: a running generation says so.
        if not may_have_been_applied(exc):
            raise
        state = to_plan_state(await site.get_social_marketing_plan())
        if state.status != GENERATING:
            raise


async def _wait_generation(
    rt: Runtime, site: SiteClient, desired: DesiredSite, what: str
) -> PlanState:
    async def read() -> PlanState:
        return to_plan_state(await site.get_social_marketing_plan())

    def shown(state: PlanState, waited: float) -> None:
        rt.progress(site.site_id, f"plan {state.status} after {waited:.0f}s")

    return await poll(
        read,
        generation_over,
        clock=rt.clock,
        policy=rt.wait_policy(desired.policy.wait_timeout_seconds),
        what=what,
        on_poll=shown,
    )


async def _posts_and_schedule(
    rt: Runtime,
    site: SiteClient,
    desired: DesiredSite,
    live: LiveSite,
    state: PlanState,
    outcome: SiteOutcome,
) -> None:
    channels = channels_for(desired, live)
    step = draft_step(state, policy=desired.policy, channels=channels, now=rt.clock.now())
    if step.generate_posts_for:
        fresh = await _generate_posts(rt, site, desired, step.generate_posts_for, outcome)
        state = _with_drafts(state, fresh)
        step = draft_step(state, policy=desired.policy, channels=channels, now=rt.clock.now())
    if any(step.schedule.values()):
        await _schedule(site, step, outcome)
    for channel, count in step.stays_draft.items():
        outcome.not_done.append(f"{count} {channel} draft(s) left as drafts")
    outcome.not_done.extend(step.notes)


async def _generate_posts(
    rt: Runtime, site: SiteClient, desired: DesiredSite, ids: Sequence[str], outcome: SiteOutcome
) -> list[Activity]:
    outcome.attempt("posts.generate", f"{len(ids)} activities", None, list(ids))
    for batch in chunks(ids, BATCH):
        await site.generate_social_posts(batch)
    outcome.did(
        f"posts: GenerateSocialPosts for {len(ids)} activities", writes=-(-len(ids) // BATCH)
    )

    async def read() -> list[Activity]:
        found: list[Activity] = []
        for batch in chunks(ids, POSTS_READ_BATCH):
            entries = await site.get_marketing_activity_posts(batch)
            found += [to_activity(e.marketing_activity_id, None, e.items) for e in entries]
        return found

    rt.progress(site.site_id, f"waiting for posts of {len(ids)} activities")
    return await poll(
        read,
        posts_ready(ids),
        clock=rt.clock,
        policy=rt.wait_policy(desired.policy.wait_timeout_seconds),
        what="post generation",
    )


def _with_drafts(state: PlanState, fresh: Sequence[Activity]) -> PlanState:
    drafts = {a.id: a.drafts for a in fresh}
    return PlanState(
        state.status,
        tuple(
            Activity(a.id, a.date, a.title, a.type, drafts.get(a.id, a.drafts))
            for a in state.activities
        ),
    )


async def _schedule(site: SiteClient, step: DraftStep, outcome: SiteOutcome) -> None:
    """ScheduleDrafts in batches; a 200 may skip drafts silently, so compare what came back."""
    channel_of = {i: c for c, ids in step.schedule.items() for i in ids}
    scheduled: set[str] = set()
    sent = dict(Counter(channel_of.values()))
    outcome.attempt("drafts.schedule", f"{len(channel_of)} drafts", sent, None)
    for batch in chunks(list(channel_of), BATCH):
        try:
            items = await site.schedule_drafts(batch)
        except FailedPrecondition:
            outcome.attempting = None
            outcome.warnings.append(
                "ScheduleDrafts answered 428: the site's Wix premium plan does not include "
                "scheduling posts; upgrade it or set policy.schedule.enabled: false"
            )
            return
        outcome.writes += 1
        scheduled |= {i.id for i in items if i.status in (None, "SCHEDULED")}
    per_channel = Counter(channel_of[i] for i in scheduled if i in channel_of)
    summary = ", ".join(f"{c} {n}" for c, n in sorted(per_channel.items())) or "none"
    if outcome.attempting is not None:
        outcome.attempting = replace(outcome.attempting, after=dict(per_channel))
    outcome.did(f"drafts: scheduled {len(scheduled)} ({summary})", writes=0)
    stayed = Counter(channel_of[i] for i in channel_of if i not in scheduled)
    for channel, count in sorted(stayed.items()):
        outcome.not_done.append(
            f"{count} {channel} draft(s) stayed drafts after ScheduleDrafts: connect {channel} "
            "in the site's dashboard (Marketing → Social Media Marketing), then apply again"
        )
