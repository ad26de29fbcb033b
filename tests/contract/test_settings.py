"""Marketing Settings V1 through the client: masks, clearing, validation, defaults, options."""

from __future__ import annotations

import pytest

from reconciler.emulator import Emulator
from reconciler.errors import FailedPrecondition, InvalidArgument
from reconciler.wix import MarketingSettings, SiteClient, may_have_been_applied

from .support import SITE, logged


def answered(stored: MarketingSettings | None) -> MarketingSettings:
    """What an upsert says Wix stored: every upsert here expects its answer to hold one."""
    assert stored is not None, "the upsert's answer shows no settings object"
    return stored


async def test_fresh_settings_have_only_derived_fields(site: SiteClient) -> None:
    stored = await site.get_marketing_settings()
    assert stored.id == SITE
    assert stored.settings.get("language") == "en"
    assert "marketingPlanGoal" not in stored.settings  # defaults are not filled in
    assert stored.created_at is None


async def test_field_set_is_sent_and_accepted(site: SiteClient, emulator: Emulator) -> None:
    await site.get_marketing_settings(field_set="ALL")
    (record,) = logged(emulator, "GetMarketingSettings")
    assert record.query == {"fieldSet": "ALL"}


async def test_upsert_with_mask_writes_only_masked_paths(
    site: SiteClient, emulator: Emulator
) -> None:
    body = {
        "settings": {
            "marketingPlanGoal": {"goalKey": "DRIVE_TRAFFIC"},
            "toneOfVoice": "friendly, concise",
            "pointOfView": "FIRST_PERSON",  # not masked: must not be stored
        },
        "overrides": {"blogs": {"frequency": {"interval": "MONTH", "count": 2}}},
    }
    mask = ["settings.marketingPlanGoal", "settings.toneOfVoice", "overrides.blogs.frequency"]
    stored = answered(await site.upsert_marketing_settings(body, mask))

    (record,) = logged(emulator, "UpsertMarketingSettings")
    assert record.body["fieldMask"] == ",".join(mask)  # ONE comma-separated string
    assert stored.id == SITE
    assert stored.created_at is not None and stored.updated_at is not None
    assert stored.settings["marketingPlanGoal"] == {"goalKey": "DRIVE_TRAFFIC"}
    assert stored.settings["toneOfVoice"] == "friendly, concise"
    assert "pointOfView" not in stored.settings
    assert stored.overrides == {"blogs": {"frequency": {"interval": "MONTH", "count": 2}}}
    again = await site.get_marketing_settings()
    assert again.settings == stored.settings and again.overrides == stored.overrides


async def test_null_clears_a_field(site: SiteClient) -> None:
    await site.upsert_marketing_settings(
        {"settings": {"toneOfVoice": "warm", "imageGuidelines": "bright"}},
        ["settings.toneOfVoice", "settings.imageGuidelines"],
    )
    stored = answered(
        await site.upsert_marketing_settings(
            {"settings": {"toneOfVoice": None}}, ["settings.toneOfVoice"]
        )
    )
    assert stored.settings.get("toneOfVoice") in (None, "")
    assert stored.settings["imageGuidelines"] == "bright"


async def test_mask_path_missing_from_body_is_failed_precondition(
    site: SiteClient, emulator: Emulator
) -> None:
    with pytest.raises(FailedPrecondition) as caught:
        await site.upsert_marketing_settings(
            {"settings": {"toneOfVoice": "warm"}}, ["settings.toneOfVoice", "settings.topics"]
        )
    error = caught.value
    assert error.status == 428
    assert error.code == "INVALID_FIELD_MASK_ERROR"
    assert error.request_id
    assert not may_have_been_applied(error)
    assert len(logged(emulator, "UpsertMarketingSettings")) == 1  # a 428 is not retried
    assert "toneOfVoice" not in (await site.get_marketing_settings()).settings  # nothing applied


@pytest.mark.parametrize(
    ("settings", "path", "field"),
    [
        ({"pointOfView": "FOURTH_PERSON"}, "settings.pointOfView",
         "marketingSettings.settings.pointOfView"),
        ({"frequency": {"interval": "WEEK", "count": 31}}, "settings.frequency",
         "marketingSettings.settings.frequency.count"),
        ({"marketingTools": ["SOCIAL_MARKETING", "PODCASTS"]}, "settings.marketingTools",
         "marketingSettings.settings.marketingTools"),
    ],
)
async def test_invalid_values_are_invalid_argument(
    site: SiteClient, settings: dict[str, object], path: str, field: str
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await site.upsert_marketing_settings({"settings": settings}, [path])
    error = caught.value
    assert error.status == 400
    assert error.violations, error
    assert any(v.field.startswith(field) for v in error.violations), error.violations
    assert error.code  # the violation's rule when there is no applicationError


async def test_count_bounds_are_inclusive(site: SiteClient) -> None:
    for count in (1, 30):
        stored = answered(
            await site.upsert_marketing_settings(
                {"settings": {"frequency": {"interval": "WEEK", "count": count}}},
                ["settings.frequency"],
            )
        )
        assert stored.settings["frequency"] == {"interval": "WEEK", "count": count}


async def test_read_only_fields_are_ignored(site: SiteClient) -> None:
    stored = answered(
        await site.upsert_marketing_settings(
            {"settings": {"language": "fr", "toneOfVoice": "calm"}},
            ["settings.language", "settings.toneOfVoice"],
        )
    )
    assert stored.settings["language"] == "en"
    assert stored.settings["toneOfVoice"] == "calm"


async def test_defaults(site: SiteClient, emulator: Emulator) -> None:
    everything = await site.get_marketing_settings_defaults()
    assert everything["marketingPlanGoal"] == {"goalKey": "BRAND_AWARENESS"}
    assert everything["socialChannels"] == ["FACEBOOK", "INSTAGRAM"]
    assert everything["frequency"] == {"interval": "WEEK", "count": 3}
    some = await site.get_marketing_settings_defaults(["marketingPlanGoal", "socialChannels"])
    assert set(some) == {"marketingPlanGoal", "socialChannels"}
    assert logged(emulator, "GetMarketingSettingsDefaults")[-1].query == {
        "fieldMask": "marketingPlanGoal,socialChannels"
    }


async def test_defaults_with_a_bad_mask_is_invalid_argument(site: SiteClient) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await site.get_marketing_settings_defaults(["toneOfVoice"])
    assert caught.value.status == 400
    assert [v.field for v in caught.value.violations] == ["fieldMask"]


async def test_option_lists(site: SiteClient) -> None:
    goals = await site.get_plan_goal_options()
    assert {g.plan_goal_key for g in goals} == {
        "DRIVE_TRAFFIC", "BRAND_AWARENESS", "BOOST_SALES", "COLLECT_LEADS"
    }
    assert len(goals) <= 10 and all(g.title for g in goals)
    views = await site.get_point_of_view_options()
    assert [v.point_of_view_key for v in views] == ["FIRST_PERSON", "SECOND_PERSON", "THIRD_PERSON"]
    calendars = await site.get_calendar_options()
    assert 1 <= len(calendars) <= 50
    assert all(c.id for c in calendars)
