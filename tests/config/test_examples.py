"""examples/sites validate cleanly and say what the README says they say, in any year."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reconciler.config import check_sites, load_sites
from tests.config.conftest import NOW, REPO


def test_the_examples_load_without_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = load_sites(["examples/sites"], env={}, now=NOW)
    assert result.warnings == ()
    assert {site.id: site.name for site in result.sites} == {
        "11111111-2222-4333-8444-555555555555": "Crumb & Co Bakery",
        "22222222-3333-4444-8555-666666666666": "Harbor Dental Studio",
        "33333333-4444-4555-8666-777777777777": "Inkwell Paper Goods",
    }
    assert result.files == (
        "examples/sites/_defaults.yaml",
        "examples/sites/clients/harbor-dental.yaml",
        "examples/sites/crumb-bakery.yaml",
        "examples/sites/inkwell-paper.yaml",
    )


def test_each_example_shows_what_it_is_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    sites = {site.name: site for site in load_sites(["examples/sites"], env={}, now=NOW).sites}
    bakery = sites["Crumb & Co Bakery"]
    dental = sites["Harbor Dental Studio"]
    paper = sites["Inkwell Paper Goods"]
    # holidays come back every year: yearly events, so the file never goes stale
    yearly = [
        e for e in bakery.events if e.recurring_rule and e.recurring_rule.frequency == "YEARLY"
    ]
    assert len(yearly) >= 2 and all(e.date is None for e in bakery.events)
    assert any(e.recurring_rule and e.recurring_rule.frequency == "WEEKLY" for e in bakery.events)

    assert dental.labels["agency"] == "northwind"  # from the shared defaults
    assert dental.policy.prune_events is True
    assert dental.settings.values["settings.toneOfVoice"] == "friendly, clear and reassuring"
    assert sum(bool(e.recurring_rule) for e in dental.events) == len(dental.events) >= 2

    assert paper.settings.values["settings.marketingTools"] == ["BLOGS"]
    assert paper.settings.values["settings.topics"]
    assert paper.policy.schedule.enabled is False


@pytest.mark.dated
def test_the_examples_and_the_readme_site_are_evergreen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Checked against the real clock (CI moves it years ahead): a newcomer's first run is clean
    in any year, and every example event happens again."""
    monkeypatch.chdir(REPO)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    sample = re.search(r"^## A site file\n\n```yaml\n(.*?)^```", readme, re.S | re.M)
    assert sample is not None, "README.md has no sample site file"
    (tmp_path / "readme-site.yaml").write_text(sample.group(1), encoding="utf-8")

    examples = check_sites(["examples/sites"], env={})
    readme_site = check_sites([str(tmp_path / "readme-site.yaml")], env={})

    assert [str(p) for p in examples.problems + readme_site.problems] == []
    now = datetime.now(UTC)
    events = [e for site in examples.sites + readme_site.sites for e in site.events]
    assert len(events) >= 8
    assert [e.name for e in events if e.next_date(now) is None] == []
