"""When and how long to wait before sending a failed request again.

A pure schedule (`retry_delay`) and the one wrapper that applies it (`with_retries`).

What is retried, up to `RetryPolicy.max_attempts` tries in all (then the last error is
raised unchanged):

* Idempotent methods (all GETs, QueryEvents, GetMarketingActivityPosts,
  UpsertMarketingSettings, UpdateEvent, UpdateMarketingActivity, DeleteEvent,
  DeleteMarketingPlan, DeletePlanMarketingActivity, Clear*, Update*Media): on 429, on
  any 5xx and on any `ApiUnreachable` (refused, reset, timed out).
* Non-idempotent methods (CreateEvent, CreateMarketingActivity, Generate/Regenerate*,
  GenerateSocialPosts, ScheduleDrafts, RegenerateMarketingActivity*): ONLY when the
  server provably did not act, that is on 429 and when the connection could not be made
  (httpx ConnectError, ConnectTimeout, PoolTimeout: no byte was sent). A 5xx, a read
  timeout or a disconnect after sending is raised at once, because the server may have
  acted and a second send could create a second event or start a second generation.
  `responses.may_have_been_applied(error)` tells the caller which case it is in.

How long: a 429 with `Retry-After` waits exactly that long, or is raised at once when
the server asks for more than `max_retry_after`; everything else waits a full-jitter
exponential backoff, uniform(0, min(max_delay, base_delay * 2**n)) before retry n
(n = 0 for the first retry). Each retry is logged at WARNING on "reconciler.wix".
"""

from __future__ import annotations

import logging
import random as _random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from reconciler.errors import (
    ApiError,
    ApiUnreachable,
    PermanentApiError,
    RateLimited,
    ServerError,
    TransientApiError,
)

from .responses import may_have_been_applied, never_sent

log = logging.getLogger("reconciler.wix")

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

_MAX_EXPONENT = 60  # 2**60 * any sane base is far above max_delay; avoids float overflow


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to try and how long to wait in between."""

    max_attempts: int = 5
    """Total tries, including the first; 1 disables retries."""
    base_delay: float = 0.5
    """Seconds; the backoff cap before retry n is min(max_delay, base_delay * 2**n)."""
    max_delay: float = 20.0
    """Seconds; no backoff wait is longer than this."""
    max_retry_after: float = 60.0
    """Seconds; a 429 asking to wait longer is raised as RateLimited instead of waited for."""
    random: Callable[[], float] = field(default=_random.random, repr=False, compare=False)
    """A float in [0, 1) per wait; injectable so tests get a fixed jitter."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.max_retry_after) < 0:
            raise ValueError("delays must not be negative")


def backoff_cap(policy: RetryPolicy, retry: int) -> float:
    """The longest backoff wait before retry number `retry` (0 = the first retry)."""
    return min(policy.max_delay, policy.base_delay * 2.0 ** min(retry, _MAX_EXPONENT))


def is_retryable(error: ApiError, *, idempotent: bool) -> bool:
    """Whether `error` may be retried for a method of this kind (see the module docstring)."""
    if isinstance(error, RateLimited):
        return True
    if idempotent:
        return isinstance(error, ServerError | ApiUnreachable)
    return never_sent(error)


def retry_delay(
    policy: RetryPolicy, error: ApiError, attempt: int, *, idempotent: bool
) -> float | None:
    """Seconds to wait before try `attempt + 1`, or None when `error` must be raised now.

    `attempt` counts the tries made so far (1 after the first failure).
    """
    if attempt >= policy.max_attempts or not is_retryable(error, idempotent=idempotent):
        return None
    if isinstance(error, RateLimited) and error.retry_after is not None:
        return error.retry_after if error.retry_after <= policy.max_retry_after else None
    return policy.random() * backoff_cap(policy, attempt - 1)


async def with_retries(
    send: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    idempotent: bool,
    sleep: Sleep,
    label: str,
    gone: tuple[int, Callable[[], T]] | None = None,
) -> T:
    """`await send()`, trying again per `policy`; raises the last error when giving up.

    `label` ("VERB /path") names the request in the log; it must hold no secret.
    `gone` = (status, result): for a delete, a retry answered `status` after an earlier try
    that may have been applied means the earlier try deleted it: `result()` is returned.
    """
    attempt = 1
    maybe_done = False
    while True:
        try:
            return await send()
        except TransientApiError as error:
            delay = retry_delay(policy, error, attempt, idempotent=idempotent)
            if delay is None:
                raise
            _log_retry(label, error, attempt, delay, policy)
            maybe_done = maybe_done or may_have_been_applied(error)
            await sleep(delay)
            attempt += 1
        except PermanentApiError as error:
            if not (maybe_done and gone is not None and error.status == gone[0]):
                raise
            log.warning("%s: HTTP %s on a retry: the earlier try had done it", label, error.status)
            return gone[1]()


def _log_retry(
    label: str, error: ApiError, attempt: int, delay: float, policy: RetryPolicy
) -> None:
    cause = f"HTTP {error.status}" if error.status is not None else error.message
    log.warning(
        "%s failed (%s); try %d of %d in %.2f s",
        label,
        cause,
        attempt + 1,
        policy.max_attempts,
        delay,
    )
