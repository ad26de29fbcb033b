"""Pure rules: which plan action a site needs, and which drafts to generate and schedule.

The action table (issue #4) in one function, `choose_action`:

    live plan      what changed               action
    NEVER_CREATED  anything                   generate
    FAILED         anything                   generate again
    GENERATING     anything                   wait for it, then decide again
    INACTIVE       topics                     regenerate with keyword research (reactivates)
    INACTIVE       nothing or other           regenerate (reactivates)
    ACTIVE         topics                     regenerate with keyword research
    ACTIVE         other settings or events   regenerate
    ACTIVE         nothing                    none

A regenerate left pending by an interrupted apply (engine.journal) counts as a change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reconciler.engine.content import (
    DayCounts,
    day_hold,
    review_hold,
    topic_flags,
    words_hold,
)
from reconciler.engine.plan import ActionKind, DraftPost, DraftStep, HeldDraft, PlanAction
from reconciler.model.enums import SOCIAL_CHANNELS, TWITTER_SUNSET
from reconciler.model.events import utc, wire_time
from reconciler.model.plan_state import (
    ACTIVE,
    DRAFT,
    FAILED,
    GENERATING,
    INACTIVE,
    NEVER_CREATED,
    POSTED,
    SOCIAL_ACTIVITY,
    Activity,
    Draft,
    PlanState,
)
from reconciler.model.policy import Policy, SchedulePolicy


@dataclass(frozen=True)
class Pending:
    """A plan action that an earlier apply recorded as due but may not have started."""

    kind: ActionKind
    since: str
    sent: str | None = None
    """When an apply sent it and lost the answer (killed, timed out); None: never sent."""
    upcoming: tuple[str, ...] = ()
    """The ids of the plan's upcoming activities when it was sent (a run replaces them)."""


def still_due(pending: Pending | None, plan: PlanState, now: datetime) -> Pending | None:
    """`pending`, unless the live plan shows that the action sent earlier took effect.

    A generation running now, or upcoming activities none of which was there when it was
    sent (a run replaces them all with new ids), say it did: sending it again would start a
    second run. Otherwise (some are the same, or there are none) it is still due.
    """
    if pending is None or pending.sent is None:
        return pending
    if plan.status == GENERATING:
        return None
    current = set(upcoming_ids(plan, now))
    if current and current.isdisjoint(pending.upcoming):
        return None
    return pending


def upcoming_ids(plan: PlanState, now: datetime) -> tuple[str, ...]:
    """The ids of the activities dated from `now` on (what a regenerate replaces)."""
    return tuple(a.id for a in plan.activities if a.date is not None and utc(a.date) >= utc(now))


def choose_action(
    status: str,
    *,
    topics_changed: bool,
    inputs_changed: bool,
    pending: Pending | None = None,
) -> tuple[ActionKind, str]:
    """Return the action for a live plan status and what changed, with the reason shown to users."""
    if pending is not None and pending.kind in ("regenerate", "regenerate_keywords"):
        topics_changed = topics_changed or pending.kind == "regenerate_keywords"
        inputs_changed = True
    if status == NEVER_CREATED:
        return "generate", "the site has no plan yet"
    if status == FAILED:
        return "generate", "the last generation FAILED: generate again"
    if status == GENERATING:
        return "wait", "a generation started elsewhere is still running"
    why = f" (left pending by an interrupted apply at {pending.since})" if pending else ""
    if status == INACTIVE:
        kind: ActionKind = "regenerate_keywords" if topics_changed else "regenerate"
        return kind, f"the plan is INACTIVE; regenerating reactivates it{why}"
    if status == ACTIVE and topics_changed:
        return "regenerate_keywords", f"topics changed: regenerate with keyword research{why}"
    if status == ACTIVE and inputs_changed:
        return "regenerate", f"settings or events changed: regenerate{why}"
    if status == ACTIVE:
        return "none", "the plan is ACTIVE and its inputs are unchanged"
    return "none", f"unknown plan status {status!r}: leaving the plan alone"


def plan_action(
    status: str,
    *,
    topics_changed: bool,
    inputs_changed: bool,
    policy: Policy,
    no_regenerate: bool = False,
    pending: Pending | None = None,
) -> PlanAction:
    """choose_action plus the skips asked for by policy.regenerate: never and --no-regenerate."""
    kind, reason = choose_action(
        status, topics_changed=topics_changed, inputs_changed=inputs_changed, pending=pending
    )
    skipped = None
    if kind in ("regenerate", "regenerate_keywords"):
        if policy.regenerate == "never":
            skipped = "policy.regenerate is never: run it by hand or change the policy"
        elif no_regenerate:
            skipped = "--no-regenerate was given"
    return PlanAction(kind, reason, skipped)


def in_horizon(activity: Activity, now: datetime, horizon_days: int) -> bool:
    """Whether an activity is dated from now up to `horizon_days` ahead."""
    if activity.date is None:
        return False
    return utc(now) <= utc(activity.date) <= utc(now) + timedelta(days=horizon_days)


def _is_social(activity: Activity) -> bool:
    return activity.type in (None, SOCIAL_ACTIVITY)


def policy_channels(policy: Policy, social_channels: Sequence[str] | None) -> tuple[str, ...]:
    """The channels whose drafts apply schedules: the policy's, else settings.socialChannels."""
    if policy.schedule.channels is not None:
        return policy.schedule.channels
    return tuple(social_channels) if social_channels else SOCIAL_CHANNELS


def draft_step(
    plan: PlanState,
    *,
    policy: Policy,
    channels: Sequence[str],
    now: datetime,
    excluded: Sequence[str] = (),
    reviewed: Mapping[str, str] | None = None,
) -> DraftStep:
    """Decide which activities need posts and which drafts go to ScheduleDrafts.

    A draft is sent only when its channel looks connected: its `channel.accountId` is set
    (SPEC.md §5.20). At most one post (or story) per activity and channel is ever scheduled:
    when one is already SCHEDULED or PUBLISHED, or several drafts compete (an earlier posts
    job whose answer was lost, then a second one), the others are left as drafts and listed
    with how to clear them. Drafts that would stay drafts anyway are counted per channel
    with the reason, so that a plan right after an apply is empty. A draft that could go is
    then checked by the content rules (engine.content): one that breaks a rule is held,
    listed with the rule and the words. `reviewed` (draft id → content hash) is what the
    reviewed plan showed: a draft whose words changed since is held, and so is one nobody
    saw when policy.schedule.afterGeneration is review. `excluded`: settings.topics.excluded.
    """
    schedule = policy.schedule
    if not schedule.enabled or plan.status != ACTIVE:
        return DraftStep()
    activities = [a for a in plan.activities if in_horizon(a, now, schedule.horizon_days)]
    social = sorted((a for a in activities if _is_social(a)), key=_by_date)
    missing = (
        tuple(a.id for a in social if not a.has_posts) if schedule.generate_missing_posts else ()
    )
    days = DayCounts(schedule, _posted(plan))
    to_send: dict[str, list[str]] = defaultdict(list)
    posts: list[DraftPost] = []
    held: list[HeldDraft] = []
    stays: dict[str, int] = defaultdict(int)
    reasons: set[str] = set()
    for activity in social:
        taken = {(d.channel, d.type) for d in activity.drafts if d.status in POSTED}
        for draft in activity.drafts:
            if draft.status != DRAFT or draft.channel not in channels:
                continue
            reason = _why_unschedulable(draft.channel, activity, draft.account_id)
            if reason is None and (draft.channel, draft.type) in taken:
                reason = _already_posted(draft.channel)
            if reason is not None:
                stays[draft.channel] += 1
                reasons.add(reason)
                continue
            at = utc(activity.date) if activity.date else utc(now)
            hold = _content_hold(draft, at, schedule, excluded, reviewed, days)
            if hold is not None:
                held.append(
                    HeldDraft(
                        draft.id, draft.channel, wire_time(at), *hold, draft.text, draft.digest
                    )
                )
                continue
            to_send[draft.channel].append(draft.id)
            taken.add((draft.channel, draft.type))
            posts.append(_post(draft, activity, at, excluded))
    return DraftStep(
        generate_posts_for=missing,
        schedule={c: tuple(ids) for c, ids in sorted(to_send.items())},
        stays_draft=dict(sorted(stays.items())),
        notes=tuple(sorted(reasons)),
        posts=tuple(posts),
        held=tuple(held),
        after_generation_mode=schedule.after_generation,
        time_zone=schedule.time_zone,
    )


def _by_date(activity: Activity) -> tuple[datetime, str]:
    return (utc(activity.date) if activity.date else datetime.max.replace(tzinfo=UTC), activity.id)


def _posted(plan: PlanState) -> list[tuple[str, datetime]]:
    """(channel, date) of every draft already SCHEDULED or PUBLISHED: maxPerDay counts them."""
    return [
        (d.channel, utc(a.date))
        for a in plan.activities
        if a.date is not None
        for d in a.drafts
        if d.status in POSTED
    ]


def _content_hold(
    draft: Draft,
    at: datetime,
    policy: SchedulePolicy,
    excluded: Sequence[str],
    reviewed: Mapping[str, str] | None,
    days: DayCounts,
) -> tuple[str, str] | None:
    """The first content rule that holds the draft, as (rule, detail); maxPerDay last, so a
    held draft never takes a day's place."""
    hold = (
        words_hold(draft, policy, excluded)
        or review_hold(draft, reviewed, policy.after_generation)
        or day_hold(at, policy)
        or days.hold(draft.channel, at)
    )
    return None if hold is None else (hold.rule, hold.detail)


def _post(draft: Draft, activity: Activity, at: datetime, excluded: Sequence[str]) -> DraftPost:
    return DraftPost(
        id=draft.id,
        channel=draft.channel,
        at=wire_time(at),
        activity_id=activity.id,
        type=draft.type,
        content_key=draft.content_key,
        content=draft.content,
        text=draft.text,
        image=draft.image,
        digest=draft.digest,
        flags=topic_flags(draft, excluded),
    )


def _already_posted(channel: str) -> str:
    return (
        f"at most one {channel} post per activity is scheduled: the other {channel} drafts "
        "of an activity that has one (left by an earlier posts job) stay drafts; clear them "
        "with ClearMarketingActivityPosts or in the dashboard"
    )


def _why_unschedulable(channel: str, activity: Activity, account_id: str | None) -> str | None:
    date = activity.date
    if channel == "TWITTER" and date is not None and date.date().isoformat() > TWITTER_SUNSET:
        return f"TWITTER (X) drafts dated after {TWITTER_SUNSET} can never be published"
    if account_id:
        return None
    return (
        f"{channel} is not connected: connect it in the site's dashboard "
        "(Marketing → Social Media Marketing → connect accounts), then run apply again"
    )
