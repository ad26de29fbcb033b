"""Plans and apply reports as text for people: `+ ~ -` lines, unchanged things folded.

A settings change is shown leaf by leaf (engine.diff.setting_leaves): one line per member of
an object that changed, a set's members as `+ x` / `- x`, long text as a word diff. Sites
where nothing will happen and nothing needs a look are folded into one line. `site_lines`
is the layout-free form that the Markdown renderer lays out as a `diff` block.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.engine.diff import Leaf, leaves, setting_leaves
from reconciler.engine.plan import Plan, SettingChange, SitePlan
from reconciler.engine.report import ApplyReport, SiteOutcome
from reconciler.render import drafts
from reconciler.render.describe import (
    action_line,
    draft_lines,
    event_line,
    is_busy,
    refusal_block,
    site_notes,
    summary,
    value,
)
from reconciler.render.fleet import Folded, fold, folded_line, shared_line
from reconciler.render.paint import Paint, Role, plain
from reconciler.render.words import is_long_text, word_diff

_SIGN = {"create": "+", "update": "~", "delete": "-"}
_WHOLE_LINE: dict[str, Role] = {"+": "add", "-": "remove", "!": "warn"}
DEFAULT_WIDTH = 100
"""The line width a draft's words are cut to when the terminal's is not known."""


@dataclass(frozen=True)
class Line:
    """One line of a site's plan: its sign (`+ - ~ * !` or a space), text, and nesting depth."""

    sign: str
    body: str
    depth: int = 0
    role: Role | None = None
    """How the whole line looks; None: only the sign is coloured."""


def render_plan(plan: Plan, paint: Paint = plain, width: int = DEFAULT_WIDTH) -> str:
    """Every site that needs a look, the unchanged ones folded, the notes many sites share
    said once, then the fleet's summary (render.fleet).

    Each draft to schedule is a line of its own, its words cut to `width` (the terminal's)."""
    fleet = fold_plan(plan.sites)
    blocks = [render_site(site, paint, width, fleet.shared_texts) for site in fleet.shown]
    if fleet.folded:
        blocks.append(folded_line([_label(site) for site in fleet.folded]) + "\n")
    if fleet.shared:
        blocks.append("".join(paint(f"! {shared_line(n)}", "warn") + "\n" for n in fleet.shared))
    tail = [summary(plan)]
    if plan.refused:
        tail.append(paint(refusal_block(plan), "error"))
    return "\n".join([*blocks, *tail]) + "\n"


def fold_plan(sites: Sequence[SitePlan]) -> Folded[SitePlan]:
    """A plan's sites split by the fleet rule (text, Markdown and drift alike)."""
    return fold(sites, name=_label, busy=is_busy, notes=site_notes)


def _label(site: SitePlan) -> str:
    return site.name or site.site_id


def render_site(
    site: SitePlan,
    paint: Paint = plain,
    width: int | None = None,
    shared: Collection[str] = (),
) -> str:
    """One site's plan: its title line, then its indented `+ ~ -` lines (without the notes
    in `shared`, said once for the fleet)."""
    head = paint(f"{site.name or site.site_id} ({site.site_id}) — {site.source}", "strong")
    body = [_text_line(line, paint) for line in site_lines(site, paint, shared, width=width)]
    return "\n".join([head, *body]) + "\n"


def _text_line(line: Line, paint: Paint) -> str:
    """An added, removed or warning line is coloured whole; a change colours its `~` only."""
    indent = "  " + "    " * line.depth
    body = line.body.replace("\n", "\n" + indent + "  ")  # a body of lines stays under its sign
    role = line.role or _WHOLE_LINE.get(line.sign)
    if role is not None:
        return indent + paint(f"{line.sign} {body}", role)
    sign = paint(line.sign, "change") if line.sign == "~" else line.sign
    return f"{indent}{sign} {body}"


def site_lines(
    site: SitePlan,
    paint: Paint = plain,
    shared: Collection[str] = (),
    *,
    width: int | None = None,
) -> list[Line]:
    """What apply would do to `site`, line by line, without layout (text and Markdown);
    the notes in `shared` are left out (the fleet says them once).

    With a `width` (the text plan), each draft to schedule gets a line with its words (the
    Markdown plan shows them in a block of their own, render.drafts.markdown_block)."""
    if site.error:
        return [Line("!", f"error: {site.error}", role="error")]
    lines = [line for change in site.settings for line in _leaf_lines(change, paint)]
    if site.unchanged_settings:
        lines.append(Line(" ", f"({site.unchanged_settings} managed setting(s) unchanged)"))
    for change in site.events:
        lines.append(Line(_SIGN[change.op], f"event {event_line(change)}"))
        if change.op == "update":
            changed = leaves("", change.before, change.after)
            lines += [line for leaf in changed for line in leaf_lines(leaf, paint, depth=1)]
    lines += [
        Line(" ", f"unmanaged event kept: {n!r} (policy.pruneEvents: true deletes it)")
        for n in site.unmanaged_events
    ]
    lines += [
        Line(" ", f"read-only event (connected calendar): {n!r}") for n in site.read_only_events
    ]
    lines.append(Line("*" if site.action.runs else " ", action_line(site.action, site.plan_status)))
    mark = "*" if site.drafts.has_changes else " "
    lines += [Line(mark, f"drafts: {line}") for line in draft_lines(site.drafts, shared)]
    if width is not None:
        room = width - 8  # the indent and the sign
        lines += [Line(" ", line, 1) for line in drafts.text_lines(site.drafts, room)]
    lines += [Line(sign, line) for sign, line in drafts.notes(site.drafts, width)]
    lines += [Line("!", f"warning: {w}") for w in site.warnings if w not in shared]
    lines += [Line("!", f"apply will refuse: {r}", role="error") for r in site.refusals]
    if not site.has_changes:
        lines.append(Line(" ", "no changes"))
    return lines


def _leaf_lines(change: SettingChange, paint: Paint) -> list[Line]:
    return [line for leaf in setting_leaves(change) for line in leaf_lines(leaf, paint)]


def leaf_lines(leaf: Leaf, paint: Paint = plain, *, depth: int = 0) -> list[Line]:
    """A set as its members added and removed, long text as a word diff, else old → new."""
    sign = "+" if leaf.before is None else "-" if leaf.after is None else "~"
    if leaf.is_set:
        members = [Line("+", _member(m), depth + 1) for m in leaf.added]
        members += [Line("-", _member(m), depth + 1) for m in leaf.removed]
        return [Line(sign, f"{leaf.path}:", depth), *members]
    if is_long_text(leaf.before, leaf.after):
        diffed = word_diff(leaf.before, leaf.after, paint)
        return [Line("~", f"{leaf.path}: {diffed}", depth)]
    return [Line(sign, f"{leaf.path}: {value(leaf.before)} → {value(leaf.after)}", depth)]


def _member(member: Any) -> str:
    return member if isinstance(member, str) else json.dumps(member, ensure_ascii=False)


def render_report(report: ApplyReport) -> str:
    """What apply did per site, what it did not and why, then one summary line.

    The sites that did something, failed or were refused are shown in full; the unchanged
    ones folded into one line; a note many sites share said once (render.fleet). The sites
    are counted by how they ended; the writes are counted apart, so a site that failed
    after writing its settings is `partly applied`, not one that changed nothing.
    """
    fleet = fold(
        report.outcomes,
        name=lambda o: o.name or o.site_id,
        busy=lambda o: o.status != "unchanged" or bool(o.done),
        notes=lambda o: (*o.warnings, *o.not_done),
    )
    blocks = [_outcome(o, fleet.shared_texts) for o in fleet.shown]
    if fleet.folded:
        blocks.append(folded_line([o.name or o.site_id for o in fleet.folded]) + "\n")
    if fleet.shared:
        blocks.append("".join(f"! {shared_line(n)}\n" for n in fleet.shared))
    return "\n".join([*blocks, _report_summary(report)]) + "\n"


def _report_summary(report: ApplyReport) -> str:
    outcomes = report.outcomes
    partly = len(report.partly_applied)
    failed, timed, refused = len(report.failed) - partly, len(report.timed_out), len(report.refused)
    applied = sum(1 for o in outcomes if o.status == "applied")
    unchanged = len(outcomes) - applied - partly - failed - timed - refused
    written = [o for o in outcomes if o.writes]
    counted = [f"{applied} changed"]
    counted += [f"{partly} partly applied"] if partly else []
    counted += [f"{failed} failed", f"{timed} timed out"]
    counted += [f"{refused} refused"] if refused else []
    return (
        f"Apply: {len(outcomes)} site(s): {', '.join(counted)}, {unchanged} unchanged; "
        f"{sum(o.writes for o in written)} write(s) on {len(written)} site(s)."
    )


def outcome_word(outcome: SiteOutcome) -> str:
    """How a site's apply ended, in words (`partly applied` when writes landed before a
    failure or an interrupt)."""
    if outcome.partly_applied:
        return f"partly applied ({outcome.writes} write(s) landed, then it failed)"
    return outcome.status


def _outcome(outcome: SiteOutcome, shared: Collection[str] = ()) -> str:
    lines = [f"{outcome.name or outcome.site_id} ({outcome.site_id}): {outcome_word(outcome)}"]
    lines += [f"  done: {d}" for d in outcome.done]
    lines += [f"  may have landed: {a.action} {a.target}".rstrip() for a in outcome.maybe_landed]
    lines += [f"  not done: {n}" for n in outcome.not_done if n not in shared]
    lines += [f"  ! warning: {w}" for w in outcome.warnings if w not in shared]
    if outcome.error:
        word = "refused" if outcome.status == "refused" else "error"
        # an error of several lines (each leaf Wix did not keep) stays under its site
        lines.append(f"  ! {word}: " + outcome.error.replace("\n", "\n    "))
    return "\n".join(lines) + "\n"
