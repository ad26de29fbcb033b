"""`mpr apply`: make the live sites match the YAML (or apply exactly a saved plan)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import replace

import click

from reconciler.cli import canary as canaries
from reconciler.cli import exitcodes, interrupt
from reconciler.cli.app import App
from reconciler.cli.audit import (
    audit_path,
    open_audit_log,
    record_outcomes,
    settle_open_writes,
)
from reconciler.cli.color import echo_plan
from reconciler.cli.confirm import confirm
from reconciler.cli.console import warn
from reconciler.cli.options import audit_option, github_option, with_app
from reconciler.cli.plan_cmd import names, stamp
from reconciler.config import select_sites
from reconciler.config.shard import Shard, parse_shard
from reconciler.engine import bounded
from reconciler.engine.audit import AuditLog
from reconciler.engine.canary import CanaryRun, apply_with_canary
from reconciler.engine.fleet import (
    SiteWork,
    apply_sites,
    check_fresh,
    forget_landed,
    make_plan,
    pass_guard,
    plan_sites,
)
from reconciler.engine.plan import Plan
from reconciler.engine.report import ApplyReport
from reconciler.engine.review import review_digest, writes_something
from reconciler.engine.runtime import Runtime
from reconciler.errors import ConfigError, LockHeld, SelectionEmpty, StalePlan
from reconciler.gitops.github import add_summary, check_runner_files, set_outputs
from reconciler.model.site import DesiredSite
from reconciler.render import render_report
from reconciler.wix import WixClient

EVERY_SITE = "*"
"""What a bare `--force` stands for: the delete guard of every site is passed."""


def read_saved_plan(path: str) -> Plan:
    """Load a plan written by `mpr plan --out`; one ConfigError naming the file and the key.

    A plan of another format_version is a StalePlan (refused, exit 4).
    """
    wrong = "is not a plan file written by `mpr plan --out`"
    target = path if path.endswith(".json") else "plan.json"  # never suggest overwriting YAML
    again = f"make the plan again with `mpr plan PATH… --out {target}`"
    try:
        text = bounded.read_text(path, bounded.SAVED_PLAN)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} {wrong} (byte {exc.start + 1} is not UTF-8 text); {again}"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the saved plan {path}: {exc.strerror or exc}") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}): the file {wrong}; "
            f"{again}"
        ) from None
    except RecursionError:
        raise ConfigError(f"{path} {wrong} (JSON nested too deeply); {again}") from None
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        escape = "a \\ud800-\\udfff escape that stands for no character"
        raise ConfigError(f"{path} {wrong} ({escape}); {again}") from None
    try:
        return Plan.from_json(body)
    except ValueError as exc:
        raise ConfigError(f"{path} {wrong}: {exc}; {again}") from None


def check_digest(plan: Plan, expected: str | None) -> None:
    """Raise StalePlan unless the plan makes the writes whose review digest is `expected`.

    A plan with no settings or event writes and no drafts to schedule passes: it writes
    nothing unreviewed (a re-run after the reviewed writes were applied, say).
    """
    if not expected or not any(writes_something(site) for site in plan.sites):
        return
    digest = review_digest(plan)
    if digest != expected.strip():
        raise StalePlan(
            f"the plan's settings and event writes and the drafts it schedules (review digest "
            f"{digest}) are not the ones reviewed (digest {expected.strip()}): the YAML, the "
            "live state or the drafts' words changed since the pull request's plan; review a "
            "new plan (re-run the preview, or `mpr plan`) and apply that"
        )


async def run_apply(
    app: App,
    sites: Sequence[DesiredSite],
    paths: Sequence[str],
    saved: Plan | None,
    auto_approve: bool,
    audit: AuditLog | None = None,
    expect_digest: str | None = None,
    gate: interrupt.Gate | None = None,
    canary: canaries.Canary | None = None,
    before_writing: Sequence[str] = (),
) -> CanaryRun:
    """Plan, show, ask, apply; with a `gate`, a signal during the writes stops them cleanly;
    with a `canary`, those sites first and the rest only once they converged.

    `before_writing`: warnings that matter only when something will be written (uncommitted
    files), said after the plan, before the question.
    """
    runtime = app.display.attach(app.runtime(audit))
    if saved is not None:  # schedule only the drafts the saved plan showed, words unchanged
        runtime = replace(runtime, reviewed={s.site_id: s.drafts.shown for s in saved.sites})
    if gate is not None:
        runtime = gate.watching(runtime)
    with _written_at_end(runtime, audit):
        async with app.client(sites) as client:
            app.guard_writes(client)
            async with app.display.showing(names(sites), announce=False):
                work = await plan_sites(client, sites, runtime)
            if audit is not None:
                settle_open_writes(audit, work)
            work = pass_guard(work, forced_ids(sites, app.force))
            fresh = stamp(app, make_plan(work, runtime, paths, app.selectors))
            if saved is not None:
                check_fresh(saved, work, app.digests)
            check_digest(fresh, expect_digest)
            echo_plan(fresh, "text", app.env)
            if not fresh.has_changes and not fresh.has_errors:
                forget_landed(runtime, work)
                return CanaryRun(ApplyReport(()))
            chosen = canary.choose(work) if canary is not None else None
            if fresh.to_apply:
                for message in before_writing:
                    warn(message)
                approved = auto_approve or saved is not None
                confirm(fresh, approved)
                if not approved:
                    work = await _looked_at_again(app, client, work, fresh, runtime)
            if gate is not None:
                gate.guard(client)
            with gate.handling() if gate is not None else nullcontext():
                if chosen:
                    canaries.announce(chosen, work)
                    run = await apply_with_canary(
                        client, work, runtime, chosen, canaries.shown(app)
                    )
                else:
                    async with app.display.showing(names(sites), announce=True):
                        run = CanaryRun(await apply_sites(client, work, runtime))
    held = [site for site in fresh.sites if site.refusals]
    digest = review_digest(replace(fresh, sites=tuple(held)))
    return replace(run, report=replace(run.report, refused_digest=digest))


CHANGED_AFTER_YES = (
    "the live state changed while the question was open, so the plan shown is not what "
    "apply would do; nothing was written. Run apply again to see the new plan"
)


async def _looked_at_again(
    app: App, client: WixClient, work: list[SiteWork], shown: Plan, runtime: Runtime
) -> list[SiteWork]:
    """Read the sites about to be written once more, after `yes`: a change made while the
    question was open is refused (StalePlan, exit 4), as a stale saved plan is. Returns
    `work` with those sites' fresh reads (the plan is the same, the live state newer)."""
    writing = {site.site_id for site in shown.to_apply}
    again = [w.desired for w in work if w.plan.site_id in writing]
    async with app.display.showing(names(again), announce=False):
        reread = await plan_sites(client, again, runtime)
    reread = pass_guard(reread, {w.plan.site_id for w in work if w.plan.forced})
    check_fresh(replace(shown, sites=shown.to_apply), reread, stale=CHANGED_AFTER_YES)
    newer = {w.plan.site_id: w for w in reread}
    return [newer.get(w.plan.site_id, w) for w in work]


@contextmanager
def _written_at_end(runtime: Runtime, audit: AuditLog | None) -> Iterator[None]:
    """Save the records the run made after its last write to Wix (clears, results): they
    were not needed on disk before a send, so they wait for the end, whatever it is."""
    try:
        yield
    finally:
        saves = [runtime.journal.save] + ([audit.save] if audit is not None else [])
        for save in saves:
            try:
                save()
            except (ConfigError, LockHeld) as exc:  # the run's outcome matters more: say it
                warn(str(exc))


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())  # required, but `--force PATH` takes one
@with_app
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option(
    "--force",
    multiple=True,
    is_flag=False,
    flag_value=EVERY_SITE,
    metavar="[SEL]",
    help="Apply even the sites whose deletions pass policy.deleteGuard: every site, or with "
    "SEL (--site syntax, repeatable; write --force=SEL) only those.",
)
@audit_option
@click.option(
    "--allow-out-of-order",
    is_flag=True,
    help="Apply even a commit older than the one the audit log last applied to a site.",
)
@click.option(
    "--expect-digest",
    metavar="DIGEST",
    help="Refuse unless the plan's review digest is DIGEST (from the reviewed PR's plan).",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another apply to give back the lock (the state folder's, or the "
    "git store's lease) before refusing.",
)
@canaries.canary_option
@github_option
def apply(
    app: App,
    paths: tuple[str, ...],
    auto_approve: bool,
    force: tuple[str, ...],
    audit_log: str | None,
    no_audit: bool,
    allow_out_of_order: bool,
    expect_digest: str | None,
    lock_timeout: float,
    canary: canaries.Canary | None,
    github: bool,
) -> int:
    """Apply the YAML in PATHS (or exactly the saved plan in PATHS, a JSON file) to Wix."""
    paths, app.force = _paths_taken_by_force(paths, force)
    if not paths:
        raise click.UsageError("Missing argument 'PATHS...'.")
    saved = None
    if len(paths) == 1 and paths[0].endswith(".json"):
        saved = read_saved_plan(paths[0])
        paths = saved.sources
        selectors = _saved_selectors(saved, app.selectors)
        app = replace(app, selectors=selectors, shard=_saved_shard(saved, app.shard))
    sites = app.load(paths)
    if github:
        check_runner_files(app.env)
    with app.writer_lock(lock_timeout, sites):
        log_path = audit_path(app, audit_log, no_audit)
        before_writing: list[str] = []  # said only when something will be written
        audit = open_audit_log(
            app.env,
            log_path,
            sites,
            allow_out_of_order,
            app.redactor,
            paths,
            app.store,
            say_dirty=before_writing.append,
        )
        gate = interrupt.Gate(interrupt.grace_seconds(app.env))
        run = asyncio.run(
            run_apply(
                app,
                sites,
                paths,
                saved,
                auto_approve,
                audit,
                expect_digest,
                gate,
                canary,
                before_writing,
            )
        )
        report = run.report
        unrecorded = None
        if audit is not None:
            try:
                record_outcomes(audit, sites, report, canaries.left_alone(run))
            except ConfigError as exc:  # the log broke (a full disk): still say what was done
                unrecorded = exc
    code = exitcodes.ERROR if run.unconverged else _exit_code(report)
    if unrecorded is not None and code == exitcodes.OK:
        code = exitcodes.ERROR
    if gate.stopped:
        code = gate.exit_code
    if not report.outcomes:
        click.echo("No changes. Nothing to apply.")
    else:
        click.echo(render_report(report), nl=False)
    if github:
        try:
            _publish(app, report, code, stopped=bool(run.unconverged))
        except ConfigError as exc:  # the file went away since the check: still say so
            unrecorded = exc
            code = exitcodes.ERROR if code == exitcodes.OK else code
    if unrecorded is not None:
        click.echo(f"Error: {unrecorded}", err=True)
    if report.refused:
        click.echo(refused_note(report), err=True)
    if run.unconverged:
        canaries.echo_stop(run, app.env)
    if gate.stopped:
        click.echo(gate.summary(report.outcomes), err=True)
    return code


def _saved_selectors(saved: Plan, given: Sequence[str]) -> tuple[str, ...]:
    """The selectors a saved plan was made with; --site may only repeat them (a saved plan
    is applied whole, as it was reviewed)."""
    if given and tuple(given) != tuple(saved.selectors):
        made = " ".join(saved.selectors) or "every site in it"
        raise click.UsageError(
            f"--site {' '.join(given)} does not match the saved plan's selection ({made}): a "
            "saved plan is applied whole; make one with `mpr plan --site … --out FILE` to "
            "apply part of a fleet"
        )
    return tuple(saved.selectors)


def _saved_shard(saved: Plan, given: Shard | None) -> Shard | None:
    """The shard a saved plan was made for; --shard may only repeat it."""
    recorded = parse_shard(saved.shard) if saved.shard else None
    if given is not None and given != recorded:
        raise click.UsageError(
            f"--shard {given} does not match the saved plan's shard ({recorded or 'none'})"
        )
    return recorded


def _paths_taken_by_force(
    paths: tuple[str, ...], force: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`--force PATH`: a path after a bare --force is read as a path, not a selector.

    (`mpr apply --force sites/` forces every site of sites/, as it did before --force took
    a selector.)
    """
    taken = tuple(f for f in force if f != EVERY_SITE and os.path.exists(f))
    if not taken:
        return paths, force
    kept = tuple(f for f in force if f not in taken)
    return (*taken, *paths), (*kept, EVERY_SITE)


def forced_ids(sites: Sequence[DesiredSite], force: Sequence[str]) -> frozenset[str]:
    """The ids of the sites whose delete guard `--force` passes: all with a bare --force,
    else those its selectors choose (a selector that matches none of them is an error)."""
    if not force:
        return frozenset()
    if EVERY_SITE in force:
        return frozenset(site.id for site in sites)
    try:
        return frozenset(site.id for site in select_sites(sites, force))
    except SelectionEmpty as exc:
        raise ConfigError(str(exc).replace("--site", "--force", 1)) from None


def refused_note(report: ApplyReport) -> str:
    """Which sites apply refused and why, and how to apply them after a review."""
    refused = report.refused
    lines = [f"Error: refused {len(refused)} site(s) (delete guard); the others were applied:"]
    lines += [f"  {o.name or o.site_id}: {o.error}" for o in refused]
    forces = " ".join(f"--force={o.site_id}" for o in refused[:5])
    forces += " …" if len(refused) > 5 else ""
    lines.append(
        f"Review their deletions, then apply them as reviewed: mpr apply … {forces} "
        f"--expect-digest {report.refused_digest}"
    )
    return "\n".join(lines)


def _exit_code(report: ApplyReport) -> int:
    if report.failed:
        return exitcodes.ERROR
    if report.refused:
        return exitcodes.REFUSED
    if report.timed_out:
        return exitcodes.TIMED_OUT
    return exitcodes.OK


def _publish(app: App, report: ApplyReport, code: int, *, stopped: bool = False) -> None:
    if report.failed or stopped:
        result = "failed"
    elif report.refused:
        result = "refused"
    elif report.timed_out:
        result = "timed-out"
    elif any(o.status == "applied" for o in report.outcomes):
        result = "applied"
    else:
        result = "unchanged"
    set_outputs(app.env, {"result": result, "exit-code": str(code)})
    body = render_report(report) if report.outcomes else "No changes. Nothing to apply.\n"
    add_summary(app.env, f"### mpr apply: {result}\n\n```text\n{body}```\n")
