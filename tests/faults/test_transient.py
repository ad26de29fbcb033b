"""Throttling, server errors and dropped connections during `mpr apply`.

For each: the documented exit code, a message saying what happened and what to do, no
event created twice and no second settings body, and a second apply (fault cleared) that
finishes without redoing anything, after which nothing is left to do.
"""

from __future__ import annotations

from reconciler.cli import exitcodes
from reconciler.emulator import FaultRule
from tests.faults.conftest import MAX_ATTEMPTS, SITE, SITE_BODY, EndsWith, Harness

SETTINGS_PATH = "/marketing-settings"
RETRY_AGAIN = "run the same command again"


# --- 429 with Retry-After ------------------------------------------------------------------


def test_a_burst_of_429s_is_waited_out_exactly_as_retry_after_says(harness: Harness) -> None:
    harness.seed()
    harness.emulator.add_fault(FaultRule(status=429, retry_after=7, times=3))
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert "Crumb & Co (11111111-2222-4333-8444-555555555555): applied" in result.out
    assert harness.pauses.seconds == [7.0, 7.0, 7.0]
    assert [r.status for r in harness.emulator.requests].count(429) == 3
    harness.assert_no_duplicates()
    harness.assert_settled()


def test_429s_on_writes_are_sent_again_once_because_wix_did_not_act(harness: Harness) -> None:
    harness.seed()
    harness.emulator.add_fault(EndsWith(method="POST", path="/events", status=429, times=2))
    harness.emulator.add_fault(FaultRule(path="generate-marketing-plan", status=429, times=1))
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert harness.pauses.seconds == [1.0, 1.0, 1.0]  # the emulator's default Retry-After
    harness.assert_no_duplicates()
    harness.assert_settled()


def test_429s_that_outlast_the_retries_fail_the_site_and_say_what_to_do(harness: Harness) -> None:
    harness.seed()
    harness.emulator.add_fault(FaultRule(status=429, retry_after=2, times=None))
    result = harness.apply()
    assert result.code == exitcodes.ERROR
    assert "! error: GET /promote/marketing-plan-service/v1/marketing-" in result.out
    assert "HTTP 429 → RESOURCE_EXHAUSTED" in result.out
    assert "Wix is throttling requests: wait a minute, then" in result.out
    assert RETRY_AGAIN in result.out
    assert harness.emulator.writes() == []
    # bounded: each of the three reads was tried MAX_ATTEMPTS times, never more
    assert len(harness.emulator.requests) == 3 * MAX_ATTEMPTS
    harness.assert_converges()
    harness.assert_no_duplicates()


def test_a_retry_after_longer_than_a_minute_is_not_waited_for(harness: Harness) -> None:
    harness.seed()
    harness.emulator.add_fault(EndsWith(method="POST", path="/events", status=429, retry_after=600))
    result = harness.apply()
    assert result.code == exitcodes.ERROR
    assert "Wix asked to wait 600 s" in result.out
    assert harness.pauses.seconds == []
    assert harness.committed("CreateEvent") == []
    assert "event created" not in result.out
    harness.assert_converges()
    harness.assert_no_duplicates()


def test_the_per_site_rate_limit_is_ridden_out_without_a_duplicate(harness: Harness) -> None:
    harness.seed()
    harness.emulator.configure(rate_limit_per_minute=4)
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert 60.0 in harness.pauses.seconds
    harness.assert_no_duplicates()
    harness.assert_settled()


# --- 5xx -----------------------------------------------------------------------------------


def test_503s_on_reads_are_retried_with_backoff(harness: Harness) -> None:
    harness.seed()
    harness.emulator.add_fault(FaultRule(method="GET", status=503, times=3))
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert len(harness.pauses.seconds) == 3
    harness.assert_no_duplicates()
    harness.assert_settled()


def test_an_outage_fails_fast_without_writing_and_says_what_to_do(harness: Harness) -> None:
    harness.seed()
    harness.emulator.add_fault(FaultRule(status=503, times=None))
    result = harness.apply()
    assert result.code == exitcodes.ERROR
    assert "HTTP 503: the Wix service failed" in result.out
    assert "The failure is on Wix's side: wait a while" in result.out
    assert RETRY_AGAIN in result.out
    assert "Apply: 1 site(s): 0 changed, 1 failed" in result.out
    assert len(harness.emulator.requests) == 3 * MAX_ATTEMPTS  # never loops on an outage
    assert harness.emulator.writes() == []
    harness.assert_converges()
    harness.assert_no_duplicates()


def test_a_500_on_create_event_before_wix_acted_is_looked_at_then_sent_once(
    harness: Harness,
) -> None:
    harness.seed()
    harness.emulator.add_fault(EndsWith(method="POST", path="/events", status=500))
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    statuses = [r.status for r in harness.emulator.writes() if r.operation == "CreateEvent"]
    assert statuses == [500, 200, 200]
    harness.assert_no_duplicates()
    harness.assert_settled()


def test_a_500_on_create_event_after_wix_acted_is_never_sent_again(harness: Harness) -> None:
    harness.seed()
    harness.emulator.add_fault(
        EndsWith(method="POST", path="/events", status=500, after_backend=True)
    )
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert "event created: Black Friday Sale" in result.out
    harness.assert_no_duplicates(lost_creates=1)
    harness.assert_settled()


def test_a_500_on_the_settings_upsert_after_wix_acted_resends_the_same_body(
    harness: Harness,
) -> None:
    harness.seed()
    harness.emulator.add_fault(
        FaultRule(method="POST", path=SETTINGS_PATH, status=500, after_backend=True)
    )
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    upserts = [r for r in harness.emulator.writes() if r.operation == "UpsertMarketingSettings"]
    assert [r.status for r in upserts] == [500, 200]
    assert upserts[0].body == upserts[1].body
    assert harness.live_settings()["toneOfVoice"] == "warm and playful"
    harness.assert_no_duplicates()
    harness.assert_settled()


def test_a_500_on_generate_after_wix_acted_is_not_started_twice(harness: Harness) -> None:
    harness.seed()
    harness.emulator.add_fault(
        FaultRule(path="generate-marketing-plan", status=500, after_backend=True)
    )
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert "plan: generation ended ACTIVE" in result.out
    harness.assert_no_duplicates(plan_starts=0)  # the one start's answer was the 500
    assert harness.emulator.snapshot(SITE)["plan"]["generations"] == 1
    harness.assert_settled()


def test_a_500_on_generate_before_wix_acted_stops_the_site_and_the_next_apply_generates(
    harness: Harness,
) -> None:
    harness.seed()
    harness.emulator.add_fault(FaultRule(path="generate-marketing-plan", status=500))
    result = harness.apply()
    assert result.code == exitcodes.ERROR
    assert "marketing-plan/generate-marketing-plan → HTTP 500" in result.out
    assert RETRY_AGAIN in result.out
    assert "done: event created: Fresh Bread Friday" in result.out  # what was done is said
    assert harness.plan_status() == "NEVER_CREATED"
    harness.assert_converges()
    harness.assert_no_duplicates()


def test_a_500_on_delete_event_after_wix_acted_still_counts_as_deleted(
    harness: Harness,
) -> None:
    harness.seed(events=[{"name": "Old promo", "date": "2026-12-20T09:00:00Z"}])
    harness.site_file = harness.write(SITE_BODY + "policy:\n  pruneEvents: true\n")
    harness.emulator.add_fault(
        FaultRule(method="DELETE", path="/events/", status=500, after_backend=True)
    )
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert "event deleted: Old promo" in result.out
    harness.assert_no_duplicates()
    harness.assert_settled()


# --- dropped connections -------------------------------------------------------------------


def test_a_dropped_read_is_retried(harness: Harness) -> None:
    harness.seed()
    harness.emulator.add_fault(FaultRule(method="GET", disconnect=True, times=2))
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert [r.fault for r in harness.emulator.requests].count("disconnect") == 2
    harness.assert_no_duplicates()
    harness.assert_settled()


def test_a_create_event_dropped_after_wix_acted_is_found_and_not_sent_again(
    harness: Harness,
) -> None:
    harness.seed()
    harness.emulator.add_fault(
        EndsWith(method="POST", path="/events", disconnect=True, after_backend=True)
    )
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    harness.assert_no_duplicates(lost_creates=1)
    harness.assert_settled()


def test_a_create_event_dropped_before_wix_acted_is_left_to_the_next_apply(
    harness: Harness,
) -> None:
    harness.seed()
    harness.emulator.add_fault(EndsWith(method="POST", path="/events", disconnect=True))
    result = harness.apply()
    assert result.code == exitcodes.ERROR
    assert "lost the connection" in result.out
    assert "'Black Friday Sale' is not there yet and was not sent again" in result.out
    assert RETRY_AGAIN in result.out
    assert len(harness.committed("CreateEvent")) == 0
    finishing = harness.assert_converges()
    assert "event created: Black Friday Sale" in finishing.out
    harness.assert_no_duplicates()


def test_a_dropped_schedule_drafts_is_not_resent_and_the_next_apply_finishes(
    harness: Harness,
) -> None:
    harness.seed()
    harness.emulator.add_fault(
        FaultRule(path="schedule-drafts", disconnect=True, after_backend=True)
    )
    result = harness.apply()
    assert result.code == exitcodes.ERROR
    assert "schedule-drafts" in result.out and RETRY_AGAIN in result.out
    scheduled = len(harness.emulator.writes())
    harness.assert_converges()
    harness.assert_no_duplicates()
    # what the lost ScheduleDrafts did stays done: nothing was scheduled twice
    assert all(
        r.operation != "ScheduleDrafts" or r.status == 200
        for r in harness.emulator.writes()[scheduled:]
    )
