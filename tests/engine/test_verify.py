"""Verify after write: what Wix answered against what was sent, as the diff compares (#22)."""

from __future__ import annotations

from datetime import UTC, datetime

from reconciler.engine.verify import event_not_kept, settings_not_kept
from reconciler.model.events import CalendarEvent, RecurringRule

SENT = {
    "settings.toneOfVoice": "brisk",
    "settings.socialChannels": ["FACEBOOK", "INSTAGRAM"],
    "settings.businessProfile": {"targetAudience": "parents", "businessGoal": "grow"},
}


def test_what_wix_normalises_derives_or_adds_is_not_a_difference() -> None:
    stored = {
        "settings": {
            "toneOfVoice": "brisk",
            "socialChannels": ["INSTAGRAM", "FACEBOOK", "FACEBOOK"],  # order and repeats
            "businessProfile": {
                "targetAudience": "parents",
                "businessGoal": "grow",
                "valueProposition": "",
                "newMember": 1,
            },
            "language": "en",  # read-only, derived
        },
        "overrides": {},
    }
    assert settings_not_kept(SENT, stored) == []


def test_each_leaf_wix_did_not_keep_is_named_with_both_values() -> None:
    stored = {
        "settings": {
            "toneOfVoice": "calm",
            "socialChannels": ["FACEBOOK", "INSTAGRAM"],
            "businessProfile": {"targetAudience": "parents"},
        }
    }
    assert settings_not_kept(SENT, stored) == [
        'did not converge: settings.businessProfile.businessGoal — sent "grow", Wix kept nothing',
        'did not converge: settings.toneOfVoice — sent "brisk", Wix kept "calm"',
    ]


def test_values_are_shown_as_json_keys_sorted_and_letters_as_written() -> None:
    sent = {
        "settings.toneOfVoice": "chaleureux, café",
        "settings.imageGenerationSettings": {"layers": [{"style": "photo", "light": "warm"}]},
    }
    stored = {"settings": {"imageGenerationSettings": {"layers": [{"style": "photo"}]}}}
    assert settings_not_kept(sent, stored) == [
        'did not converge: settings.imageGenerationSettings.layers — sent [{"light": "warm", '
        '"style": "photo"}], Wix kept [{"style": "photo"}]',
        'did not converge: settings.toneOfVoice — sent "chaleureux, café", Wix kept nothing',
    ]


def test_an_event_is_compared_by_its_content() -> None:
    start = datetime(2026, 12, 4, 8, tzinfo=UTC)
    sent = CalendarEvent("Bread day", recurring_rule=RecurringRule("WEEKLY", start))
    same = CalendarEvent(
        "Bread day",
        description="",
        id="e1",
        calendar_id="c1",
        recurring_rule=RecurringRule("WEEKLY", start, extras={"x": 1}),
    )
    assert event_not_kept(sent, same) == []
    monthly = CalendarEvent("Bread day", id="e1", recurring_rule=RecurringRule("MONTHLY", start))
    assert event_not_kept(sent, monthly) == [
        "did not converge: event 'Bread day'.recurringRule.frequency — sent \"WEEKLY\", "
        'Wix kept "MONTHLY"'
    ]
