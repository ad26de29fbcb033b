"""load_sites end to end: the DesiredSite it builds, unmanaged vs null, discovery, fingerprints."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from reconciler.config import LoadResult, check_sites, load_sites
from reconciler.config.desired import policy
from reconciler.config.documents import PolicyDoc
from reconciler.errors import ConfigInvalid, Problem
from reconciler.model.policy import Policy
from tests.config.conftest import FIXTURES, NOW, SITE_ID, Writer, site

OTHER_ID = "22222222-3333-4444-8555-666666666666"


def _one(path: Path, env: dict[str, str] | None = None) -> LoadResult:
    return load_sites([path], env=env or {}, now=NOW)


def test_fields_left_out_are_unmanaged_and_null_clears(write: Writer) -> None:
    path = write(
        site(
            """\
settings:
  toneOfVoice: null
  pointOfView: FIRST_PERSON
  marketingPlanGoal: {customGoal: "Sell bread"}
overrides:
  blogs: null
  emailMarketing: {frequency: null}
  socialMarketing: {frequency: {interval: WEEK, count: 2}}
"""
        )
    )
    (loaded,) = _one(path).sites
    assert loaded.settings.values == {
        "settings.toneOfVoice": None,
        "settings.pointOfView": "FIRST_PERSON",
        "settings.marketingPlanGoal": {"customGoal": "Sell bread"},
        "overrides.blogs.frequency": None,
        "overrides.emailMarketing.frequency": None,
        "overrides.socialMarketing.frequency": {"count": 2, "interval": "WEEK"},
    }
    assert "settings.socialChannels" not in loaded.settings.values


def test_an_empty_settings_section_manages_nothing(write: Writer) -> None:
    (loaded,) = _one(write(site("settings:\noverrides: {}\nevents:\npolicy:\n"))).sites
    assert len(loaded.settings) == 0
    assert loaded.events == ()
    assert loaded.policy == Policy()


def test_the_desired_site_carries_identity_labels_events_and_source(write: Writer) -> None:
    path = write(
        site(
            """\
events:
  - name: Once
    date: "2026-12-01T10:00:00+02:00"
  - name: Weekly
    description: every week
    recurringRule: {frequency: WEEKLY, startDate: "2026-12-01T08:00:00Z", interval: 2}
"""
        ).replace(SITE_ID, SITE_ID.upper())
    )
    (loaded,) = _one(path).sites
    assert loaded.id == SITE_ID
    assert loaded.name == "Test Site"
    assert loaded.source == str(path)
    assert [event.to_json() for event in loaded.events] == [
        {"name": "Once", "date": "2026-12-01T08:00:00.000Z"},
        {
            "name": "Weekly",
            "description": "every week",
            "recurringRule": {
                "frequency": "WEEKLY",
                "startDate": "2026-12-01T08:00:00.000Z",
                "interval": 2,
            },
        },
    ]


def test_policy_defaults_are_the_domain_defaults() -> None:
    assert policy(PolicyDoc()) == Policy()


def test_durations_accept_numbers_and_units(write: Writer) -> None:
    for spelled, seconds in [
        ("90", 90),
        ("'90s'", 90),
        ("15m", 900),
        ("1h", 3600),
        ("1h30m", 5400),
    ]:
        path = write(site(f"policy:\n  wait: {{timeout: {spelled}}}\n"))
        assert _one(path).sites[0].policy.wait_timeout_seconds == seconds


def test_warnings_do_not_fail_the_load(write: Writer) -> None:
    path = write(site('events:\n  - {name: Past, date: "2026-01-01T00:00:00Z"}\n'))
    result = _one(path)
    assert len(result.sites) == 1
    assert [(w.severity, w.path) for w in result.warnings] == [("warning", "events[0].date")]


def test_errors_in_several_files_are_all_reported(write: Writer, tmp_path: Path) -> None:
    write(site("settings: {pointOfView: X}\n"), "a.yaml")
    write("version: 3\n", "b.yaml")
    write("a: [\n", "c.yml")
    with pytest.raises(ConfigInvalid) as raised:
        load_sites([tmp_path], env={}, now=NOW)
    assert sorted({Path(p.file).name for p in raised.value.problems}) == [
        "a.yaml",
        "b.yaml",
        "c.yml",
    ]
    assert len(raised.value.problems) == 4  # b.yaml: bad version and missing site


def test_the_fingerprint_is_stable_and_tracks_content(write: Writer) -> None:
    path = write(site("settings: {toneOfVoice: a, pointOfView: FIRST_PERSON}\n"))
    first = _one(path).sites[0].fingerprint
    write(
        site("settings:\n  pointOfView: FIRST_PERSON   # reordered, commented\n  toneOfVoice: a\n")
    )
    assert _one(path).sites[0].fingerprint == first
    assert len(first) == 64
    write(site("settings: {toneOfVoice: b, pointOfView: FIRST_PERSON}\n"))
    assert _one(path).sites[0].fingerprint != first


def test_the_fingerprint_sees_interpolated_values(write: Writer) -> None:
    path = write(site("settings: {toneOfVoice: '${T}'}\n"))
    assert (
        _one(path, {"T": "a"}).sites[0].fingerprint != _one(path, {"T": "b"}).sites[0].fingerprint
    )


def test_directories_are_scanned_recursively_skipping_underscore_and_dot(
    write: Writer, tmp_path: Path
) -> None:
    write(site(), "b/site.yml")
    write(site(site_id=OTHER_ID), "a.yaml")
    write("not: a site\n", "_fixtures/x.yaml")
    write("not: a site\n", ".hidden/x.yaml")
    write("not: a site\n", "_skip.yaml")
    write("not: a site\n", "notes.txt")
    result = load_sites([tmp_path], env={}, now=NOW)
    assert [Path(s.source).relative_to(tmp_path).as_posix() for s in result.sites] == [
        "a.yaml",
        "b/site.yml",
    ]


def test_a_file_named_explicitly_is_read_even_with_an_underscore(write: Writer) -> None:
    path = write(site(), "_special.yaml")
    assert _one(path).sites[0].id == SITE_ID


def test_the_same_file_given_twice_is_loaded_once(write: Writer, tmp_path: Path) -> None:
    path = write(site())
    assert len(load_sites([path, tmp_path, str(path)], env={}, now=NOW).sites) == 1


def test_missing_paths_and_empty_directories_are_problems(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    missing = str(tmp_path / "missing.yaml")
    empty = str(tmp_path / "empty")
    result = check_sites([missing, empty], env={}, now=NOW)
    assert result.problems == (
        Problem(empty, 0, 0, "", "no site files (*.yaml, *.yml) in this directory"),
        Problem(missing, 0, 0, "", "no such file or directory"),
    )
    assert check_sites([], env={}, now=NOW).problems[0].message == "no site file or directory given"


def test_sites_are_sorted_by_file_path(write: Writer, tmp_path: Path) -> None:
    write(site(site_id=OTHER_ID), "z.yaml")
    write(site(), "m.yaml")
    sources = [Path(s.source).name for s in load_sites([tmp_path], env={}, now=NOW).sites]
    assert sources == ["m.yaml", "z.yaml"]


def test_now_defaults_to_the_clock(write: Writer) -> None:
    path = write(site('events:\n  - {name: Old, date: "2030-06-01T09:00:00Z"}\n'))
    with time_machine.travel(datetime(2030, 6, 1, 8, 59, tzinfo=UTC), tick=False):
        assert load_sites([path], env={}).warnings == ()
    with time_machine.travel(datetime(2030, 6, 1, 9, 1, tzinfo=UTC), tick=False):
        assert load_sites([path], env={}).warnings[0].severity == "warning"


def test_no_library_error_escapes_for_a_fixture_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    result = check_sites(["invalid", "valid"], env={}, now=NOW)
    assert result.errors
    assert all(isinstance(p, Problem) for p in result.problems)


def test_a_fifo_in_a_scanned_directory_is_not_read(write: Writer, tmp_path: Path) -> None:
    import os

    write(site())
    os.mkfifo(tmp_path / "pipe.yaml")
    assert len(load_sites([tmp_path], env={}, now=NOW).sites) == 1


@pytest.mark.parametrize(
    ("zone", "message"),
    [
        ("5", "expected an IANA time zone like Europe/Lisbon, got an integer"),
        ("' '", "expected an IANA time zone like Europe/Lisbon, got ' '"),
        (
            "Mars/Olympus",
            "unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Lisbon or UTC",
        ),
        (  # a folder of the tz database, not a zone
            "America",
            "unknown time zone 'America' (did you mean America/Nuuk?): use an IANA name such "
            "as Europe/Lisbon or UTC",
        ),
        (
            "Europe/" + "x" * 300,
            f"unknown time zone 'Europe/{'x' * 300}': use an IANA name such as Europe/Lisbon "
            "or UTC",
        ),
    ],
    ids=["number", "blank", "no-suggestion", "region", "longer-than-a-file-name"],
)
def test_a_bad_time_zone_says_what_was_given(write: Writer, zone: str, message: str) -> None:
    path = write(site(f"policy:\n  schedule:\n    timeZone: {zone}\n"))
    (problem,) = check_sites([path], env={}, now=NOW).problems
    assert (problem.line, problem.path, problem.message) == (7, "policy.schedule.timeZone", message)


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        ("1", 1.0),
        ("1s", 1.0),
        ('"900"', 900.0),
        ("0", "a duration must be a positive number of seconds, got 0"),
        (".nan", "a duration must be a positive number of seconds, got nan"),
        (".inf", "a duration must be a positive number of seconds, got inf"),
        ("0s", "a duration must be positive, got '0s'"),
        (
            "604801",
            "604801 is longer than a week (604800 s), the longest duration mpr takes: use "
            'seconds (900) or a duration like "90s", "15m", "1h", "1h30m"',
        ),
    ],
)
def test_a_duration_is_positive_and_at_most_a_week(
    write: Writer, timeout: str, expected: float | str
) -> None:
    path = write(site(f"policy:\n  wait: {{timeout: {timeout}}}\n"))
    problems = check_sites([path], env={}, now=NOW).problems
    if isinstance(expected, str):
        assert [(p.line, p.column, p.path, p.message) for p in problems] == [
            (6, 19, "policy.wait.timeout", expected)
        ]
    else:
        assert problems == ()
        assert _one(path).sites[0].policy.wait_timeout_seconds == expected


RULE = '{{frequency: WEEKLY, startDate: "2026-11-16T00:00:00Z", endDate: "{}"}}'
"""A weekly rule whose end is filled in: an event's `recurringRule`."""


@pytest.mark.parametrize(
    ("event", "problems"),
    [
        (f"recurringRule: {RULE.format('2026-11-23T00:00:00Z')}", []),
        (
            f"recurringRule: {RULE.format('2026-11-22T23:59:59Z')}",
            [
                "site.yaml:7:84: events[0].recurringRule.endDate: warning: the rule ended on "
                "2026-11-22T23:59:59Z: the event will not happen again"
            ],
        ),
        ('date: "2026-11-23T00:00:00Z"', []),
        (
            'date: "2026-11-22T23:59:59Z"',
            [
                "site.yaml:7:11: events[0].date: warning: 2026-11-22T23:59:59Z is in the past: "
                "the plan no longer uses this event; move or remove it"
            ],
        ),
    ],
    ids=["rule-ends-now", "rule-ended", "dated-now", "dated-a-second-ago"],
)
def test_an_event_that_ends_now_has_not_passed_yet(
    write: Writer, tmp_path: Path, event: str, problems: list[str]
) -> None:
    path = write(site(f"events:\n  - name: Today\n    {event}\n"))
    found = check_sites([path], env={}, now=NOW).problems
    assert [str(p).replace(f"{tmp_path}/", "") for p in found] == problems


@pytest.mark.parametrize(("today", "warned"), [("2026-07-31", False), ("2026-08-01", True)])
def test_twitter_is_warned_of_from_the_day_after_its_last(
    write: Writer, today: str, warned: bool
) -> None:
    """X takes plan posts up to and including its last day (SPEC.md §1.12)."""
    path = write(site("policy: {schedule: {channels: [FACEBOOK, TWITTER]}}\n"))
    now = datetime.fromisoformat(today).replace(hour=12, tzinfo=UTC)
    problems = check_sites([path], env={}, now=now).problems
    said = [p for p in problems if "TWITTER takes no plan posts after 2026-07-31" in p.message]
    assert bool(said) is warned


def test_a_missing_key_is_placed_at_the_mapping_that_lacks_it(write: Writer) -> None:
    rule = '    recurringRule: {startDate: "2026-12-01T00:00:00Z"}\n'
    path = write(site("events:\n  - name: A\n" + rule))  # the rule is on line 7
    (problem,) = check_sites([path], env={}, now=NOW).problems
    assert (problem.path, problem.line, problem.column) == (
        "events[0].recurringRule.frequency",
        7,
        5,
    )
