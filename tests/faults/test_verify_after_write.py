"""Verify after write (#22): Wix's answer to a write is compared with what was sent."""

from __future__ import annotations

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator, FaultRule
from tests.faults.conftest import PLAN_STARTS, Harness, Result


def error_lines(result: Result) -> list[str]:
    """The site's error as apply printed it: its first line and those indented under it."""
    lines = result.out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  ! error: "))
    rest = lines[start + 1 :]
    return [
        lines[start],
        *(
            line
            for line in rest[
                : next((i for i, line in enumerate(rest) if not line.startswith("    ")), len(rest))
            ]
        ),
    ]


def test_a_value_wix_did_not_keep_fails_the_site_and_the_next_run_finishes(
    harness: Harness, emulator: Emulator
) -> None:
    harness.seed()
    emulator.add_fault(FaultRule(keep_old="*"))  # the first upsert only
    first = harness.apply()
    assert first.code == exitcodes.ERROR, first.text
    assert 'did not converge: settings.toneOfVoice — sent "warm and playful", Wix kept nothing' in (
        first.text
    )
    assert 'settings.socialChannels — sent ["FACEBOOK", "INSTAGRAM"], Wix kept nothing' in (
        first.text
    )
    assert error_lines(first) == [
        '  ! error: did not converge: settings.socialChannels — sent ["FACEBOOK", "INSTAGRAM"], '
        "Wix kept nothing",
        '    did not converge: settings.toneOfVoice — sent "warm and playful", Wix kept nothing',
        "    GenerateMarketingPlan was not started: the writes did not take",
    ]
    assert not set(PLAN_STARTS) & set(harness.operations()), "no generate: the write did not take"
    finishing = harness.assert_converges()
    assert "did not converge" not in finishing.text
    starts = [op for op in harness.operations() if op in PLAN_STARTS]
    assert starts == ["GenerateMarketingPlan"]


def test_an_upsert_answer_showing_nothing_is_checked_by_one_read(
    harness: Harness, emulator: Emulator
) -> None:
    harness.seed()
    emulator.add_fault(
        FaultRule(method="POST", path="/marketing-settings", drop_member="marketingSettings")
    )
    applied = harness.apply()
    assert applied.code == exitcodes.OK, applied.text
    ops = [r.operation for r in emulator.requests]
    after = ops[ops.index("UpsertMarketingSettings") + 1 :]
    assert after[0] == "GetMarketingSettings"
    assert after.count("GetMarketingSettings") == 1
    harness.assert_settled()


def test_an_answer_that_shows_what_was_stored_needs_no_read(
    harness: Harness, emulator: Emulator
) -> None:
    harness.seed()
    applied = harness.apply()
    assert applied.code == exitcodes.OK, applied.text
    ops = [r.operation for r in emulator.requests]
    assert ops.count("GetMarketingSettings") == 1  # observe's, none after the upsert


@pytest.mark.parametrize(
    ("plan_status", "flags", "action_line"),
    [
        ("ACTIVE", ("--no-regenerate",), "regenerate the plan"),
        ("GENERATING", (), "wait for the running generation"),
        ("PAUSED", (), "unknown plan status 'PAUSED': leaving the plan alone"),  # a newer one
    ],
    ids=["regenerate-skipped", "generation-running", "unknown-status"],
)
def test_an_error_names_no_plan_action_when_none_was_to_start(
    harness: Harness, emulator: Emulator, plan_status: str, flags: tuple[str, ...], action_line: str
) -> None:
    """With the regenerate skipped (--no-regenerate) or a generation already running, the
    error lists what Wix did not keep and says nothing of an action apply would not start."""
    known = plan_status in ("ACTIVE", "GENERATING")
    harness.seed(plan={"status": plan_status if known else "ACTIVE"})
    if not known:
        emulator.add_fault(
            FaultRule(
                method="GET",
                path="v1/marketing-plan",
                add_members={"status": plan_status},
                times=None,
            )
        )
    emulator.add_fault(FaultRule(keep_old="settings.toneOfVoice"))
    first = harness.apply(*flags)
    assert first.code == exitcodes.ERROR, first.text
    assert action_line in first.out
    assert error_lines(first) == [
        '  ! error: did not converge: settings.toneOfVoice — sent "warm and playful", '
        "Wix kept nothing"
    ]
    assert not set(PLAN_STARTS) & set(harness.operations())


def test_events_wix_did_not_keep_are_each_named_and_no_regenerate_starts(
    harness: Harness, emulator: Emulator
) -> None:
    """CreateEvent answered 200 with the event as Wix stored it, the description missing:
    each event's difference is a line of the error, settings' included."""
    harness.seed(plan={"status": "ACTIVE"})
    harness.site_file = harness.write(
        "settings:\n  toneOfVoice: warm and playful\nevents:\n"
        '  - name: Black Friday Sale\n    description: 40% off\n    date: "2026-11-27T09:00:00Z"\n'
        '  - name: Cyber Monday\n    description: 30% off\n    date: "2026-11-30T09:00:00Z"\n'
        "policy:\n  schedule: {enabled: false}\n"
    )
    emulator.add_fault(FaultRule(keep_old="settings.toneOfVoice"))
    emulator.add_fault(
        FaultRule(
            method="POST", path="/events", drop_member="calendarEvent.description", times=None
        )
    )
    first = harness.apply()
    assert first.code == exitcodes.ERROR, first.text
    assert error_lines(first) == [
        '  ! error: did not converge: settings.toneOfVoice — sent "warm and playful", '
        "Wix kept nothing",
        "    did not converge: event 'Black Friday Sale'.description — sent \"40% off\", "
        "Wix kept nothing",
        "    did not converge: event 'Cyber Monday'.description — sent \"30% off\", "
        "Wix kept nothing",
        "    RegenerateMarketingPlan was not started: the writes did not take",
    ]
    assert not set(PLAN_STARTS) & set(harness.operations())
