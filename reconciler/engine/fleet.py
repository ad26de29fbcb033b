"""Every site at once; one site's failure never stops the others.

`plan_sites` observes and plans every site; `apply_sites` applies each site's plan, except
a site whose plan its delete guard refuses (unless forced, `pass_guard`): that site alone is
refused, with the reason, and the others are applied. `check_fresh` compares a saved plan
with a fresh one, for `apply PLANFILE`.

Every selected site moves through its steps at the same time, so a fleet takes about as
long as its slowest site. What costs is bounded by the client, not here: the HTTP requests
in flight (`--max-in-flight`) and each site's requests per minute. A site that waits for a
generation, for posts or for a retry holds no slot, and so never delays another.

When the client stops (the server unreachable, or a shared credential refused, before
anything succeeded), no further site is started and the run ends with that one error.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TypeVar

from reconciler.engine.apply import apply_site, explain, skipped_note
from reconciler.engine.decide import still_due
from reconciler.engine.observe import observe, with_offered_calendars
from reconciler.engine.options import (
    needs_check,
    option_problems,
    read_options,
    with_calendar_ids,
)
from reconciler.engine.plan import Plan, SitePlan
from reconciler.engine.planning import build_site_plan
from reconciler.engine.report import ApplyReport, SiteOutcome
from reconciler.engine.runtime import APPLYING, READING, Runtime
from reconciler.errors import ApiError, StalePlan
from reconciler.model.events import wire_time
from reconciler.model.site import DesiredSite, LiveSite
from reconciler.wix import WixClient

log = logging.getLogger("reconciler.engine")
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class SiteWork:
    """A site's declared state, what was read of it, and the plan made from the two."""

    desired: DesiredSite
    live: LiveSite | None
    plan: SitePlan


async def bounded(
    items: Sequence[T], parallelism: int, work: Callable[[T], Awaitable[R]]
) -> list[R]:
    """Run `work` on every item with at most `parallelism` at a time; results in item order."""
    gate = asyncio.Semaphore(max(parallelism, 1))

    async def one(item: T) -> R:
        async with gate:
            return await work(item)

    return list(await asyncio.gather(*(one(i) for i in items)))


PLANNING_AT_ONCE = 512
"""Sites read and planned at once. Planning never waits for Wix's AI, so a window that
keeps the client's requests in flight busy is as fast as all at once, and the memory of a
fleet's plan stays flat in its size (tests/bench/RESULTS.md: 10,000 sites)."""


async def every(
    items: Sequence[T], work: Callable[[T], Awaitable[R]], *, at_once: int | None = None
) -> list[R]:
    """Run `work` on every item, all at once or `at_once` at a time; results in item order."""
    gate = asyncio.Semaphore(at_once) if at_once else None

    async def one(item: T) -> R:
        if gate is None:
            return await work(item)
        async with gate:
            return await work(item)

    with _fewer_collections():
        return list(await asyncio.gather(*(one(i) for i in items)))


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Let the garbage collector skip what the run already holds, and run less often.

    A fleet keeps every site's declared and live state at once; with Python's default
    thresholds each full collection walks all of it, about a millisecond of CPU per site at
    1,000 sites (tests/bench/RESULTS.md). What exists when the fleet starts (modules, the
    loaded files) is frozen out of the collector's sight, and young objects are collected
    in bigger batches. Both are restored afterwards.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 20_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


async def plan_sites(
    client: WixClient, sites: Sequence[DesiredSite], rt: Runtime, *, keep_live: bool = True
) -> list[SiteWork]:
    """Observe and plan every site; a site that cannot be read gets a plan carrying the error.

    `keep_live=False` drops each site's live state once its plan is made (a plan or drift
    needs only the plans, and a big fleet's live states are most of its memory).
    Raises the client's `stopped` error when the run had to stop.
    """

    async def one(desired: DesiredSite) -> SiteWork:
        work = await planned(desired)
        rt.settled(desired.id, "error" if work.plan.error else "planned", work.plan.error)
        return work

    def site_plan(desired: DesiredSite, live: LiveSite) -> SitePlan:
        return build_site_plan(
            desired,
            live,
            now=rt.clock.now(),
            pending=rt.journal.pending(desired.id),
            no_regenerate=rt.no_regenerate,
            reviewed=rt.reviewed_drafts(desired.id),
        )

    async def planned(desired: DesiredSite) -> SiteWork:
        if client.stopped is not None:
            return SiteWork(desired, None, _error_plan(desired, str(client.stopped)))
        rt.progress(desired.id, READING)
        site = client.site(desired.id)
        try:
            desired, problems = await with_calendar_ids(site, desired)
            if problems:
                return SiteWork(desired, None, _error_plan(desired, *problems, *site.notes))
            live = await observe(site, desired, rt.clock.now())
            plan = site_plan(desired, live)
            if unsure_events(plan, live):  # of a calendar GetCalendarOptions may offer
                live = await with_offered_calendars(site, live)
                plan = site_plan(desired, live)
            if needs_check(plan):
                problems = option_problems(desired, await read_options(site))
                if problems:
                    return SiteWork(desired, None, _error_plan(desired, *problems, *site.notes))
            later = tuple(n for n in site.notes if n not in plan.warnings)
            if later:  # entries of the option answers skipped
                plan = replace(plan, warnings=plan.warnings + later)
        except ApiError as exc:
            error = explain(exc, writing=False)
            return SiteWork(desired, None, _error_plan(desired, error, *site.notes))
        except Exception as exc:  # one site's odd data must not take the fleet down
            log.exception("unexpected error planning %s", desired.id)
            return SiteWork(desired, None, _error_plan(desired, unexpected(exc)))
        return SiteWork(desired, live if keep_live else None, plan)

    work = await every(sites, one, at_once=PLANNING_AT_ONCE)
    if client.stopped is not None:
        raise client.stopped
    return work


def unsure_events(plan: SitePlan, live: LiveSite) -> bool:
    """Whether `plan` updates, deletes or lists as not in the file a live event whose
    calendar is not one the site's settings name: it may be a connected calendar's that
    only GetCalendarOptions tells of. A site whose live events are all declared and
    unchanged (most runs) reads no options: the floor stays three reads per site."""
    written = {c.event_id for c in plan.events if c.op != "create"}
    unmanaged = set(plan.unmanaged_events)
    return any(
        e.calendar_id and not e.read_only and (e.id in written or e.name in unmanaged)
        for e in live.events
    )


def forget_landed(rt: Runtime, work: Sequence[SiteWork]) -> None:
    """Clear the journal's records of plan actions an earlier run sent and lost the answer
    to, once the live plan shows they took effect. For a site with nothing else to do no
    site apply runs (which clears them otherwise), and the record would outlive its use."""
    for item in work:
        recorded = rt.journal.pending(item.plan.site_id)
        if recorded is None or recorded.sent is None or item.live is None:
            continue
        if still_due(recorded, item.live.plan, rt.clock.now()) is None:
            rt.journal.clear(item.plan.site_id)


def unexpected(error: Exception) -> str:
    """How a site's failure that mpr did not foresee (a bug) is reported; the rest goes on."""
    return (
        f"unexpected error ({type(error).__name__}: {error}); the other sites were not "
        "affected. This is a bug in mpr: run the command again with `mpr --debug` and report "
        "what it prints"
    )


def _error_plan(desired: DesiredSite, *lines: str) -> SitePlan:
    """A plan carrying only why the site could not be planned: `lines`, one a line (the
    error first, then any entries of its answers skipped as unreadable, which may be why)."""
    error = "\n".join(lines)
    return SitePlan(
        site_id=desired.id,
        name=desired.name,
        source=desired.source,
        desired_fingerprint=desired.fingerprint,
        error=error,
    )


def make_plan(
    work: Sequence[SiteWork], rt: Runtime, sources: Sequence[str], selectors: Sequence[str]
) -> Plan:
    """The fleet's Plan value, in site order."""
    return Plan(
        created_at=wire_time(rt.clock.now()),
        sites=tuple(w.plan for w in work),
        sources=tuple(sources),
        selectors=tuple(selectors),
    )


def pass_guard(work: Sequence[SiteWork], site_ids: Collection[str]) -> list[SiteWork]:
    """`work` with the delete guard passed for the sites `site_ids` (`apply --force`)."""
    return [
        replace(w, plan=replace(w.plan, forced=True)) if w.plan.site_id in site_ids else w
        for w in work
    ]


STALE_SAVED = "the saved plan is stale; make a new one with `mpr plan --out`"


def check_fresh(
    saved: Plan,
    work: Sequence[SiteWork],
    files: Mapping[str, str] | None = None,
    *,
    stale: str = STALE_SAVED,
) -> None:
    """Raise StalePlan (`stale`, then each site's reason) when the YAML or the live state
    changed since `saved` was made.

    `files` (each YAML file read now → its digest) names the shared files that changed
    (defaults): the sites that changed only through them are one line, not one each.
    """
    fresh = {w.plan.site_id: w.plan for w in work}
    shared: list[str] = []  # unknown for a plan saved without its files' digests
    if saved.files and files is not None:
        site_files = {w.plan.source for w in work} | {s.source for s in saved.sites}
        shared = [name for name in changed_files(saved.files, files) if name not in site_files]
    reasons, through_shared = [], []
    for old in saved.sites:
        new = fresh.pop(old.site_id, None)
        label = old.name or old.site_id
        if new is None:
            reasons.append(f"{label}: no longer selected or declared")
        elif old.desired_fingerprint != new.desired_fingerprint:
            own_changed = saved.files.get(new.source) != (files or {}).get(new.source)
            if shared and not own_changed:
                through_shared.append(label)
            else:
                reasons.append(f"{label}: its YAML changed ({new.source})")
        elif old.live_fingerprint != new.live_fingerprint:
            reasons.append(f"{label}: its live state changed on Wix")
    reasons += [f"{p.name or p.site_id}: newly declared" for p in fresh.values()]
    if through_shared:
        reasons.insert(0, f"{', '.join(shared)} changed, and with it {_sites(through_shared)}")
    if reasons:
        raise StalePlan(f"{stale}:\n  " + "\n  ".join(reasons))


def changed_files(saved: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """The files edited, added or removed between two sets of digests, by name."""
    return sorted(name for name in {*saved, *now} if saved.get(name) != now.get(name))


def _sites(labels: Sequence[str], shown: int = 5) -> str:
    more = f" and {len(labels) - shown} more" if len(labels) > shown else ""
    return f"the YAML of {len(labels)} site(s): {', '.join(labels[:shown])}{more}"


async def apply_sites(client: WixClient, work: Sequence[SiteWork], rt: Runtime) -> ApplyReport:
    """Apply every site's plan; a site whose plan its delete guard refuses is left alone."""

    async def one(item: SiteWork) -> SiteOutcome:
        outcome = await applied(item)
        status = "partly applied" if outcome.partly_applied else outcome.status
        rt.settled(outcome.site_id, status, outcome.error)
        return outcome

    async def applied(item: SiteWork) -> SiteOutcome:
        if item.live is None or item.plan.error:
            return SiteOutcome(item.plan.site_id, item.plan.name, "failed", error=item.plan.error)
        if client.stopped is not None:
            error = f"not started: {client.stopped}"
            return SiteOutcome(item.plan.site_id, item.plan.name, "failed", error=error)
        if item.plan.refusals:
            error = "\n".join(item.plan.refusals)
            return SiteOutcome(item.plan.site_id, item.plan.name, "refused", error=error)
        if not item.plan.has_changes:
            forget_landed(rt, [item])
            outcome = SiteOutcome(item.plan.site_id, item.plan.name)
            outcome.warnings.extend(item.plan.warnings)
            if item.plan.action.skipped:
                outcome.not_done.append(skipped_note(item.plan.action))
            return outcome
        rt.progress(item.plan.site_id, APPLYING)
        try:
            return await apply_site(
                rt, client.site(item.desired.id), item.desired, item.live, item.plan
            )
        except Exception as exc:  # one site's bug must not take the fleet down
            log.exception("unexpected error applying %s", item.plan.site_id)
            return SiteOutcome(item.plan.site_id, item.plan.name, "failed", error=unexpected(exc))

    return ApplyReport(tuple(await every(work, one)))
