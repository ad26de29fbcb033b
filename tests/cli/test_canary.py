"""`mpr apply --canary` in-process (so `mutmut run` sees it; the socket version is
tests/e2e/test_canary.py): the canary is applied and planned again, and only an empty fresh
plan lets the other sites be written."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator, FaultRule
from tests.conftest import TODAY, Mpr

SITES = [f"5{n}5{n}5{n}5{n}-0000-4000-8000-00000000000{n}" for n in range(1, 6)]


@pytest.fixture
def fleet(emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Five sites whose live tone is "formal" and declared tone "warm"; the cwd holds them."""
    settings = {"toneOfVoice": "formal", "marketingTools": ["BLOGS"]}
    emulator.load_fixtures(
        {"sites": [{"id": s, "settings": settings, "plan": {"status": "ACTIVE"}} for s in SITES]}
    )
    sites = tmp_path / "sites"
    sites.mkdir()
    for n, site in enumerate(SITES, start=1):
        (sites / f"s{n}.yaml").write_text(
            f"version: 1\nsite: {{id: {site}, name: Shop {n}}}\n"
            "settings: {toneOfVoice: warm, marketingTools: [BLOGS]}\n"
            "policy: {regenerate: never, schedule: {enabled: false}}\n",
            encoding="utf-8",
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPR_AUDIT_LOG", "audit.jsonl")
    return tmp_path


def tones(emulator: Emulator) -> list[str]:
    return [emulator.snapshot(s)["marketingSettings"]["settings"]["toneOfVoice"] for s in SITES]


def refuse_settings(emulator: Emulator, site_id: str) -> None:
    emulator.add_fault(
        FaultRule(
            method="POST", path="/marketing-settings", site_id=site_id, status=400, times=None
        )
    )


def stale_reads(emulator: Emulator, site_id: str) -> None:
    """Every read of the site's settings shows the old tone, whatever was written."""
    old = {"settings": {"toneOfVoice": "formal", "marketingTools": ["BLOGS"]}}
    emulator.add_fault(
        FaultRule(
            method="GET",
            path="/marketing-settings",
            site_id=site_id,
            add_members={"marketingSettings": old},
            times=None,
        )
    )


def read_fault(path: str, **rule: Any) -> FaultRule:
    """A fault on Shop 1's GET requests to `path`."""
    return FaultRule(method="GET", path=path, site_id=SITES[0], **rule)


def apply_outcomes(folder: Path) -> dict[str, str]:
    lines = [json.loads(line) for line in (folder / "audit.jsonl").read_text().splitlines()]
    return {e["site"]: e["result"] for e in lines if e["action"] == "apply"}


@pytest.mark.parametrize("canary", ["1", "Shop 1"])
def test_a_converged_canary_lets_the_whole_fleet_be_applied(
    mpr: Mpr, emulator: Emulator, fleet: Path, canary: str
) -> None:
    result = mpr("apply", "sites", "--auto-approve", "--canary", canary)
    assert result.code == exitcodes.OK, result.out + result.err
    assert "Canary: applying Shop 1 first; the other 4 site(s) follow" in result.err
    assert "Apply: 5 site(s): 5 changed, 0 failed" in result.out
    assert tones(emulator) == ["warm"] * 5
    first_other_write = min(
        i for i, r in enumerate(emulator.requests) if r.mutating and r.site_id != SITES[0]
    )
    before = emulator.requests[:first_other_write]
    canary_reads = [
        r for r in before if r.site_id == SITES[0] and r.operation == "GetMarketingSettings"
    ]
    assert len(canary_reads) == 2, "the canary is planned, applied, then planned again"
    assert {r.site_id for r in before if r.mutating} == {SITES[0]}


def test_a_canary_wix_did_not_keep_stops_the_fleet_with_the_others_untouched(
    mpr: Mpr, emulator: Emulator, fleet: Path
) -> None:
    emulator.add_fault(FaultRule(site_id=SITES[0], keep_old="settings.toneOfVoice", times=None))
    result = mpr("apply", "sites", "--auto-approve", "--canary", "1")
    assert result.code == exitcodes.ERROR, result.out + result.err
    assert "the canary did not converge, so the other sites were not touched" in result.err
    assert (
        "  Shop 1 (sites/s1.yaml):\n    - its apply failed: did not converge: "
        'settings.toneOfVoice — sent "warm", Wix kept "formal"\n'
    ) in result.err
    assert "4 site(s) not applied" in result.err
    assert [r for r in emulator.writes() if r.site_id != SITES[0]] == []
    assert tones(emulator) == ["formal"] * 5
    outcomes = apply_outcomes(fleet)
    assert [outcomes[s] for s in SITES[1:]] == ["not_applied"] * 4, outcomes


def test_a_canary_whose_fresh_plan_still_differs_stops_the_fleet(
    mpr: Mpr, emulator: Emulator, fleet: Path
) -> None:
    """The write is answered as kept, but every read of the site still shows the old tone
    (a cache, a second writer): the fresh plan names what still differs."""
    stale_reads(emulator, SITES[0])
    result = mpr("apply", "sites", "--auto-approve", "--canary", "1")
    assert result.code == exitcodes.ERROR, result.out + result.err
    assert (
        "  Shop 1 (sites/s1.yaml):\n    - settings.toneOfVoice still differs from the YAML\n"
    ) in result.err
    assert (
        "A fresh plan of the canary after its apply:\n"
        "Shop 1 (51515151-0000-4000-8000-000000000001) — sites/s1.yaml\n"
        '  ~ settings.toneOfVoice: "formal" → "warm"\n'
    ) in result.out
    assert [r for r in emulator.writes() if r.site_id != SITES[0]] == []


def test_a_canary_that_fails_stops_the_fleet_with_the_others_untouched(
    mpr: Mpr, emulator: Emulator, fleet: Path
) -> None:
    refuse_settings(emulator, SITES[0])
    result = mpr("apply", "sites", "--auto-approve", "--canary", "1")
    assert result.code == exitcodes.ERROR, result.out + result.err
    assert "the canary did not converge, so the other sites were not touched" in result.err
    assert "Shop 1 (sites/s1.yaml)" in result.err
    assert "its apply failed" in result.err
    assert "4 site(s) not applied" in result.err
    assert [r for r in emulator.writes() if r.site_id != SITES[0]] == []


def test_two_canaries_go_first_and_a_selector_chooses_them(
    mpr: Mpr, emulator: Emulator, fleet: Path
) -> None:
    refuse_settings(emulator, SITES[3])
    stale_reads(emulator, SITES[2])
    result = mpr("apply", "sites", "--auto-approve", "--canary", "Shop [34]")
    assert result.code == exitcodes.ERROR, result.out + result.err
    assert "Canary: applying Shop 3, Shop 4 first; the other 3 site(s) follow" in result.err
    named = [line.strip() for line in result.err.splitlines() if line.startswith("  Shop")]
    assert named == ["Shop 3 (sites/s3.yaml):", "Shop 4 (sites/s4.yaml):"], "in file order"
    assert {r.site_id for r in emulator.writes()} == {SITES[2], SITES[3]}
    assert tones(emulator) == ["formal", "formal", "warm", "formal", "formal"]


def test_a_saved_plan_is_applied_canary_first(mpr: Mpr, emulator: Emulator, fleet: Path) -> None:
    planned = mpr("plan", "sites", "--out", "plan.json")
    assert planned.code == exitcodes.OK, planned.err
    result = mpr("apply", "plan.json", "--canary", "2")
    assert result.code == exitcodes.OK, result.out + result.err
    assert "Canary: applying Shop 1, Shop 2 first; the other 3 site(s) follow" in result.err
    assert tones(emulator) == ["warm"] * 5


def test_canaries_are_sites_with_changes_the_unchanged_skipped(
    mpr: Mpr, emulator: Emulator, fleet: Path
) -> None:
    (fleet / "sites" / "s1.yaml").write_text(
        (fleet / "sites" / "s1.yaml").read_text().replace("warm", "formal")
    )
    result = mpr("apply", "sites", "--auto-approve", "--canary", "1")
    assert result.code == exitcodes.OK, result.out + result.err
    assert "Canary: applying Shop 2 first; the other 3 site(s) follow" in result.err


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("nobody", "--canary nobody matches none of the 5 selected site(s)"),
        ("0", "give at least 1 site (or a selector)"),
    ],
)
def test_a_canary_that_chooses_nothing_is_a_usage_error(
    mpr: Mpr, emulator: Emulator, fleet: Path, given: str, message: str
) -> None:
    result = mpr("apply", "sites", "--auto-approve", "--canary", given)
    assert result.code == exitcodes.USAGE, result.out + result.err
    assert message in result.err
    assert emulator.writes() == []


def test_a_canary_whose_fresh_plan_cannot_be_made_stops_the_fleet(
    mpr: Mpr, emulator: Emulator, fleet: Path
) -> None:
    """The canary's write lands, but reading it again is refused: no fresh plan, no proof."""
    reads = "/marketing-settings"
    emulator.add_fault(read_fault(reads, delay_seconds=0.001))  # the first read: answered
    emulator.add_fault(read_fault(reads, status=400, times=None))  # every later one refused
    result = mpr("apply", "sites", "--auto-approve", "--canary", "1")
    assert result.code == exitcodes.ERROR, result.out + result.err
    assert (
        "  Shop 1 (sites/s1.yaml):\n    - a fresh plan of it failed: GET "
        "/promote/marketing-plan-service/v1/marketing-settings → HTTP 400"
    ) in result.err
    progress = [line.split("] ", 1)[1] for line in result.err.splitlines() if line[:1] == "["]
    assert progress == ["Shop 1: applied"], "the check is no write: no line of its own"
    assert "4 site(s) not applied" in result.err
    assert [r for r in emulator.writes() if r.site_id != SITES[0]] == []


def test_a_canary_whose_generation_outlasts_the_wait_stops_the_fleet(
    mpr: Mpr, emulator: Emulator, fleet: Path
) -> None:
    """Shop 1 has no plan yet: its apply starts one, which takes longer than the 30 s wait."""
    emulator.load_fixtures({"sites": [{"id": SITES[0], "settings": {"toneOfVoice": "formal"}}]})
    s1 = fleet / "sites" / "s1.yaml"
    s1.write_text(s1.read_text().replace("policy: {", "policy: {wait: {timeout: 30s}, "))
    result = mpr("apply", "sites", "--auto-approve", "--canary", "1")
    assert result.code == exitcodes.ERROR, result.out + result.err
    assert (
        "  Shop 1 (sites/s1.yaml):\n    - its apply timed out: the plan generation still not "
        "finished after 30 s (policy.wait.timeout)"
    ) in result.err
    assert "4 site(s) not applied" in result.err
    assert [r for r in emulator.writes() if r.site_id != SITES[0]] == []


def test_a_canary_whose_fresh_plan_still_has_a_plan_action_due_stops_the_fleet(
    mpr: Mpr, emulator: Emulator, fleet: Path
) -> None:
    """After Shop 1's write, its plan reads as FAILED: the fresh plan would generate one."""
    reads = "v1/marketing-plan"
    emulator.add_fault(read_fault(reads, delay_seconds=0.001))  # the first read: as it is
    emulator.add_fault(read_fault(reads, add_members={"status": "FAILED"}, times=None))
    result = mpr("apply", "sites", "--auto-approve", "--canary", "1")
    assert result.code == exitcodes.ERROR, result.out + result.err
    assert (
        "  Shop 1 (sites/s1.yaml):\n"
        "    - plan action generate still due (the last generation FAILED: generate again)\n"
    ) in result.err
    assert [r for r in emulator.writes() if r.site_id != SITES[0]] == []


def test_a_canary_whose_drafts_still_read_as_drafts_stops_the_fleet(
    mpr: Mpr, emulator: Emulator, fleet: Path
) -> None:
    """Shop 1 schedules the drafts of its coming week; every later read of its plan still
    shows them as drafts: the fresh plan would schedule them again."""
    social = {"toneOfVoice": "formal", "socialChannels": ["FACEBOOK"]}
    emulator.load_fixtures(
        {
            "sites": [
                {
                    "id": SITES[0],
                    "connectedChannels": ["FACEBOOK"],
                    "settings": social,
                    "plan": {"status": "ACTIVE"},
                }
            ]
        }
    )
    activities = [a for a in emulator.site(SITES[0]).plan.activities.values() if a.items]
    for n, activity in enumerate(activities):
        activity.date = TODAY + timedelta(days=1 if n == 0 else 30)
    before = emulator.snapshot(SITES[0])["plan"]["marketingActivities"]
    (fleet / "sites" / "s1.yaml").write_text(
        f"version: 1\nsite: {{id: {SITES[0]}, name: Shop 1}}\n"
        "settings: {toneOfVoice: warm, socialChannels: [FACEBOOK]}\n"
        "policy: {regenerate: never, schedule: {channels: [FACEBOOK], horizonDays: 7, "
        "generateMissingPosts: false}}\n",
        encoding="utf-8",
    )
    reads = "v1/marketing-plan"
    emulator.add_fault(read_fault(reads, delay_seconds=0.001))  # the first read: as it is
    emulator.add_fault(read_fault(reads, add_members={"marketingActivities": before}, times=None))
    result = mpr("apply", "sites", "--auto-approve", "--canary", "1")
    assert result.code == exitcodes.ERROR, result.out + result.err
    assert ("  Shop 1 (sites/s1.yaml):\n    - drafts still to generate or schedule\n") in result.err
    assert [r for r in emulator.writes() if r.site_id != SITES[0]] == []
