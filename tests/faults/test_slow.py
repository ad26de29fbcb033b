"""Answers slower than the client's timeout, over a real socket (in-process has no timeouts).

The emulator holds the request for `delay_seconds` of real time and then runs it anyway,
as a slow server would, while the client has already given up: the most treacherous fault
for a non-idempotent call, since looking right away cannot see what is still in flight.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from reconciler.cli import exitcodes
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator, FaultRule, serve_in_thread
from tests.faults.conftest import EndsWith, Harness, MakeClient

TIMEOUT = 0.4
DELAY = 1.0
RETRY_AGAIN = "run the same command again"


@pytest.fixture
def slow(harness: Harness, emulator: Emulator, client_factory: MakeClient) -> Iterator[Harness]:
    """The harness, talking to the emulator over loopback HTTP with a short timeout."""
    with serve_in_thread(emulator) as base_url:
        harness.hooks = Hooks(
            client=client_factory(base_url, timeout=TIMEOUT),
            runtime=harness.hooks.runtime,
        )
        harness.base_url = base_url
        harness.seed()
        yield harness


def wait_until_answered(emulator: Emulator, operation: str) -> None:
    """Real time passes until the held request has run on the server."""
    deadline = time.monotonic() + 10 * DELAY
    while time.monotonic() < deadline:
        if any(r.operation == operation and r.status == 200 for r in emulator.requests):
            return
        time.sleep(0.02)
    raise AssertionError(f"{operation} never completed on the server")


def test_a_slow_read_past_the_timeout_is_retried(slow: Harness) -> None:
    slow.emulator.add_fault(
        FaultRule(method="GET", path="/marketing-settings", delay_seconds=DELAY)
    )
    result = slow.apply()
    assert result.code == exitcodes.OK, result.text
    assert len(slow.pauses.seconds) == 1  # one backoff, then the retry answered in time
    slow.assert_no_duplicates()
    slow.assert_settled()


def test_a_slow_create_event_is_never_sent_twice(slow: Harness) -> None:
    slow.emulator.add_fault(EndsWith(method="POST", path="/events", delay_seconds=DELAY))
    result = slow.apply()
    assert result.code == exitcodes.ERROR
    assert f"no answer from {slow.base_url} within {TIMEOUT:g} s" in result.out
    assert "'Black Friday Sale' is not there yet and was not sent again" in result.out
    assert RETRY_AGAIN in result.out
    wait_until_answered(slow.emulator, "CreateEvent")  # ...and then Wix did create it
    finishing = slow.assert_converges()
    assert "event created: Fresh Bread Friday" in finishing.out
    assert "Black Friday Sale" not in finishing.out.split("Plan:")[1]
    slow.assert_no_duplicates()


def test_a_slow_generate_is_never_stacked(slow: Harness) -> None:
    """The start's answer was lost, but the journal says it was sent: the next apply finds
    the generation running, waits for it, and does not send it again (one generation, and
    never two at once)."""
    slow.emulator.add_fault(FaultRule(path="generate-marketing-plan", delay_seconds=DELAY))
    result = slow.apply()
    assert result.code == exitcodes.ERROR
    assert "generate-marketing-plan" in result.out and RETRY_AGAIN in result.out
    wait_until_answered(slow.emulator, "GenerateMarketingPlan")
    slow.assert_converges()
    refused = [r for r in slow.emulator.writes() if r.status == 428]
    assert refused == []  # no second generation was ever started on top of the first
    slow.assert_no_duplicates(plan_starts=1)
