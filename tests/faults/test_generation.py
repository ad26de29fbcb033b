"""The plan's own troubles: a FAILED or endless generation, a plan already GENERATING or
INACTIVE, an unpublished site, a channel that is not connected."""

from __future__ import annotations

from reconciler.cli import exitcodes
from tests.faults.conftest import SITE, SITE_BODY, Harness

SETTINGS = {"toneOfVoice": "warm and playful", "socialChannels": ["FACEBOOK", "INSTAGRAM"]}
LIVE_EVENTS = [
    {"name": "Black Friday Sale", "date": "2026-11-27T09:00:00Z"},
    {
        "name": "Fresh Bread Friday",
        "recurringRule": {"frequency": "WEEKLY", "startDate": "2026-11-06T08:00:00Z"},
    },
]


def test_a_generation_that_ends_failed_every_time_is_reported_then_healed(
    harness: Harness,
) -> None:
    harness.seed(failNextGenerations=2)
    result = harness.apply()
    assert result.code == exitcodes.ERROR
    assert "plan generation FAILED (try 1 of 2)" in result.out
    assert "the plan generation FAILED 2 time(s): check that the site is published, " in result.out
    assert "then run apply again (it will generate again)" in result.out
    assert harness.plan_status() == "FAILED"
    harness.assert_no_duplicates(plan_starts=2)  # policy.wait.maxAttempts, never more
    finishing = harness.assert_converges()
    assert "plan FAILED: generate" in finishing.out
    assert "+ settings." not in finishing.out and "event create" not in finishing.out
    harness.assert_no_duplicates(plan_starts=3)


def test_one_failed_generation_is_generated_again_within_the_same_apply(
    harness: Harness,
) -> None:
    harness.seed(failNextGenerations=1)
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert "! warning: plan generation FAILED (try 1 of 2)" in result.out
    harness.assert_no_duplicates(plan_starts=2)
    harness.assert_settled()


def test_a_generation_still_running_at_the_deadline_exits_5_and_is_not_started_again(
    harness: Harness,
) -> None:
    harness.seed()
    harness.site_file = harness.write(SITE_BODY + "policy:\n  wait: {timeout: 30s}\n")
    result = harness.apply()
    assert result.code == exitcodes.TIMED_OUT, result.text
    assert "timed_out" in result.out
    assert "the plan generation still not finished after 30 s (policy.wait.timeout)" in result.out
    assert "its state is unknown; the next plan/apply picks it up" in result.out
    assert harness.plan_status() == "GENERATING"

    still = harness.apply()  # run again while it is still going: wait again, start nothing
    assert still.code == exitcodes.TIMED_OUT
    assert "plan GENERATING: wait for the running generation" in still.out
    harness.assert_no_duplicates(plan_starts=1)

    harness.emulator.clock.advance(120)  # the generation ends
    finishing = harness.assert_converges()
    assert "plan: GenerateMarketingPlan started" not in finishing.out
    harness.assert_no_duplicates(plan_starts=1)


def test_a_plan_already_generating_is_waited_for_then_regenerated_once(
    harness: Harness,
) -> None:
    harness.seed(
        settings={**SETTINGS, "toneOfVoice": "dry"},
        events=LIVE_EVENTS,
        plan={"status": "GENERATING"},
    )
    plan = harness.plan()
    assert "plan GENERATING: wait for the running generation" in plan.out
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert "plan: RegenerateMarketingPlan started" in result.out
    writes = harness.operations()
    assert writes.count("RegenerateMarketingPlan") == 1
    assert all(r.status != 428 for r in harness.emulator.writes())  # nothing stacked
    assert writes.index("UpsertMarketingSettings") < writes.index("RegenerateMarketingPlan")
    harness.assert_settled()


def test_an_inactive_plan_is_reactivated_by_one_regenerate(harness: Harness) -> None:
    harness.seed(settings=SETTINGS, events=LIVE_EVENTS, plan={"status": "INACTIVE"})
    plan = harness.plan("--detailed-exitcode")
    assert plan.code == exitcodes.CHANGES
    assert "plan INACTIVE: regenerate" in plan.out
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert harness.plan_status() == "ACTIVE"
    assert [op for op in harness.operations() if "Marketing" in op and "Plan" in op] == [
        "RegenerateMarketingPlan"
    ]
    assert "UpsertMarketingSettings" not in harness.operations()
    assert "CreateEvent" not in harness.operations()
    harness.assert_settled()


def test_an_unpublished_site_whose_generation_fails_says_to_publish_it(harness: Harness) -> None:
    harness.seed(published=False, unpublishedOutcome="FAILED")
    result = harness.apply()
    assert result.code == exitcodes.ERROR
    assert "check that the site is published" in result.out
    harness.assert_no_duplicates(plan_starts=2)
    harness.emulator.site(SITE).profile.published = True  # the owner publishes the site
    harness.assert_converges()
    harness.assert_no_duplicates(plan_starts=3)


def test_an_unpublished_site_whose_plan_has_no_posts_warns(harness: Harness) -> None:
    harness.seed(published=False, unpublishedOutcome="ACTIVE_WITHOUT_POSTS")
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert (
        "  ! warning: the plan is ACTIVE but has no posts: the site may be unpublished "
        "(generation reads the published site) or social marketing may be off\n"
    ) in result.out
    harness.assert_no_duplicates()
    harness.assert_settled()


def test_a_channel_that_is_not_connected_leaves_its_drafts_and_says_how_to_connect(
    harness: Harness,
) -> None:
    harness.seed()  # FACEBOOK connected, INSTAGRAM not
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert "INSTAGRAM draft(s) left as drafts" in result.out
    assert (
        "INSTAGRAM is not connected: connect it in the site's dashboard "
        "(Marketing → Social Media Marketing → connect accounts), then run apply again"
    ) in result.out
    sent = [d for r in harness.committed("ScheduleDrafts") for d in r.body["draftIds"]]
    assert len(sent) == len(set(sent))
    harness.assert_no_duplicates()
    harness.assert_settled()  # nothing is retried while the channel stays unconnected

    # The owner connects Instagram; its existing drafts carry the account from now on.
    harness.emulator.connect_channel(SITE, "INSTAGRAM")
    before = len(harness.emulator.writes())
    finishing = harness.apply()
    assert finishing.code == exitcodes.OK, finishing.text
    assert [r.operation for r in harness.emulator.writes()[before:]] == ["ScheduleDrafts"]
    assert "INSTAGRAM" in finishing.out.split("drafts: scheduled")[1].splitlines()[0]
    harness.assert_no_duplicates()
    harness.assert_settled()
