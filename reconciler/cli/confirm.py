"""The question apply asks before writing, Terraform-style: what it will touch, and `yes`."""

from __future__ import annotations

import sys

import click

from reconciler.cli import interrupt
from reconciler.engine.plan import Plan
from reconciler.errors import Refused


def touches(plan: Plan) -> str:
    """`2 site(s), 5 write(s)`: the sites apply will write to and the writes known now.

    Settings are one upsert per site; each event change, plan action and draft step (posts
    to generate, drafts to schedule) is one write. Drafts that depend on a generation are
    decided once it ends and are named, not counted.
    """
    changing = plan.to_apply
    writes = sum(
        bool(site.settings)
        + len(site.events)
        + site.action.runs
        + bool(site.drafts.generate_posts_for)
        + any(site.drafts.schedule.values())
        for site in changing
    )
    later = any(site.drafts.after_generation for site in changing)
    drafts = ", then the drafts of the new plan" if later else ""
    refused = f" ({len(plan.refused)} refused site(s) left alone)" if plan.refused else ""
    return f"{len(changing)} site(s), {writes} write(s){drafts}{refused}"


def confirm(plan: Plan, auto_approve: bool) -> None:
    """Ask before writing; only `yes` approves. Refused without a terminal or another answer."""
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise Refused("apply needs confirmation: run it in a terminal or pass --auto-approve")
    click.echo(f"\nApply will write to {touches(plan)}.", err=True)
    click.echo("Only 'yes' will be accepted to approve.", err=True)
    with interrupt.at_prompt() as pressed:
        try:
            answer = click.prompt("Apply these changes?", default="", show_default=False, err=True)
        except click.exceptions.Abort:
            if pressed:  # Ctrl-C: stopped (130), as anywhere else before the writes
                raise KeyboardInterrupt() from None
            answer = ""  # end of input: no answer is no
    if answer.strip() != "yes":
        raise Refused("apply cancelled (only 'yes' approves): nothing was changed")
