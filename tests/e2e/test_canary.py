"""`mpr apply --canary`: a subprocess against the emulator over a real socket, signed in as
the Wix app (#22). The cases in detail (selectors, a saved plan, a failed canary, usage
errors) run in-process in tests/cli/test_canary.py.

A fleet of five sites whose tone of voice differs from the YAML: the canary goes first, is
planned again, and only an empty fresh plan lets the four others be written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator, EmulatorConfig, FaultRule, serve_in_thread
from tests.e2e.test_over_socket import APP_ID, APP_SECRET, app_env, mpr

pytestmark = pytest.mark.dated

SITES = [f"5{n}5{n}5{n}5{n}-0000-4000-8000-00000000000{n}" for n in range(1, 6)]


def instance(site_id: str) -> str:
    return "9a3f6c1e-" + site_id[9:]


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[tuple[Emulator, str, Path]]:
    """Five sites with an ACTIVE plan, live tone "formal", declared tone "warm"."""
    emulator = Emulator(
        config=EmulatorConfig(
            generation_seconds=0.1, posts_seconds=0.1, app_id=APP_ID, app_secret=APP_SECRET
        )
    )
    emulator.load_fixtures(
        {
            "sites": [
                {
                    "id": site,
                    "instanceId": instance(site),
                    "settings": {"toneOfVoice": "formal", "marketingTools": ["BLOGS"]},
                    "plan": {"status": "ACTIVE"},
                }
                for site in SITES
            ]
        }
    )
    sites = tmp_path / "sites"
    sites.mkdir()
    for n, site in enumerate(SITES, start=1):
        (sites / f"s{n}.yaml").write_text(
            f"version: 1\nsite: {{id: {site}, name: Shop {n}}}\n"
            f"auth: {{wixApp: {{instanceId: {instance(site)}}}}}\n"
            "settings: {toneOfVoice: warm, marketingTools: [BLOGS]}\n"
            "policy: {regenerate: never, schedule: {enabled: false}}\n",
            encoding="utf-8",
        )
    with serve_in_thread(emulator) as base_url:
        yield emulator, base_url, tmp_path


def tones(emulator: Emulator) -> list[str]:
    return [emulator.snapshot(s)["marketingSettings"]["settings"]["toneOfVoice"] for s in SITES]


def test_a_converged_canary_lets_the_whole_fleet_be_applied(
    fleet: tuple[Emulator, str, Path],
) -> None:
    emulator, base_url, cwd = fleet
    env = {**app_env(base_url), "MPR_AUDIT_LOG": "off"}
    result = mpr("apply", "sites", "--auto-approve", "--canary", "1", env=env, cwd=cwd)
    assert result.returncode == exitcodes.OK, result.stdout + result.stderr
    assert "Canary: applying Shop 1 first; the other 4 site(s) follow" in result.stderr
    assert "Apply: 5 site(s): 5 changed, 0 failed" in result.stdout
    assert tones(emulator) == ["warm"] * 5
    # The canary was written first, then read again, and only then the others were written.
    first_other_write = min(
        i for i, r in enumerate(emulator.requests) if r.mutating and r.site_id != SITES[0]
    )
    canary_reads = [
        r
        for r in emulator.requests[:first_other_write]
        if r.site_id == SITES[0] and r.operation == "GetMarketingSettings"
    ]
    assert len(canary_reads) == 2, "the canary is planned, applied, then planned again"


def test_a_canary_wix_did_not_keep_stops_the_fleet_with_the_others_untouched(
    fleet: tuple[Emulator, str, Path],
) -> None:
    """The upsert is answered 200 but Wix keeps the old tone (i22a's keep_old fault): the
    fresh plan of the canary still changes it, so the four others are never written."""
    emulator, base_url, cwd = fleet
    rule = FaultRule(site_id=SITES[0], keep_old="settings.toneOfVoice")
    emulator.add_fault(replace(rule, times=None))
    env = {**app_env(base_url), "MPR_AUDIT_LOG": "audit.jsonl"}
    result = mpr("apply", "sites", "--auto-approve", "--canary", "1", env=env, cwd=cwd)
    assert result.returncode == exitcodes.ERROR, result.stdout + result.stderr
    assert "the canary did not converge, so the other sites were not touched" in result.stderr
    assert "Shop 1 (sites/s1.yaml)" in result.stderr
    assert "toneOfVoice" in result.stderr
    assert "4 site(s) not applied" in result.stderr
    assert [r for r in emulator.writes() if r.site_id != SITES[0]] == []
    assert tones(emulator) == ["formal"] * 5
    lines = [json.loads(line) for line in (cwd / "audit.jsonl").read_text().splitlines()]
    outcomes = {e["site"]: e["result"] for e in lines if e["action"] == "apply"}
    assert [outcomes[s] for s in SITES[1:]] == ["not_applied"] * 4, outcomes
