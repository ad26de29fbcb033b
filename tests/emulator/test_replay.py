"""Recorded answers (`mpr doctor --record`): replayed as they are, and validated on load."""

from __future__ import annotations

import pytest

from reconciler.emulator import Emulator, EmulatorConfig, FixtureError, ManualClock

from .support import SITE, make_client


def recorded(answers: object) -> dict[str, object]:
    return {"sites": [{"id": SITE, "answers": answers}]}


async def test_a_recorded_read_answers_as_recorded_and_the_rest_from_the_state(
    clock: ManualClock,
) -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True), clock)
    body = {"results": [{"id": "x", "name": "masked-0123"}], "pagingMetadata": {"count": 1}}
    emu.load_fixtures(
        recorded(
            {
                "QueryEvents": {"status": 200, "body": body},
                "GetPlanGoalOptions": {"status": 503, "body": None},
            }
        )
    )
    async with make_client(emu) as client:
        events = await client.post("/events/query", json={})  # no date filter: not validated
        goals = await client.get("/marketing-settings/plan-goal-options")
        settings = await client.get("/marketing-settings")
        written = await client.post(
            "/marketing-settings",
            json={"marketingSettings": {"settings": {"toneOfVoice": "warm"}},
                  "fieldMask": "settings.toneOfVoice"},
        )
        again = await client.post("/events/query", json={})
    assert events.status_code == 200 and events.json() == body
    assert goals.status_code == 503 and goals.content == b""
    assert settings.status_code == 200 and "marketingSettings" in settings.json()
    assert written.status_code == 200
    assert emu.site(SITE).settings["toneOfVoice"] == "warm"  # writes reach the state
    assert again.json() == body


@pytest.mark.parametrize(
    "answers,problem",
    [
        ([], "sites[0].answers: must be a mapping of method name to {status, body}"),
        (
            {"UpsertMarketingSettings": {"status": 200, "body": {}}},
            "sites[0].answers.UpsertMarketingSettings: not a read method that can be replayed",
        ),
        (
            {"QueryEvents": {"status": 99, "body": {}}},
            "sites[0].answers.QueryEvents.status: must be an HTTP status from 200 to 599",
        ),
        (
            {"QueryEvents": {"status": 200, "body": [1]}},
            "sites[0].answers.QueryEvents.body: must be a mapping (the JSON answer)",
        ),
    ],
)
def test_recorded_answers_are_validated(answers: object, problem: str) -> None:
    with pytest.raises(FixtureError) as info:
        Emulator().load_fixtures(recorded(answers), "inline")
    assert any(p.startswith(problem) for p in info.value.problems), info.value.problems
