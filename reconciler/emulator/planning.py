"""Marketing Plan lifecycle: generate / regenerate / keyword research, read, delete.

Rules (SPEC §1.9, §3.1.1–3.1.6, §5.14–5.15, §5.21–5.22, §5.28–5.29):
* Generate while GENERATING → 428 ``PLAN_ALREADY_GENERATING_ERROR``; on an existing plan it
  is a full replacement (at completion);
* Regenerate with no plan → 428 ``PLAN_NOT_FOUND``; while GENERATING → 428
  ``PLAN_ALREADY_GENERATING_ERROR``; keeps activities dated before the run started (with their
  items) and replaces upcoming ones with new ids;
* RegenerateWithKeywordResearch refreshes keyword research; while GENERATING it answers
  GENERATING and starts nothing; its run lasts ``keyword_research_factor`` times longer;
* a run reads settings/events when it starts; it ends FAILED when injected or when the site
  is unpublished with ``unpublishedOutcome: FAILED`` (previous activities stay);
* posts are drafted at the end only for SOCIAL_MARKETING activities up to the post horizon,
  only when the run's tools include SOCIAL_MARKETING and the site is published.
"""

from __future__ import annotations

import copy
from datetime import datetime

from reconciler.emulator.clock import end_of_day_after, end_of_next_week, start_of_day
from reconciler.emulator.context import Context
from reconciler.emulator.drafts import build_drafts
from reconciler.emulator.errors import precondition
from reconciler.emulator.generation import (
    DEFAULT_TOOLS,
    content_seed,
    plan_activities,
    research_keywords,
)
from reconciler.emulator.records import (
    Activity,
    CalendarEvent,
    GenerationInputs,
    GenerationJob,
    Json,
    Site,
)

GENERATING = "GENERATING"


def start_generation(ctx: Context, site: Site, kind: str) -> Json:
    """Start a run of ``kind`` (generate | regenerate | keyword); return ``{status}``.

    Raises 428 ``PLAN_ALREADY_GENERATING_ERROR`` / ``PLAN_NOT_FOUND`` as documented above.
    """
    plan = site.plan
    if plan.status == GENERATING:
        if kind == "keyword":
            # Documented: only keyword research is refreshed; no parallel run starts.
            site.keywords = research_keywords(site.settings)
            return {"status": GENERATING}
        raise precondition(
            "PLAN_ALREADY_GENERATING_ERROR",
            "plan already generating",
            "A generation for this site is still running",
        )
    if kind != "generate" and plan.status == "NEVER_CREATED":
        raise precondition(
            "PLAN_NOT_FOUND",
            "no marketing plan exists for this site",
            "Generate a plan before regenerating it",
        )
    if kind == "keyword":
        site.keywords = research_keywords(site.settings)
    now = ctx.clock.now()
    fail = site.fail_next_generations > 0
    if fail:
        site.fail_next_generations -= 1
    factor = ctx.config.keyword_research_factor if kind == "keyword" else 1.0
    plan.job = GenerationJob(
        kind=kind,
        started=now,
        duration=ctx.config.generation_seconds * factor,
        reads_needed=ctx.config.generation_reads,
        inputs=_inputs(site, now),
        fail=fail,
    )
    plan.status = GENERATING
    plan.id = plan.id or ctx.ids.new()
    return {"status": GENERATING}


def _inputs(site: Site, now: datetime) -> GenerationInputs:
    events = [copy.deepcopy(e) for e in site.events.values()]
    return GenerationInputs(
        copy.deepcopy(site.settings),
        copy.deepcopy(site.overrides),
        sorted(events, key=_event_order),
        now,
    )


def _event_order(event: CalendarEvent) -> tuple[str, str]:
    return (event.name, event.id)


def complete_generation(ctx: Context, site: Site, succeed: bool = False) -> None:
    """Finish the running job: ACTIVE with fresh activities, or FAILED.

    ``succeed`` (fixtures only) ignores the unpublished-site FAILED outcome.
    """
    plan, job = site.plan, site.plan.job
    assert job is not None
    plan.job = None
    plan.generations += 1
    site.last_engagement = ctx.clock.now()
    profile = site.profile
    unpublished_fails = not profile.published and profile.unpublished_outcome == "FAILED"
    if job.fail or (unpublished_fails and not succeed):
        plan.status = "FAILED"
        return
    if site.keywords is None:
        site.keywords = research_keywords(job.inputs.settings)
    seed = content_seed(site.id, plan.generations, job.inputs, ctx.config.seed)
    planned = plan_activities(job.inputs, site.keywords, seed, ctx.config.stories_every)
    cutoff = job.inputs.started
    keep = (
        [] if job.kind == "generate" else [a for a in plan.activities.values() if a.date < cutoff]
    )
    fresh = [p for p in planned if job.kind == "generate" or p.date >= cutoff]
    plan.activities = {a.id: a for a in keep}
    tools = job.inputs.settings.get("marketingTools") or DEFAULT_TOOLS
    drafts_wanted = profile.published and "SOCIAL_MARKETING" in tools
    horizon = posts_horizon(site, cutoff)
    for p in fresh:
        activity = Activity(
            ctx.ids.new(),
            p.date,
            p.title,
            p.description,
            p.type,
            asset={"type": "SITE", "id": site.id},
            blog_seo_data=copy.deepcopy(p.blog_seo_data),
            source=copy.deepcopy(p.source),
            story_planned=p.story,
        )
        if drafts_wanted and p.type == "SOCIAL_MARKETING" and p.date <= horizon:
            activity.items = build_drafts(ctx, site, activity, with_story=p.story)
        plan.activities[activity.id] = activity
    plan.status = "ACTIVE"


def posts_horizon(site: Site, now: datetime) -> datetime:
    """Last instant whose activities get drafts: end of next week, or the premium horizon."""
    days = site.profile.posts_horizon_days
    return end_of_next_week(now) if days is None else end_of_day_after(now, days)


def read_plan(site: Site, start: datetime | None, end: datetime | None, now: datetime) -> Json:
    """GetSocialMarketingPlan body: activities in ``[start, end]`` by date (none if INACTIVE)."""
    plan = site.plan
    if plan.status in ("NEVER_CREATED", "INACTIVE"):
        return {"status": plan.status, "marketingActivities": []}
    lower = start if start is not None else start_of_day(now)
    chosen = [
        a for a in plan.sorted_activities() if a.date >= lower and (end is None or a.date <= end)
    ]
    return {
        "status": plan.status,
        "marketingActivities": [a.to_plan_wire(frozen=False) for a in chosen],
    }


def delete_plan(site: Site) -> Json:
    """DeleteMarketingPlan: back to NEVER_CREATED (idempotent); pending jobs are dropped."""
    generations = site.plan.generations
    site.plan = type(site.plan)(generations=generations)
    site.post_jobs.clear()
    return {}


def seed_plan(ctx: Context, site: Site, status: str) -> None:
    """Fixture helper: give ``site`` a plan in ``status`` as if generated just now."""
    if status == "NEVER_CREATED":
        return
    start_generation(ctx, site, "generate")
    if status == GENERATING:
        return
    job = site.plan.job
    assert job is not None
    job.fail = status == "FAILED"
    complete_generation(ctx, site, succeed=status != "FAILED")
    if status == "INACTIVE":
        site.plan.status = "INACTIVE"
