"""Reading a site's live state: the QueryEvents windows that find every declared event, and a
read that fails stopping the others it ran beside."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reconciler.engine.observe import (
    LOOK_AHEAD,
    event_windows,
    observe,
    read_events,
    settings_calendars,
    to_draft,
    to_event,
)
from reconciler.errors import UnexpectedAnswer
from reconciler.model.events import CalendarEvent
from reconciler.model.site import DesiredSite, SiteId
from reconciler.wix import wire

SITE = "11111111-2222-4333-8444-555555555555"


class OneReadFails:
    """A site whose `failing` read is refused while the other two are still waiting."""

    def __init__(self, failing: str) -> None:
        self.site_id = SITE
        self.notes: list[str] = []
        self.unreadable_events: list[str | None] = []
        self.failing = failing
        self.left_running: set[str] = set()

    async def _read(self, name: str) -> Any:
        if name == self.failing:
            await asyncio.sleep(0)  # the others are under way by now
            raise UnexpectedAnswer(f"{name}: refused", method="POST", path=f"/{name}")
        self.left_running.add(name)
        try:
            await asyncio.Event().wait()  # an answer that has not come yet
        finally:
            self.left_running.discard(name)

    async def get_marketing_settings(self) -> Any:
        return await self._read("settings")

    async def get_social_marketing_plan(self) -> Any:
        return await self._read("plan")

    async def query_events(self, start: datetime, end: datetime) -> Any:
        return await self._read("events")


@pytest.mark.parametrize("failing", ["settings", "plan", "events"])
async def test_a_failed_read_stops_the_reads_still_waiting(failing: str) -> None:
    """A read left running after its site failed would outlive the run's client and fail
    again as it closes: a lost connection, retried and logged, about a site already
    reported."""
    site = OneReadFails(failing)
    desired = DesiredSite(id=SiteId(SITE), name="Crumb", source="crumb.yaml")
    with pytest.raises(UnexpectedAnswer, match=f"{failing}: refused"):
        await observe(site, desired, datetime(2026, 11, 23, tzinfo=UTC))  # type: ignore[arg-type]
    assert site.left_running == set()


NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Calendar:
    """A site's live events (id → name and date); records each QueryEvents window asked for.
    Answers every event of the window, as many as there are (Wix stops at 100)."""

    def __init__(self, events: dict[str, datetime], names: dict[str, str] | None = None) -> None:
        self.events = events
        self.names = names or {}
        self.queries: list[tuple[datetime, datetime]] = []

    async def query_events(self, start: datetime, end: datetime) -> list[wire.CalendarEvent]:
        self.queries.append((start, end))
        return [
            wire.CalendarEvent.model_validate(
                {"id": id, "name": self.names.get(id, id), "date": date}
            )
            for id, date in self.events.items()
            if start <= date <= end
        ]


async def test_declared_events_beyond_the_year_are_read_with_one_query_per_cluster() -> None:
    """QueryEvents sees one date window: the next year, plus a small window around each
    declared event dated past it; windows that meet are one query. An event the site file
    declares is never missed (it would be created twice)."""
    far = NOW + timedelta(days=500)
    farther = NOW + timedelta(days=600)
    year = NOW + timedelta(days=400)
    live = {
        "Near": NOW + timedelta(days=10),
        "Just past the year": year + timedelta(seconds=0.5),  # its window meets the year's
        "Far A": far,
        "Far B": far + timedelta(seconds=2),  # its window meets Far A's
        "Far C": far + timedelta(seconds=3),  # inside Far B's
        "Not declared, nearby": far + timedelta(seconds=6),
        "Farther": farther,
    }
    declared = [
        CalendarEvent(name, date=live[name])
        for name in ("Far C", "Far A", "Farther", "Far B", "Just past the year")
    ]
    site = Calendar(live)
    read = await read_events(site, event_windows(declared, NOW))  # type: ignore[arg-type]
    assert [e.name for e in read] == [
        "Near",
        "Just past the year",
        "Far A",
        "Far B",
        "Far C",
        "Farther",
    ]
    second = timedelta(seconds=1)
    assert sorted(site.queries) == [
        (NOW - timedelta(days=1), year + timedelta(seconds=1.5)),
        (far - second, far + timedelta(seconds=4)),
        (farther - second, farther + second),
    ]


async def test_a_year_of_100_events_or_more_is_read_in_halves_and_each_copy_is_kept() -> None:
    """A window that comes back with QueryEvents' 100 is split and read again: every event is
    seen once, and two copies of one event (same name and date) are both seen, so the
    extra one can be deleted."""
    days = {f"e{n:03d}": NOW + timedelta(days=3 * n + 1) for n in range(130)}
    site = Calendar({**days, "copy": days["e007"]}, names={"copy": "e007"})
    read = await read_events(site, [(NOW, NOW + LOOK_AHEAD)])  # type: ignore[arg-type]
    assert sorted(e.id or "" for e in read) == sorted([*days, "copy"])
    assert [e.name for e in read].count("e007") == 2
    assert len(site.queries) == 3  # the year, then its two halves


@pytest.mark.parametrize(
    ("settings", "ids"),
    [
        ({"calendar": {"ids": ["cal-1", 7, "cal-2"]}}, ["cal-1", "cal-2"]),
        ({"calendar": {"ids": "cal-1"}}, []),
        ({"calendar": {"ids": None}}, []),
        ({"calendar": ["cal-1"]}, []),
        ({}, []),
    ],
)
def test_the_connected_calendars_are_the_ids_under_settings_calendar(
    settings: dict[str, Any], ids: list[str]
) -> None:
    """Their events are the site's connected calendars': mpr never writes them."""
    assert settings_calendars(settings) == ids


def test_what_wix_says_of_an_event_is_kept_even_where_the_docs_are_silent() -> None:
    """A `readOnly` member (Wix documents none, SPEC §5.8) is honoured should Wix send one;
    a rule without `frequency` compares unequal to any declared rule, and shows as empty."""
    event = to_event(
        wire.CalendarEvent.model_validate(
            {
                "id": "e1",
                "name": "Imported holiday",
                "readOnly": True,
                "recurringRule": {"startDate": "2026-08-03T09:00:00.000Z"},
            }
        )
    )
    assert event.read_only is True
    assert event.recurring_rule is not None and event.recurring_rule.frequency == ""


def test_a_draft_without_a_channel_is_read_with_none() -> None:
    """Wix's item may leave out `channel` (every member is optional in the docs): the draft
    is read, with no channel and no account, and no channel's policy will schedule it."""
    draft = to_draft(wire.Item.model_validate({"id": "d1", "status": "DRAFT"}))
    assert (draft.id, draft.channel, draft.account_id, draft.type) == ("d1", "", None, "POST")
    assert to_draft(wire.Item.model_validate({"id": "d2"})).status == ""


def test_a_draft_s_content_is_its_one_object_named_for_a_post_or_story() -> None:
    """Other objects an item carries (Wix may add some) are not taken for its content."""
    item = {"id": "d1", "media": {"kind": "image"}, "facebookPost": {"text": "Fresh bread"}}
    draft = to_draft(wire.Item.model_validate(item))
    assert (draft.content_key, dict(draft.content)) == ("facebookPost", {"text": "Fresh bread"})
