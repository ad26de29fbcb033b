"""`mpr plan` and `mpr apply` as users run them: output, exit codes, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.config.yamlio import MAX_FILE_BYTES
from reconciler.emulator import Emulator
from reconciler.engine.journal import MemoryJournal
from tests.cli.conftest import SITE, write_site
from tests.conftest import Mpr

SETTINGS = """settings:
  toneOfVoice: warm and playful
  socialChannels: [FACEBOOK, INSTAGRAM]
events:
  - name: Black Friday Sale
    date: "2026-11-27T09:00:00Z"
"""


def seed(emulator: Emulator, **site: object) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE, "connectedChannels": ["FACEBOOK"], **site}]})


def test_usage_errors_exit_3_never_2(mpr: Mpr) -> None:
    assert mpr("plan").code == exitcodes.USAGE
    assert mpr("plan", "--format", "xml", "x").code == exitcodes.USAGE
    assert mpr("apply", "--bogus", "x").code == exitcodes.USAGE


def test_detailed_exitcode_says_changes_then_none(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    site = write_site(tmp_path, body=SETTINGS)
    first = mpr("plan", str(site), "--detailed-exitcode")
    assert first.code == exitcodes.CHANGES, first.err
    assert '+ settings.toneOfVoice: (unset) → "warm and playful"' in first.out
    assert "+ event create 'Black Friday Sale' (2026-11-27T09:00:00.000Z)" in first.out
    assert "generate the plan (the site has no plan yet)" in first.out
    assert first.out.rstrip().endswith(
        "Plan: 2 setting fields, events +1 ~0 -0, 1 plan action, 0 drafts to schedule; "
        "1 site(s): 1 to change, 0 unchanged, 0 error(s)."
    )
    assert emulator.writes() == []

    applied = mpr("apply", str(site), "--auto-approve")
    assert applied.code == exitcodes.OK, applied.out + applied.err
    assert "Crumb & Co (11111111-2222-4333-8444-555555555555): applied" in applied.out

    again = mpr("plan", str(site), "--detailed-exitcode")
    assert again.code == exitcodes.OK, again.out
    assert again.out.startswith("1 site(s) unchanged: Crumb & Co\n\nPlan: 0 setting fields")


def test_plan_json_is_versioned_and_markdown_is_a_pr_comment(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    site = write_site(tmp_path, body=SETTINGS)
    body = json.loads(mpr("plan", str(site), "--format", "json").out)
    assert body["format_version"] == 1
    assert body["has_changes"] is True
    assert body["sites"][0]["action"]["kind"] == "generate"
    markdown = mpr("plan", str(site), "--format", "markdown").out
    assert markdown.startswith("<!-- mpr-plan -->")
    assert "| **Crumb & Co** | ✏️ changes |" in markdown
    assert "<details><summary>Crumb & Co</summary>" in markdown


def test_selector_that_matches_nothing_is_an_error(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    site = write_site(tmp_path)
    result = mpr("plan", str(site), "--site", "client=nobody")
    assert result.code == exitcodes.ERROR
    assert "--site client=nobody matched no site" in result.err
    assert mpr("plan", str(site), "--site", "client=crumb").code == exitcodes.OK


def test_invalid_yaml_reads_and_writes_nothing(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    site = write_site(tmp_path, body="settings:\n  pointOfView: SIDEWAYS\n")
    result = mpr("apply", str(site), "--auto-approve")
    assert result.code == exitcodes.ERROR
    assert f"{site}:7:16: settings.pointOfView:" in result.err
    assert emulator.requests == []


def test_apply_without_a_terminal_needs_auto_approve(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    result = mpr("apply", str(write_site(tmp_path, body=SETTINGS)))
    assert result.code == exitcodes.REFUSED
    assert "pass --auto-approve" in result.err
    assert emulator.writes() == []


@pytest.mark.parametrize(
    ("count", "tail"),
    [(7, "Crumb & Co and 2 more\n"), (5, ", ".join(["Crumb & Co"] * 5) + "\n")],
    ids=["more than five: counted", "five: all named"],
)
def test_a_stale_plan_names_the_shared_file_that_changed_not_every_site(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, count: int, tail: str
) -> None:
    ids = [f"{n}{n}{n}{n}{n}{n}{n}{n}" + SITE[8:] for n in range(1, count + 1)]
    emulator.load_fixtures({"sites": [{"id": site_id} for site_id in ids]})
    defaults = tmp_path / "_defaults.yaml"
    defaults.write_text("version: 1\nsettings: {toneOfVoice: warm}\n")
    for number, site_id in enumerate(ids, 1):
        write_site(tmp_path, f"client{number}.yaml", "defaults: _defaults.yaml\n", site_id)
    own = write_site(tmp_path, "own.yaml", "settings: {toneOfVoice: dry}\n", SITE[:-1] + "9")
    emulator.load_fixtures({"sites": [{"id": SITE[:-1] + "9"}]})
    saved = tmp_path / "plan.json"
    made = mpr("plan", str(tmp_path), "--out", str(saved))
    assert made.code == exitcodes.OK, made.err

    defaults.write_text("version: 1\nsettings: {toneOfVoice: calm}\n")
    own.write_text(own.read_text().replace("dry", "drier"))
    stale = mpr("apply", str(saved))
    assert stale.code == exitcodes.REFUSED
    listed = f"  {defaults} changed, and with it the YAML of {count} site(s): Crumb & Co, "
    assert listed in stale.err
    assert stale.err.split(listed)[1].startswith(", ".join(["Crumb & Co"] * 4)), "five named"
    assert tail in stale.err
    assert f"Crumb & Co: its YAML changed ({own})" in stale.err, "a site file itself: named"
    assert stale.err.count("its YAML changed") == 1
    assert emulator.writes() == []


def test_a_stale_plan_names_a_defaults_file_at_the_size_cap_changed_in_its_last_byte(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """A file may be 1 MiB: all of it counts, up to its last byte, in naming what changed."""
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    write_site(tmp_path, "crumb.yaml", "defaults: _defaults.yaml\n")
    tail = b"\nversion: 1\nsettings:\n  toneOfVoice: dry"
    defaults = tmp_path / "_defaults.yaml"
    defaults.write_bytes(b"# ".ljust(MAX_FILE_BYTES - len(tail), b"x") + tail)
    saved = tmp_path / "plan.json"
    made = mpr("plan", str(tmp_path), "--out", str(saved))
    assert made.code == exitcodes.OK, made.err
    defaults.write_bytes(defaults.read_bytes()[:-1] + b"e")  # dry → dre
    stale = mpr("apply", str(saved))
    assert stale.code == exitcodes.REFUSED, stale.out + stale.err
    assert f"  {defaults} changed, and with it the YAML of 1 site(s): Crumb & Co" in stale.err
    assert emulator.writes() == []


def test_a_stale_plan_names_every_shared_file_that_changed_first_and_a_site_file_gone(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    ids = [f"{n}{n}{n}{n}{n}{n}{n}{n}" + SITE[8:] for n in range(1, 5)]
    emulator.load_fixtures({"sites": [{"id": site_id} for site_id in ids]})
    shared = [tmp_path / f"_{name}.yaml" for name in ("one", "two", "three")]
    for number, (defaults, site_id) in enumerate(zip(shared, ids, strict=False), 1):
        defaults.write_text("version: 1\nsettings: {toneOfVoice: warm}\n")
        write_site(tmp_path, f"client{number}.yaml", f"defaults: {defaults.name}\n", site_id)
    gone = write_site(tmp_path, "gone.yaml", "settings: {toneOfVoice: dry}\n", ids[3])
    saved = tmp_path / "plan.json"
    made = mpr("plan", str(tmp_path), "--out", str(saved))
    assert made.code == exitcodes.OK, made.err

    for defaults in shared[:2]:  # the third is left as it was
        defaults.write_text("version: 1\nsettings: {toneOfVoice: calm}\n")
    gone.unlink()
    stale = mpr("apply", str(saved))
    assert stale.code == exitcodes.REFUSED
    assert stale.err == (
        "Error: the saved plan is stale; make a new one with `mpr plan --out`:\n"
        f"  {shared[0]}, {shared[1]} changed, and with it the YAML of 2 site(s): Crumb & Co, "
        "Crumb & Co\n"
        "  Crumb & Co: no longer selected or declared\n"
    ), "the shared files first; the removed site file is no shared one"
    assert emulator.writes() == []


def test_a_saved_plan_with_a_site_that_could_not_be_read_is_stale_once_its_yaml_changed(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    write_site(tmp_path, body=SETTINGS)
    unknown = "9" * 8 + SITE[8:]
    other = write_site(tmp_path, "other.yaml", "settings: {toneOfVoice: dry}\n", unknown)
    saved = tmp_path / "plan.json"
    made = mpr("plan", str(tmp_path), "--out", str(saved))
    assert made.code == exitcodes.ERROR, made.out
    assert "SITE_NOT_FOUND" in made.out, "the other site cannot be read"

    other.write_text(other.read_text().replace("dry", "drier"))
    stale = mpr("apply", str(saved))
    assert stale.code == exitcodes.REFUSED
    assert stale.err == (
        "Error: the saved plan is stale; make a new one with `mpr plan --out`:\n"
        f"  Crumb & Co: its YAML changed ({other})\n"
    )
    assert emulator.writes() == []


def test_saved_plan_is_applied_exactly_or_refused_when_stale(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    site = write_site(tmp_path, body=SETTINGS)
    saved = tmp_path / "plan.json"
    assert mpr("plan", str(site), "--out", str(saved)).code == exitcodes.OK

    site.write_text(site.read_text().replace("warm and playful", "dry"))
    stale = mpr("apply", str(saved))
    assert stale.code == exitcodes.REFUSED
    assert f"Crumb & Co: its YAML changed ({site})" in stale.err
    assert emulator.writes() == []

    assert mpr("plan", str(site), "--out", str(saved)).code == exitcodes.OK
    emulator.load_fixtures(
        {
            "sites": [
                {"id": SITE, "connectedChannels": ["FACEBOOK"], "settings": {"toneOfVoice": "x"}}
            ]
        }
    )
    live_changed = mpr("apply", str(saved))
    assert live_changed.code == exitcodes.REFUSED
    assert "Crumb & Co: its live state changed on Wix" in live_changed.err

    assert mpr("plan", str(site), "--out", str(saved)).code == exitcodes.OK
    fresh = mpr("apply", str(saved))
    assert fresh.code == exitcodes.OK, fresh.err
    assert mpr("plan", str(site), "--detailed-exitcode").code == exitcodes.OK


def _many_events(count: int) -> list[dict[str, str]]:
    return [{"name": f"Old {i}", "date": f"2026-12-{10 + i}T09:00:00Z"} for i in range(count)]


def test_deleting_too_many_events_stops_before_writing_unless_forced(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator, events=_many_events(4), settings={"toneOfVoice": "old"})
    site = write_site(
        tmp_path, body="settings:\n  toneOfVoice: new\npolicy:\n  pruneEvents: true\n"
    )
    refused = mpr("apply", str(site), "--auto-approve")
    assert refused.code == exitcodes.REFUSED
    assert "deletes 4 of 4 events (100%)" in refused.err and "--force" in refused.err
    assert "- event delete 'Old 0'" in refused.out
    assert emulator.writes() == []

    forced = mpr("apply", str(site), "--auto-approve", "--force")
    assert forced.code == exitcodes.OK, forced.err
    assert [r.operation for r in emulator.writes()].count("DeleteEvent") == 4


def test_no_regenerate_reports_the_skipped_step(
    mpr: Mpr, emulator: Emulator, journal: MemoryJournal, tmp_path: Path
) -> None:
    seed(emulator, settings={"toneOfVoice": "old"}, plan={"status": "ACTIVE"})
    site = write_site(tmp_path, body="settings:\n  toneOfVoice: new\n")
    result = mpr("apply", str(site), "--auto-approve", "--no-regenerate")
    assert result.code == exitcodes.OK
    assert "RegenerateMarketingPlan skipped: --no-regenerate was given" in result.out
    assert "RegenerateMarketingPlan" not in [r.operation for r in emulator.writes()]
    pending = journal.pending(SITE)
    assert pending is not None and pending.kind == "regenerate"


def test_generation_past_the_timeout_exits_5(mpr: Mpr, emulator: Emulator, tmp_path: Path) -> None:
    seed(emulator)
    site = write_site(tmp_path, body="policy:\n  wait: {timeout: 30s}\n")
    result = mpr("apply", str(site), "--auto-approve")
    assert result.code == exitcodes.TIMED_OUT, result.out
    assert "still not finished after" in result.out
    assert "the next plan/apply picks it up" in result.out


def test_a_site_that_cannot_be_read_fails_the_run_but_not_the_fleet(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    write_site(tmp_path, "a.yaml", SETTINGS)
    write_site(tmp_path, "b.yaml", site_id="22222222-3333-4444-8555-666666666666")
    result = mpr("apply", str(tmp_path), "--auto-approve")
    assert result.code == exitcodes.ERROR
    assert "Crumb & Co (11111111-2222-4333-8444-555555555555): applied" in result.out
    assert "(22222222-3333-4444-8555-666666666666): failed" in result.out
    assert "SITE_NOT_FOUND" in result.out


def test_a_failed_site_outranks_a_timed_out_one_in_the_exit_code(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)  # its generation outlasts the 30 s wait: timed out
    write_site(tmp_path, "a.yaml", "policy:\n  wait: {timeout: 30s}\n")
    write_site(tmp_path, "b.yaml", site_id="22222222-3333-4444-8555-666666666666")  # unknown
    result = mpr("apply", str(tmp_path), "--auto-approve")
    assert result.code == exitcodes.ERROR, result.out
    assert "Crumb & Co (11111111-2222-4333-8444-555555555555): timed_out" in result.out
    assert "(22222222-3333-4444-8555-666666666666): failed" in result.out
    assert "1 failed, 1 timed out" in result.out


def test_plan_out_creates_the_folder_it_is_given(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator)
    saved = tmp_path / "plans" / "today" / "plan.json"
    result = mpr("plan", str(write_site(tmp_path, body=SETTINGS)), "--out", str(saved))
    assert result.code == exitcodes.OK, result.err
    assert json.loads(saved.read_text())["format_version"] == 1
