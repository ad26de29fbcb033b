"""Fleet-scale output (#24): one changed site of 60 reads as one change in every report,
and a site whose writes landed before a failure is `partly applied`, not `0 changed`."""

from __future__ import annotations

from pathlib import Path

from reconciler.cli import exitcodes
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator, FaultRule
from tests.bench.report_lines import CHANGED, measure, write_fleet
from tests.cli.conftest import SITE, write_site
from tests.conftest import Mpr


def test_sixty_sites_one_change_every_report_is_short_and_names_it(
    emulator: Emulator, hooks: Hooks, tmp_path: Path
) -> None:
    reports = measure(emulator, hooks, tmp_path / "sites", 60, "2026-12-20T09:00:00Z")
    for name, count in reports.lines().items():
        assert count < 45, f"{name}: {count} lines\n{reports.texts[name]}"
        assert CHANGED in reports.texts[name], name
    applied = reports.texts["apply"]
    assert applied.count("59 site(s) unchanged: Shop 1, Shop 2,") == 2  # the plan, the report
    assert "Shop 7: applied" not in applied and "Shop 7: unchanged" not in applied
    assert "Shop 0: applied" in applied  # its CI progress line
    assert "Apply: 60 site(s): 1 changed, 0 failed, 0 timed out, 59 unchanged;" in applied
    comment = reports.texts["pr comment"]
    assert "| 59 unchanged site(s) | ✅ no changes | listed below |" in comment
    assert "<details><summary>59 unchanged site(s)</summary>" in comment
    assert "| **Shop 7** |" not in comment
    assert "| **Shop 0** |" in reports.texts["drift comment"]


def test_a_site_that_fails_after_its_settings_landed_is_partly_applied(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.load_fixtures(
        {"sites": [{"id": SITE, "settings": {"toneOfVoice": "old"}, "plan": {"status": "ACTIVE"}}]}
    )
    emulator.add_fault(FaultRule(method="POST", path="regenerate", status=400))
    site = write_site(tmp_path, body="settings:\n  toneOfVoice: new\n")
    result = mpr("apply", str(site), "--auto-approve")
    assert result.code == exitcodes.ERROR, result.out + result.err
    assert (
        "Crumb & Co (11111111-2222-4333-8444-555555555555): partly applied (1 write(s) landed, "
        "then it failed)\n  done: settings: upserted settings.toneOfVoice\n" in result.out
    )
    assert "Apply: 1 site(s): 0 changed, 1 partly applied, 0 failed, 0 timed out" in result.out
    assert "] Crumb & Co: partly applied: POST " in result.err  # its progress line says so too


def test_history_folds_the_unchanged_sites_of_a_run_and_takes_bang_selectors(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.load_fixtures(write_fleet(tmp_path / "sites", 5, "2026-12-20T09:00:00Z"))
    log = str(tmp_path / "audit.jsonl")
    applied = mpr("apply", str(tmp_path / "sites"), "--auto-approve", "--audit-log", log)
    assert applied.code == exitcodes.OK, applied.out + applied.err
    history = mpr("history", "--audit-log", log).out
    assert "Shop 0 (00000001-1111-4000-8000-000000000001)  settings.upsert" in history
    assert "Shop 0 (00000001-1111-4000-8000-000000000001)  apply: applied" in history
    assert "  4 site(s) unchanged: Shop 1 (00000002-1111-4000-8000-000000000002), " in history
    assert "apply: unchanged" not in history
    left_out = mpr("history", "--audit-log", log, "--site", "!Shop 0").out
    assert "Shop 0" not in left_out and "4 site(s) unchanged" in left_out
