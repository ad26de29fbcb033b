"""When Wix keeps throttling, apply gives up on the site with what to do, and how long to wait:
the minute the client waits itself, or longer when Wix asked for longer."""

from __future__ import annotations

import re

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import FaultRule
from tests.faults.conftest import MAX_ATTEMPTS, Harness

THROTTLED = (
    "  ! error: POST /promote/marketing-plan-service/v1/marketing-settings → HTTP 429 → "
    "RESOURCE_EXHAUSTED: injected fault (429) (request id <id>). Wix is throttling requests: "
    "{pause}, then run the same command again: it continues where this run stopped "
    "(a lower --max-in-flight sends fewer requests at once)"
)


@pytest.mark.parametrize(
    ("retry_after", "pause", "waited"),
    [
        # Up to a minute the client waits as asked, try after try, then gives up.
        (60, "wait a minute", [60.0] * (MAX_ATTEMPTS - 1)),
        # Longer than the client waits itself: raised at once, with what Wix asked for.
        (61, "Wix asked to wait 61 s, so wait that long", []),
    ],
)
def test_a_site_wix_keeps_throttling_fails_saying_how_long_to_wait(
    harness: Harness, retry_after: int, pause: str, waited: list[float]
) -> None:
    harness.seed(plan={"status": "ACTIVE"})
    harness.emulator.add_fault(
        FaultRule(
            method="POST",
            path="/marketing-settings",
            status=429,
            retry_after=retry_after,
            times=None,
        )
    )
    result = harness.apply()
    assert result.code == exitcodes.ERROR
    errors = [
        re.sub(r"request id [0-9a-f-]{36}", "request id <id>", line)
        for line in result.out.splitlines()
        if line.startswith("  ! error:")
    ]
    assert errors == [THROTTLED.format(pause=pause)]
    assert harness.pauses.seconds == waited
    assert harness.operations() == ["UpsertMarketingSettings"] * (len(waited) + 1)


def test_a_plan_wix_keeps_throttling_says_run_it_again_not_that_it_continues(
    harness: Harness,
) -> None:
    """A plan writes nothing, so there is nothing for the next run to continue."""
    harness.seed(plan={"status": "ACTIVE"})
    harness.emulator.add_fault(
        FaultRule(method="GET", path="/marketing-settings", status=429, retry_after=61, times=None)
    )
    result = harness.plan()
    assert result.code == exitcodes.ERROR
    error = next(line for line in result.out.splitlines() if line.startswith("  ! error:"))
    assert error.endswith(
        "Wix is throttling requests: Wix asked to wait 61 s, so wait that long, then run the "
        "same command again (a lower --max-in-flight sends fewer requests at once)"
    ), error
