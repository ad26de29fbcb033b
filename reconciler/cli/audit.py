"""Wiring of the audit log for `apply`: provenance, the secrets to keep out, the order guard."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from reconciler.cli import gitinfo
from reconciler.cli.console import warn
from reconciler.cli.credentials import identities, secret_variables
from reconciler.engine.audit import AuditLog, check_order, last_applied, read_log
from reconciler.engine.fleet import SiteWork
from reconciler.engine.intents import open_writes, settle
from reconciler.engine.report import ApplyReport
from reconciler.model.site import DesiredSite

SECRET_VARIABLES = ("WIX_API_KEY", "GITHUB_TOKEN", "GH_TOKEN")
"""Environment variables whose values must never reach a log line (and the sites' own)."""


def open_audit_log(
    env: Mapping[str, str],
    path: str | None,
    sites: Sequence[DesiredSite],
    allow_out_of_order: bool,
    redact: Callable[[str], str] | None = None,
) -> AuditLog | None:
    """The audit log for this apply (None without --audit-log), after the ordering guard.

    Raises OutOfOrderCommit when the commit being applied is older than the one the log
    last applied to any of `sites`, unless `allow_out_of_order`.
    """
    if not path:
        return None
    origin = gitinfo.provenance(env)
    names: dict[str, str] = {site.id: site.name for site in sites}
    entries, problems = read_log([path])
    for problem in problems:
        warn(problem)
    if allow_out_of_order:
        if origin.commit:
            warn("--allow-out-of-order: the commit order is not checked")
    else:
        last = last_applied(entries)
        for message in check_order(names, last, origin.commit, gitinfo.is_ancestor):
            warn(message)
    variables = {*SECRET_VARIABLES, *secret_variables(sites)}
    secrets = [env[name] for name in sorted(variables) if env.get(name)]
    log = AuditLog(
        path, origin, names=names, secrets=secrets, identities=identities(sites), redact=redact
    )
    log.open_writes = open_writes(e for e in entries if e.site in names)
    return log


def settle_open_writes(log: AuditLog, work: Sequence[SiteWork]) -> None:
    """Record what Wix shows of the writes an earlier run left open, and say so."""
    for found in settle(log.open_writes, {w.desired.id: w.live for w in work}):
        log.settled(found.entry, found.result, found.detail)
        name = log.names.get(found.entry.site) or found.entry.site
        warn(
            f"{name}: {found.entry.action} {found.entry.target} of an earlier run that was cut "
            f"short: {found.result} ({found.detail.split(': ', 1)[-1]})"
        )


def record_outcomes(log: AuditLog, sites: Sequence[DesiredSite], report: ApplyReport) -> None:
    """One `apply` line per site: its outcome, or `unchanged` when nothing was due."""
    outcomes = {outcome.site_id: outcome for outcome in report.outcomes}
    for site in sites:
        outcome = outcomes.get(site.id)
        if outcome is None:
            log.outcome(site.id, "unchanged")
        else:
            log.outcome(site.id, outcome.status, outcome.error or "")
