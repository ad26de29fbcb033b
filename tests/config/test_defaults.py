"""The `defaults:` include: merge rules, where problems point, and the config tree boundary."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import check_sites, load_sites
from reconciler.model.site import DesiredSite
from tests.config.conftest import NOW, SITE_ID, Writer, site

SHARED = """\
version: 1
labels: {agency: north, region: shared}
settings:
  toneOfVoice: shared tone
  socialChannels: [FACEBOOK, INSTAGRAM]
  businessProfile: {valueProposition: shared value, targetAudience: shared audience}
events:
  - {name: A, date: "2026-12-01T00:00:00Z", description: shared a}
  - {name: B, date: "2026-12-02T00:00:00Z", description: shared b}
policy:
  pruneEvents: true
  wait: {timeout: 30m}
  schedule: {channels: [FACEBOOK], horizonDays: 7}
"""


def _load(tmp: Path) -> DesiredSite:
    (loaded,) = load_sites([tmp], env={}, now=NOW).sites
    return loaded


def test_the_site_wins_mappings_merge_events_merge_by_name_lists_replace(
    write: Writer, tmp_path: Path
) -> None:
    write(SHARED, "_defaults.yaml")
    write(
        site(
            """\
defaults: _defaults.yaml
settings:
  socialChannels: [LINKEDIN]
  businessProfile: {targetAudience: mine}
events:
  - {name: B, recurringRule: {frequency: WEEKLY, startDate: "2026-12-02T00:00:00Z"}}
  - {name: C, date: "2026-12-03T00:00:00Z"}
policy:
  wait: {maxAttempts: 1}
  schedule: {horizonDays: 3}
"""
        ).replace("  name: Test Site\n", "  name: Test Site\n  labels: {region: mine}\n")
    )
    (loaded,) = load_sites([tmp_path], env={}, now=NOW).sites

    assert dict(loaded.labels) == {"agency": "north", "region": "mine"}
    assert loaded.settings.values == {
        "settings.toneOfVoice": "shared tone",
        "settings.socialChannels": ["LINKEDIN"],
        "settings.businessProfile": {"valueProposition": "shared value", "targetAudience": "mine"},
    }
    assert [(e.name, e.description, e.recurring_rule is not None) for e in loaded.events] == [
        ("A", "shared a", False),
        ("B", None, True),
        ("C", None, False),
    ]
    assert loaded.policy.prune_events is True
    assert loaded.policy.wait_timeout_seconds == 1800
    assert loaded.policy.max_generation_attempts == 1
    assert loaded.policy.schedule.channels == ("FACEBOOK",)
    assert loaded.policy.schedule.horizon_days == 3


def test_a_null_in_the_site_clears_what_the_defaults_set(write: Writer, tmp_path: Path) -> None:
    write(SHARED, "_defaults.yaml")
    body = "settings:\n  toneOfVoice: null\n  businessProfile: null\n"
    write(site(f"defaults: _defaults.yaml\n{body}"))
    (loaded,) = load_sites([tmp_path], env={}, now=NOW).sites
    assert loaded.settings.values["settings.toneOfVoice"] is None
    assert loaded.settings.values["settings.businessProfile"] is None


def test_only_the_top_level_events_merge_by_name(write: Writer, tmp_path: Path) -> None:
    """A free-form setting may hold a key `events`: its list is replaced whole, as any other."""
    shared = "settings:\n  imageGenerationSettings: {events: [{name: a}]}\n"
    write(f"version: 1\n{shared}", "_defaults.yaml")
    write(site("defaults: _defaults.yaml\n" + shared.replace("name: a", "name: b")))
    (loaded,) = load_sites([tmp_path], env={}, now=NOW).sites
    assert loaded.settings.values["settings.imageGenerationSettings"] == {"events": [{"name": "b"}]}


def test_each_site_merges_its_own_defaults_file(write: Writer, tmp_path: Path) -> None:
    write(SHARED, "_one.yaml")
    write(SHARED.replace("shared tone", "other tone"), "_two.yaml")
    write(site("defaults: _one.yaml\n"), "a.yaml")
    write(site("defaults: _two.yaml\n", "22222222-3333-4444-8555-666666666666"), "b.yaml")
    sites = load_sites([tmp_path], env={}, now=NOW).sites
    assert [s.settings.values["settings.toneOfVoice"] for s in sites] == [
        "shared tone",
        "other tone",
    ]


def test_a_key_missing_from_a_site_with_defaults_is_located_in_the_site_file(
    write: Writer, tmp_path: Path
) -> None:
    write(SHARED, "_defaults.yaml")
    path = write(site("defaults: _defaults.yaml\n").replace("version: 1\n", ""))
    assert [str(p) for p in check_sites([tmp_path], env={}, now=NOW).problems] == [
        f"{path}:1:1: version: required field is missing"
    ]


def test_a_site_file_without_site_is_told_so_though_the_defaults_have_labels(
    write: Writer, tmp_path: Path
) -> None:
    write(SHARED, "_defaults.yaml")  # its labels become site.labels of every site
    path = write("version: 1\ndefaults: _defaults.yaml\nsettings: {toneOfVoice: dry}\n")
    assert [str(p) for p in check_sites([tmp_path], env={}, now=NOW).problems] == [
        f"{path}:1:1: site: required field is missing"
    ]


def test_problems_in_the_defaults_point_into_the_defaults_file_once(
    write: Writer, tmp_path: Path
) -> None:
    write("settings:\n  pointOfView: FOURTH\n  tone: x\n", "_defaults.yaml")
    write(site("defaults: _defaults.yaml\n"), "a.yaml")
    write(site("defaults: _defaults.yaml\n", "22222222-3333-4444-8555-666666666666"), "b.yaml")
    result = check_sites([tmp_path], env={}, now=NOW)
    shared = str(tmp_path / "_defaults.yaml")
    assert [(p.file, p.line, p.path) for p in result.problems] == [
        (shared, 2, "settings.pointOfView"),
        (shared, 3, "settings.tone"),
    ]
    assert shared in result.files


def test_the_defaults_path_is_relative_to_the_site_file(write: Writer, tmp_path: Path) -> None:
    write(SHARED, "shared/_defaults.yaml")
    write(site("defaults: ../shared/_defaults.yaml\n"), "clients/one.yaml")
    (loaded,) = load_sites([tmp_path], env={}, now=NOW).sites
    assert loaded.settings.values["settings.toneOfVoice"] == "shared tone"


def test_a_defaults_file_outside_the_tree_is_refused(write: Writer, tmp_path: Path) -> None:
    write(SHARED, "_defaults.yaml")
    path = write(site("defaults: ../_defaults.yaml\n"), "sites/one.yaml")
    given = str(tmp_path / "sites")
    result = check_sites([given], env={}, now=NOW)
    assert [str(p) for p in result.problems] == [
        f"{path}:5:11: defaults: ../_defaults.yaml is outside the config tree ({given}): move it "
        "into that folder (a name starting with _ keeps it from being read as a site file)"
    ]


def test_an_absolute_or_symlinked_escape_is_refused(write: Writer, tmp_path: Path) -> None:
    outside = write(SHARED, "outside/_defaults.yaml")
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "_link.yaml").symlink_to(outside)
    write(site(f"defaults: {outside}\n"), "tree/a.yaml")
    write(site("defaults: _link.yaml\n", "22222222-3333-4444-8555-666666666666"), "tree/b.yaml")
    result = check_sites([tmp_path / "tree"], env={}, now=NOW)
    tree = tmp_path / "tree"
    assert [f"outside the config tree ({tree}): move" in p.message for p in result.errors] == [
        True,
        True,
    ]


def test_a_file_given_alone_has_its_directory_as_the_tree(write: Writer) -> None:
    write(SHARED, "_defaults.yaml")
    path = write(site("defaults: _defaults.yaml\n"))
    assert load_sites([path], env={}, now=NOW).sites[0].settings.values


@pytest.mark.parametrize("reference", ["''", "42", "[a.yaml]"], ids=["empty", "number", "list"])
def test_a_defaults_value_must_be_a_path(write: Writer, reference: str) -> None:
    path = write(site(f"defaults: {reference}\n"))
    (problem,) = check_sites([path], env={}, now=NOW).problems
    assert (problem.path, problem.message) == ("defaults", "defaults must be a path to a YAML file")


@pytest.mark.parametrize(
    ("text", "got"), [("- just\n- a list\n", "a list"), ("just text\n", "a string")]
)
def test_a_defaults_file_that_is_not_a_mapping_is_reported(
    write: Writer, tmp_path: Path, text: str, got: str
) -> None:
    shared = write(text, "_defaults.yaml")
    write(site("defaults: _defaults.yaml\n"))
    (problem,) = check_sites([tmp_path], env={}, now=NOW).problems
    assert str(problem) == f"{shared}:1:1: expected a mapping, got {got}"


def test_the_fingerprint_covers_the_merged_document(write: Writer, tmp_path: Path) -> None:
    shared = write(SHARED, "_defaults.yaml")
    write(site("defaults: _defaults.yaml\n"))
    before = _load(tmp_path)
    shared.write_text(SHARED.replace("shared tone", "another tone"), encoding="utf-8")
    after = _load(tmp_path)
    assert before.fingerprint != after.fingerprint
    assert before.id == after.id == SITE_ID


@pytest.mark.parametrize(
    "reference", ['"bad\\0name.yaml"', '"\\ud800.yaml"'], ids=["NUL", "lone surrogate"]
)
def test_unusable_defaults_paths_are_problems_not_crashes(write: Writer, reference: str) -> None:
    path = write(site(f"defaults: {reference}\n"))
    (problem,) = check_sites([path], env={}, now=NOW).problems
    assert problem.message.startswith(("defaults file", "invalid YAML"))


_EVENTS_SHARED = """\
version: 1
events:
  - {name: A, date: "2026-12-01T00:00:00Z"}
  - {name: B, date: "2026-12-02T00:00:00Z"}
  - {date: "2026-12-03T00:00:00Z"}
"""


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (
            """\
  - name: A
    date: "2026-12-05T00:00:00Z"
    recurringRule: {frequency: WEEKLY, startDate: "2026-12-05T00:00:00Z"}
  - {date: "2026-12-06T00:00:00Z"}
  - oops
  - {name: [x], date: "2026-12-06T00:00:00Z"}
  - {name: B, date: "2026-12-07T00:00:00Z"}
  - {name: B, date: "2026-12-08T00:00:00Z"}
""",
            [
                "_defaults.yaml:5:5: events[2].name: required field is missing",
                "site.yaml:7:5: events[0]: has both date and recurringRule: keep date for a "
                "one-off event or recurringRule for a recurring one (Wix would ignore date)",
                "site.yaml:10:5: events[3].name: required field is missing",
                "site.yaml:11:5: events[4]: expected a mapping, got a string",
                "site.yaml:12:12: events[5].name: expected a string, got a list",
                "site.yaml:14:12: events[6].name: duplicate event name 'B' (first at "
                "events[1].name, line 13)",
            ],
        ),
    ],
)
def test_merged_events_are_located_in_the_file_each_comes_from(
    write: Writer, tmp_path: Path, events: str, expected: list[str]
) -> None:
    """A site event replaces the shared one of its name, in its place, once; the others are
    appended; each problem points at the line it was written on."""
    write(_EVENTS_SHARED, "_defaults.yaml")
    write(site(f"defaults: _defaults.yaml\nevents:\n{events}"))
    problems = check_sites([tmp_path], env={}, now=NOW).problems
    assert [str(p).replace(f"{tmp_path}/", "") for p in problems] == expected


def test_a_site_event_replaces_the_first_shared_event_of_its_name(
    write: Writer, tmp_path: Path
) -> None:
    write(_EVENTS_SHARED.replace("name: B", "name: A"), "_defaults.yaml")
    write(site('defaults: _defaults.yaml\nevents:\n  - {name: A, date: "2026-12-09T00:00:00Z"}\n'))
    problems = check_sites([tmp_path], env={}, now=NOW).problems
    assert [str(p).replace(f"{tmp_path}/", "") for p in problems] == [
        "_defaults.yaml:4:12: events[1].name: duplicate event name 'A' (first at events[0].name, "
        "site.yaml:7)",
        "_defaults.yaml:5:5: events[2].name: required field is missing",
    ]


def test_events_null_in_the_site_manages_none_of_the_shared_events(
    write: Writer, tmp_path: Path
) -> None:
    write(_EVENTS_SHARED.replace('  - {date: "2026-12-03T00:00:00Z"}\n', ""), "_defaults.yaml")
    write(site("defaults: _defaults.yaml\nevents: null\n"))
    assert _load(tmp_path).events == ()
