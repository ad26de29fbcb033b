"""Apply a few sites first, and the rest only once those converged (`mpr apply --canary`).

A canary is judged by the engine's own planning: once its writes are done, a fresh plan of
it (the same observe → plan steps `mpr plan` runs) must be empty and error-free. A site that
failed, timed out, or still shows changes did not converge, and then the other sites are not
touched. The caller holds the apply lock across both phases: one writer throughout.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from reconciler.engine.fleet import SiteWork, apply_sites, plan_sites
from reconciler.engine.plan import SitePlan
from reconciler.engine.report import ApplyReport, SiteOutcome
from reconciler.engine.runtime import Runtime
from reconciler.wix import WixClient

Phase = Callable[
    [str, Sequence[SiteWork], Callable[[], Awaitable[ApplyReport]]], Awaitable[ApplyReport]
]


@dataclass(frozen=True)
class Unconverged:
    """A canary site that did not converge, and what showed it."""

    site_id: str
    name: str
    source: str
    reasons: tuple[str, ...]
    fresh: SitePlan | None = None
    """The fresh plan that still shows changes (None when the site's apply itself failed)."""


@dataclass(frozen=True)
class CanaryRun:
    """Both phases of an apply with a canary: the outcomes, and why it stopped, if it did."""

    report: ApplyReport
    unconverged: tuple[Unconverged, ...] = ()
    untouched: tuple[SitePlan, ...] = ()
    """The sites not applied because the canary did not converge."""


def split(work: Sequence[SiteWork], canary: set[str]) -> tuple[list[SiteWork], list[SiteWork]]:
    """The canary sites and the others, each in plan (file) order."""
    first = [w for w in work if w.plan.site_id in canary]
    return first, [w for w in work if w.plan.site_id not in canary]


def first_changing(work: Sequence[SiteWork], count: int) -> set[str]:
    """The ids of the first `count` sites, in file order, whose plan writes something (and
    is not refused by its delete guard): a
    canary with nothing to write would prove nothing."""
    changing = [
        w.plan.site_id
        for w in work
        if w.plan.has_changes and not w.plan.error and not w.plan.refusals
    ]
    return set(changing[:count])


async def apply_with_canary(
    client: WixClient,
    work: Sequence[SiteWork],
    rt: Runtime,
    canary: set[str],
    phase: Phase | None = None,
) -> CanaryRun:
    """Apply the `canary` sites, check that a fresh plan of them is empty, then the rest.

    `phase(label, work, run)` wraps each step (the CLI shows progress there); the labels are
    "canary", "check" and "rest". The report lists the outcomes in plan order.
    """
    step = phase or _plain
    first, rest = split(work, canary)
    early = await step("canary", first, lambda: apply_sites(client, first, rt))
    unconverged = await _check(client, first, early, rt, step)
    if unconverged:
        return CanaryRun(early, unconverged, tuple(w.plan for w in rest))
    late = await step("rest", rest, lambda: apply_sites(client, rest, rt))
    order = {w.plan.site_id: i for i, w in enumerate(work)}
    outcomes = sorted(early.outcomes + late.outcomes, key=lambda o: order[o.site_id])
    return CanaryRun(ApplyReport(tuple(outcomes)))


async def _plain(
    label: str, work: Sequence[SiteWork], run: Callable[[], Awaitable[ApplyReport]]
) -> ApplyReport:
    return await run()


async def _check(
    client: WixClient, first: Sequence[SiteWork], early: ApplyReport, rt: Runtime, step: Phase
) -> tuple[Unconverged, ...]:
    outcomes = {o.site_id: o for o in early.outcomes}
    bad = [_failed(w, outcomes[w.plan.site_id]) for w in first]
    ok = [w for w, problem in zip(first, bad, strict=True) if problem is None]
    fresh: list[SiteWork] = []

    async def replan() -> ApplyReport:
        fresh.extend(await plan_sites(client, [w.desired for w in ok], rt, keep_live=False))
        return ApplyReport(())

    if ok:
        await step("check", ok, replan)
    found = [problem for problem in bad if problem is not None]
    found += [u for u in (_still_changing(w.plan) for w in fresh) if u is not None]
    order = {w.plan.site_id: i for i, w in enumerate(first)}
    return tuple(sorted(found, key=lambda u: order[u.site_id]))


def _failed(item: SiteWork, outcome: SiteOutcome) -> Unconverged | None:
    if outcome.status not in ("failed", "timed_out"):
        return None
    word = "failed" if outcome.status == "failed" else "timed out"
    reason = f"its apply {word}: {outcome.error or 'no detail'}"
    plan = item.plan
    return Unconverged(plan.site_id, plan.name, plan.source, (reason,))


def _still_changing(plan: SitePlan) -> Unconverged | None:
    """Why a fresh plan of a canary site is not empty (None: it is)."""
    if plan.error:
        reasons: list[str] = [f"a fresh plan of it failed: {plan.error}"]
    else:
        reasons = [f"{c.path} still differs from the YAML" for c in plan.settings]
        reasons += [f"event {c.op} {c.name!r} still planned" for c in plan.events]
        if plan.action.runs:
            reasons.append(f"plan action {plan.action.kind} still due ({plan.action.reason})")
        if plan.drafts.has_changes:
            reasons.append("drafts still to generate or schedule")
    if not reasons:
        return None
    return Unconverged(plan.site_id, plan.name, plan.source, tuple(reasons), plan)
