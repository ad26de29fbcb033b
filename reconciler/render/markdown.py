"""Plans as Markdown for pull-request comments: summary table first, details folded per site.

The comment starts with a hidden marker (so a workflow finds and updates its own comment), a
hidden verdict line and the plan's review digest (engine.review), which the merge workflow
compares with the plan it is about to apply. Sites are ordered by what a reviewer must see
first: errors, destructive plans (event deletes), changes, then unchanged sites. Only sites
with changes, errors or warnings get folded details; an unchanged site is one table row.

GitHub refuses a comment over 65,536 characters, so `render_plan` keeps under `limit`,
counted in UTF-8 bytes (never fewer than GitHub's characters). What is kept, by priority:
the header with the fleet summary; the table rows of sites that need attention; the rows of
unchanged sites (folded into one row if they do not all fit); then details site by site in
table order. Whatever is cut is said in a note that points to the full plan.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

from reconciler.engine.plan import Plan, SitePlan
from reconciler.engine.review import review_digest
from reconciler.render import drafts, text
from reconciler.render.describe import counts, refusal_block, summary

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
    ranked = sorted(plan.sites, key=lambda s: _RANK[site_verdict(s)])
    urgent = [s for s in ranked if site_verdict(s) != "no-changes"]
    calm = [s for s in ranked if site_verdict(s) == "no-changes"]
    head = _head(plan, title, marker)
    budget = limit - _RESERVE - size(head)
    rows, budget, rows_cut = _take([_row(s) for s in urgent], budget)
    calm_rows = [_row(s) for s in calm]
    if rows_cut or sum(size(r) + 1 for r in calm_rows) > budget:
        calm_rows = [_folded_row(len(calm))] if calm else []
    budget -= sum(size(r) + 1 for r in calm_rows)
    detailed = [s for s in ranked if s.error or s.has_changes or s.warnings or s.drafts.held]
    shown = [_details(s) + (upcoming or {}).get(s.site_id, "") + _words(s) for s in detailed]
    details, _, details_cut = _take(shown, budget)
    notes = _notes(rows_cut, details_cut, more)
    if rows_cut:
        rows.append(_cut_row(rows_cut, more))
    body = head + "".join(r + "\n" for r in [*rows, *calm_rows]) + "\n" + "".join(details) + notes
    return body if size(body) <= limit else truncate(body, limit, more)


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
    # The job log folds them too (it names a few): the JSON plan lists every site.
    where = "all listed by `mpr plan --format json`"
    return f"| {count} unchanged site(s) | {VERDICT_WORDS['no-changes']} | {where} |"


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


def _details(site: SitePlan) -> str:
    body = diff_block(site)
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", body)), default=0))
    title = _escape(site.name or site.site_id)
    return f"<details><summary>{title}</summary>\n\n{fence}diff\n{body}{fence}\n</details>\n"


def _words(site: SitePlan) -> str:
    """The site's drafts to schedule with their full words (render.drafts), after its days."""
    words = drafts.markdown_block(site.drafts, site.name or site.site_id)
    return f"\n{words}" if words else ""


_DIFF_SIGN = {"+": "+", "-": "-", "~": "!", "*": "!", "!": "!"}
"""GitHub colours a `diff` block's lines by their first character: + green, - red, ! orange."""


def diff_block(site: SitePlan) -> str:
    """One site's plan with each line's sign in the first column, for a `diff` block."""
    lines = [f"  {site.name or site.site_id} ({site.site_id}) — {site.source}"]
    for line in text.site_lines(site):
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
