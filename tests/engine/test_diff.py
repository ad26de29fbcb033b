"""Settings and event diffs: normalised so that a converged site shows nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from reconciler.engine.diff import diff_events, diff_settings, topics_changed
from reconciler.model.events import CalendarEvent, RecurringRule
from reconciler.model.settings import ManagedSettings
from reconciler.render.describe import event_line


def _managed(**settings: object) -> ManagedSettings:
    return ManagedSettings.from_documents(settings, {})


def test_sets_compare_as_sets_and_empty_equals_absent() -> None:
    desired = _managed(
        socialChannels=["INSTAGRAM", "FACEBOOK"],
        topics={"included": ["b", "a"], "excluded": []},
    )
    live = {
        "settings": {
            "socialChannels": ["FACEBOOK", "INSTAGRAM"],
            "topics": {"included": ["a", "b"]},
        }
    }
    assert diff_settings(desired, live) == ()


def test_each_changed_field_is_one_change_old_to_new() -> None:
    desired = _managed(toneOfVoice="warm", topics={"included": ["bread"]}, pointOfView=None)
    live = {
        "settings": {
            "toneOfVoice": "cold",
            "topics": {"included": ["cake"]},
            "pointOfView": "FIRST_PERSON",
        }
    }
    changes = {c.path: (c.before, c.after) for c in diff_settings(desired, live)}
    assert changes == {
        "settings.pointOfView": ("FIRST_PERSON", None),
        "settings.toneOfVoice": ("cold", "warm"),
        "settings.topics": ({"included": ["cake"]}, {"included": ["bread"]}),
    }
    assert topics_changed(diff_settings(desired, live))


def test_unmanaged_fields_are_never_diffed() -> None:
    desired = _managed(toneOfVoice="warm")
    live = {"settings": {"toneOfVoice": "warm", "pointOfView": "THIRD_PERSON"}}
    assert diff_settings(desired, live) == ()


def test_overrides_are_diffed_per_tool_field() -> None:
    desired = ManagedSettings.from_documents(
        {}, {"blogs": {"frequency": {"interval": "MONTH", "count": 2}}}
    )
    live = {"overrides": {"blogs": {"frequency": {"interval": "MONTH", "count": 1}}}}
    (change,) = diff_settings(desired, live)
    assert change.path == "overrides.blogs.frequency"


WEEKLY = RecurringRule("WEEKLY", datetime(2026, 11, 6, 8, tzinfo=UTC))


def test_events_match_by_name_and_timestamps_compare_in_utc() -> None:
    desired = [CalendarEvent("Sale", "big", datetime(2026, 11, 27, 9, tzinfo=UTC))]
    live = [
        CalendarEvent("Sale", "big", datetime.fromisoformat("2026-11-27T10:00:00+01:00"), id="e1")
    ]
    assert diff_events(desired, live, prune=False).changes == ()


def test_event_create_update_and_unmanaged_listing() -> None:
    desired = [
        CalendarEvent("New", date=datetime(2026, 12, 1, tzinfo=UTC)),
        CalendarEvent("Bread", recurring_rule=WEEKLY),
    ]
    live = [
        CalendarEvent("Bread", date=datetime(2026, 11, 6, tzinfo=UTC), id="b"),
        CalendarEvent("Staff party", date=datetime(2026, 12, 20, tzinfo=UTC), id="s"),
        CalendarEvent("Holiday", date=datetime(2026, 12, 25, tzinfo=UTC), id="g", read_only=True),
    ]
    result = diff_events(desired, live, prune=False)
    assert [(c.op, c.name, c.event_id) for c in result.changes] == [
        ("create", "New", None),
        ("update", "Bread", "b"),
    ]
    assert result.changes[1].after == {"name": "Bread", "recurringRule": WEEKLY.to_json()}
    assert result.unmanaged == ("Staff party",)
    assert result.read_only == ("Holiday",)


def test_prune_deletes_unmanaged_and_duplicate_events_but_never_read_only_ones() -> None:
    desired = [CalendarEvent("Sale", date=datetime(2026, 11, 27, tzinfo=UTC))]
    live = [
        CalendarEvent("Sale", date=datetime(2026, 11, 27, tzinfo=UTC), id="1"),
        CalendarEvent("Sale", date=datetime(2026, 11, 27, tzinfo=UTC), id="2"),
        CalendarEvent("Old", date=datetime(2026, 1, 1, tzinfo=UTC), id="3"),
        CalendarEvent("Google", date=datetime(2026, 12, 1, tzinfo=UTC), id="4", read_only=True),
    ]
    result = diff_events(desired, live, prune=True)
    assert [(c.op, c.event_id) for c in result.changes] == [("delete", "2"), ("delete", "3")]
    assert result.unmanaged == ()


def test_extra_copies_of_a_declared_event_are_deleted_even_without_prune() -> None:
    """Two applies at once, or a lost create: the copies converge to one, never 'unmanaged'."""
    desired = [CalendarEvent("Sale", date=datetime(2026, 11, 27, tzinfo=UTC))]
    live = [
        CalendarEvent("Sale", date=datetime(2026, 11, 27, tzinfo=UTC), id="1"),
        CalendarEvent("Sale", date=datetime(2026, 11, 27, tzinfo=UTC), id="2"),
        CalendarEvent("Sale", date=datetime(2026, 11, 28, tzinfo=UTC), id="3"),
        CalendarEvent("Staff party", date=datetime(2026, 12, 20, tzinfo=UTC), id="s"),
    ]
    result = diff_events(desired, live, prune=False)
    assert [(c.op, c.event_id, c.duplicate) for c in result.changes] == [
        ("delete", "2", True),
        ("delete", "3", True),
    ]
    assert result.unmanaged == ("Staff party",)
    assert event_line(result.changes[0]) == (
        "delete 'Sale' (2026-11-27T00:00:00.000Z): an extra copy of it"
    )
