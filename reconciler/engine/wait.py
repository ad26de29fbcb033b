"""Poll Wix until asynchronous work ends, to a deadline, with jittered backoff.

The delay between polls grows with the time already waited (a tenth of it, between
`min_delay` and `max_delay`), so apply notices the end of a generation late by at most about
10% of its duration while a long generation costs few requests (Wix allows about 200 a
minute per app instance, SPEC.md §1.7).
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from reconciler.engine.clock import Clock
from reconciler.errors import GenerationTimedOut
from reconciler.model.plan_state import GENERATING, Activity, PlanState
from reconciler.wix import polling

T = TypeVar("T")


@dataclass(frozen=True)
class WaitPolicy:
    """How patiently to poll."""

    timeout: float = 900.0
    min_delay: float = 1.0
    max_delay: float = 10.0
    share: float = 0.1
    jitter: float = 0.1

    def delay(self, waited: float, rng: random.Random) -> float:
        """The pause before the next poll, after `waited` seconds.

        The jitter only ever shortens the pause: a longer one would notice the end more
        than `share` of the time waited late.
        """
        base = min(self.max_delay, max(self.min_delay, waited * self.share))
        return base * (1 - rng.uniform(0, self.jitter))


async def poll(
    read: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    clock: Clock,
    policy: WaitPolicy,
    what: str,
    on_poll: Callable[[T, float], None] | None = None,
    rng: random.Random | None = None,
) -> T:
    """Call `read` until `done(result)`; raise GenerationTimedOut at the deadline."""
    rng = rng or random.Random()
    start = clock.now()
    while True:
        with polling():  # the client sends these after every request that moves a site on
            result = await read()
        waited = (clock.now() - start).total_seconds()
        if on_poll is not None:
            on_poll(result, waited)
        if done(result):
            return result
        if waited >= policy.timeout:
            raise GenerationTimedOut(
                f"{what} still not finished after {waited:.0f} s (policy.wait.timeout): "
                "its state is unknown; the next plan/apply picks it up"
            )
        await clock.sleep(min(policy.delay(waited, rng), max(policy.timeout - waited, 0.01)))


def generation_over(plan: PlanState) -> bool:
    """A plan generation has ended (ACTIVE, FAILED, or anything but GENERATING)."""
    return plan.status != GENERATING


def posts_ready(wanted: Sequence[str]) -> Callable[[Sequence[Activity]], bool]:
    """A predicate: every wanted activity has at least one post draft."""

    def ready(activities: Sequence[Activity]) -> bool:
        have = {a.id for a in activities if a.has_posts}
        return all(i in have for i in wanted)

    return ready
