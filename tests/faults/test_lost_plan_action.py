"""A RegenerateMarketingPlan that took effect but whose answer was lost, in a run that then
stopped: the next apply sees from the live plan that it ran, says so, and does not send it
again for that change (only for the new change it brings itself)."""

from __future__ import annotations

from reconciler.cli import exitcodes
from reconciler.cli.app import Hooks
from reconciler.emulator import FaultRule
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.runtime import Runtime
from tests.conftest import EmulatorTime
from tests.faults.conftest import SITE, Harness

OTHER = "99999999-2222-4333-8444-555555555555"
BODY = """settings:
  toneOfVoice: {tone}
policy:
  schedule: {{enabled: false}}
"""


def test_a_regenerate_whose_answer_was_lost_is_seen_to_have_run_and_not_sent_again(
    harness: Harness,
) -> None:
    harness.seed(plan={"status": "ACTIVE"}, settings={"toneOfVoice": "dry"})
    harness.emulator.configure(generation_seconds=0)  # done before mpr can look
    harness.emulator.add_fault(
        FaultRule(path="/regenerate-marketing-plan", disconnect=True, after_backend=True)
    )
    harness.site_file = harness.write(BODY.format(tone="warm"))
    cut = harness.apply()
    assert cut.code == exitcodes.ERROR, cut.text
    assert harness.operations() == ["UpsertMarketingSettings", "RegenerateMarketingPlan"]

    harness.site_file = harness.write(BODY.format(tone="warm and playful"))
    again = harness.apply()
    assert again.code == exitcodes.OK, again.text
    assert [line.strip() for line in again.out.splitlines() if line.startswith("  done:")] == [
        "done: plan: the RegenerateMarketingPlan sent at 2026-11-23T09:00:00.000Z took effect "
        "(its answer was lost); not sent again",
        "done: settings: upserted settings.toneOfVoice",
        "done: plan: RegenerateMarketingPlan started",
        "done: plan: generation ended ACTIVE",
    ]
    assert harness.operations() == ["UpsertMarketingSettings", "RegenerateMarketingPlan"] * 2
    harness.assert_settled()


def test_a_landed_regenerate_is_forgotten_by_a_run_with_nothing_else_to_do(
    harness: Harness, journal: MemoryJournal
) -> None:
    """The journal's record of the lost answer goes once Wix shows the regenerate ran, even
    when the next apply has no write of its own for the site (and so no site apply runs),
    and another site without a record comes before it."""
    live = {"plan": {"status": "ACTIVE"}, "settings": {"toneOfVoice": "dry"}}
    harness.emulator.load_fixtures({"sites": [{"id": SITE, **live}, {"id": OTHER, **live}]})
    harness.emulator.configure(generation_seconds=0)
    harness.emulator.add_fault(
        FaultRule(path="/regenerate-marketing-plan", disconnect=True, after_backend=True)
    )
    harness.write(BODY.format(tone="dry"), name="abbey.yaml", site_id=OTHER)
    harness.site_file = harness.write(BODY.format(tone="warm"))
    assert harness.mpr("apply", str(harness.folder), "--auto-approve").code == exitcodes.ERROR
    recorded = journal.pending(SITE)
    assert recorded is not None and recorded.sent is not None

    again = harness.mpr("apply", str(harness.folder), "--auto-approve")
    assert again.code == exitcodes.OK, again.text
    assert journal.pending(SITE) is None
    assert harness.operations() == ["UpsertMarketingSettings", "RegenerateMarketingPlan"]


def test_a_regenerate_that_reaches_wix_late_is_looked_for_not_sent_twice(
    harness: Harness, engine_time: EmulatorTime, journal: MemoryJournal
) -> None:
    """The cut run's request is still on its way when the next apply starts: apply reads the
    plan again for up to the answer window after the send, sees the generation, sends none."""
    harness.seed(plan={"status": "ACTIVE"}, settings={"toneOfVoice": "dry"})
    harness.emulator.add_fault(FaultRule(path="/regenerate-marketing-plan", disconnect=True))
    harness.site_file = harness.write(BODY.format(tone="warm"))
    assert harness.apply().code == exitcodes.ERROR  # the answer lost, nothing started yet
    assert harness.emulator.site(SITE).plan.status == "ACTIVE"

    shown: list[str] = []

    class LandsWhileLooking(EmulatorTime):
        """The request reaches Wix after apply's first look, before its second."""

        async def sleep(self, seconds: float) -> None:
            if harness.emulator.site(SITE).plan.status == "ACTIVE":
                harness.emulator.backend.generate(harness.emulator.site(SITE), "regenerate")
            await super().sleep(seconds)

    harness.hooks = Hooks(
        client=harness.hooks.client,
        runtime=lambda: Runtime(
            clock=LandsWhileLooking(engine_time.clock),
            journal=journal,
            min_poll_delay=5.0,
            progress=lambda site_id, message: shown.append(f"{site_id}: {message}"),
        ),
    )
    again = harness.apply()
    assert again.code == exitcodes.OK, again.text
    assert f"{SITE}: looking for a plan action sent by a cut run" in shown
    assert [line.strip() for line in again.out.splitlines() if line.startswith("  done:")] == [
        "done: plan: the RegenerateMarketingPlan sent at 2026-11-23T09:00:00.000Z took effect "
        "(its answer was lost); not sent again",
    ]
    assert harness.operations() == ["UpsertMarketingSettings", "RegenerateMarketingPlan"]
    assert journal.pending(SITE) is None


def test_a_regenerate_that_never_reached_wix_is_sent_again_once_the_answer_window_passed(
    harness: Harness,
) -> None:
    harness.seed(plan={"status": "ACTIVE"}, settings={"toneOfVoice": "dry"})
    harness.emulator.add_fault(FaultRule(path="/regenerate-marketing-plan", disconnect=True))
    harness.site_file = harness.write(BODY.format(tone="warm"))
    assert harness.apply().code == exitcodes.ERROR  # lost on the way: Wix never saw it

    again = harness.apply()
    assert again.code == exitcodes.OK, again.text
    sent = [r for r in harness.emulator.writes() if r.operation == "RegenerateMarketingPlan"]
    assert [r.status for r in sent] == [0, 200]
    looked = (sent[1].time - sent[0].time).total_seconds()
    assert round(looked) == 30  # the answer window (Runtime.answer_window), not the policy's 15m
    assert "  done: plan: RegenerateMarketingPlan started" in again.out.splitlines()


def test_a_lost_regenerate_still_due_outlives_a_run_that_skips_it(
    harness: Harness, journal: MemoryJournal
) -> None:
    """A run with --no-regenerate has nothing to do for the site, but the regenerate that
    never reached Wix is still owed: the next plain apply sends it."""
    harness.seed(plan={"status": "ACTIVE"}, settings={"toneOfVoice": "dry"})
    harness.emulator.add_fault(FaultRule(path="/regenerate-marketing-plan", disconnect=True))
    harness.site_file = harness.write(BODY.format(tone="warm"))
    assert harness.apply().code == exitcodes.ERROR  # lost on the way: Wix never saw it
    harness.emulator.clear_faults()

    skipped = harness.apply("--no-regenerate")
    assert skipped.code == exitcodes.OK, skipped.text
    assert "  done: plan: RegenerateMarketingPlan started" not in skipped.out.splitlines()

    again = harness.apply()
    assert again.code == exitcodes.OK, again.text
    assert "  done: plan: RegenerateMarketingPlan started" in again.out.splitlines()
    sent = [r for r in harness.emulator.writes() if r.operation == "RegenerateMarketingPlan"]
    assert [r.status for r in sent] == [0, 200]
