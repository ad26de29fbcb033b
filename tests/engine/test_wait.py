"""Polling to a deadline: backoff bounded by a share of the time waited, a clear timeout."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from reconciler.engine.clock import SystemClock
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.runtime import Runtime
from reconciler.engine.wait import WaitPolicy, poll
from reconciler.errors import GenerationTimedOut


class SteppingClock:
    """A clock whose sleep moves time forward instantly, recording each pause."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 23, tzinfo=UTC)
        self.pauses: list[float] = []

    def now(self) -> datetime:
        return self.moment

    async def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.moment += timedelta(seconds=seconds)


async def test_poll_notices_the_end_within_a_tenth_of_the_time_waited() -> None:
    clock = SteppingClock()
    finish = clock.moment + timedelta(seconds=300)

    async def read() -> datetime:
        return clock.now()

    ended = await poll(
        read,
        lambda t: t >= finish,
        clock=clock,
        policy=WaitPolicy(timeout=900),
        what="x",
        rng=random.Random(1),
    )
    overshoot = (ended - finish).total_seconds()
    assert 0 <= overshoot <= 0.1 * 300 * 1.1
    assert max(clock.pauses) <= 10 * 1.1
    assert len(clock.pauses) < 60
    waited, policy = 0.0, WaitPolicy()
    for pause in clock.pauses:  # each pause at most a tenth of the time waited (1 s at first)
        assert pause <= max(policy.min_delay, 0.1 * waited)
        waited += pause


async def test_poll_times_out_with_a_message_saying_the_next_run_picks_it_up() -> None:
    clock = SteppingClock()

    async def read() -> str:
        return "GENERATING"

    with pytest.raises(GenerationTimedOut, match="still not finished after 60 s.*next plan/apply"):
        await poll(
            read,
            lambda s: False,
            clock=clock,
            policy=WaitPolicy(timeout=60),
            what="the plan",
            rng=random.Random(3),
        )
    waited = (clock.now() - datetime(2026, 11, 23, tzinfo=UTC)).total_seconds()
    assert 60 <= waited <= 60.1


async def test_the_last_read_is_at_the_deadline_and_then_the_wait_ends() -> None:
    """Reads every 3 s of a 10-second wait: at 0, 3, 6, 9, and the last one at 10 exactly."""
    clock = SteppingClock()
    reads: list[datetime] = []

    async def read() -> str:
        reads.append(clock.now())
        return "GENERATING"

    policy = WaitPolicy(timeout=10, min_delay=3, max_delay=3, jitter=0)
    with pytest.raises(GenerationTimedOut):
        await poll(read, lambda s: False, clock=clock, policy=policy, what="the plan")
    assert [(t - reads[0]).total_seconds() for t in reads] == [0, 3, 6, 9, 10]


async def test_the_real_clock_waits_between_two_reads() -> None:
    """A run without an injected clock (every real one) polls on the system clock."""
    answers = iter(["GENERATING", "ACTIVE"])

    async def read() -> str:
        return next(answers)

    policy = WaitPolicy(timeout=60, min_delay=0, max_delay=0)
    seen = await poll(read, lambda s: s == "ACTIVE", clock=SystemClock(), policy=policy, what="x")
    assert seen == "ACTIVE"


async def test_the_runtime_s_minimum_pause_holds_between_reads() -> None:
    """The in-process emulator's runs poll every 0.2 s, Wix's every second at least: the
    runtime's minimum reaches the wait (here 5 s: three reads of a 12-second generation)."""
    clock = SteppingClock()
    finish = clock.moment + timedelta(seconds=12)

    async def read() -> datetime:
        return clock.now()

    policy = Runtime(journal=MemoryJournal(), min_poll_delay=5.0).wait_policy(60)
    await poll(
        read, lambda t: t >= finish, clock=clock, policy=policy, what="x", rng=random.Random(1)
    )
    assert len(clock.pauses) == 3 and min(clock.pauses) >= 5.0 * (1 - policy.jitter)
