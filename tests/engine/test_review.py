"""The review digest: the value a PR comment records and the apply after the merge checks."""

from __future__ import annotations

from datetime import UTC, datetime

from reconciler.engine.plan import (
    DraftPost,
    DraftStep,
    EventChange,
    Plan,
    PlanAction,
    SettingChange,
    SitePlan,
)
from reconciler.engine.review import review_digest

CRUMB = "11111111-2222-4333-8444-555555555555"
QUIET = "22222222-2222-4333-8444-555555555555"


def site(site_id: str, **writes: object) -> SitePlan:
    return SitePlan(
        site_id=site_id,
        name="n",
        source="s.yaml",
        plan_status="ACTIVE",
        action=PlanAction("none", "unchanged"),
        **writes,  # type: ignore[arg-type]
    )


def test_a_plan_has_the_same_digest_in_every_mpr_version() -> None:
    """The comment may be written by one mpr and checked by a newer one after the merge: for
    the same writes the digest never changes (a site that writes nothing is left out)."""
    crumb = site(
        CRUMB,
        settings=(SettingChange("settings.toneOfVoice", "dry", "warm"),),
        events=(
            EventChange("create", "Sale", after={"date": "2026-12-01T09:00:00.000Z"}),
            EventChange("delete", "Old", "e-1"),
        ),
        drafts=DraftStep(
            posts=(
                DraftPost("d2", "FACEBOOK", "2026-12-02T09:00:00.000Z", digest="b" * 16),
                DraftPost("d1", "FACEBOOK", "2026-12-02T09:00:00.000Z", digest="a" * 16),
            )
        ),
    )
    made = datetime(2026, 11, 23, 9, tzinfo=UTC).isoformat()
    plan = Plan(created_at=made, sites=(site(QUIET), crumb))
    assert review_digest(plan) == "43970c767df2a63e"
