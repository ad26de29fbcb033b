"""Asynchronous progress, evaluated lazily whenever a site is touched (no threads).

A job (plan generation or post generation) completes when the clock has reached
``started + duration`` AND at least ``reads_needed`` polling reads have already been
answered while it ran: so ``generation_reads = N`` means N GetSocialMarketingPlan reads still
answer GENERATING and the next one (or any later call) sees the result. Plan reads count for
generation jobs; plan reads and GetMarketingActivityPosts count for post jobs. With
``posts_in_turn`` post jobs end only on a polling read, one per read, the oldest first.
An ACTIVE plan whose last engagement is ``idle_days`` old turns INACTIVE on the next plan read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from reconciler.emulator.context import Context
from reconciler.emulator.drafts import complete_post_job
from reconciler.emulator.planning import complete_generation
from reconciler.emulator.records import Site

PLAN_READ = "plan"
POSTS_READ = "posts"


def due(
    started: datetime, duration: float, reads_seen: int, reads_needed: int, now: datetime
) -> bool:
    """Whether a job may complete now (time is up and enough reads were answered)."""
    return now >= started + timedelta(seconds=duration) and reads_seen >= reads_needed


def is_idle(site: Site, now: datetime, idle_days: float) -> bool:
    """True when the last engagement is at least ``idle_days`` ago."""
    last = site.last_engagement
    return last is not None and now - last >= timedelta(days=idle_days)


def advance(ctx: Context, site: Site, read: str | None = None) -> None:
    """Complete whatever is due on ``site``; ``read`` says which polling read this is."""
    now = ctx.clock.now()
    job = site.plan.job
    if job is not None:
        if due(job.started, job.duration, job.reads_seen, job.reads_needed, now):
            complete_generation(ctx, site)
        elif read == PLAN_READ:
            job.reads_seen += 1
    polling = read in (PLAN_READ, POSTS_READ)
    ended = False
    for post_job in list(site.post_jobs):
        may_end = not ctx.config.posts_in_turn or (polling and not ended)
        if may_end and due(
            post_job.started, post_job.duration, post_job.reads_seen, post_job.reads_needed, now
        ):
            site.post_jobs.remove(post_job)
            complete_post_job(ctx, site, post_job)
            ended = True
        elif polling:
            post_job.reads_seen += 1
    if (
        read == PLAN_READ
        and site.plan.status == "ACTIVE"
        and is_idle(site, now, ctx.config.idle_days)
    ):
        site.plan.status = "INACTIVE"


def finish_all(ctx: Context, site: Site) -> None:
    """Complete every pending job now, ignoring time and reads (control-plane hook)."""
    if site.plan.job is not None:
        complete_generation(ctx, site)
    jobs, site.post_jobs = list(site.post_jobs), []
    for post_job in jobs:
        complete_post_job(ctx, site, post_job)
