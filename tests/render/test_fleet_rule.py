"""The fleet rule (render.fleet, #24) as each format applies it: busy sites in full, the
unchanged ones folded, a note many sites share said once, a site's own warning never lost."""

from __future__ import annotations

from reconciler.engine.plan import DraftStep, Plan, PlanAction, SettingChange, SitePlan
from reconciler.engine.report import ApplyReport, SiteOutcome
from reconciler.render import markdown, text
from reconciler.render.fleet import fold

FACEBOOK = "FACEBOOK is not connected: connect it in the site's dashboard"


def site(index: int, *, change: bool = False, warnings: tuple[str, ...] = ()) -> SitePlan:
    return SitePlan(
        site_id=f"{index:08d}-0000-4000-8000-000000000000",
        name=f"Shop {index}",
        source=f"shop-{index}.yaml",
        settings=(SettingChange("settings.toneOfVoice", "old", "new"),) if change else (),
        plan_status="ACTIVE",
        action=PlanAction("regenerate" if change else "none", "because"),
        drafts=DraftStep(stays_draft={"FACEBOOK": 2}, notes=(FACEBOOK,)),
        warnings=warnings,
    )


def fleet(*sites: SitePlan) -> Plan:
    return Plan(created_at="2026-11-23T09:00:00.000Z", sites=sites)


def test_fold_shows_busy_items_folds_quiet_ones_and_shares_repeated_notes() -> None:
    items = [("a", True, ["x"]), ("b", False, []), ("c", False, ["x"]), ("d", False, ["own"])]
    folded = fold(items, name=lambda i: i[0], busy=lambda i: i[1], notes=lambda i: i[2])
    assert [i[0] for i in folded.shown] == ["a", "d"]
    assert [i[0] for i in folded.folded] == ["b"]
    assert [i[0] for i in folded.noted] == ["c"]
    assert [(n.text, n.sites) for n in folded.shared] == [("x", ("a", "c"))]


def test_a_site_with_a_warning_and_no_changes_keeps_its_warning_in_text_and_markdown() -> None:
    plan = fleet(site(1), site(2, warnings=("the plan has no posts yet",)), site(3))
    shown = text.render_plan(plan)
    assert "Shop 2 (00000002-0000-4000-8000-000000000000) — shop-2.yaml\n" in shown
    assert "  ! warning: the plan has no posts yet\n" in shown
    assert "2 site(s) unchanged: Shop 1, Shop 3\n" in shown
    comment = markdown.render_plan(plan)
    assert "<details><summary>Shop 2</summary>" in comment
    assert "! warning: the plan has no posts yet" in comment
    assert "| 2 unchanged site(s) |" in comment


def test_a_warning_many_sites_share_is_said_once_with_the_sites() -> None:
    shared = "the plan has no posts yet"
    plan = fleet(*(site(i, change=i == 0, warnings=(shared,)) for i in range(30)), site(30))
    shown = text.render_plan(plan)
    assert shown.count(shared) == 1
    assert "! note on 30 site(s) (Shop 0, Shop 1, Shop 2, Shop 3, Shop 4, Shop 5, Shop 6, " in (
        shown
    )
    assert f"… and 22 more): {shared}" in shown
    assert "1 site(s) unchanged: Shop 30\n" in shown  # the warned ones are not "unchanged"
    assert len(shown.splitlines()) < 15
    comment = markdown.render_plan(plan)
    assert comment.count(shared) == 1 and "| 1 unchanged site(s) |" in comment


def test_a_drafts_note_repeated_on_changed_sites_is_said_once() -> None:
    plan = fleet(*(site(i, change=True) for i in range(5)))
    shown = text.render_plan(plan)
    assert shown.count(FACEBOOK) == 1
    assert shown.count("drafts: 2 FACEBOOK draft(s) stay drafts") == 5
    assert f"! note on 5 site(s) (Shop 0, Shop 1, Shop 2, Shop 3, Shop 4): {FACEBOOK}" in shown


def test_the_apply_report_folds_unchanged_sites_and_shares_notes() -> None:
    def outcome(index: int, status: str = "unchanged") -> SiteOutcome:
        done = SiteOutcome(f"id-{index}", f"Shop {index}", status)  # type: ignore[arg-type]
        done.warnings.append(FACEBOOK)
        if status == "applied":
            done.done.append("settings: upserted settings.toneOfVoice")
        return done

    quiet = SiteOutcome("id-9", "Shop 9")
    refused = SiteOutcome("id-8", "Shop 8", "refused", error="the plan deletes 4 of 4 events")
    report = ApplyReport((outcome(0, "applied"), outcome(1), outcome(2), quiet, refused))
    shown = text.render_report(report)
    assert shown.count(FACEBOOK) == 1
    assert "Shop 0 (id-0): applied\n  done: settings: upserted settings.toneOfVoice\n" in shown
    assert "Shop 8 (id-8): refused\n  ! refused: the plan deletes 4 of 4 events\n" in shown
    assert "1 site(s) unchanged: Shop 9\n" in shown
    assert f"! note on 3 site(s) (Shop 0, Shop 1, Shop 2): {FACEBOOK}\n" in shown
    assert "Apply: 5 site(s): 1 changed, 0 failed, 0 timed out, 1 refused, 3 unchanged;" in shown
