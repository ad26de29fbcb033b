"""Wiring of the audit log for `apply`: provenance, the secrets to keep out, the order guard."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from reconciler.cli.app import App
from reconciler.cli.console import warn
from reconciler.cli.credentials import credential_values, identities
from reconciler.cli.options import AUDIT_OFF
from reconciler.cli.store import StoreChoice
from reconciler.engine.audit import AuditLog, Provenance, check_order, last_applied
from reconciler.engine.fleet import SiteWork
from reconciler.engine.intents import open_writes, settle
from reconciler.engine.report import ApplyReport
from reconciler.gitops import gitinfo
from reconciler.model.site import DesiredSite

AUDIT_NAME = "audit.jsonl"
"""The audit log's default name, in the state file's folder (.mpr/audit.jsonl)."""


def audit_path(app: App, given: str | None, no_audit: bool) -> str | None:
    """The audit log apply appends to: --audit-log, else next to the state file; None when off.

    A run whose journal is not kept on disk (--emulator, or one injected by a test) is a
    pretend one: it keeps no audit log unless given one, so that it never becomes the
    "last applied" commit of a real site.
    """
    if no_audit or (given or "").strip().lower() == AUDIT_OFF:
        return None
    if given:
        return given
    if app.emulator_fixture or app.hooks.runtime is not None:
        return None
    return str(Path(app.state_file).parent / AUDIT_NAME)


def open_audit_log(
    env: Mapping[str, str],
    path: str | None,
    sites: Sequence[DesiredSite],
    allow_out_of_order: bool,
    redact: Callable[[str], str] | None = None,
    sources: Sequence[str] = (),
    store: StoreChoice | None = None,
    say_dirty: Callable[[str], None] = warn,
) -> AuditLog | None:
    """The audit log for this apply (None when off), after the ordering guard.

    Raises OutOfOrderCommit when the commit being applied is older than the one the log
    last applied to any of `sites`, unless `allow_out_of_order`. Warns when the files in
    `sources` differ from the commit (through `say_dirty`: apply says it only when it will
    write), and records the lines `dirty`. With the git `store`, the order and the writes
    left open are read from every runner's notes.
    """
    if not path:
        return None
    store = store or StoreChoice()
    origin = _checked_dirty(gitinfo.provenance(env), sources, say_dirty)
    names: dict[str, str] = {site.id: site.name for site in sites}
    entries, problems = store.entries([path])
    for problem in problems:
        warn(problem)
    if allow_out_of_order:
        if origin.commit:
            warn("--allow-out-of-order: the commit order is not checked")
    else:
        last = last_applied(entries)
        for message in check_order(names, last, origin.commit, gitinfo.is_ancestor):
            warn(message)
    secrets = list(credential_values(sites, env).values())
    log = store.audit_log(path, origin, names, secrets, identities(sites), redact)
    log.open_writes = open_writes(e for e in entries if e.site in names)
    return log


def _checked_dirty(
    origin: Provenance, sources: Sequence[str], say: Callable[[str], None]
) -> Provenance:
    """`origin`, marked dirty (and `say` told why) when the files applied are not the commit's."""
    if not origin.commit or not sources:
        return origin
    changed = gitinfo.changed_since(origin.commit, sources)
    if not changed:
        return origin
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    say(
        f"the files applied differ from commit {origin.commit[:12]} (not committed: {shown}): "
        "they are applied as they are, and the audit log records these writes as dirty"
    )
    return replace(origin, dirty=True)


def settle_open_writes(log: AuditLog, work: Sequence[SiteWork]) -> None:
    """Record what Wix shows of the writes an earlier run left open, and say so."""
    live = {str(w.desired.id): w.live for w in work}
    declared = {str(w.desired.id): {e.name for e in w.desired.events} for w in work}
    for found in settle(log.open_writes, live, declared):
        log.settled(found.entry, found.result, found.detail)
        name = log.names.get(found.entry.site) or found.entry.site
        warn(
            f"{name}: {found.entry.action} {found.entry.target} of an earlier run that was cut "
            f"short: {found.result} ({found.detail.split(': ', 1)[-1]})"
        )


NOT_APPLIED = "not_applied"
"""The outcome of a site an apply left alone on purpose (its canary did not converge)."""


def record_outcomes(
    log: AuditLog,
    sites: Sequence[DesiredSite],
    report: ApplyReport,
    not_applied: Mapping[str, str] | None = None,
) -> None:
    """One `apply` line per site: its outcome, `not_applied` with the reason for a site left
    alone (`not_applied`: id → reason; not a success), or `unchanged` when nothing was due."""
    outcomes = {outcome.site_id: outcome for outcome in report.outcomes}
    for site in sites:
        outcome = outcomes.get(site.id)
        if not_applied and site.id in not_applied:
            log.outcome(site.id, NOT_APPLIED, not_applied[site.id])
        elif outcome is None:
            log.outcome(site.id, "unchanged")
        else:
            log.outcome(site.id, outcome.status, outcome.error or "")
    log.save()
