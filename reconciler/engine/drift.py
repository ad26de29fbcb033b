"""Drift: where the live settings or events no longer match the YAML.

A plan also holds work that is due without anything having drifted: drafts that entered the
scheduling horizon, a plan that went INACTIVE after weeks without engagement, a regenerate
left pending. Those are what the next apply is for; a nightly drift check must not cry wolf
over them. `drift_only` keeps, per site, just the settings and event changes (and errors);
`has_changes` of the result is then "the live state differs from the YAML".
"""

from __future__ import annotations

from dataclasses import replace

from reconciler.engine.plan import DraftStep, Plan, PlanAction, SitePlan


def drift_only(plan: Plan) -> Plan:
    """`plan` with every site's plan action and draft step dropped."""
    return replace(plan, sites=tuple(_site(site) for site in plan.sites))


def _site(site: SitePlan) -> SitePlan:
    if site.action.runs:
        reason = f"not drift: {site.action.reason} (the next apply does it)"
    else:
        reason = site.action.reason
    return replace(site, action=PlanAction("none", reason), drafts=DraftStep())


def drifted(plan: Plan) -> tuple[SitePlan, ...]:
    """The sites whose live settings or events differ from the YAML."""
    return tuple(site for site in plan.sites if site.settings or site.events)
