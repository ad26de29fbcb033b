"""A plan already GENERATING when apply comes: apply waits for it (and says so), then decides
again with everything it knew before the wait: --no-regenerate, and the keyword research an
earlier cut run left due."""

from __future__ import annotations

from reconciler.cli import exitcodes
from reconciler.cli.app import Hooks
from reconciler.emulator import FaultRule
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.runtime import Runtime
from tests.conftest import EmulatorTime
from tests.faults.conftest import SITE, EndsWith, Harness

SETTINGS = {"toneOfVoice": "dry", "topics": {"included": ["sourdough"]}}
BODY = """settings:
  toneOfVoice: {tone}
  topics: {{included: [{topic}]}}
policy:
  wait: {{timeout: {timeout}}}
  schedule: {{enabled: false}}
"""


LAUNCH = """events:
  - name: Rye Launch
    date: "2026-12-03T09:00:00Z"
"""


def body(tone: str = "dry", topic: str = "sourdough", timeout: str = "15m") -> str:
    return BODY.format(tone=tone, topic=topic, timeout=timeout)


def plan_starts(harness: Harness) -> list[str]:
    return [op for op in harness.operations() if "MarketingPlan" in op]


def test_a_generation_still_running_at_the_timeout_ends_apply_with_exit_5(
    harness: Harness, shown: list[str]
) -> None:
    harness.seed(plan={"status": "GENERATING"}, settings=SETTINGS)
    harness.site_file = harness.write(body(timeout="30s"))
    result = harness.apply()
    assert result.code == exitcodes.TIMED_OUT, result.text
    assert (
        "  ! error: the generation already running still not finished after 30 s "
        "(policy.wait.timeout): its state is unknown; the next plan/apply picks it up"
    ) in result.out.splitlines()
    waits = [line for line in shown if "GENERATING" in line or "waiting" in line]
    assert waits[0] == "11111111: waiting for the running generation"
    assert waits[1:] and all(
        line.startswith("11111111: plan GENERATING after ") for line in waits[1:]
    )
    assert waits[-1] == "11111111: plan GENERATING after 30s"
    assert plan_starts(harness) == []


def test_no_regenerate_still_holds_after_waiting_for_a_running_generation(
    harness: Harness,
) -> None:
    harness.seed(plan={"status": "GENERATING"}, settings=SETTINGS)
    harness.site_file = harness.write(body(tone="warm"))
    result = harness.apply("--no-regenerate")
    assert result.code == exitcodes.OK, result.text
    assert (
        "  not done: RegenerateMarketingPlan skipped: --no-regenerate was given"
        in result.out.splitlines()
    )
    assert plan_starts(harness) == []


def test_keyword_research_left_due_is_run_after_waiting_for_someone_else_s_generation(
    harness: Harness,
) -> None:
    harness.seed(plan={"status": "ACTIVE"}, settings=SETTINGS)
    harness.site_file = harness.write(body(topic="rye") + LAUNCH)
    harness.emulator.add_fault(EndsWith(method="POST", path="/events", status=500, times=None))
    assert harness.apply().code == exitcodes.ERROR  # topics written, then cut before the plan
    harness.emulator.clear_faults()
    site = harness.emulator.site(SITE)
    harness.emulator.backend.generate(site, "regenerate")  # someone else, from the dashboard

    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    assert "  done: plan: RegenerateMarketingPlanWithKeywordResearch started" in result.out
    assert plan_starts(harness) == ["RegenerateMarketingPlanWithKeywordResearch"]
    harness.assert_settled()


def someone_else_starts_a_generation_while_apply_writes(
    harness: Harness, engine_time: EmulatorTime, journal: MemoryJournal
) -> None:
    """Between apply's read (ACTIVE) and its own start, a generation starts from the dashboard."""

    def progress(site_id: str, message: str) -> None:
        if message == "applying":
            harness.emulator.backend.generate(harness.emulator.site(SITE), "regenerate")

    harness.hooks = Hooks(
        client=harness.hooks.client,
        runtime=lambda: Runtime(
            clock=engine_time, journal=journal, min_poll_delay=5.0, progress=progress
        ),
    )


def test_a_generation_someone_else_started_first_is_waited_for_then_ours_runs(
    harness: Harness, engine_time: EmulatorTime, journal: MemoryJournal
) -> None:
    harness.seed(plan={"status": "ACTIVE"}, settings=SETTINGS)
    harness.site_file = harness.write(body(tone="warm", timeout="30s"))
    someone_else_starts_a_generation_while_apply_writes(harness, engine_time, journal)
    result = harness.apply()
    assert result.code == exitcodes.TIMED_OUT, result.text
    assert (
        "  ! error: a generation started by someone else still not finished after 30 s "
        "(policy.wait.timeout): its state is unknown; the next plan/apply picks it up"
    ) in result.out.splitlines()
    refused = [r.status for r in harness.emulator.writes() if "Regenerate" in (r.operation or "")]
    assert refused == [428]  # PLAN_ALREADY_GENERATING: nothing stacked


def test_a_start_wix_refuses_fails_even_while_another_generation_runs(
    harness: Harness, engine_time: EmulatorTime, journal: MemoryJournal
) -> None:
    """A 400 is a finished refusal: apply does not take the other generation for its own."""
    harness.seed(plan={"status": "ACTIVE"}, settings=SETTINGS)
    harness.site_file = harness.write(body(tone="warm"))
    someone_else_starts_a_generation_while_apply_writes(harness, engine_time, journal)
    harness.emulator.add_fault(FaultRule(path="/regenerate-marketing-plan", status=400))
    result = harness.apply()
    assert result.code == exitcodes.ERROR, result.text
    assert "  done: plan: RegenerateMarketingPlan started" not in result.out.splitlines()


def test_a_site_with_nothing_to_do_but_a_skipped_regenerate_says_it_was_skipped(
    harness: Harness,
) -> None:
    """Another site has changes, so apply runs: this one's report still says what it skipped."""
    other = "99999999-2222-4333-8444-555555555555"
    live = {"connectedChannels": ["FACEBOOK"], "settings": {"toneOfVoice": "dry"}}
    harness.emulator.load_fixtures(
        {
            "sites": [
                {"id": SITE, "plan": {"status": "INACTIVE"}, **live},
                {"id": other, "plan": {"status": "ACTIVE"}, **live},
            ]
        }
    )
    never = "policy:\n  regenerate: never\n  schedule: {enabled: false}\n"
    harness.write("settings:\n  toneOfVoice: dry\n" + never)
    harness.write("settings:\n  toneOfVoice: warm\n" + never, name="other.yaml", site_id=other)
    result = harness.mpr("apply", str(harness.folder), "--auto-approve")
    assert result.code == exitcodes.OK, result.text
    assert (  # both sites skipped it: the unchanged one too (the harness names both alike)
        "! note on 2 site(s) (Crumb & Co, Crumb & Co): RegenerateMarketingPlan skipped: "
        "policy.regenerate is never: run it by hand or change the policy"
    ) in result.out.splitlines()
    assert plan_starts(harness) == []
