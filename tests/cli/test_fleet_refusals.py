"""Per-site refusals (#24): a site whose plan trips its delete guard is refused alone; the
others are applied, the run exits 4 naming it, and `--force=SEL` passes the guard for it."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.conftest import Mpr

IDS = {
    "alpha": "a1111111-2222-4333-8444-555555555555",
    "bravo": "b1111111-2222-4333-8444-555555555555",
    "salon": "c1111111-2222-4333-8444-555555555555",
}
PRUNE = "policy:\n  pruneEvents: true\n"


def _events(count: int) -> list[dict[str, str]]:
    return [{"name": f"Old {i}", "date": f"2026-12-{10 + i}T09:00:00Z"} for i in range(count)]


def three_sites(emulator: Emulator, folder: Path) -> Path:
    """alpha and bravo change their tone; salon also deletes all 4 of its events (refused)."""
    emulator.load_fixtures(
        {
            "sites": [
                {
                    "id": site_id,
                    "settings": {"toneOfVoice": "old"},
                    "plan": {"status": "ACTIVE"},
                    **({"events": _events(4)} if name == "salon" else {}),
                }
                for name, site_id in IDS.items()
            ]
        }
    )
    for name, site_id in IDS.items():
        (folder / f"{name}.yaml").write_text(
            f"version: 1\nsite:\n  id: {site_id}\n  name: {name.title()}\n"
            f"  labels: {{client: {name}}}\nsettings:\n  toneOfVoice: new\n"
            + (PRUNE if name == "salon" else ""),
            encoding="utf-8",
        )
    return folder


def test_one_site_over_its_guard_is_refused_and_the_others_are_applied(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    fleet = three_sites(emulator, tmp_path)
    result = mpr("apply", str(fleet), "--auto-approve")
    assert result.code == exitcodes.REFUSED, result.out + result.err
    assert emulator.writes(IDS["alpha"]) and emulator.writes(IDS["bravo"])
    assert emulator.writes(IDS["salon"]) == []
    assert "Salon (c1111111-2222-4333-8444-555555555555): refused" in result.out
    assert "refused 1 site(s) (delete guard); the others were applied" in result.err
    assert "Salon: the plan deletes 4 of 4 events (100%)" in result.err
    assert "Apply: 3 site(s): 2 changed" in result.out
    assert f"mpr apply … --force={IDS['salon']} --expect-digest " in result.err

    forced = mpr("apply", str(fleet), "--auto-approve", "--force=salon")
    assert forced.code == exitcodes.OK, forced.out + forced.err
    assert [r.operation for r in emulator.writes(IDS["salon"])].count("DeleteEvent") == 4


def test_force_with_a_selector_passes_only_the_sites_it_names(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    fleet = three_sites(emulator, tmp_path)
    other = mpr("apply", str(fleet), "--auto-approve", "--force", "client=alpha")
    assert other.code == exitcodes.REFUSED
    assert emulator.writes(IDS["salon"]) == []

    typo = mpr("apply", str(fleet), "--auto-approve", "--force=salom*")
    assert typo.code == exitcodes.ERROR
    assert "--force salom* matched no site" in typo.err

    by_label = mpr("apply", str(fleet), "--auto-approve", "--force", "client=salon")
    assert by_label.code == exitcodes.OK, by_label.out + by_label.err
    assert emulator.writes(IDS["salon"])


def test_a_bare_force_before_the_paths_still_forces_every_site(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    fleet = three_sites(emulator, tmp_path)
    result = mpr("apply", "--force", str(fleet), "--auto-approve")
    assert result.code == exitcodes.OK, result.out + result.err
    assert emulator.writes(IDS["salon"])


def test_plan_markdown_and_json_say_which_site_apply_refuses_and_that_the_rest_apply(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    fleet = three_sites(emulator, tmp_path)
    text = mpr("plan", str(fleet)).out
    assert (
        "Apply will refuse 1 site(s) (exit 4) and apply the 2 other site(s) with changes; "
        "pass the guard with --force=SITE:\n  Salon: the plan deletes 4 of 4 events" in text
    )
    markdown = mpr("plan", str(fleet), "--format", "markdown").out
    assert "> [!CAUTION]\n> **Apply will refuse 1 site(s) (exit 4) and apply the 2 other" in (
        markdown
    )
    assert "> - Salon: the plan deletes 4 of 4 events" in markdown
    body = json.loads(mpr("plan", str(fleet), "--format", "json").out)
    assert body["refusal_exit_code"] == exitcodes.REFUSED
    assert body["sites_to_refuse"] == [IDS["salon"]]
    assert body["sites_to_apply"] == [IDS["alpha"], IDS["bravo"]]


def test_the_review_digest_ties_both_runs_to_the_reviewed_plan(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """The merge applies what was reviewed minus the refused site; the refused site's own
    writes get a digest that a later forced run of it alone must match."""
    fleet = three_sites(emulator, tmp_path)
    reviewed = mpr("plan", str(fleet), "--format", "markdown").out
    digest = reviewed.split("<!-- mpr-digest: ")[1].split(" -->")[0]
    first = mpr("apply", str(fleet), "--auto-approve", "--expect-digest", digest)
    assert first.code == exitcodes.REFUSED, first.err
    assert emulator.writes(IDS["alpha"]) and not emulator.writes(IDS["salon"])
    salon_digest = first.err.split("--expect-digest ")[1].split()[0]
    assert salon_digest != digest

    again = mpr("apply", str(fleet), "--auto-approve", "--force=salon", "--expect-digest", digest)
    assert again.code == exitcodes.REFUSED and "not the ones reviewed" in again.err
    assert not emulator.writes(IDS["salon"])

    forced = mpr(
        "apply", str(fleet), "--auto-approve", "--force=salon", "--expect-digest", salon_digest
    )
    assert forced.code == exitcodes.OK, forced.out + forced.err
    assert emulator.writes(IDS["salon"])


def test_a_changed_refused_site_is_not_applied_under_the_old_digest(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    fleet = three_sites(emulator, tmp_path)
    first = mpr("apply", str(fleet), "--auto-approve")
    salon_digest = first.err.split("--expect-digest ")[1].split()[0]
    salon = tmp_path / "salon.yaml"
    salon.write_text(
        salon.read_text(encoding="utf-8").replace("toneOfVoice: new", "toneOfVoice: other"),
        encoding="utf-8",
    )
    forced = mpr(
        "apply", str(fleet), "--auto-approve", "--force=salon", "--expect-digest", salon_digest
    )
    assert forced.code == exitcodes.REFUSED and "not the ones reviewed" in forced.err
    assert not emulator.writes(IDS["salon"])


def test_bang_selectors_leave_sites_out_of_plan_and_apply(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    fleet = three_sites(emulator, tmp_path)
    planned = mpr("plan", str(fleet), "--site", "!sal*", "--format", "json")
    assert [s["site_id"] for s in json.loads(planned.out)["sites"]] == [IDS["alpha"], IDS["bravo"]]
    applied = mpr("apply", str(fleet), "--site", "!client=salon", "--auto-approve")
    assert applied.code == exitcodes.OK, applied.out + applied.err
    assert emulator.writes(IDS["alpha"]) and not emulator.writes(IDS["salon"])
    nothing = mpr("plan", str(fleet), "--site", "!*")
    assert nothing.code == exitcodes.ERROR and "--site !* leaves no site" in nothing.err
    typo = mpr("plan", str(fleet), "--site", "!salom*")
    assert typo.code == exitcodes.ERROR and "--site !salom* matched no site" in typo.err
