"""Faults over a real socket: throttling, 5xx, disconnects and timeouts, and the retries."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from reconciler.emulator import Emulator, FaultRule, ManualClock
from reconciler.errors import ApiError, ApiUnreachable, RateLimited, ServerError
from reconciler.wix import RetryPolicy, SiteClient, WixClient, may_have_been_applied

from .support import SITE, TODAY, Sleeps, active_plan, logged


async def test_429_with_retry_after_then_success(
    site: SiteClient, emulator: Emulator, sleeps: Sleeps
) -> None:
    emulator.add_fault(FaultRule(method="GET", path="/marketing-plan", status=429, retry_after=2))
    plan = await site.get_social_marketing_plan()
    assert plan.status == "NEVER_CREATED"
    records = logged(emulator, "GetSocialMarketingPlan")
    assert [r.status for r in records] == [429, 200]
    assert sleeps.calls == [2.0]  # waited exactly Retry-After


async def test_429_on_a_non_idempotent_call_is_retried_once_applied(
    site: SiteClient, emulator: Emulator, sleeps: Sleeps
) -> None:
    emulator.add_fault(FaultRule(path="generate-marketing-plan", status=429, retry_after=1))
    assert await site.generate_marketing_plan() == "GENERATING"
    assert [r.status for r in logged(emulator, "GenerateMarketingPlan")] == [429, 200]
    assert sleeps.calls == [1.0]


async def test_429_asking_too_long_is_raised(
    emulator: Emulator, base_url: str, sleeps: Sleeps
) -> None:
    emulator.add_fault(FaultRule(path="/marketing-settings", status=429, retry_after=120))
    async with WixClient(base_url=base_url, api_key="k", sleep=sleeps) as client:
        with pytest.raises(RateLimited) as caught:
            await client.site(SITE).get_marketing_settings()
    assert caught.value.retry_after == 120
    assert caught.value.code == "RESOURCE_EXHAUSTED"
    assert not may_have_been_applied(caught.value)
    assert sleeps.calls == []


async def test_503_on_a_get_is_retried_until_success(
    site: SiteClient, emulator: Emulator, sleeps: Sleeps
) -> None:
    emulator.add_fault(FaultRule(method="GET", path="/marketing-settings", status=503, times=2))
    stored = await site.get_marketing_settings()
    assert stored.id == SITE
    assert [r.status for r in logged(emulator, "GetMarketingSettings")] == [503, 503, 200]
    assert len(sleeps.calls) == 2  # backoff, no real wait


async def test_503_forever_gives_up_after_max_attempts(
    site: SiteClient, emulator: Emulator
) -> None:
    emulator.add_fault(FaultRule(path="/events/query", status=503, times=None))
    with pytest.raises(ServerError) as caught:
        await site.query_events(TODAY, TODAY + timedelta(days=1))
    assert caught.value.status == 503
    assert caught.value.request_id
    assert len(logged(emulator, "QueryEvents")) == 3


async def test_500_on_create_event_is_not_retried(
    site: SiteClient, emulator: Emulator, sleeps: Sleeps
) -> None:
    emulator.add_fault(
        FaultRule(method="POST", path="/events", status=500, after_backend=True, times=1)
    )
    with pytest.raises(ServerError) as caught:
        await site.create_event({"name": "Launch", "date": TODAY + timedelta(days=2)})
    error = caught.value
    assert error.status == 500
    assert error.request_id
    assert may_have_been_applied(error)
    assert len(logged(emulator, "CreateEvent")) == 1
    assert sleeps.calls == []
    # ...and indeed it was applied: a blind re-send would have made a duplicate
    found = await site.query_events(TODAY, TODAY + timedelta(days=3))
    assert "Launch" in [e.name for e in found]
    assert [e.name for e in found].count("Launch") == 1


async def test_disconnect_on_a_non_idempotent_call_is_unreachable(
    site: SiteClient, emulator: Emulator
) -> None:
    emulator.add_fault(FaultRule(path="generate-marketing-plan", disconnect=True))
    with pytest.raises(ApiUnreachable) as caught:
        await site.generate_marketing_plan()
    assert may_have_been_applied(caught.value)  # the request was sent before the drop
    (record,) = logged(emulator, "GenerateMarketingPlan")
    assert record.status == 0 and record.fault == "disconnect"


async def test_disconnect_on_a_get_is_retried(site: SiteClient, emulator: Emulator) -> None:
    emulator.add_fault(FaultRule(method="GET", path="/marketing-plan", disconnect=True))
    assert (await site.get_social_marketing_plan()).status == "NEVER_CREATED"
    assert [r.status for r in logged(emulator, "GetSocialMarketingPlan")] == [0, 200]


async def test_disconnect_every_time_is_unreachable(site: SiteClient, emulator: Emulator) -> None:
    emulator.add_fault(FaultRule(path="/marketing-settings", disconnect=True, times=None))
    with pytest.raises(ApiUnreachable):
        await site.get_marketing_settings()
    assert len(logged(emulator, "GetMarketingSettings")) == 3


async def test_slow_answer_past_the_timeout_is_unreachable(
    emulator: Emulator, base_url: str, sleeps: Sleeps
) -> None:
    emulator.add_fault(FaultRule(path="/marketing-settings", delay_seconds=0.5, times=None))
    retry = RetryPolicy(max_attempts=2)
    async with WixClient(
        base_url=base_url, api_key="k", timeout=0.1, retry=retry, sleep=sleeps
    ) as client:
        # The delayed answer is a 200: had the client waited for the server instead of
        # giving up at its own timeout, this call would have succeeded.
        with pytest.raises(ApiUnreachable) as caught:
            await client.site(SITE).get_marketing_settings()
    assert "within 0.1 s" in str(caught.value)
    assert may_have_been_applied(caught.value)
    assert len(sleeps.calls) == 1  # a GET timing out is retried once, then raised
    # let the server finish the abandoned requests before the next test resets it
    deadline = time.monotonic() + 3
    while len(logged(emulator, "GetMarketingSettings")) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(logged(emulator, "GetMarketingSettings")) == 2


async def test_rate_limit_window_is_waited_out(
    emulator: Emulator, base_url: str, clock: ManualClock
) -> None:
    """The emulator's own limiter (SPEC §1.7): a client whose sleep moves the clock gets through."""
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock.advance(seconds)

    emulator.configure(rate_limit_per_minute=3)
    async with WixClient(base_url=base_url, api_key="k", sleep=sleep) as client:
        site = client.site(SITE)
        for _ in range(3):
            await site.get_marketing_settings()
        stored = await site.get_marketing_settings()
    assert stored.id == SITE
    assert waited == [60.0]
    assert [r.status for r in logged(emulator, "GetMarketingSettings")] == [200] * 3 + [429, 200]


# --- retries of "idempotent" deletes whose first answer was lost ------------------------------
# The client retries DeleteEvent and DeletePlanMarketingActivity after a 5xx or a disconnect
# (reconciler/wix/endpoints.py marks them idempotent). The state effect is idempotent, but the
# answer is not: SPEC §3.4.3 makes a second DeleteEvent a 428 (unknown id) and SPEC §5.25 makes
# a second DeletePlanMarketingActivity a 404. A user must not be told "refused, nothing was
# applied" about a delete that was applied.


async def test_delete_event_retried_after_a_lost_answer(
    site: SiteClient, emulator: Emulator
) -> None:
    event = await site.create_event({"name": "Sale", "date": TODAY + timedelta(days=2)})
    assert event.id
    emulator.add_fault(
        FaultRule(method="DELETE", path="/events/", status=503, after_backend=True)
    )
    try:
        await site.delete_event(event.id)
    except ApiError as error:
        assert may_have_been_applied(error), f"{type(error).__name__}: {error}"
    found = await site.query_events(TODAY, TODAY + timedelta(days=3))
    assert event.id not in {e.id for e in found}


async def test_delete_activity_retried_after_a_lost_answer(
    site: SiteClient, emulator: Emulator, clock: ManualClock
) -> None:
    plan = await active_plan(site, clock)
    activity_id = plan.marketing_activities[0].marketing_activity_id
    emulator.add_fault(FaultRule(
        method="DELETE", path="plan-marketing-activity", disconnect=True, after_backend=True
    ))
    try:
        await site.delete_plan_marketing_activity(activity_id)
    except ApiError as error:
        assert may_have_been_applied(error), f"{type(error).__name__}: {error}"
    after = await site.get_social_marketing_plan()
    assert activity_id not in {a.marketing_activity_id for a in after.marketing_activities}
