"""Calendar Event V1 through the client: create, query windows, replace, delete, read-only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from reconciler.emulator import Emulator
from reconciler.errors import FailedPrecondition, InvalidArgument, NotFound
from reconciler.wix import CalendarEvent, SiteClient, WixClient

from .support import MISSING_ID, READ_ONLY_EVENT, TODAY, UNPUBLISHED_FAILED, logged

WINDOW = (TODAY, TODAY + timedelta(days=30))


def _first_date(event: CalendarEvent) -> datetime:
    if event.recurring_occurrences:
        return event.recurring_occurrences[0].date
    assert event.date is not None
    return event.date


async def test_create_one_off_and_recurring(site: SiteClient, emulator: Emulator) -> None:
    one_off = await site.create_event(
        {"name": "Store anniversary", "description": "10 years", "date": TODAY + timedelta(5)}
    )
    assert one_off.id and one_off.calendar_id
    assert one_off.name == "Store anniversary" and one_off.description == "10 years"
    assert one_off.date == TODAY + timedelta(days=5)
    assert one_off.recurring_rule is None
    assert not one_off.read_only
    sent = logged(emulator, "CreateEvent")[0].body
    assert sent == {"calendarEvent": {
        "name": "Store anniversary", "description": "10 years", "date": "2026-11-28T09:00:00.000Z"
    }}

    weekly = await site.create_event({
        "name": "Weekly Q&A",
        "recurringRule": {"frequency": "WEEKLY", "startDate": TODAY + timedelta(hours=8)},
    })
    assert weekly.id and weekly.id != one_off.id
    assert weekly.recurring_rule is not None
    assert weekly.recurring_rule.frequency == "WEEKLY"
    assert weekly.recurring_rule.start_date == TODAY + timedelta(hours=8)
    assert weekly.recurring_occurrences == []  # only QueryEvents computes occurrences


async def test_create_without_date_or_rule_is_invalid_argument(
    site: SiteClient, emulator: Emulator
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await site.create_event({"name": "Nothing"})
    assert caught.value.status == 400
    assert caught.value.violations
    assert len(logged(emulator, "CreateEvent")) == 1


async def test_query_window(site: SiteClient, wix: WixClient) -> None:
    inside = await site.create_event({"name": "Inside", "date": TODAY + timedelta(days=12)})
    await site.create_event({"name": "Before", "date": TODAY - timedelta(days=3)})
    await site.create_event({"name": "After", "date": TODAY + timedelta(days=45)})
    weekly = await site.create_event({
        "name": "Weekly",
        "recurringRule": {"frequency": "WEEKLY", "startDate": TODAY - timedelta(days=20)},
    })
    await wix.site(UNPUBLISHED_FAILED).create_event({"name": "Other site", "date": TODAY})

    found = await site.query_events(*WINDOW)
    names = [e.name for e in found]
    assert "Inside" in names and "Weekly" in names
    assert not {"Before", "After", "Other site"} & set(names)
    assert [_first_date(e) for e in found] == sorted(_first_date(e) for e in found)

    by_id = {e.id: e for e in found}
    assert by_id[inside.id].recurring_occurrences == []
    occurrences = [o.date for o in by_id[weekly.id].recurring_occurrences]
    assert occurrences == sorted(occurrences)
    assert all(WINDOW[0] <= d <= WINDOW[1] for d in occurrences)
    assert len(occurrences) == 5  # Tuesdays Nov 24 … Dec 22 (weekly from Nov 3, 09:00)

    # the connected-calendar event in range comes back too, with no read-only member (none
    # is documented): its calendar is one GetCalendarOptions offers
    connected = by_id[READ_ONLY_EVENT]
    assert not connected.read_only and "readOnly" not in (connected.model_extra or {})
    assert connected.calendar_id in {o.id for o in await site.get_calendar_options()}
    assert by_id[inside.id].calendar_id not in {o.id for o in await site.get_calendar_options()}


async def test_query_bounds_are_inclusive(site: SiteClient) -> None:
    edge = TODAY + timedelta(days=3)
    event = await site.create_event({"name": "Edge", "date": edge})
    assert [e.id for e in await site.query_events(edge, edge)] == [event.id]


async def test_query_caps_at_100_without_paging(
    site: SiteClient, emulator: Emulator, wix: WixClient
) -> None:
    many = "66666666-7777-4888-8999-000000000000"
    emulator.load_fixtures({"sites": [{
        "id": many,
        "events": [
            {"name": f"Event {n:03d}", "date": (TODAY + timedelta(hours=n)).isoformat()}
            for n in range(105)
        ] + [{
            "name": "Weekly for years",
            "recurringRule": {"frequency": "WEEKLY", "startDate": TODAY.isoformat()},
        }],
    }]})
    found = await wix.site(many).query_events(TODAY, TODAY + timedelta(days=3 * 365))
    assert len(found) == 100
    assert [_first_date(e) for e in found] == sorted(_first_date(e) for e in found)
    (query,) = logged(emulator, "QueryEvents")
    assert query.status == 200
    weekly = next(e for e in found if e.name == "Weekly for years")
    assert len(weekly.recurring_occurrences) == 100


async def test_update_is_a_full_replace_and_can_switch_kind(
    site: SiteClient, emulator: Emulator
) -> None:
    created = await site.create_event(
        {"name": "Sale", "description": "All week", "date": TODAY + timedelta(days=4)}
    )
    assert created.id
    recurring = await site.update_event(created.id, {
        "name": "Monthly sale",
        "recurringRule": {"frequency": "MONTHLY", "startDate": TODAY + timedelta(days=4)},
    })
    assert recurring.id == created.id
    assert recurring.name == "Monthly sale"
    assert recurring.description in (None, "")  # not resent, so gone
    assert recurring.date is None
    assert recurring.recurring_rule is not None
    assert recurring.recurring_rule.frequency == "MONTHLY"
    assert "event" in logged(emulator, "UpdateEvent")[0].body

    one_off = await site.update_event(
        created.id, {"name": "One-day sale", "date": TODAY + timedelta(days=6)}
    )
    assert one_off.recurring_rule is None
    assert one_off.date == TODAY + timedelta(days=6)
    found = {e.id: e for e in await site.query_events(*WINDOW)}
    assert found[created.id].name == "One-day sale"
    assert found[created.id].recurring_occurrences == []


async def test_update_without_date_or_rule_is_invalid_argument(site: SiteClient) -> None:
    created = await site.create_event({"name": "Sale", "date": TODAY + timedelta(days=4)})
    assert created.id
    with pytest.raises(InvalidArgument):
        await site.update_event(created.id, {"name": "Sale"})


async def test_delete(site: SiteClient) -> None:
    created = await site.create_event({"name": "Sale", "date": TODAY + timedelta(days=4)})
    assert created.id
    await site.delete_event(created.id)
    assert created.id not in {e.id for e in await site.query_events(*WINDOW)}
    with pytest.raises(FailedPrecondition) as caught:  # gone now: 428, not 404
        await site.delete_event(created.id)
    assert not isinstance(caught.value, NotFound)


@pytest.mark.parametrize("operation", ["update", "delete"])
async def test_connected_calendar_events_are_read_only(
    site: SiteClient, operation: str
) -> None:
    with pytest.raises(FailedPrecondition) as caught:
        if operation == "update":
            await site.update_event(READ_ONLY_EVENT, {"name": "Mine now", "date": TODAY})
        else:
            await site.delete_event(READ_ONLY_EVENT)
    assert caught.value.status == 428
    assert caught.value.code == "EVENT_READ_ONLY"  # emulator's invented code
    assert caught.value.request_id
    still = {e.id: e for e in await site.query_events(*WINDOW)}[READ_ONLY_EVENT]
    assert still.name == "Thanksgiving (Google Calendar)"


@pytest.mark.parametrize("operation", ["update", "delete"])
async def test_unknown_event_is_failed_precondition_not_not_found(
    site: SiteClient, operation: str
) -> None:
    with pytest.raises(FailedPrecondition) as caught:
        if operation == "update":
            await site.update_event(MISSING_ID, {"name": "Ghost", "date": TODAY})
        else:
            await site.delete_event(MISSING_ID)
    assert caught.value.status == 428
    assert not isinstance(caught.value, NotFound)
