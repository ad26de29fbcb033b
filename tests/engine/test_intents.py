"""Settling the writes a killed run left open: what the live state says of each, in the words
apply's warning and the audit line show ("… of an earlier run that was cut short: lost (the
event is still there)"), and the open write is settled once, not at every run."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.engine.audit import AuditEntry
from reconciler.engine.intents import open_writes, settle
from reconciler.model.events import CalendarEvent
from reconciler.model.plan_state import Activity, Draft, PlanState
from reconciler.model.site import LiveSite

SITE = "11111111-2222-4333-8444-555555555555"
TIME = "2026-11-23T09:00:00Z"
DECLARED = {"Fresh Bread Friday", "Rye Launch", "Cake Sale"}
"""The event names of the site file: a delete of one of them was of an extra copy."""
DRAFTS = (
    Draft("d1", "FACEBOOK", "POST", "SCHEDULED"),
    Draft("d2", "INSTAGRAM", "POST", "DRAFT"),
    Draft("d3", "LINKEDIN", "POST", "DRAFT"),
    Draft("d4", "INSTAGRAM", "STORY", "DRAFT"),
)


def live(status: str = "ACTIVE") -> LiveSite:
    events = (
        CalendarEvent("Fresh Bread Friday", id="e1"),
        CalendarEvent("Rye Launch", id="e2"),
        CalendarEvent("Rye Launch", id="e3"),
        CalendarEvent("Farmers Market", id="e4", read_only=True, calendar_id="c1"),
        CalendarEvent("Old Promo", id="e5"),
    )
    settings = {
        "settings": {
            "toneOfVoice": "warm and playful",
            # a member mpr does not know, carried through by the upsert and kept by Wix
            "imageGenerationSettings": {"style": "photo", "engine": "v9"},
        }
    }
    plan = PlanState(status, (Activity("a1", None, "Bake sale", "POST", DRAFTS),))
    return LiveSite(settings, events, plan)


def seen(action: str, target: str, after: Any = None, status: str = "ACTIVE") -> tuple[str, str]:
    entry = AuditEntry(TIME, SITE, action=action, target=target, after=after, result="intent")
    (found,) = settle([entry], {SITE: live(status)}, {SITE: DECLARED})
    prefix = f"settled from live state, for the write of run ? at {TIME}: "
    assert found.detail.startswith(prefix)
    return found.result, found.detail.removeprefix(prefix)


CANNOT_TELL = ("unknown", "the live state cannot tell (the work it started may have finished)")


@pytest.mark.parametrize(
    ("action", "target", "after", "status", "expected"),
    [
        (
            "settings.upsert",
            "settings.imageGenerationSettings",
            {"settings.imageGenerationSettings": {"style": "photo"}},
            "ACTIVE",
            ("landed", "the settings hold the values it sent"),
        ),
        (
            "settings.upsert",
            "settings.toneOfVoice",
            {"settings.toneOfVoice": "formal"},
            "ACTIVE",
            ("lost", "the settings do not hold the values it sent"),
        ),
        ("event.create", "Cake Sale", None, "ACTIVE", ("lost", "the event does not exist")),
        ("event.create", "Farmers Market", None, "ACTIVE", ("lost", "the event does not exist")),
        ("event.delete", "Pop-up Stall", None, "ACTIVE", ("landed", "the event is gone")),
        ("event.delete", "Farmers Market", None, "ACTIVE", ("landed", "the event is gone")),
        ("event.delete", "Old Promo", None, "ACTIVE", ("lost", "the event is still there")),
        # a declared name: the delete was of an extra copy, the first one is kept
        ("event.delete", "Fresh Bread Friday", None, "ACTIVE", ("landed", "one is left")),
        ("event.delete", "Cake Sale", None, "ACTIVE", ("landed", "the event is gone")),
        (
            "event.delete",
            "Rye Launch",
            None,
            "ACTIVE",
            ("lost", "the extra copy is still there"),
        ),
        (
            "event.update",
            "Fresh Bread Friday",
            {"name": "Fresh Bread Friday"},
            "ACTIVE",
            ("landed", "the event holds what it sent"),
        ),
        (  # only a connected calendar's event, which mpr never writes, holds it
            "event.update",
            "Farmers Market",
            {"name": "Farmers Market"},
            "ACTIVE",
            ("lost", "the event does not hold what it sent"),
        ),
        ("plan.regenerate", SITE, "GENERATING", "ACTIVE", CANNOT_TELL),
        (
            "plan.regenerate",
            SITE,
            "GENERATING",
            "GENERATING",
            ("landed", "a generation is running"),
        ),
        ("posts.generate", "1 activities", ["a1"], "GENERATING", CANNOT_TELL),
        (
            "drafts.schedule",
            "2 drafts",
            None,
            "ACTIVE",
            ("unknown", "1 post(s) are scheduled or published now"),
        ),
        (
            "drafts.schedule",
            "2 drafts",
            None,
            "GENERATING",
            ("unknown", "1 post(s) are scheduled or published now"),
        ),
    ],
)
def test_each_open_write_is_judged_by_what_the_live_state_shows(
    action: str, target: str, after: Any, status: str, expected: tuple[str, str]
) -> None:
    assert seen(action, target, after, status) == expected


@pytest.mark.parametrize("run", [None, "7"], ids=["a local run", "a CI run"])
def test_an_open_write_settled_by_a_later_run_is_not_open_any_more(run: str | None) -> None:
    killed = AuditEntry(
        TIME, SITE, action="event.create", target="Rye Launch", result="intent", run=run
    )
    (found,) = settle([killed], {SITE: live()}, {SITE: DECLARED})
    line = AuditEntry(
        "2026-11-24T09:00:00Z",
        SITE,
        action=found.entry.action,
        target=found.entry.target,
        result=found.result,
        detail=found.detail,
        run="8",
    )
    assert open_writes([killed]) == [killed]
    assert open_writes([killed, line]) == [], "settled once, not again at every run"
    # the killed run's lines were in a log since moved aside: the settling line stands alone
    assert open_writes([line]) == []


def test_an_open_write_of_a_site_not_read_this_run_waits_and_the_others_are_settled() -> None:
    elsewhere = AuditEntry(TIME, "another-site", action="event.create", target="X", result="intent")
    killed = AuditEntry(TIME, SITE, action="event.create", target="Rye Launch", result="intent")
    found = settle([elsewhere, killed], {SITE: live()}, {SITE: DECLARED})
    assert [f.entry for f in found] == [killed]
