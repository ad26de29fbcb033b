"""Execute one site's plan in a fixed order, each step safe to run again.

settings upsert → events (create, update, delete) → plan action → wait → missing posts →
schedule. A regenerate made due by this apply is recorded in the journal before the first
write and cleared once Wix accepts it, so a run cut short in between still regenerates next
time. Errors end the site's apply with a reason; they never escape to the other sites.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, TypeVar

from reconciler.engine.decide import Pending, draft_step, still_due, upcoming_ids
from reconciler.engine.diff import topics_changed
from reconciler.engine.observe import read_events, to_activity, to_event, to_plan_state
from reconciler.engine.plan import (
    ActionKind,
    DraftStep,
    EventChange,
    HeldDraft,
    PlanAction,
    SitePlan,
)
from reconciler.engine.planning import (
    channels_for,
    excluded_topics,
    missing_posts,
    no_posts_warning,
    site_action,
)
from reconciler.engine.report import SiteOutcome
from reconciler.engine.runtime import Runtime
from reconciler.engine.verify import event_not_kept, settings_not_kept
from reconciler.engine.wait import generation_over, poll, posts_ready
from reconciler.errors import (
    ApiError,
    ApiUnreachable,
    DidNotConverge,
    FailedPrecondition,
    GenerationFailed,
    GenerationTimedOut,
    Interrupted,
    MprError,
    PlanAlreadyGenerating,
    RateLimited,
    ServerError,
)
from reconciler.model.counts import counted
from reconciler.model.events import parse_wire_time, wire_time
from reconciler.model.plan_state import (
    DRAFT,
    FAILED,
    GENERATING,
    POSTED,
    Activity,
    PlanState,
)
from reconciler.model.settings import nest, with_unknown_members
from reconciler.model.site import DesiredSite, LiveSite
from reconciler.wix import SiteClient, may_have_been_applied, wire

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
    outcome.sink = lambda record: rt.audit.record(plan.site_id, record)
    outcome.warnings.extend(plan.warnings)
    read_before = len(site.notes)
    try:
        await _SiteApply(rt, site, desired, live, plan, outcome).run()
    except GenerationTimedOut as exc:
        outcome.failed("timed_out", str(exc))
    except MprError as exc:
        outcome.failed("failed", explain(exc), maybe_applied=_maybe_applied(exc))
    outcome.warnings.extend(site.notes[read_before:])  # entries skipped in apply's reads
    return outcome


def _maybe_applied(error: MprError) -> bool:
    """Whether the write under way when `error` ended the site may still have landed."""
    if isinstance(error, Interrupted):
        return error.maybe_applied
    return isinstance(error, ApiError) and may_have_been_applied(error)


def explain(error: MprError, *, writing: bool = True) -> str:
    """The error's message, plus what to do about it when the client gave up retrying.

    `writing`: the run was applying, so a new run picks up where it stopped; a read-only
    run (plan, drift) is simply made again."""
    again = "then run the same command again" + (
        ": it continues where this run stopped" if writing else ""
    )
    if isinstance(error, RateLimited):
        pause = "wait a minute"
        if error.retry_after and error.retry_after > 60:  # longer than the client waits itself
            pause = f"Wix asked to wait {error.retry_after:g} s, so wait that long"
        return (
            f"{error}. Wix is throttling requests: {pause}, {again} "
            "(a lower --max-in-flight sends fewer requests at once)"
        )
    if isinstance(error, ServerError):
        return f"{error}. The failure is on Wix's side: wait a while, {again}"
    if isinstance(error, ApiUnreachable):
        return (
            f"{error}. Wix could not be reached or did not answer in time: check the network, "
            f"WIX_API_BASE_URL and WIX_API_TIMEOUT, {again}"
        )
    return str(error)


def skipped_note(action: PlanAction) -> str:
    """How apply reports a due plan action it did not run."""
    return f"{_LABEL.get(action.kind, action.kind)} skipped: {action.skipped}"


@dataclass
class _SiteApply:
    """One site's apply: the collaborators every step needs, and the steps in order."""

    rt: Runtime
    site: SiteClient
    desired: DesiredSite
    live: LiveSite
    plan: SitePlan
    outcome: SiteOutcome

    async def run(self) -> None:
        state = await self._settle_sent()
        self._record_due_regenerate()
        not_kept = await self._apply_settings()
        not_kept += await self._apply_events()
        if not_kept:
            raise DidNotConverge(self._not_converged(not_kept, state))
        state = await self._run_plan_action(state)
        await self._posts_and_schedule(state)

    async def _settle_sent(self) -> PlanState:
        """Look for the plan action an earlier run sent without getting the answer.

        A request sent just before a kill may still be on its way: until `answer_window`
        has passed since it was sent, the live plan is read again until it shows the action
        (a generation running, the upcoming activities replaced) or the window closes.
        """
        state = self.live.plan
        recorded = self.rt.journal.pending(self.plan.site_id)
        if recorded is None or recorded.sent is None:
            return state
        until = parse_wire_time(recorded.sent) + timedelta(seconds=self.rt.answer_window)
        left = (until - self.rt.clock.now()).total_seconds()
        if left > 0 and still_due(recorded, state, self.rt.clock.now()) is not None:
            self.rt.progress(self.plan.site_id, "looking for a plan action sent by a cut run")

            async def read() -> PlanState:
                return to_plan_state(await self.site.get_social_marketing_plan())

            def landed(found: PlanState) -> bool:
                return still_due(recorded, found, self.rt.clock.now()) is None

            patience = self._patience("a plan action sent by a cut run", left)
            with suppress(GenerationTimedOut):
                state = await poll(read, landed, **patience)
        self._pending(state)
        return state

    def _pending(self, state: PlanState) -> Pending | None:
        """The journal's pending action, unless the live plan shows that it took effect when
        an earlier run sent it (and lost the answer): then the journal forgets it."""
        site_id = self.plan.site_id
        recorded = self.rt.journal.pending(site_id)
        due = still_due(recorded, state, self.rt.clock.now())
        if recorded is not None and due is None:
            self.rt.journal.clear(site_id)
            self.outcome.done.append(
                f"plan: the {_LABEL[recorded.kind]} sent at {recorded.sent} took effect "
                "(its answer was lost); not sent again"
            )
        return due

    def _record_due_regenerate(self) -> None:
        """Write-ahead: note the regenerate these writes make due, before making them."""
        plan = self.plan
        if not (plan.settings or plan.events):
            return
        kind: ActionKind = "regenerate_keywords" if topics_changed(plan.settings) else "regenerate"
        earlier = self.rt.journal.pending(plan.site_id)
        if earlier is not None and earlier.kind == "regenerate_keywords":
            return
        self.rt.journal.record(plan.site_id, kind, wire_time(self.rt.clock.now()))

    async def _intend(
        self, action: str, target: str, before: Any = None, after: Any = None
    ) -> None:
        """Note the write about to be sent and wait until the journal and the audit trail
        hold it (with the records before it): only then may it go to Wix."""
        self.outcome.attempt(action, target, before, after)
        await self.rt.durable()

    async def _apply_settings(self) -> list[str]:
        """Upsert the changed settings; the lines of what Wix did not keep (verify.py)."""
        changes = self.plan.settings
        if not changes:
            return []
        paths = [c.path for c in changes]
        after = {c.path: c.after for c in changes}
        before = {c.path: c.before for c in changes}
        await self._intend("settings.upsert", ", ".join(paths), before, after)
        body = with_unknown_members(after, self.live.settings_document)
        stored = await self.site.upsert_marketing_settings(nest(body), paths)
        self.outcome.did(f"settings: upserted {', '.join(paths)}")
        if stored is None:  # the answer shows nothing: read what Wix kept
            stored = await self.site.get_marketing_settings()
        return settings_not_kept(
            after, {"settings": stored.settings, "overrides": stored.overrides}
        )

    async def _apply_events(self) -> list[str]:
        """Create, update and delete events; the lines of what Wix did not keep."""
        not_kept: list[str] = []
        for change in self.plan.events:
            await self._intend(f"event.{change.op}", change.name, change.before, change.after)
            stored: wire.CalendarEvent | None = None
            if change.op == "create":
                stored = await self._create_event(change.name, change.after or {})
            else:
                written, stored = await self._write_existing(change)
                if not written:
                    continue
            self.outcome.did(f"event {change.op}d: {change.name}")
            sent = next((e for e in self.desired.events if e.name == change.name), None)
            if stored is not None and sent is not None:
                not_kept += event_not_kept(sent, to_event(stored))
        return not_kept

    async def _write_existing(self, change: EventChange) -> tuple[bool, wire.CalendarEvent | None]:
        """Update or delete a live event: (False, None) when Wix refused it with 428, else
        (True, the event an update returns).

        SPEC §3.4.2–3: 428 is what Wix answers for an event of a connected calendar (or one
        gone meanwhile). The event is reported as read-only and the site goes on. The next
        plan does not try again without any memory of this run: a connected calendar's
        event is told by its `calendarId` (observe.py), and a gone one is not read back.
        """
        try:
            if change.op == "update":
                body = self._carried(change)
                return True, await self.site.update_event(change.event_id or "", body)
            await self.site.delete_event(change.event_id or "")
        except FailedPrecondition as exc:
            self.outcome.failed_step(str(exc))
            self.outcome.not_done.append(
                f"event {change.op} {change.name!r}: Wix answered 428, the event is read-only "
                "(from a connected calendar) or gone; left as it is"
            )
            return False, None
        return True, None

    def _not_converged(self, lines: Sequence[str], state: PlanState) -> str:
        """The site's error: each leaf Wix did not keep, and the plan action not started."""
        action = self._action(state)
        held = ""
        if action.kind not in ("none", "wait") and not action.skipped:
            held = f"\n{_LABEL[action.kind]} was not started: the writes did not take"
        return "\n".join(lines) + held

    def _carried(self, change: EventChange) -> dict[str, Any]:
        """The update body, with the members of the live event (and of its recurring rule)
        that mpr does not know kept."""
        live = next((e for e in self.live.events if e.id == change.event_id), None)
        if live is None:
            return dict(change.after or {})
        body = {**live.extras, **(change.after or {})}
        rule = body.get("recurringRule")
        if isinstance(rule, Mapping) and live.recurring_rule is not None:
            body["recurringRule"] = {**live.recurring_rule.extras, **rule}
        return body

    async def _create_event(self, name: str, body: Mapping[str, Any]) -> wire.CalendarEvent | None:
        """CreateEvent; when a failure may hide a success, look before sending it again.

        A 5xx is a finished answer, so the look shows what Wix did and a missing event is
        sent again. After a timeout or a dropped connection the request may still be running
        on Wix, so the look proves nothing: the event is not sent again (it could then exist
        twice) and the next apply finds it or creates it.
        """
        try:
            return await self.site.create_event(body)
        except ApiError as exc:
            if not may_have_been_applied(exc):
                raise
            moment = parse_wire_time(body.get("date") or body["recurringRule"]["startDate"])
            window = (moment - timedelta(seconds=1), moment + timedelta(seconds=1))
            found = await read_events(self.site, [window])
            if any(e.name == name and not e.read_only for e in found):
                return None  # found by a look that proves it is there, not what it holds
            if isinstance(exc, ApiUnreachable):
                lost = f"{exc.message}; the event {name!r} is not there yet and was not sent again"
                raise replace(exc, message=lost) from exc
            return await self.site.create_event(body)

    def _action(self, state: PlanState) -> PlanAction:
        """The plan action due now, from the live plan and the journal (as plan decided it)."""
        return site_action(
            state.status,
            self.plan.settings,
            self.plan.events,
            self.desired.policy,
            no_regenerate=self.rt.no_regenerate,
            pending=self._pending(state),
        )

    async def _run_plan_action(self, state: PlanState) -> PlanState:
        action = self._action(state)
        if action.kind == "wait":
            self.rt.progress(self.plan.site_id, "waiting for the running generation")
            state = await self._wait_generation("the generation already running")
            action = self._action(state)
        if action.skipped:
            self.outcome.not_done.append(skipped_note(action))
            return state
        if action.kind in ("none", "wait"):
            return state
        state = await self._generate(action.kind, state)
        if missing_posts(self.desired, self.live, state):
            self.outcome.warnings.append(no_posts_warning())
        return state

    async def _generate(self, kind: ActionKind, state: PlanState) -> PlanState:
        """Start the action and wait; a FAILED plan is generated again, up to the policy's tries."""
        tries = self.desired.policy.max_generation_attempts
        for attempt in range(1, tries + 1):
            now = self.rt.clock.now()
            self.rt.journal.mark_sent(
                self.site.site_id, kind, wire_time(now), upcoming_ids(state, now)
            )
            await self._intend(f"plan.{kind}", self.site.site_id, None, "GENERATING")
            await self._start(kind)
            self.rt.journal.clear(self.site.site_id)
            self.outcome.did(f"plan: {_LABEL[kind]} started")
            state = await self._wait_generation("the plan generation")
            if state.status != FAILED:
                self.outcome.done.append(f"plan: generation ended {state.status}")
                return state
            self.outcome.warnings.append(f"plan generation FAILED (try {attempt} of {tries})")
            kind = "generate"
        raise GenerationFailed(
            f"the plan generation FAILED {tries} time(s): check that the site is published, "
            "then run apply again (it will generate again)"
        )

    async def _start(self, kind: ActionKind) -> None:
        """Call the generate method; when another run is going, wait for it, then start ours."""
        call = {
            "generate": self.site.generate_marketing_plan,
            "regenerate": self.site.regenerate_marketing_plan,
            "regenerate_keywords": self.site.regenerate_marketing_plan_with_keyword_research,
        }[kind]
        try:
            await call()
        except PlanAlreadyGenerating:
            await self._wait_generation("a generation started by someone else")
            await call()
        except ApiError as exc:
            # The start may have gone through with the answer lost: a running generation says so.
            if not may_have_been_applied(exc):
                raise
            state = to_plan_state(await self.site.get_social_marketing_plan())
            if state.status != GENERATING:
                raise

    async def _wait_generation(self, what: str) -> PlanState:
        async def read() -> PlanState:
            plan = await self.site.get_social_marketing_plan(only_status_while=GENERATING)
            return to_plan_state(plan)

        def shown(state: PlanState, waited: float) -> None:
            self.rt.progress(self.site.site_id, f"plan {state.status} after {waited:.0f}s")

        return await poll(read, generation_over, **self._patience(what), on_poll=shown)

    def _patience(self, what: str, timeout: float | None = None) -> dict[str, Any]:
        seconds = self.desired.policy.wait_timeout_seconds if timeout is None else timeout
        policy = self.rt.wait_policy(seconds)
        return {"clock": self.rt.clock, "policy": policy, "what": what}

    async def _posts_and_schedule(self, state: PlanState) -> None:
        # Decides from the plan already read (observe's GetSocialMarketingPlan or a generation's
        # last poll): no request of its own. QueryMarketingActivities is not cheaper here: it has
        # neither drafts nor the plan status, so it needs GetMarketingActivityPosts too: 2
        # requests and 5-7% more bytes than the plan read of the same window (emulator, #16).
        step = self._draft_step(state)
        if step.generate_posts_for:
            state = await self._earlier_posts(state, step.generate_posts_for)
            step = self._draft_step(state)
        if step.generate_posts_for:
            fresh = await self._generate_posts(step.generate_posts_for)
            state = _with_drafts(state, fresh)
            step = self._draft_step(state)
        if any(step.schedule.values()):
            missed = await self._schedule(step)
            if missed:
                missed = await self._schedule_once_more(state, missed)
            self._stayed_drafts(missed)
        for channel, count in step.stays_draft.items():
            self.outcome.not_done.append(f"{count} {channel} draft(s) left as drafts")
        self.outcome.not_done.extend(step.notes)
        self.outcome.not_done.extend(held_lines(step.held))

    async def _schedule_once_more(
        self, state: PlanState, missed: Mapping[str, str]
    ) -> dict[str, str]:
        """ScheduleDrafts left `missed` out of its answer: read their activities again and
        send, once, what is still to schedule there (the successors of drafts a late posts
        job replaced, or a draft Wix skipped). Returns the drafts that stayed drafts: those
        the second answer leaves out, and those still DRAFT that cannot be sent (a draft Wix
        scheduled without saying so is neither)."""
        owners = [a.id for a in state.activities if any(d.id in missed for d in a.drafts)]
        fresh = await self._read_posts(owners)
        now = {d.id: d for a in fresh for d in a.drafts}
        step = self._draft_step(_with_drafts(state, fresh))
        # only their drafts: the ones just scheduled are not sent twice
        schedule = {c: tuple(i for i in ids if i in now) for c, ids in step.schedule.items()}
        again = replace(step, schedule=schedule)
        sent = {i for ids in schedule.values() for i in ids}
        found = _per_channel(
            {i: c for i, c in missed.items() if i in now and now[i].status in POSTED}
        )
        if found:
            self.outcome.done.append(
                f"drafts: {sum(found.values())} more found scheduled when read again "
                f"({', '.join(f'{c} {n}' for c, n in found.items())}; ScheduleDrafts' answer "
                "left them out)"
            )
        stayed = {
            i: c for i, c in missed.items() if i not in sent and i in now and now[i].status == DRAFT
        }
        if sent:
            stayed |= await self._schedule(again)
        return stayed

    def _draft_step(self, state: PlanState) -> DraftStep:
        """The draft step for `state` now; the words are checked against the reviewed plan's
        (a saved plan's, else the one this run showed)."""
        reviewed = self.rt.reviewed_drafts(self.plan.site_id)
        return draft_step(
            state,
            policy=self.desired.policy,
            channels=channels_for(self.desired, self.live),
            now=self.rt.clock.now(),
            excluded=excluded_topics(self.desired, self.live),
            reviewed=self.plan.drafts.shown if reviewed is None else reviewed,
        )

    async def _earlier_posts(self, state: PlanState, wanted: Sequence[str]) -> PlanState:
        """Wait for the posts an earlier run asked for (its answer lost), instead of asking
        again: a second job would leave a second set of drafts. Bounded by the policy's wait
        from when that request was sent; past it, the request is taken as lost."""
        site_id = self.plan.site_id
        recorded = self.rt.journal.posts_requested(site_id)
        ids = [i for i in wanted if recorded is not None and i in recorded.activities]
        if recorded is None or not ids:
            self.rt.journal.clear_posts(site_id)
            return state
        wait = self.desired.policy.wait_timeout_seconds + self.rt.answer_window
        until = parse_wire_time(recorded.sent) + timedelta(seconds=wait)
        left = (until - self.rt.clock.now()).total_seconds()
        fresh: list[Activity] = []
        if left > 0:
            self.rt.progress(site_id, f"waiting for posts an earlier run asked for ({len(ids)})")
            patience = self._patience("posts asked for by an earlier run", left)
            with suppress(GenerationTimedOut):
                fresh = await poll(lambda: self._read_posts(ids), posts_ready(ids), **patience)
                self.outcome.done.append(
                    "posts: the posts an earlier run asked for arrived "
                    f"({counted(len(ids), 'activity', 'activities')}); "
                    "not asked for again"
                )
        self.rt.journal.clear_posts(site_id)
        return _with_drafts(state, fresh)

    async def _generate_posts(self, ids: Sequence[str]) -> list[Activity]:
        now = wire_time(self.rt.clock.now())
        self.rt.journal.record_posts(self.plan.site_id, now, tuple(ids))
        await self._intend("posts.generate", f"{len(ids)} activities", None, list(ids))
        for batch in chunks(ids, BATCH):
            await self.site.generate_social_posts(batch)
        calls = -(-len(ids) // BATCH)
        activities = counted(len(ids), "activity", "activities")
        self.outcome.did(f"posts: GenerateSocialPosts for {activities}", writes=calls)
        self.rt.progress(self.site.site_id, f"waiting for posts of {activities}")
        fresh: list[Activity] = await poll(
            lambda: self._read_posts(ids), posts_ready(ids), **self._patience("post generation")
        )
        self.rt.journal.clear_posts(self.plan.site_id)
        return fresh

    async def _read_posts(self, ids: Sequence[str]) -> list[Activity]:
        found: list[Activity] = []
        for batch in chunks(ids, POSTS_READ_BATCH):
            entries = await self.site.get_marketing_activity_posts(batch)
            found += [to_activity(e.marketing_activity_id, None, e.items) for e in entries]
        return found

    async def _schedule(self, step: DraftStep) -> dict[str, str]:
        """ScheduleDrafts in batches; a 200 may skip drafts silently, so compare what came back.

        Returns the drafts that stayed drafts (id → channel)."""
        outcome = self.outcome
        channel_of = {i: c for c, ids in step.schedule.items() for i in ids}
        await self._intend("drafts.schedule", f"{len(channel_of)} drafts", _per_channel(channel_of))
        scheduled: set[str] = set()
        for batch in chunks(list(channel_of), BATCH):
            try:
                items = await self.site.schedule_drafts(batch)
            except FailedPrecondition as exc:
                outcome.failed_step(str(exc))
                outcome.warnings.append(PREMIUM_428)
                return {}
            outcome.writes += 1
            scheduled |= {i.id for i in items if i.status in (None, "SCHEDULED")}
        done = _per_channel({i: channel_of[i] for i in scheduled if i in channel_of})
        if outcome.attempting is not None:
            outcome.attempting = replace(outcome.attempting, after=done)
        summary = ", ".join(f"{c} {n}" for c, n in done.items()) or "none"
        outcome.did(f"drafts: scheduled {len(scheduled)} ({summary})", writes=0)
        return {i: c for i, c in channel_of.items() if i not in scheduled}

    def _stayed_drafts(self, missed: Mapping[str, str]) -> None:
        for channel, count in _per_channel(missed).items():
            self.outcome.not_done.append(
                f"{count} {channel} draft(s) stayed drafts after ScheduleDrafts: connect "
                f"{channel} in the site's dashboard (Marketing → Social Media Marketing), "
                "then apply again"
            )


PREMIUM_428 = (
    "ScheduleDrafts answered 428: the site's Wix premium plan does not include scheduling "
    "posts; upgrade it or set policy.schedule.enabled: false"
)


HELD_NAMED = 4
"""How many drafts a line of held drafts names before it counts the rest."""


def held_lines(held: Sequence[HeldDraft]) -> list[str]:
    """The drafts a rule held, as apply reports them: one line per rule and finding (the
    unseen drafts of a generation share one), each with its channels and date."""
    groups: dict[tuple[str, str], list[HeldDraft]] = {}
    for draft in held:
        groups.setdefault((draft.rule, draft.detail), []).append(draft)
    lines = []
    for (rule, detail), drafts in groups.items():
        which = ", ".join(f"{d.channel} {d.at[:16].replace('T', ' ')}" for d in drafts[:HELD_NAMED])
        which += f", … and {len(drafts) - HELD_NAMED} more" if len(drafts) > HELD_NAMED else ""
        lines.append(f"held {len(drafts)} draft(s) ({which}): {rule}: {detail}")
    return lines


def _per_channel(channel_of: Mapping[str, str]) -> dict[str, int]:
    return dict(sorted(Counter(channel_of.values()).items()))


def _with_drafts(state: PlanState, fresh: Sequence[Activity]) -> PlanState:
    drafts = {a.id: a.drafts for a in fresh}
    return PlanState(
        state.status,
        tuple(
            Activity(a.id, a.date, a.title, a.type, drafts.get(a.id, a.drafts))
            for a in state.activities
        ),
    )
