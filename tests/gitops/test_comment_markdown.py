"""The pull-request comment: verdict, order, folding, and staying under GitHub's size limit."""

from __future__ import annotations

import re
from pathlib import Path

from reconciler.engine.plan import EventChange, Plan, PlanAction, SettingChange, SitePlan
from reconciler.engine.review import review_digest
from reconciler.render.markdown import LIMIT, MARKER, render_plan, size, truncate, verdict
from tests.conftest import Mpr
from tests.gitops.conftest import SITE, seed, site_file


def site(
    index: int,
    *,
    changes: int = 1,
    deletes: int = 0,
    error: str | None = None,
    name: str | None = None,
    filler: int = 40,
) -> SitePlan:
    settings = tuple(
        SettingChange(f"settings.field{n}", None, f"value {n} " + "x" * filler)
        for n in range(changes)
    )
    events = tuple(EventChange("delete", f"Event {n}", f"id-{n}") for n in range(deletes))
    return SitePlan(
        site_id=f"{index:08d}-0000-4000-8000-000000000000",
        name=name if name is not None else f"Site {index}",
        source=f"sites/site-{index}.yaml",
        settings=settings,
        events=events,
        plan_status="ACTIVE",
        action=PlanAction("regenerate" if changes or deletes else "none", "because"),
        error=error,
    )


def fleet(*sites: SitePlan) -> Plan:
    return Plan(created_at="2026-11-23T09:00:00.000Z", sites=sites)


def test_verdict_is_the_most_severe_site() -> None:
    assert verdict(fleet()) == "no-changes"
    assert verdict(fleet(site(1, changes=0))) == "no-changes"
    assert verdict(fleet(site(1, changes=0), site(2))) == "changes"
    assert verdict(fleet(site(1), site(2, changes=0, deletes=1))) == "destructive"
    assert verdict(fleet(site(1, deletes=3), site(2, changes=0, error="HTTP 500"))) == "error"


def test_a_small_plan_keeps_everything_worst_first() -> None:
    plan = fleet(site(1), site(2, changes=0), site(3, deletes=1), site(4, changes=0, error="boom"))
    text = render_plan(plan)
    lines = text.splitlines()
    assert lines[:4] == [
        MARKER,
        "<!-- mpr-result: error -->",
        f"<!-- mpr-digest: {review_digest(plan)} -->",
        "### mpr plan: ❌ error",
    ]
    assert (
        "Plan: 2 setting fields, events +0 ~0 -1, 2 plan actions, 0 drafts to schedule; "
        "4 site(s): 2 to change, 1 unchanged, 1 error(s)." in text
    )
    rows = [line for line in lines if line.startswith("| **")]
    assert [r.split("|")[1].strip() for r in rows] == ["**Site 4**", "**Site 3**", "**Site 1**"]
    assert rows[0] == "| **Site 4** | ❌ error | boom |"
    assert "⚠️ destructive" in rows[1]
    # details only for the sites that need a look, folded, in table order
    # the unchanged site folded (#24): one row, its name collapsed under the table
    assert "| 1 unchanged site(s) | ✅ no changes | listed below |" in text
    summaries = re.findall(r"<details><summary>(.*?)</summary>", text)
    assert summaries == ["1 unchanged site(s)", "Site 4", "Site 3", "Site 1"]
    assert "<summary>1 unchanged site(s)</summary>\n\nSite 2\n\n</details>" in text
    assert "omitted" not in text


def test_a_fleet_over_the_limit_keeps_the_table_and_drops_details_site_by_site() -> None:
    sites = [site(i, changes=12, filler=120) for i in range(1, 61)]
    plan = fleet(*sites)
    full = render_plan(plan, limit=10**9)
    assert size(full) > LIMIT, "the fixture must exceed GitHub's limit"

    text = render_plan(plan)
    assert size(text) <= LIMIT
    assert len(text) <= LIMIT
    assert text.startswith(MARKER + "\n<!-- mpr-result: changes -->")
    assert "; 60 site(s): 60 to change, 0 unchanged, 0 error(s)." in text
    assert all(f"| **Site {i}** |" in text for i in range(1, 61)), "every row is kept"
    shown = re.findall(r"<details><summary>Site (\d+)</summary>", text)
    omitted = 60 - len(shown)
    assert 0 < omitted < 60
    assert shown == [str(i) for i in range(1, len(shown) + 1)], "details are cut from the end"
    assert (
        f"> **Note:** {omitted} site(s)' details omitted to stay under GitHub's 65,536-character "
        "comment limit: see the job log or the plan artifact." in text
    )
    # no details block is cut in half
    assert text.count("<details>") == text.count("</details>")


def test_thousands_of_unchanged_sites_fold_into_one_row() -> None:
    calm = [site(i, changes=0, name=f"Unchanged shop number {i}") for i in range(10, 3010)]
    plan = fleet(site(1, deletes=2), *calm, site(2))
    text = render_plan(plan)
    assert size(text) <= LIMIT
    assert "| **Site 1** | ⚠️ destructive |" in text
    assert "| **Site 2** | ✏️ changes |" in text
    assert "| 3000 unchanged site(s) | ✅ no changes | listed below |" in text
    assert re.findall(r"<summary>(.*?)</summary>", text) == [
        "3000 unchanged site(s)",
        "Site 1",
        "Site 2",
    ]
    names = re.search(r"Unchanged shop number 10, .*? and (\d+) more \(all listed by", text)
    assert names is not None and 0 < int(names[1]) < 3000


def test_thousands_of_changed_sites_cut_the_table_with_a_note() -> None:
    plan = fleet(
        *(site(i, name=f"A site with a fairly long name, number {i}") for i in range(4000))
    )
    text = render_plan(plan)
    assert size(text) <= LIMIT
    match = re.search(r"\| … (\d+) more site\(s\) with changes or errors \| \|", text)
    assert match is not None
    rows = text.count("| **A site with")
    assert rows + int(match[1]) == 4000
    assert f"> **Note:** {match[1]} site(s) left out of the table and 4000 site(s)' details" in text


def test_counted_in_bytes_so_wide_characters_never_push_it_over() -> None:
    sites = [site(i, changes=10, filler=0, name="Café 🍞 " * 20 + str(i)) for i in range(300)]
    text = render_plan(fleet(*sites))
    assert size(text) <= LIMIT
    assert len(text.encode("utf-16-le")) // 2 <= LIMIT


def test_a_tiny_limit_still_holds_and_says_so() -> None:
    plan = fleet(*(site(i) for i in range(50)))
    text = render_plan(plan, limit=600)
    assert size(text) <= 600
    assert "| … 50 more site(s) with changes or errors | |" in text
    cut = render_plan(plan, limit=250)
    assert size(cut) <= 250
    assert cut.startswith(MARKER)
    assert cut.endswith(
        "> **Note:** truncated to stay under the comment limit: see the job log "
        "or the plan artifact.\n"
    )
    assert size(truncate("x" * 10_000, 300)) <= 300


def test_backticks_in_values_cannot_break_out_of_the_folded_block() -> None:
    odd = SitePlan(
        site_id=SITE,
        name="Odd | <b>name</b>",
        source="s.yaml",
        settings=(SettingChange("settings.toneOfVoice", None, "```` fenced ````"),),
    )
    text = render_plan(fleet(odd))
    assert "| **Odd \\| &lt;b&gt;name&lt;/b&gt;** |" in text
    assert "`````diff\n" in text and "\n`````\n</details>" in text


def test_plan_comment_file_through_the_cli(mpr: Mpr, emulator: object, tmp_path: Path) -> None:
    seed(emulator, {"id": SITE, "connectedChannels": ["FACEBOOK"]})  # type: ignore[arg-type]
    path = site_file(tmp_path / "sites", "crumb", SITE, "settings:\n  toneOfVoice: warm\n")
    result = mpr(
        "plan",
        str(path),
        "--comment",
        "out/comment.md",
        "--comment-limit",
        "1500",
        "--detailed-exitcode",
    )
    assert result.code == 2, result.err
    assert result.out.startswith("crumb (11111111"), "stdout keeps the full text plan"
    comment = (tmp_path / "out" / "comment.md").read_text(encoding="utf-8")
    assert comment.startswith(MARKER)
    assert size(comment) <= 1500
    assert "| **crumb** | ✏️ changes |" in comment
    assert "1 site(s)' details omitted" in comment
