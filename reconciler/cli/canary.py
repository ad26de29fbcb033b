"""`mpr apply --canary N|SEL`: which sites go first, and what is said when they did not converge.

N (a whole number) picks the first N sites, in file order, that the plan changes; anything
else is a `--site`-style selector (a site id, a name glob or label=value) naming the canary
sites themselves. The engine (`engine/canary.py`) does the applying and the checking.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import click

from reconciler.cli.app import App
from reconciler.cli.color import echo_plan
from reconciler.cli.console import warn
from reconciler.config.discover import matches
from reconciler.engine.canary import CanaryRun, Phase, first_changing
from reconciler.engine.fleet import SiteWork
from reconciler.engine.plan import Plan
from reconciler.engine.report import ApplyReport

HELP = (
    "Apply some sites first and the others only once a fresh plan of those is empty: N (the "
    "first N sites, in file order, that the plan changes) or SEL (a --site selector: id, "
    "name glob or label=value). Exit 1 and nothing more is written when one did not converge."
)


@dataclass(frozen=True)
class Canary:
    """The parsed `--canary` value: a count or a selector."""

    count: int = 0
    selector: str = ""

    def choose(self, work: Sequence[SiteWork]) -> set[str]:
        """The canary's site ids among `work`; UsageError when a selector picks none."""
        if self.count:
            chosen = first_changing(work, self.count)
            if not chosen:
                warn("--canary: no site has anything to change, so no canary goes first")
            return chosen
        picked = {w.plan.site_id for w in work if matches(w.desired, self.selector)}
        if not picked:
            raise click.UsageError(
                f"--canary {self.selector} matches none of the {len(work)} selected site(s)"
            )
        if not any(w.plan.has_changes for w in work if w.plan.site_id in picked):
            warn(
                f"--canary {self.selector}: the canary has nothing to change, so it proves "
                "nothing about the writes; the other sites follow once it is checked"
            )
        return picked


def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> Canary | None:
    """`--canary` → a Canary; 0 or a blank value is a usage error."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        if int(text) < 1:
            raise click.BadParameter("give at least 1 site (or a selector)", ctx, param)
        return Canary(count=int(text))
    if not text:
        raise click.BadParameter("give a number of sites or a --site selector", ctx, param)
    return Canary(selector=text)


canary_option = click.option("--canary", metavar="N|SEL", callback=parse, help=HELP)


def shown(app: App) -> Phase:
    """Each phase under the fleet progress display: the writes announced, the check not."""

    async def phase(
        label: str, work: Sequence[SiteWork], run: Callable[[], Awaitable[ApplyReport]]
    ) -> ApplyReport:
        names = {w.plan.site_id: w.plan.name for w in work}
        async with app.display.showing(names, announce=label != "check"):
            return await run()

    return phase


def announce(run_ids: set[str], work: Sequence[SiteWork]) -> None:
    """Say on stderr which sites go first and how many wait for them (those with changes:
    a site with nothing to write waits for nothing)."""
    first = [w.plan.name or w.plan.site_id for w in work if w.plan.site_id in run_ids]
    waiting = sum(1 for w in work if w.plan.site_id not in run_ids and w.plan.has_changes)
    click.echo(
        f"Canary: applying {', '.join(first)} first; the other {waiting} site(s) follow once "
        "a fresh plan of the canary is empty.",
        err=True,
    )


def echo_stop(run: CanaryRun, env: Mapping[str, str]) -> None:
    """The fresh plans that still show changes (stdout), then the error naming the sites."""
    fresh = tuple(site.fresh for site in run.unconverged if site.fresh is not None)
    if fresh:
        click.echo("A fresh plan of the canary after its apply:")
        echo_plan(Plan(created_at="", sites=fresh), "text", env)
    click.echo(f"Error: {stop_message(run)}", err=True)


def left_alone(run: CanaryRun) -> dict[str, str]:
    """The sites not applied because the canary did not converge → why (for the audit log)."""
    names = ", ".join(site.name or site.site_id for site in run.unconverged)
    reason = f"not applied: the canary ({names}) did not converge"
    return {site.site_id: reason for site in run.untouched}


def stop_message(run: CanaryRun) -> str:
    """The error naming each canary site that did not converge and what showed it."""
    lines = ["the canary did not converge, so the other sites were not touched:"]
    for site in run.unconverged:
        lines.append(f"  {site.name or site.site_id} ({site.source}):")
        lines += [f"    - {reason}" for reason in site.reasons]
    count = len(run.untouched)
    lines.append(
        f"{count} site(s) not applied. Look at the canary's live state (`mpr plan` on it), fix "
        "the cause, and run the apply again: it starts where this one stopped."
    )
    return "\n".join(lines)
