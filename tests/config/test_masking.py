"""The declared state `mpr doctor --record` writes: every name and free text masked, the
shape kept, so that a plan of the masked file against the replayed answers shows the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.config import load_sites
from reconciler.config.export import render_site_file
from reconciler.config.masking import masked_site
from tests.config.conftest import NOW, SITE_ID, Writer, site


def _mask(text: str) -> str:
    """As `mpr doctor` masks: a name or free text by a placeholder, an enum value kept."""
    return text if text.isupper() else f"masked-{len(text)}"


def _mask_all(value: Any) -> Any:
    if isinstance(value, str):
        return _mask(value)
    if isinstance(value, dict):
        return {key: _mask_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_all(item) for item in value]
    return value


def _masked(path: Path) -> dict[str, Any]:
    (desired,) = load_sites([path], env={}, now=NOW).sites
    return masked_site(desired, _mask, _mask_all).document


def test_names_and_free_text_are_masked_and_overrides_stay_under_their_tool(
    write: Writer,
) -> None:
    path = write(
        site(
            """\
settings:
  toneOfVoice: warm and playful
  customContentGuidelines: One call to action per post.
overrides:
  socialMarketing: {frequency: {interval: WEEK, count: 2}}
  blogs: {frequency: {interval: MONTH, count: 4}}
events:
  - {name: Black Friday, description: 30% off, date: "2026-11-27T09:00:00Z"}
  - {name: Open day, date: "2026-12-01T09:00:00Z"}
policy:
  pruneEvents: true
"""
        )
    )
    document = _masked(path)
    assert document["site"] == {"id": SITE_ID, "name": "masked-9"}
    assert document["settings"] == {
        "toneOfVoice": "masked-16",
        "customContentGuidelines": "masked-28",
    }
    assert document["overrides"] == {
        "socialMarketing": {"frequency": {"interval": "WEEK", "count": 2}},
        "blogs": {"frequency": {"interval": "MONTH", "count": 4}},
    }
    assert document["events"] == [
        {"name": "masked-12", "description": "masked-7", "date": "2026-11-27T09:00:00.000Z"},
        {"name": "masked-8", "date": "2026-12-01T09:00:00.000Z"},
    ]
    assert document["policy"]["pruneEvents"] is True
    assert "auth" not in document


def test_the_masked_file_manages_and_clears_the_same_fields(write: Writer) -> None:
    """A field given as null plans a clear against a site that has it; the replay of the
    masked file must plan the same clear, not leave the field unmanaged."""
    path = write(
        site(
            """\
settings:
  toneOfVoice: null
  socialChannels: []
  pointOfView: FIRST_PERSON
overrides:
  blogs: null
  emailMarketing: {frequency: null}
  socialMarketing: {frequency: {interval: WEEK, count: 2}}
"""
        )
    )
    (desired,) = load_sites([path], env={}, now=NOW).sites
    masked = write(render_site_file(masked_site(desired, _mask, _mask_all), ""), "masked.yaml")
    (replayed,) = load_sites([masked], env={}, now=NOW).sites
    assert replayed.settings.values == {
        "settings.toneOfVoice": None,
        "settings.socialChannels": None,
        "settings.pointOfView": "FIRST_PERSON",
        "overrides.blogs.frequency": None,
        "overrides.emailMarketing.frequency": None,
        "overrides.socialMarketing.frequency": {"count": 2, "interval": "WEEK"},
    }


def test_a_file_that_manages_no_settings_masks_to_one_that_manages_none(write: Writer) -> None:
    path = write(site("events:\n  - {name: Open day, date: '2026-12-01T09:00:00Z'}\n"))
    document = _masked(path)
    assert list(document) == ["version", "site", "events", "policy"]
    assert document["events"] == [{"name": "masked-8", "date": "2026-12-01T09:00:00.000Z"}]


def test_the_masked_file_keeps_the_rules_that_hold_drafts(write: Writer) -> None:
    """Quiet days, a daily cap, review: the replayed plan holds the same drafts."""
    path = write(
        site(
            "policy:\n  schedule:\n    quietDays: [SUNDAY]\n    maxPerDay: 1\n"
            "    afterGeneration: review\n    timeZone: Europe/Lisbon\n"
        )
    )
    schedule = _masked(path)["policy"]["schedule"]
    assert (schedule["quietDays"], schedule["maxPerDay"]) == (["SUNDAY"], 1)
    assert (schedule["afterGeneration"], schedule["timeZone"]) == ("review", "Europe/Lisbon")
