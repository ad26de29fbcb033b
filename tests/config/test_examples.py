"""examples/sites validate cleanly and say what the README says they say."""

from __future__ import annotations

import pytest

from reconciler.config import load_sites
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
    dated = [e for e in bakery.events if e.date is not None]
    assert dated and all(e.date is not None and e.date > NOW for e in dated)
    assert any(e.recurring_rule and e.recurring_rule.frequency == "WEEKLY" for e in bakery.events)

    assert dental.labels["agency"] == "northwind"  # from the shared defaults
    assert dental.policy.prune_events is True
    assert dental.settings.values["settings.toneOfVoice"] == "friendly, clear and reassuring"
    assert sum(bool(e.recurring_rule) for e in dental.events) == len(dental.events) >= 2

    assert paper.settings.values["settings.marketingTools"] == ["BLOGS"]
    assert paper.settings.values["settings.topics"]
    assert paper.policy.schedule.enabled is False
