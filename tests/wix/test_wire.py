"""Wire models: unknown fields kept, unknown enum values accepted, UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytest

from reconciler.wix import (
    CalendarEvent,
    Item,
    MarketingActivity,
    MarketingSettings,
    PlanActivity,
    SocialMarketingPlan,
    format_timestamp,
)
from reconciler.wix.wire import to_wire


def test_unknown_fields_are_kept_with_their_wire_names() -> None:
    item = Item.model_validate(
        {"id": "d1", "tiktokPhoto": {"title": "t"}, "brandNewField": 3, "status": "DRAFT"}
    )
    assert item.model_extra == {"tiktokPhoto": {"title": "t"}, "brandNewField": 3}
    assert item.model_dump(by_alias=True, exclude_none=True) == {
        "id": "d1",
        "status": "DRAFT",
        "tiktokPhoto": {"title": "t"},
        "brandNewField": 3,
    }


def test_unknown_enum_values_are_accepted() -> None:
    plan = SocialMarketingPlan.model_validate(
        {
            "status": "PAUSED_BY_A_FUTURE_RELEASE",
            "marketingActivities": [
                {
                    "marketingActivityId": "a1",
                    "marketingActivityType": "PODCAST",
                    "items": [{"id": "d1", "type": "CAROUSEL", "channel": {"name": "MASTODON"}}],
                }
            ],
        }
    )
    item = plan.marketing_activities[0].items[0]
    assert plan.status == "PAUSED_BY_A_FUTURE_RELEASE"
    assert plan.marketing_activities[0].marketing_activity_type == "PODCAST"
    assert (item.type, item.channel and item.channel.name) == ("CAROUSEL", "MASTODON")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-08-05T10:00:00.000Z", datetime(2026, 8, 5, 10, tzinfo=UTC)),
        ("2026-08-05T12:00:00+02:00", datetime(2026, 8, 5, 10, tzinfo=UTC)),
        ("2026-08-05T10:00:00", datetime(2026, 8, 5, 10, tzinfo=UTC)),
    ],
)
def test_datetimes_are_aware_utc(text: str, expected: datetime) -> None:
    activity = PlanActivity.model_validate({"marketingActivityId": "a", "date": text})
    assert activity.date == expected
    assert activity.date is not None and activity.date.tzinfo is UTC


def test_nulls_read_as_empty_values() -> None:
    activity = PlanActivity.model_validate(
        {"marketingActivityId": "a", "title": None, "description": None, "items": None}
    )
    assert (activity.title, activity.description, activity.items) == ("", "", [])
    settings = MarketingSettings.model_validate({"settings": None, "overrides": None})
    assert (settings.settings, settings.overrides) == ({}, {})
    event = CalendarEvent.model_validate(
        {"id": "e1", "readOnly": None, "recurringOccurrences": None}
    )
    assert (event.read_only, event.recurring_occurrences) == (False, [])


def test_snake_case_names_work_in_python() -> None:
    event = CalendarEvent(id="e1", calendar_id="c1", read_only=True)
    assert event.model_dump(by_alias=True, exclude_defaults=True) == {
        "id": "e1",
        "calendarId": "c1",
        "readOnly": True,
    }


def test_activity_read_only_objects_are_kept_as_they_come() -> None:
    # SPEC §2.4 names asset, blogSeoData and source but not their fields: whatever Wix
    # sends inside them, nested and unknown, reads and dumps back unchanged.
    wire = {
        "id": "a1",
        "title": "Blog: sourdough guide",
        "targetDate": "2026-09-14T10:00:00.000Z",
        "marketingActivityType": "BLOG",
        "asset": {"assetType": "STORES_PRODUCT", "ids": {"product": "p1"}, "weight": 0.5},
        "blogSeoData": {"keywords": [{"text": "sourdough", "volume": 880}]},
        "source": {"upcomingEvent": {"name": "Bread Week"}, "keywords": ["sourdough"]},
        "createdDate": "2026-09-01T00:00:00.000Z",  # no longer documented, still not lost
    }
    activity = MarketingActivity.model_validate(wire)
    assert activity.asset is not None and activity.asset.model_extra == wire["asset"]
    assert activity.blog_seo_data is not None
    assert activity.blog_seo_data.model_extra == wire["blogSeoData"]
    assert activity.source is not None and activity.source.model_extra == wire["source"]
    assert activity.model_extra == {"createdDate": "2026-09-01T00:00:00.000Z"}
    dumped = activity.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    assert dumped == wire


def test_activity_read_only_objects_may_be_absent_or_null() -> None:
    activity = MarketingActivity.model_validate(
        {"id": "a1", "marketingActivityType": "SOCIAL_MARKETING", "asset": None}
    )
    assert (activity.asset, activity.blog_seo_data, activity.source) == (None, None, None)


def test_recurring_event_reads_its_rule_and_occurrences() -> None:
    event = CalendarEvent.model_validate(
        {
            "id": "e",
            "recurringRule": {"frequency": "WEEKLY", "startDate": "2026-08-04T17:00:00.000Z"},
            "recurringOccurrences": [{"date": "2026-08-04T17:00:00.000Z"}],
        }
    )
    assert event.recurring_rule is not None and event.recurring_rule.frequency == "WEEKLY"
    assert event.recurring_occurrences[0].date == datetime(2026, 8, 4, 17, tzinfo=UTC)


def test_json_dumps_use_the_wire_timestamp_format() -> None:
    activity = PlanActivity(marketing_activity_id="a", date=datetime(2026, 8, 5, 10, tzinfo=UTC))
    dumped = activity.model_dump(mode="json", by_alias=True)
    assert dumped["date"] == "2026-08-05T10:00:00.000Z"
    assert dumped["marketingActivityId"] == "a"


def test_format_timestamp() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert format_timestamp(datetime(2026, 11, 27, 9, tzinfo=UTC)) == "2026-11-27T09:00:00.000Z"
    assert format_timestamp(datetime(2026, 11, 27, 11, tzinfo=plus_two)) == (
        "2026-11-27T09:00:00.000Z"
    )
    # Microseconds are truncated, never rounded up into the next second.
    assert format_timestamp(datetime(2026, 1, 1, 0, 0, 59, 999_999, tzinfo=UTC)) == (
        "2026-01-01T00:00:59.999Z"
    )
    assert format_timestamp(datetime(2026, 1, 1, 0, 0, 0, 500_000, tzinfo=UTC)) == (
        "2026-01-01T00:00:00.500Z"
    )
    with pytest.raises(ValueError, match="naive datetime"):
        format_timestamp(datetime(2026, 11, 27, 9))


@pytest.mark.usefixtures("new_york")
def test_format_timestamp_is_utc_on_a_machine_whose_local_time_is_not() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert format_timestamp(datetime(2026, 11, 27, 11, tzinfo=plus_two)) == (
        "2026-11-27T09:00:00.000Z"
    )


class _NoOffset(tzinfo):
    """A time zone that knows no offset: Python counts its datetimes as naive."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "nowhere"


def test_a_datetime_whose_zone_gives_no_offset_is_refused_as_naive() -> None:
    # astimezone would read it as the machine's local time: a silent shift, not a UTC time
    with pytest.raises(ValueError, match="naive datetime"):
        format_timestamp(datetime(2026, 11, 27, 9, tzinfo=_NoOffset()))


def test_to_wire_formats_nested_datetimes_and_keeps_nulls() -> None:
    when = datetime(2026, 8, 4, 17, tzinfo=UTC)
    value = {"a": [when, {"b": None}], "c": (1, "x")}
    assert to_wire(value) == {"a": ["2026-08-04T17:00:00.000Z", {"b": None}], "c": [1, "x"]}
