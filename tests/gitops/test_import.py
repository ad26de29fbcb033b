"""`mpr import`: the written file validates and plans to "no changes" (the round trip)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import exitcodes
from reconciler.config.export import duration_text
from reconciler.config.yamlio import dump_yaml, parse_yaml
from reconciler.emulator import Emulator, FaultRule
from reconciler.engine.journal import MemoryJournal
from tests.conftest import Mpr
from tests.gitops.conftest import OTHER, SITE, seed

THIRD = "33333333-4444-4555-8666-777777777777"
CALENDAR = "44444444-5555-4666-8777-888888888888"
TEXT = 'warm & playful: ${not_a_var}, $${kept}, "quoted", ünïcode — and: yes'

EVERYTHING: dict[str, Any] = {
    "id": SITE,
    "connectedChannels": ["FACEBOOK"],
    "language": "pt",
    "businessLocation": {"city": "Lisbon", "country": "PT"},
    "calendars": [{"id": CALENDAR, "name": "Portugal holidays"}],
    "settings": {
        "marketingPlanGoal": {"goalKey": "BOOST_SALES"},
        "marketingTools": ["SOCIAL_MARKETING", "EMAIL_MARKETING", "BLOGS"],
        "socialChannels": ["LINKEDIN", "FACEBOOK", "INSTAGRAM"],
        "topics": {
            "included": ["sourdough", "no", "2026-01-01", "on"],
            "excluded": ["discounts", "true"],
            "coreTopic": "artisan baking",
        },
        "toneOfVoice": TEXT,
        "pointOfView": "FIRST_PERSON",
        "frequency": {"interval": "WEEK", "count": 3},
        "businessProfile": {
            "valueProposition": "Slow-fermented bread",
            "targetAudience": "Families: old town",
            "businessGoal": "Holiday pre-orders",
        },
        "customContentGuidelines": "Line one.\nLine two:\n  - an indented item\n# not a comment",
        "imageGuidelines": "Natural light, wooden counters.",
        "imageGenerationSettings": {
            "style": "photo",
            "palette": ["warm", "yes", "null"],
            "nested": {"size": 1024, "ratio": 1.5, "on": True, "off": None},
        },
        "calendar": {"ids": [CALENDAR]},
    },
    "overrides": {
        "socialMarketing": {"frequency": {"interval": "WEEK", "count": 5}},
        "emailMarketing": {"frequency": {"interval": "MONTH", "count": 1}},
        "blogs": {"frequency": {"interval": "YEAR", "count": 12}},
    },
    "events": [
        {
            "name": "Black Friday Sale",
            "date": "2026-11-27T09:00:00Z",
            "description": "30% off all cakes.\nFriday only.",
        },
        {
            "name": "Fresh Bread Friday",
            "description": "A new loaf",
            "recurringRule": {
                "frequency": "WEEKLY",
                "startDate": "2026-11-06T08:00:00Z",
                "endDate": "2027-06-30T08:00:00Z",
                "interval": 2,
            },
        },
        {
            "name": "Quarterly Tasting",
            "recurringRule": {
                "frequency": "MONTHLY",
                "startDate": "2026-12-05T18:00:00Z",
                "interval": 3,
            },
        },
        {
            "name": "Anniversary",
            "recurringRule": {
                "frequency": "YEARLY",
                "startDate": "2025-03-14T10:00:00Z",
                "endDate": "2035-03-14T10:00:00Z",
            },
        },
        {"name": "Next summer", "date": "2027-07-01T12:30:00.250Z"},
        {"name": "Far ahead", "date": "2028-09-01T10:00:00Z"},
        {"name": "Last summer", "date": "2026-06-01T10:00:00Z"},  # past: not imported
        {"name": "Black Friday Sale", "date": "2026-11-28T09:00:00Z"},
        {"name": "Portugal holiday", "date": "2026-12-08T00:00:00Z", "readOnly": True},
    ],
    "plan": {"status": "ACTIVE"},
}
INACTIVE_SITE: dict[str, Any] = {
    "id": OTHER,
    "settings": {
        "marketingPlanGoal": {"customGoal": "Fill weekday mornings"},
        "marketingTools": ["SOCIAL_MARKETING"],
        "customContentGuidelines": "x" * 3001,
        "imageGuidelines": "use IST.abcdefghijklmnopqrstuvwxyz0123456789 for images",
        "topics": {"included": [], "excluded": ["pricing"]},
    },
    "plan": {"status": "INACTIVE"},
}
NO_PLAN_SITE: dict[str, Any] = {"id": THIRD}


def imported(tmp_path: Path, name: str) -> str:
    return (tmp_path / "sites" / name).read_text(encoding="utf-8")


def test_round_trip_every_setting_and_event_plans_to_no_changes(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator, EVERYTHING, INACTIVE_SITE, NO_PLAN_SITE)
    emulator.clear_requests()
    result = mpr("import", f"{SITE}=Crumb & Co", f"{OTHER}=Harbor", THIRD, "--out", "sites")
    assert result.code == exitcodes.OK, result.err
    assert emulator.writes() == [], "import never writes"
    files = sorted(p.name for p in (tmp_path / "sites").iterdir())
    assert files == [f"{THIRD}.yaml", "crumb-co.yaml", "harbor.yaml"]

    validated = mpr("validate", "sites")
    assert validated.code == exitcodes.OK, validated.err
    assert "3 site files valid" in validated.err

    emulator.clear_requests()
    plan = mpr("plan", "sites/harbor.yaml", "--detailed-exitcode")
    assert plan.code == exitcodes.OK, plan.out + plan.err
    assert plan.out.count("  no changes") == 1
    # The live site holds 'Black Friday Sale' twice: the file declares it once, and the only
    # change is deleting the extra copy (and the regenerate a changed calendar calls for).
    crumb = json.loads(mpr("plan", "sites/crumb-co.yaml", "--format", "json").out)["sites"][0]
    assert crumb["settings"] == []
    assert [(e["op"], e["name"], e["duplicate"]) for e in crumb["events"]] == [
        ("delete", "Black Friday Sale", True)
    ]
    assert crumb["action"]["kind"] == "regenerate"
    assert (
        "sites/crumb-co.yaml: the first apply will still: delete an extra copy of "
        "'Black Friday Sale' (it exists twice)" in result.err
    )
    assert emulator.writes() == []

    fresh = json.loads(mpr("plan", f"sites/{THIRD}.yaml", "--format", "json").out)
    (third,) = fresh["sites"]
    assert third["settings"] == [] and third["events"] == []
    assert third["action"]["kind"] == "generate"
    assert f"sites/{THIRD}.yaml: the first apply will still: the site has no plan yet" in result.err
    assert f"sites/{THIRD}.yaml: policy." not in result.err, "a generation is not turned off"


def test_the_written_file(mpr: Mpr, emulator: Emulator, tmp_path: Path) -> None:
    seed(emulator, EVERYTHING, INACTIVE_SITE)
    result = mpr("import", f"{SITE}=Crumb & Co", f"{OTHER}=Harbor", "--out", "sites")
    assert result.code == exitcodes.OK, result.err
    crumb = imported(tmp_path, "crumb-co.yaml")
    assert crumb.startswith("# yaml-language-server: $schema=../schemas/site.schema.json\n#\n")
    document = parse_yaml(crumb, "crumb").tree
    assert list(document) == ["version", "site", "settings", "overrides", "events", "policy"]
    assert document["site"] == {"id": SITE, "name": "Crumb & Co"}
    settings = document["settings"]
    assert list(settings) == [
        "marketingPlanGoal",
        "marketingTools",
        "socialChannels",
        "topics",
        "toneOfVoice",
        "pointOfView",
        "frequency",
        "businessProfile",
        "customContentGuidelines",
        "imageGuidelines",
        "imageGenerationSettings",
        "calendar",
    ], "writable fields only (no language), in the schema's order"
    assert settings["socialChannels"] == ["FACEBOOK", "INSTAGRAM", "LINKEDIN"], "sets sorted"
    assert list(settings["topics"]) == ["included", "excluded", "coreTopic"]
    assert settings["toneOfVoice"] == TEXT.replace("${", "$${"), "escaped for interpolation"
    assert settings["customContentGuidelines"].endswith("\n# not a comment")
    assert [e["name"] for e in document["events"]] == [
        "Black Friday Sale",
        "Fresh Bread Friday",
        "Quarterly Tasting",
        "Anniversary",
        "Next summer",
        "Far ahead",
    ]
    assert document["events"][1]["recurringRule"] == {
        "frequency": "WEEKLY",
        "startDate": "2026-11-06T08:00:00.000Z",
        "endDate": "2027-06-30T08:00:00.000Z",
        "interval": 2,
    }
    assert document["policy"] == {
        "pruneEvents": False,
        "regenerate": "auto",
        "wait": {"timeout": "15m", "maxAttempts": 2},
        "schedule": {
            "enabled": False,
            "horizonDays": 14,
            "generateMissingPosts": True,
            "afterGeneration": "schedule",
            "blockWords": [],
            "quietDays": [],
            "quietDates": [],
            "timeZone": "UTC",
            "holdExcludedTopics": False,
        },
        "deleteGuard": {"percent": 30, "minEvents": 4},
    }
    assert (
        "# policy.schedule.enabled is false: with true, apply would now schedule 14 drafts; set "
        "it to true\n# when apply should generate and schedule post drafts\n"
    ) in crumb
    assert "another live event has the same name" in crumb
    assert "1 read-only event(s) of connected calendars" in crumb

    harbor = parse_yaml(imported(tmp_path, "harbor.yaml"), "harbor").tree
    assert harbor["settings"] == {
        "marketingPlanGoal": {"customGoal": "Fill weekday mornings"},
        "marketingTools": ["SOCIAL_MARKETING"],
        "topics": {"excluded": ["pricing"]},
    }
    assert harbor["policy"]["regenerate"] == "never"
    assert (
        "# policy.regenerate is never: the plan is INACTIVE and apply would regenerate it now; "
        "set it to\n# auto when apply should regenerate the plan after settings or events "
        "change\n"
    ) in imported(tmp_path, "harbor.yaml")
    assert harbor["policy"]["schedule"]["enabled"] is True
    assert (
        "warning: sites/harbor.yaml: left out (not managed here): settings.customContentGuidelines:"
        " is too long: at most 3000 characters\n" in result.err
    )
    assert (
        "warning: sites/harbor.yaml: left out (not managed here): settings.imageGuidelines: it "
        "looks like a credential, which a site file must never hold\n" in result.err
    )
    assert "# Left out (not managed here): settings.imageGuidelines" in imported(
        tmp_path, "harbor.yaml"
    )
    assert "IST.abcdefghij" not in imported(tmp_path, "harbor.yaml") + result.err


def test_import_is_deterministic_and_keeps_files(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator, EVERYTHING)
    assert mpr("import", f"{SITE}=Crumb", "--out", "sites").code == exitcodes.OK
    first = imported(tmp_path, "crumb.yaml")
    kept = mpr("import", f"{SITE}=Crumb", "--out", "sites")
    assert kept.code == exitcodes.ERROR
    assert "sites/crumb.yaml exists: pass --overwrite to replace it" in kept.err
    assert mpr("import", f"{SITE}=Crumb", "--out", "sites", "--overwrite").code == exitcodes.OK
    assert imported(tmp_path, "crumb.yaml") == first


@pytest.mark.parametrize("dangling", [False, True])
def test_overwrite_replaces_a_symlink_in_the_folder_never_its_target(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, dangling: bool
) -> None:
    """A link in the output folder (planted, or left over) is replaced by the site file: the
    file it points to stays as it was, or is never created (#23)."""
    seed(emulator, EVERYTHING)
    precious = tmp_path / "precious.txt"
    if not dangling:
        precious.write_text("keep me\n")
    (tmp_path / "sites").mkdir()
    link = tmp_path / "sites" / "crumb.yaml"
    link.symlink_to(precious)
    refused = mpr("import", f"{SITE}=Crumb", "--out", "sites")
    assert refused.code == exitcodes.ERROR
    assert "sites/crumb.yaml exists: pass --overwrite to replace it" in refused.err
    result = mpr("import", f"{SITE}=Crumb", "--out", "sites", "--overwrite")
    assert result.code == exitcodes.OK, result.err
    assert not link.is_symlink() and "Imported from Wix" in link.read_text()
    if dangling:
        assert not precious.exists()
    else:
        assert precious.read_text() == "keep me\n"


def test_bad_ids_and_unknown_sites(mpr: Mpr, emulator: Emulator, tmp_path: Path) -> None:
    bad = mpr("import", "not-a-guid")
    assert bad.code == exitcodes.USAGE
    assert "expected a GUID" in bad.err
    missing = mpr("import", SITE, "--out", "sites")
    assert missing.code == exitcodes.ERROR
    assert (
        f"Error: {SITE}: cannot read the site: GET /promote/marketing-plan-service/v1/"
        f"marketing-settings → HTTP 404 → SITE_NOT_FOUND: site {SITE} not found"
    ) in missing.err
    assert not (tmp_path / "sites" / f"{SITE}.yaml").exists()


def test_dump_reads_back_exactly() -> None:
    data = {
        "a": ["no", "yes", "on", "off", "true", "2026-01-01", "=", "<<", "~", "", "null", "1"],
        "b": {"multi": "one\ntwo\n", "lead": " space", "colon": "a: b", "hash": "a #b"},
        "c": [{"x": 1.0, "y": None, "z": False}],
        "d": "é ✓ 🍞",
        "e": "x" * 300,
    }
    assert json.loads(json.dumps(parse_yaml(dump_yaml(data), "d").tree)) == data


def test_durations() -> None:
    assert [duration_text(s) for s in (900, 5400, 90, 3600, 45, 3661, 0.5)] == [
        "15m",
        "1h30m",
        "90s",
        "1h",
        "45s",
        "3661s",
        0.5,
    ]


def test_what_the_default_policy_would_do_at_once_is_said_and_turned_off(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, journal: MemoryJournal
) -> None:
    """Harbor has two activities of the coming days without posts, and drafts of others to
    schedule; Crumb a regenerate an earlier apply left pending, and drafts to schedule that
    a regenerate would have left for after it. Each is said and turned off: both files plan
    to no changes."""
    social = {"connectedChannels": ["FACEBOOK"], "plan": {"status": "ACTIVE"}}
    unconnected = {"id": THIRD, "plan": {"status": "ACTIVE"}}  # its drafts can only wait
    seed(emulator, {"id": SITE, **social}, {"id": OTHER, **social}, unconnected)
    for emptied in [a for a in emulator.site(OTHER).plan.sorted_activities() if a.items][:2]:
        emptied.items = []
    journal.record(SITE, "regenerate_keywords", "2026-11-20T09:00:00.000Z")
    result = mpr("import", f"{SITE}=Crumb", f"{OTHER}=Harbor", f"{THIRD}=Quay", "--out", "sites")
    assert result.code == exitcodes.OK, result.err
    assert "sites/quay.yaml" not in result.err, "nothing to turn off"
    assert (
        "warning: sites/crumb.yaml: policy.regenerate is never: the plan is ACTIVE and apply "
        "would regenerate it now; set it to auto when apply should regenerate the plan after "
        "settings or events change\n"
    ) in result.err
    assert (
        "warning: sites/crumb.yaml: policy.schedule.enabled is false: with true, apply would "
        "now schedule 6 drafts; set it to true when apply should generate and schedule post "
        "drafts\n"
    ) in result.err
    assert (
        "warning: sites/harbor.yaml: policy.schedule.enabled is false: with true, apply would "
        "now generate posts for 2 activities and schedule 4 drafts; set it to true when apply "
        "should generate and schedule post drafts\n"
    ) in result.err
    assert "the first apply will still" not in result.err
    crumb = parse_yaml(imported(tmp_path, "crumb.yaml"), "crumb").tree["policy"]
    harbor = parse_yaml(imported(tmp_path, "harbor.yaml"), "harbor").tree["policy"]
    assert (crumb["regenerate"], crumb["schedule"]["enabled"]) == ("never", False)
    assert (harbor["regenerate"], harbor["schedule"]["enabled"]) == ("auto", False)
    quay = parse_yaml(imported(tmp_path, "quay.yaml"), "quay").tree["policy"]
    assert (quay["regenerate"], quay["schedule"]["enabled"]) == ("auto", True)
    plan = mpr("plan", "sites", "--detailed-exitcode")
    assert plan.code == exitcodes.OK, plan.out


def test_a_connected_calendars_event_is_never_adopted_though_the_settings_name_none(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """Only GetCalendarOptions tells that the holiday belongs to a connected calendar."""
    holiday = {"name": "Portugal holiday", "date": "2026-12-08T00:00:00Z", "calendarId": CALENDAR}
    own = {"name": "Tasting", "date": "2026-12-05T18:00:00Z"}
    calendars = [{"id": CALENDAR, "name": "Portugal holidays"}]
    seed(emulator, {"id": SITE, "calendars": calendars, "events": [own, holiday]})
    result = mpr("import", f"{SITE}=Crumb", "--out", "sites")
    assert result.code == exitcodes.OK, result.err
    written = imported(tmp_path, "crumb.yaml")
    assert [e["name"] for e in parse_yaml(written, "crumb").tree["events"]] == ["Tasting"]
    assert "1 read-only event(s) of connected calendars" in written


def test_live_entries_mpr_could_not_read_are_said_not_taken_for_none(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """Every live event came without its name: the file has none of them, and says so, on the
    terminal and in its header, rather than passing for a site without events."""
    seed(emulator, EVERYTHING)
    emulator.add_fault(FaultRule(path="/events/query", drop_member="events.*.name", times=None))
    result = mpr("import", f"{SITE}=Crumb", "--out", "sites")
    assert result.code == exitcodes.OK, result.err
    assert "wrote sites/crumb.yaml: 15 setting(s), 0 event(s)\n" in result.out
    said = [line for line in result.err.splitlines() if "not read from Wix" in line]
    assert said, "each event read without its name is said"
    assert said[0].startswith(
        "warning: sites/crumb.yaml: not read from Wix, so this file may lack it: QueryEvents: "
        "event #1 (id '"
    )
    assert said[0].endswith("') skipped: name: Field required")
    header = imported(tmp_path, "crumb.yaml").split("\nversion: 1\n")[0]
    assert header.count("# not read from Wix, so this file may lack it: QueryEvents: event #") == (
        len(said)
    )
