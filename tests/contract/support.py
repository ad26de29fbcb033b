"""Constants and helpers shared by the contract tests (real client ↔ emulator over a socket)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.emulator import Emulator, ManualClock, RequestRecord
from reconciler.wix import PlanActivity, SiteClient, SocialMarketingPlan

TODAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
KEY = "IST.contract-test-key-0123456789"
SITE = "11111111-2222-4333-8444-555555555555"
UNPUBLISHED_FAILED = "22222222-3333-4444-8555-666666666666"
UNPUBLISHED_EMPTY = "33333333-4444-4555-8666-777777777777"
NO_PREMIUM = "44444444-5555-4666-8777-888888888888"
UNKNOWN_SITE = "99999999-9999-4999-8999-999999999999"
CALENDAR = "3a9d5e11-2b7c-4f08-8c6e-9d1a2b3c4d5e"
READ_ONLY_EVENT = "5b6c7d8e-9f00-4a1b-8c2d-3e4f5a6b7c8d"
MISSING_ID = "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f"
CONNECTED = ("FACEBOOK", "INSTAGRAM")
ALL_CHANNELS = {"FACEBOOK", "INSTAGRAM", "LINKEDIN", "PINTEREST", "GBP", "TIKTOK", "TWITTER"}
GEN_SECONDS = 60.0
POSTS_SECONDS = 10.0
# SPEC §1.13 / emulator choice 17: drafts through the Sunday closing next ISO week.
END_OF_NEXT_WEEK = datetime(2026, 12, 6, 23, 59, 59, 999000, tzinfo=UTC)


def fixture_document() -> dict[str, Any]:
    """The sites every contract test starts from."""
    return {
        "sites": [
            {
                "id": SITE,
                "connectedChannels": list(CONNECTED),
                "calendars": [{"id": CALENDAR, "name": "US holidays"}],
                "events": [
                    {
                        "id": READ_ONLY_EVENT,
                        "name": "Thanksgiving (Google Calendar)",
                        "date": "2026-11-26T00:00:00Z",
                        "readOnly": True,
                    }
                ],
            },
            {"id": UNPUBLISHED_FAILED, "published": False, "unpublishedOutcome": "FAILED"},
            {
                "id": UNPUBLISHED_EMPTY,
                "published": False,
                "unpublishedOutcome": "ACTIVE_WITHOUT_POSTS",
            },
            {
                "id": NO_PREMIUM,
                "connectedChannels": list(CONNECTED),
                "premium": {"schedulePosts": False},
                "plan": {"status": "ACTIVE"},
            },
        ]
    }


class Sleeps:
    """The client's retry sleep: records every wait, never sleeps."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


async def wait_for_plan(
    site: SiteClient, clock: ManualClock, *, step: float = GEN_SECONDS / 2, limit: int = 50
) -> SocialMarketingPlan:
    """Poll GetSocialMarketingPlan (moving the emulator clock) until it leaves GENERATING."""
    for _ in range(limit):
        plan = await site.get_social_marketing_plan()
        if plan.status != "GENERATING":
            return plan
        clock.advance(step)
    raise AssertionError("the plan never left GENERATING")


async def active_plan(site: SiteClient, clock: ManualClock) -> SocialMarketingPlan:
    """Generate a plan from scratch and run it to ACTIVE."""
    assert await site.generate_marketing_plan() == "GENERATING"
    plan = await wait_for_plan(site, clock)
    assert plan.status == "ACTIVE", plan
    return plan


def with_items(plan: SocialMarketingPlan) -> list[PlanActivity]:
    return [a for a in plan.marketing_activities if a.items]


def without_items(plan: SocialMarketingPlan, kind: str = "SOCIAL_MARKETING") -> list[PlanActivity]:
    return [
        a for a in plan.marketing_activities
        if not a.items and a.marketing_activity_type == kind
    ]


def logged(emulator: Emulator, operation: str) -> list[RequestRecord]:
    """The logged API requests for one SPEC method name."""
    return [r for r in emulator.requests if r.operation == operation]


def days(n: float) -> float:
    return timedelta(days=n).total_seconds()
