"""What `mpr import` leaves out of a site file, and the note (a warning and a comment in the
file) that says why: a value the written file could not hold as it is."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reconciler.config import load_sites
from reconciler.config.export import (
    Exported,
    name_calendars,
    policy_document,
    render_site_file,
    site_document,
)
from reconciler.config.yamlio import dump_yaml
from reconciler.model.events import CalendarEvent, RecurringRule
from reconciler.model.policy import DeleteGuard, Policy, SchedulePolicy
from tests.config.conftest import NOW, SITE_ID, Writer, site

KEY = "house-password-2026"
"""The WIX_API_KEY of the run: any value holding it is left out (it looks like no token)."""
START = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("settings", "note"),
    [
        (
            {"marketingPlanGoal": {"goalKey": "BOOST_SALES", "customGoal": "More bread"}},
            "settings.marketingPlanGoal: a site file gives goalKey or customGoal, exactly one "
            "of them",
        ),
        (
            {"topics": {"included": ["rye", "spelt"], "excluded": ["spelt", "rye"]}},
            "settings.topics: 'rye' is both included and excluded",
        ),
        (
            {"socialChannels": ["FACEBOOK", "MYSPACE"]},
            "settings.socialChannels: socialChannels[1]: unknown value 'MYSPACE'; allowed: "
            "FACEBOOK, INSTAGRAM, LINKEDIN, PINTEREST, GBP, TIKTOK, TWITTER",
        ),
        (
            {"toneOfVoice": "x" * 3001},
            "settings.toneOfVoice: is too long: at most 3000 characters",
        ),
        (
            {"toneOfVoice": f"warm; wifi: {KEY}"},
            "settings.toneOfVoice: it looks like a credential, which a site file must never hold",
        ),
        (
            {"topics": {"included": ["rye", f"wifi {KEY}"]}},
            "settings.topics: it looks like a credential, which a site file must never hold",
        ),
    ],
    ids=["goal-both", "topic-both", "inner-path", "top-path", "secret", "secret-in-list"],
)
def test_a_setting_the_file_cannot_hold_is_left_out_with_why(
    settings: dict[str, Any], note: str
) -> None:
    exported = site_document(SITE_ID, "Crumb", {"settings": settings}, [], secret=KEY)
    assert exported.notes == [note]
    assert "settings" not in exported.document


@pytest.mark.parametrize(
    ("event", "note"),
    [
        (
            CalendarEvent("Someday", id="1"),
            "event 'Someday': it has neither a date nor a recurring rule",
        ),
        (
            CalendarEvent(
                "Backwards",
                recurring_rule=RecurringRule(
                    "WEEKLY", START, end_date=datetime(2026, 11, 1, tzinfo=UTC)
                ),
                id="2",
            ),
            "event 'Backwards': its recurring rule ends before it starts",
        ),
        (
            CalendarEvent(
                "Never", recurring_rule=RecurringRule("WEEKLY", START, interval=0), id="3"
            ),
            "event 'Never': recurringRule.interval: must be at least 1, got 0",
        ),
    ],
    ids=["no-date", "rule-ends-first", "inner-path"],
)
def test_an_event_the_file_cannot_hold_is_left_out_with_why(
    event: CalendarEvent, note: str
) -> None:
    kept = CalendarEvent("Tasting", date=START, id="9")
    exported = site_document(SITE_ID, "Crumb", {}, [event, kept])
    assert exported.notes == [note]
    assert exported.document["events"] == [{"name": "Tasting", "date": "2026-12-01T09:00:00.000Z"}]


def test_unknown_fields_and_a_bad_frequency_are_left_out_and_the_rest_written_in_order() -> None:
    live = {
        "settings": {"mood": "sunny", "unused": "", "pointOfView": "FIRST_PERSON"},
        "overrides": {
            "socialMarketing": {"frequency": {"interval": "WEEK", "count": 0}, "cadence": 3},
            "blogs": {"frequency": {"count": 2, "interval": "MONTH"}, "unused": ""},
        },
    }
    exported = site_document(SITE_ID.replace("1111", "abcd"), "Crumb", live, [])
    assert exported.notes == [
        "settings.mood: this mpr does not know the field",
        "overrides.socialMarketing.frequency: frequency.count: must be between 1 and 30, got 0",
        "overrides.socialMarketing.cadence: this mpr does not know the field",
    ]
    written = {k: v for k, v in exported.document.items() if k != "policy"}
    assert dump_yaml(written) == (
        "version: 1\n"
        "site:\n  id: abcdabcd-2222-4333-8444-555555555555\n  name: Crumb\n"
        "settings:\n  pointOfView: FIRST_PERSON\n"
        "overrides:\n  blogs:\n    frequency:\n      interval: MONTH\n      count: 2\n"
    )


def test_read_only_and_duplicate_events_are_left_out_with_why() -> None:
    holiday = CalendarEvent("Holiday", date=START, id="h1", read_only=True)
    events = [
        holiday,
        CalendarEvent("Sale", date=START, id="1"),
        CalendarEvent("Sale", date=datetime(2026, 12, 2, tzinfo=UTC), id="2"),
        holiday,
    ]
    exported = site_document(SITE_ID, "Crumb", {}, events)
    assert exported.notes == [
        "event 'Sale': another live event has the same name (apply deletes the extra copy: a "
        "declared event exists once)",
        "2 read-only event(s) of connected calendars: they belong to their calendar",
    ]
    assert exported.document["events"] == [{"name": "Sale", "date": "2026-12-01T09:00:00.000Z"}]


RULES = (
    "    afterGeneration: schedule\n    blockWords: []\n    quietDays: []\n    quietDates: []\n"
    "    timeZone: UTC\n    holdExcludedTopics: false\n"
)
"""The content rules of the schedule policy, at their defaults."""


@pytest.mark.parametrize(
    ("policy", "section"),
    [
        (
            Policy(),
            "    enabled: true\n    horizonDays: 14\n    generateMissingPosts: true\n"
            + RULES
            + "  deleteGuard:\n    percent: 30\n    minEvents: 4\n",
        ),
        (
            Policy(
                schedule=SchedulePolicy(channels=("FACEBOOK", "TIKTOK")),
                delete_guard=DeleteGuard(percent=12.5),
            ),
            "    enabled: true\n    channels: [FACEBOOK, TIKTOK]\n    horizonDays: 14\n"
            "    generateMissingPosts: true\n" + RULES + "  deleteGuard:\n    percent: 12.5\n"
            "    minEvents: 4\n",
        ),
        (
            Policy(
                schedule=SchedulePolicy(
                    after_generation="review",
                    block_words=("guarantee",),
                    quiet_days=("SUNDAY",),
                    quiet_dates=("2026-12-25",),
                    max_per_day=1,
                    time_zone="Europe/Lisbon",
                    hold_excluded_topics=True,
                )
            ),
            "    enabled: true\n    horizonDays: 14\n    generateMissingPosts: true\n"
            "    afterGeneration: review\n    blockWords: [guarantee]\n    quietDays: [SUNDAY]\n"
            "    quietDates: ['2026-12-25']\n    maxPerDay: 1\n    timeZone: Europe/Lisbon\n"
            "    holdExcludedTopics: true\n  deleteGuard:\n    percent: 30\n    minEvents: 4\n",
        ),
    ],
    ids=["defaults", "channels-and-a-fraction", "content-rules"],
)
def test_the_policy_section_spells_out_its_values(policy: Policy, section: str) -> None:
    """As `mpr import` and `mpr doctor --record` write it: a whole percent as a whole number."""
    assert dump_yaml({"policy": policy_document(policy)}) == (
        "policy:\n  pruneEvents: false\n  regenerate: auto\n"
        "  wait:\n    timeout: 15m\n    maxAttempts: 2\n  schedule:\n" + section
    )


def test_a_note_is_wrapped_at_96_characters_and_never_inside_a_word() -> None:
    word = "https://example.com/" + "x" * 100
    note = "a" * 62 + " bcdef tail " + word  # the first line would be 97 characters with bcdef
    text = render_site_file(Exported({"version": 1}, [note]), "s.json", ["Imported."])
    assert text == (
        "# yaml-language-server: $schema=s.json\n#\n# Imported.\n#\n"
        f"# Left out (not managed here): {'a' * 62}\n# bcdef tail\n# {word}\nversion: 1\n"
    )


CALENDARS = [f"{n}{n}{n}{n}{n}{n}{n}{n}-2222-4333-8444-555555555555" for n in range(1, 5)]


@pytest.mark.parametrize(
    ("titles", "calendar"),
    [
        (
            {CALENDARS[0]: "X", CALENDARS[1]: "y" * 200, CALENDARS[2]: "z" * 201},
            {"ids": [CALENDARS[2], CALENDARS[3]], "names": ["X", "y" * 200]},
        ),
        (
            {c: f"Holidays {i}" for i, c in enumerate(CALENDARS)},
            {"names": ["Holidays 0", "Holidays 1", "Holidays 2", "Holidays 3"]},
        ),
    ],
    ids=["some", "all"],
)
def test_a_calendar_with_a_title_of_1_to_200_characters_is_written_by_title(
    titles: dict[str, str], calendar: dict[str, list[str]]
) -> None:
    exported = site_document(SITE_ID, "Crumb", {"settings": {"calendar": {"ids": CALENDARS}}}, [])
    name_calendars(exported.document, titles)
    assert exported.document["settings"] == {"calendar": calendar}


def test_a_policy_section_import_writes_reads_back_as_the_same_policy(
    write: Writer, tmp_path: Path
) -> None:
    """Every key, none at its default: what `mpr import` writes is what apply then follows."""
    policy = Policy(
        prune_events=True,
        regenerate="never",
        wait_timeout_seconds=1800.0,
        max_generation_attempts=3,
        schedule=SchedulePolicy(
            enabled=False,
            channels=("FACEBOOK",),
            horizon_days=5,
            generate_missing_posts=False,
            after_generation="review",
            block_words=("guarantee",),
            quiet_days=("SUNDAY",),
            quiet_dates=("2026-12-25",),
            max_per_day=2,
            time_zone="Europe/Lisbon",
            hold_excluded_topics=True,
        ),
        delete_guard=DeleteGuard(percent=12.5, min_events=3),
    )
    write(site(dump_yaml({"policy": policy_document(policy)})))
    (loaded,) = load_sites([tmp_path], env={}, now=NOW).sites
    assert loaded.policy == policy
