"""Site fixtures: a full YAML file loads; invalid documents fail with every problem named."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.emulator import Emulator, EmulatorConfig, FixtureError, ManualClock

from .support import OTHER, SITE, make_client

DATA = Path(__file__).parent / "data"


async def test_full_fixture_file_loads(clock: ManualClock) -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True, generation_seconds=99), clock)
    assert emu.load_fixtures_file(DATA / "sites.yaml") == [SITE, OTHER]
    assert emu.config.generation_seconds == 0 and not emu.config.auto_create_sites
    site = emu.site(SITE)
    assert site.profile.connected_channels.keys() == {"FACEBOOK", "INSTAGRAM"}
    assert site.plan.status == "ACTIVE"
    assert site.settings["marketingTools"] == ["SOCIAL_MARKETING", "BLOGS"]
    assert [e.read_only for e in site.events.values()] == [False, False, True]
    other = emu.site(OTHER)
    assert other.profile.connected_channels == {"LINKEDIN": "998877"}
    assert other.fail_next_generations == 2 and not other.profile.schedule_posts
    async with make_client(emu) as client:
        settings = (await client.get("/marketing-settings")).json()["marketingSettings"]
        plan = (await client.get("/marketing-plan")).json()
    assert settings["settings"]["language"] == "pt"
    assert settings["settings"]["businessLocation"] == {"city": "Lisbon", "country": "PT"}
    assert settings["createdAt"] == "2026-11-27T09:00:00.000Z"
    titles = [a["title"] for a in plan["marketingActivities"]]
    assert any("Store anniversary" in t for t in titles)
    assert any("Google event" in t for t in titles)
    assert any(t.startswith("Pastéis de nata") for t in titles)


def test_invalid_file_names_file_and_every_problem() -> None:
    emu = Emulator()
    with pytest.raises(FixtureError) as info:
        emu.load_fixtures_file(DATA / "invalid_sites.yaml")
    message = str(info.value)
    assert message.startswith(f"invalid emulator fixtures in {DATA / 'invalid_sites.yaml'}:")
    assert info.value.problems == [
        "sites[0].colour: unknown key",
        "sites[0].id: required, must be a GUID string",
        "sites[0].published: must be true or false",
        "sites[0].connectedChannels: unknown channel 'MYSPACE' (one of FACEBOOK, INSTAGRAM, "
        "LINKEDIN, PINTEREST, GBP, TIKTOK, TWITTER)",
        "sites[0].premium.vip: unknown key (expected schedulePosts, postsHorizonDays)",
        "sites[0].settings.pointOfView: must be one of FIRST_PERSON, SECOND_PERSON, "
        "THIRD_PERSON",
        "sites[0].events[0]: either date or recurringRule is required",
        "sites[0].plan.status: must be one of NEVER_CREATED, GENERATING, ACTIVE, INACTIVE, "
        "FAILED",
    ]
    assert emu.backend.sites == {}  # nothing registered


@pytest.mark.parametrize("document,problem", [
    ([1, 2], "top level must be a mapping with a 'sites' list"),
    ({"sites": {"id": SITE}}, "sites: must be a list"),
    ({"sites": [{"id": SITE}, {"id": SITE}]}, f"sites[1].id: duplicate site id {SITE}"),
    ({"site": []}, "site: unknown key (expected autoCreateSites, config, sites)"),
    ({"autoCreateSites": "yes"}, "autoCreateSites: must be true or false"),
    ({"sites": [{"id": SITE, "premium": {"postsHorizonDays": -1}}]},
     "sites[0].premium.postsHorizonDays: must be an integer >= 0"),
    ({"sites": [{"id": SITE, "events": [{"name": "x", "date": "2026-01-01",
                                         "calendarId": SITE}]}]},
     "sites[0].events[0].calendarId: not one of this site's calendars"),
])
def test_document_problems(document: object, problem: str) -> None:
    with pytest.raises(FixtureError) as info:
        Emulator().load_fixtures(document, "inline")
    assert problem in info.value.problems
    assert "inline" in str(info.value)


def test_unreadable_and_non_yaml_files(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="cannot read file"):
        Emulator().load_fixtures_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("sites: [\n")
    with pytest.raises(FixtureError, match=r"bad\.yaml:\n  - not valid YAML"):
        Emulator().load_fixtures_file(bad)
