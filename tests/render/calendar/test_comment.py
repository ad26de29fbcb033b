"""The pull-request comment shows each changed site's next 14 days, within its size budget:
what will be posted where and when after the merge (drafts left as drafts are not listed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.conftest import Mpr
from tests.render.calendar.conftest import SITE

SECTION = """</details>

**Crumb & Co: the next 14 days** (UTC) — apply schedules drafts up to Mon 2026-11-30 09:02 \
(policy.schedule.horizonDays: 7)

- **Mon 23 Nov**: 09:00 ▸ SOCIAL_MARKETING: Behind the scenes: quick tips
- **Wed 25 Nov**: 09:11 ▸ SOCIAL_MARKETING: Customer stories: a customer question; \
↳ FACEBOOK, INSTAGRAM posts: scheduled
- **Fri 27 Nov**: 08:00 ◆ Fresh Bread Friday (weekly); \
09:45 ▸ SOCIAL_MARKETING: Spotlight: Fresh Bread Friday; \
↳ FACEBOOK, INSTAGRAM posts: draft **★ apply schedules them**; \
↳ INSTAGRAM story: draft **★ apply schedules it**; \
09:54 ▸ SOCIAL_MARKETING: Product spotlight: a behind-the-scenes look; \
↳ FACEBOOK, INSTAGRAM posts: draft **★ apply schedules them**
- **Mon 30 Nov**: 09:21 ▸ SOCIAL_MARKETING: Tips and how-tos: a short poll
- **Tue 01 Dec**: 09:42 ▸ SOCIAL_MARKETING: Spotlight: Portugal public holiday; \
00:00 ○ Portugal public holiday
- **Wed 02 Dec**: 09:32 ▸ SOCIAL_MARKETING: Meet the team: a success story
- **Thu 03 Dec**: 09:00 ◆ Holiday Cake Sale; 09:32 ▸ SOCIAL_MARKETING: Spotlight: Holiday Cake Sale
- **Fri 04 Dec**: 08:00 ◆ Fresh Bread Friday (weekly); \
09:21 ▸ SOCIAL_MARKETING: Seasonal highlights: a how-to; \
09:47 ▸ SOCIAL_MARKETING: Spotlight: Fresh Bread Friday
"""


def comment(mpr: Mpr, crumb: str, *limit: str) -> str:
    result = mpr("plan", crumb, "--comment", "comment.md", *limit)
    assert result.code == exitcodes.OK, result.err
    return Path("comment.md").read_text(encoding="utf-8")


def test_a_changed_site_s_next_14_days_follow_its_details(mpr: Mpr, crumb: str) -> None:
    body = comment(mpr, crumb)
    days = body[body.index("</details>") :]
    assert days[: days.index("<details>")].rstrip("\n") + "\n" == SECTION


def test_the_calendar_is_cut_with_the_details_when_the_comment_has_no_room(
    mpr: Mpr, crumb: str
) -> None:
    whole = comment(mpr, crumb)
    limit = whole.index("<details>") + 1_000 + 200  # the head, the reserve and a little more
    body = comment(mpr, crumb, "--comment-limit", str(limit))
    assert len(body.encode("utf-8")) <= limit
    assert "next 14 days" not in body
    assert "1 site(s)' details omitted" in body


def test_an_unchanged_site_gets_no_calendar(mpr: Mpr, crumb: str) -> None:
    applied = mpr("apply", crumb, "--auto-approve")
    assert applied.code == exitcodes.OK, applied.out
    assert "next 14 days" not in comment(mpr, crumb)


def test_an_unchanged_site_with_a_warning_gets_no_calendar(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its details are shown for the warning; the next days only for a site that changes."""
    site = {
        "id": SITE,
        "published": False,
        "unpublishedOutcome": "ACTIVE_WITHOUT_POSTS",
        "plan": {"status": "ACTIVE"},
        "settings": {"toneOfVoice": "warm"},
    }
    emulator.load_fixtures({"sites": [site]})
    monkeypatch.chdir(tmp_path)
    Path("quiet.yaml").write_text(
        f"version: 1\nsite: {{id: {SITE}, name: Quiet}}\nsettings: {{toneOfVoice: warm}}\n"
        "policy: {schedule: {generateMissingPosts: false}}\n"
    )
    body = comment(mpr, "quiet.yaml")
    assert "! warning: the plan is ACTIVE but has no posts" in body, "its details are shown"
    assert "next 14 days" not in body
