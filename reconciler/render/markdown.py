"""Plans as Markdown for pull-request comments: summary table first, details folded per site.

The comment starts with a hidden marker (so a workflow finds and updates its own comment), a
hidden verdict line and the plan's review digest (engine.review), which the merge workflow
compares with the plan it is about to apply. Sites are ordered by what a reviewer must see
first: errors, destructive plans (event deletes), changes. The fleet rule (render.fleet)
decides what is shown: only sites with changes, errors or a warning of their own get a row
and folded details; the unchanged sites are one row, their names collapsed under the table;
a note many sites share is said once, with the sites it is about.

GitHub refuses a comment over 65,536 characters, so `render_plan` keeps under `limit`,
counted in UTF-8 bytes (never fewer than GitHub's characters). What is kept, by priority:
the header with the fleet summary; the table rows of sites that need attention; the folded
row and as many unchanged sites' names as fit; then details site by site in table order.
Whatever is cut is said in a note that points to the full plan.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Literal

from reconciler.engine.plan import Plan, SitePlan
from reconciler.engine.review import review_digest
from reconciler.render import drafts, text
from reconciler.render.describe import counts, refusal_block, summary
from reconciler.render.fleet import SharedNote, listed, shared_line

MARKER = "<!-- mpr-plan -->"
DRIFT_MARKER = "<!-- mpr-drift -->"
LIMIT = 65_536
"""GitHub's limit on the body of an issue or pull-request comment."""
MORE = "see the job log or the plan artifact"
RESULT_PREFIX = "<!-- mpr-result: "
DIGEST_PREFIX = "<!-- mpr-digest: "
_RESERVE = 1_000  # room for the notes and folded rows, which are written last

Verdict = Literal["no-changes", "changes", "destructive", "error"]
VERDICT_WORDS: dict[Verdict, str] = {
    "error": "❌ error",
    "destructive": "⚠️ destructive",
    "changes": "✏️ changes",
    "no-changes": "✅ no changes",
}
_RANK: dict[Verdict, int] = {"error": 0, "destructive": 1, "changes": 2, "no-changes": 3}


def site_verdict(site: SitePlan) -> Verdict:
    """error, destructive (it deletes events), changes, or no-changes."""
    if site.error:
        return "error"
    if site.deletes:
        return "destructive"
    return "changes" if site.has_changes else "no-changes"


def verdict(plan: Plan) -> Verdict:
    """The fleet's one word: the most severe of its sites' (no-changes for an empty fleet)."""
    found = [site_verdict(site) for site in plan.sites]
    return min(found, key=_RANK.__getitem__, default="no-changes")


def size(markdown: str) -> int:
    """The length GitHub's limit is checked against, counted safely (UTF-8 bytes)."""
    return len(markdown.encode("utf-8"))


def render_plan(
    plan: Plan,
    *,
    limit: int = LIMIT,
    title: str = "mpr plan",
    more: str = MORE,
    marker: str = MARKER,
    upcoming: Mapping[str, str] | None = None,
) -> str:
    """The plan as a PR comment of at most `limit` (see the module docstring for the cuts).

    `upcoming` (site id → Markdown) follows that site's details and is cut with them: its
    next days as a calendar (render.calendar.markdown.upcoming_sections).
    """
    fleet = text.fold_plan(plan.sites)
    ranked = sorted(fleet.shown, key=lambda s: _RANK[site_verdict(s)])
    head = _head(plan, title, marker)
    budget = limit - _RESERVE - size(head)
    rows, budget, rows_cut = _take([_row(s) for s in ranked], budget)
    if fleet.folded:
        rows.append(_folded_row(len(fleet.folded)))
    if rows_cut:
        rows.append(_cut_row(rows_cut, more))
    table = "".join(r + "\n" for r in rows) + "\n"
    budget -= size(table)
    calm = _calm_list([s.name or s.site_id for s in fleet.folded], budget // 2)
    shared = _shared(fleet.shared)
    budget -= size(calm) + size(shared)
    shown = [
        _details(s, fleet.shared_texts) + (upcoming or {}).get(s.site_id, "") + _words(s)
        for s in ranked
    ]
    details, _, details_cut = _take(shown, budget)
    notes = _notes(rows_cut, details_cut, more)
    body = head + table + calm + shared + "".join(details) + notes
    return body if size(body) <= limit else truncate(body, limit, more)


def _shared(notes: Sequence[SharedNote]) -> str:
    """The notes many sites share, each said once with the sites it is about."""
    if not notes:
        return ""
    return "".join(f"> - {_escape(shared_line(note))}\n" for note in notes) + "\n"


def _calm_list(names: Sequence[str], budget: int) -> str:
    """The unchanged sites' names, collapsed: as many as fit in `budget`, then a count."""
    if not names:
        return ""
    everyone = f"{len(names)} unchanged site(s)"
    whole = _escape(listed(names, limit=0))
    shown = whole
    if size(whole) > budget:
        fits = max(budget // max(1, size(whole) // len(names)) - 1, 1)
        shown = _escape(listed(names, limit=fits))
    rest = "" if shown == whole else " (all listed by `mpr plan --format json`)"
    return f"<details><summary>{everyone}</summary>\n\n{shown}{rest}\n\n</details>\n\n"


def _head(plan: Plan, title: str, marker: str) -> str:
    word = verdict(plan)
    return (
        f"{marker}\n{RESULT_PREFIX}{word} -->\n{DIGEST_PREFIX}{review_digest(plan)} -->\n"
        f"### {title}: {VERDICT_WORDS[word]}\n\n{_caution(plan)}"
        f"{summary(plan)}\n\n| site | status | changes |\n| --- | --- | --- |\n"
    )


def _take(blocks: Sequence[str], budget: int) -> tuple[list[str], int, int]:
    """The longest prefix of `blocks` that fits in `budget`, the budget left, how many were cut."""
    kept: list[str] = []
    for index, block in enumerate(blocks):
        cost = size(block) + 1
        if cost > budget:
            return kept, budget, len(blocks) - index
        kept.append(block)
        budget -= cost
    return kept, budget, 0


def _row(site: SitePlan) -> str:
    return f"| {_name(site)} | {VERDICT_WORDS[site_verdict(site)]} | {_cell(site)} |"


def _folded_row(count: int) -> str:
    # The job log folds them too (render.fleet); the names follow the table, collapsed.
    return f"| {count} unchanged site(s) | {VERDICT_WORDS['no-changes']} | listed below |"


def _cut_row(count: int, more: str) -> str:
    return f"| … {count} more site(s) with changes or errors | | omitted: {_escape(more)} |"


def _notes(rows_cut: int, details_cut: int, more: str) -> str:
    notes = []
    if rows_cut:
        notes.append(f"{rows_cut} site(s) left out of the table")
    if details_cut:
        notes.append(f"{details_cut} site(s)' details omitted")
    if not notes:
        return ""
    return (
        f"\n> **Note:** {' and '.join(notes)} to stay under GitHub's {LIMIT:,}-character "
        f"comment limit: {more}.\n"
    )


def truncate(body: str, limit: int = LIMIT, more: str = MORE) -> str:
    """`body` cut to `limit` with a note saying so (the last resort, for any Markdown)."""
    note = f"\n\n> **Note:** truncated to stay under the comment limit: {more}.\n"
    if size(note) >= limit:
        return note.encode("utf-8")[: max(limit, 0)].decode("utf-8", "ignore")
    return body.encode("utf-8")[: limit - size(note)].decode("utf-8", "ignore") + note


def _name(site: SitePlan) -> str:
    return f"**{_escape(site.name or site.site_id)}**"


def _cell(site: SitePlan) -> str:
    if site.error:
        return _escape(site.error)
    refused = "⛔ apply will refuse (see above); " if site.refusals else ""
    return _escape(refused + counts(site))


def _details(site: SitePlan, shared: Collection[str] = ()) -> str:
    body = diff_block(site, shared)
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", body)), default=0))
    title = _escape(site.name or site.site_id)
    return f"<details><summary>{title}</summary>\n\n{fence}diff\n{body}{fence}\n</details>\n"


def _words(site: SitePlan) -> str:
    """The site's drafts to schedule with their full words (render.drafts), after its days."""
    words = drafts.markdown_block(site.drafts, site.name or site.site_id)
    return f"\n{words}" if words else ""


_DIFF_SIGN = {"+": "+", "-": "-", "~": "!", "*": "!", "!": "!"}
"""GitHub colours a `diff` block's lines by their first character: + green, - red, ! orange."""


def diff_block(site: SitePlan, shared: Collection[str] = ()) -> str:
    """One site's plan with each line's sign in the first column, for a `diff` block (the
    notes in `shared` are said once for the fleet)."""
    lines = [f"  {site.name or site.site_id} ({site.site_id}) — {site.source}"]
    for line in text.site_lines(site, shared=shared):
        body = "\n  ".join(line.body.split("\n"))  # a line of its own is never a sign
        lines.append(f"{_DIFF_SIGN.get(line.sign, ' ')} {'    ' * line.depth}{body}")
    return "\n".join(lines) + "\n"


def _caution(plan: Plan) -> str:
    """The blocking notice: what apply will refuse after the merge, before anyone merges."""
    if not plan.refused:
        return ""
    head, *reasons = refusal_block(plan).split("\n")
    quoted = "".join(f"> - {_escape(reason.strip())}\n" for reason in reasons)
    return f"> [!CAUTION]\n> **{_escape(head)}**\n{quoted}\n"


def _escape(raw: str) -> str:
    """`raw` as text inside a table cell or a summary: one line, no markup, no @mention.

    A WORD JOINER after every "@" keeps GitHub from linking (and notifying) a user or team
    that a site name or an error message happens to spell; it shows as nothing.
    """
    flat = " ".join(raw.split("\n"))
    flat = flat.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return flat.replace("@", "@\u2060")
