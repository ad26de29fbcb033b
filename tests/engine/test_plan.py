"""The Plan value: JSON round trip, the delete guard."""

from __future__ import annotations

import json

import pytest

from reconciler.cli import exitcodes
from reconciler.engine.plan import (
    REFUSED_EXIT_CODE,
    DraftStep,
    EventChange,
    Plan,
    PlanAction,
    SettingChange,
    SitePlan,
)
from reconciler.errors import StalePlan
from reconciler.model.policy import DeleteGuard


def _site(deletes: int, live: int, guard: DeleteGuard | None = None) -> SitePlan:
    return SitePlan(
        site_id="s1",
        name="Shop",
        source="a.yaml",
        events=tuple(EventChange("delete", f"e{i}", f"id{i}") for i in range(deletes)),
        live_event_count=live,
        delete_guard=guard or DeleteGuard(),
    )


def test_plan_round_trips_through_json() -> None:
    plan = Plan(
        created_at="2026-11-23T12:00:00.000Z",
        sites=(
            SitePlan(
                site_id="s1",
                name="Shop",
                source="a.yaml",
                settings=(SettingChange("settings.toneOfVoice", None, "warm"),),
                events=(EventChange("create", "Sale", after={"name": "Sale"}),),
                action=PlanAction("regenerate", "settings changed", None),
                drafts=DraftStep(("a1",), {"FACEBOOK": ("d1",)}, {"LINKEDIN": 2}, ("note",)),
            ),
        ),
        sources=("sites",),
        selectors=("label=x",),
    )
    again = Plan.from_json(json.loads(plan.dumps()))
    assert again == plan
    assert plan.to_json()["has_changes"] is True
    assert [s["has_changes"] for s in plan.to_json()["sites"]] == [True]


def test_a_saved_plan_is_indented_with_its_keys_sorted() -> None:
    """So that a saved plan reads, and diffs, the same way every time it is made."""
    plan = Plan(created_at="2026-11-23T12:00:00.000Z", sites=(), sources=("sites",))
    assert plan.dumps() == (
        "{\n"
        '  "created_at": "2026-11-23T12:00:00.000Z",\n'
        '  "files": {},\n'
        '  "format_version": 1,\n'
        '  "has_changes": false,\n'
        '  "refusal_exit_code": null,\n'
        '  "selectors": [],\n'
        '  "shard": "",\n'
        '  "sites": [],\n'
        '  "sites_to_apply": [],\n'
        '  "sites_to_refuse": [],\n'
        '  "sources": [\n'
        '    "sites"\n'
        "  ]\n"
        "}\n"
    )


def test_unknown_format_version_is_refused() -> None:
    with pytest.raises(StalePlan) as refused:
        Plan.from_json({"format_version": 99})
    assert str(refused.value) == (
        "the plan file has format_version 99; this mpr reads 1: make the plan again with this "
        "version"
    )


def test_a_shard_that_is_not_text_is_named() -> None:
    body = Plan(created_at="2026-11-23T12:00:00.000Z", sites=()).to_json() | {"shard": None}
    with pytest.raises(ValueError, match="^shard: expected a valid string$"):
        Plan.from_json(body)


def test_delete_guard_trips_above_the_share_and_spares_small_sites() -> None:
    assert _site(2, 4).refusals == (
        "the plan deletes 2 of 4 events (50%), more than the 30% allowed by "
        "policy.deleteGuard; review it and re-run with --force=s1 to proceed",
    )
    assert _site(1, 4).refusals == ()
    assert _site(3, 3).refusals == ()
    assert _site(2, 4, DeleteGuard(percent=60)).refusals == ()


def test_the_refusal_exit_code_is_the_cli_s() -> None:
    assert REFUSED_EXIT_CODE == exitcodes.REFUSED
    plan = Plan(created_at="2026-11-23T12:00:00.000Z", sites=(_site(2, 4), _site(1, 4)))
    assert [s.live_event_count for s in plan.refused] == [4] and len(plan.refused) == 1
    assert plan.refusal_exit_code == exitcodes.REFUSED
    assert Plan(created_at="", sites=(_site(1, 4),)).refusal_exit_code is None
