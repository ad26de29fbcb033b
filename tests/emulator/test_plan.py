"""Plan lifecycle on the wire: statuses, timing, reads, idling, outcomes, replacement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from reconciler.emulator import Emulator, EmulatorConfig, ManualClock

from .support import GEN_SECONDS, HEADERS, SITE, app_code, generated_plan, make_client


async def status(client: httpx.AsyncClient) -> str:
    return str((await client.get("/marketing-plan")).json()["status"])


async def test_never_created_is_200_with_no_activities(client: httpx.AsyncClient) -> None:
    r = await client.get("/marketing-plan")
    assert r.status_code == 200
    assert r.json() == {"status": "NEVER_CREATED", "marketingActivities": []}


async def test_generate_runs_until_the_clock_reaches_its_duration(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    r = await client.post("/marketing-plan/generate-marketing-plan", json={})
    assert r.json() == {"status": "GENERATING"}
    assert (await client.get("/marketing-plan")).json() == {
        "status": "GENERATING", "marketingActivities": []}
    clock.advance(GEN_SECONDS - 1)
    assert await status(client) == "GENERATING"
    clock.advance(1)
    plan = (await client.get("/marketing-plan")).json()
    assert plan["status"] == "ACTIVE"
    assert plan["marketingActivities"]


async def test_generation_reads_keep_answering_generating(clock: ManualClock) -> None:
    config = EmulatorConfig(lenient_auth=True, generation_seconds=0, generation_reads=2)
    emu = Emulator(config, clock)
    emu.load_fixtures({"sites": [{"id": SITE}]})
    async with make_client(emu) as client:
        await client.post("/marketing-plan/generate-marketing-plan")
        assert [await status(client) for _ in range(3)] == ["GENERATING", "GENERATING", "ACTIVE"]


async def test_generate_or_regenerate_while_generating_is_428(client: httpx.AsyncClient) -> None:
    await client.post("/marketing-plan/generate-marketing-plan", json={})
    for path in ("generate-marketing-plan", "regenerate-marketing-plan"):
        r = await client.post(f"/marketing-plan/{path}", json={})
        assert r.status_code == 428
        assert app_code(r) == "PLAN_ALREADY_GENERATING_ERROR"
        assert r.json()["message"] == "plan already generating"


async def test_keyword_research_while_generating_starts_no_new_run(
    client: httpx.AsyncClient, clock: ManualClock, emu: Emulator
) -> None:
    await client.post("/marketing-plan/generate-marketing-plan", json={})
    clock.advance(GEN_SECONDS / 2)
    r = await client.post(
        "/marketing-plan/regenerate-marketing-plan-with-keyword-research", json={})
    assert (r.status_code, r.json()) == (200, {"status": "GENERATING"})
    clock.advance(GEN_SECONDS / 2)  # the original run's deadline, not a fresh 3x one
    assert await status(client) == "ACTIVE"
    assert emu.site(SITE).plan.generations == 1


async def test_regenerate_without_plan_is_428_plan_not_found(client: httpx.AsyncClient) -> None:
    for path in ("regenerate-marketing-plan", "regenerate-marketing-plan-with-keyword-research"):
        r = await client.post(f"/marketing-plan/{path}", json={})
        assert r.status_code == 428
        assert app_code(r) == "PLAN_NOT_FOUND"


async def test_keyword_research_takes_three_times_longer(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    await generated_plan(client, clock)
    await client.post("/marketing-plan/regenerate-marketing-plan-with-keyword-research")
    clock.advance(GEN_SECONDS * 3 - 1)
    assert await status(client) == "GENERATING"
    clock.advance(1)
    assert await status(client) == "ACTIVE"


async def test_plan_turns_inactive_after_idle_period_and_reactivates(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    await generated_plan(client, clock)
    clock.advance(timedelta(days=41).total_seconds())
    assert await status(client) == "ACTIVE"
    clock.advance(timedelta(days=1).total_seconds())
    r = await client.get("/marketing-plan")
    assert r.json() == {"status": "INACTIVE", "marketingActivities": []}
    await generated_plan(client, clock, "regenerate-marketing-plan")


async def test_engagement_postpones_inactivity(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    clock.advance(timedelta(days=40).total_seconds())
    some_id = plan["marketingActivities"][-1]["marketingActivityId"]
    await client.post("/marketing-plan/generate-social-posts",
                      json={"marketingActivityIds": [some_id]})
    clock.advance(timedelta(days=40).total_seconds())
    assert await status(client) == "ACTIVE"


async def test_idle_days_is_configurable(clock: ManualClock) -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True, generation_seconds=0, idle_days=1), clock)
    emu.load_fixtures({"sites": [{"id": SITE, "plan": {"status": "ACTIVE"}}]})
    async with make_client(emu) as client:
        clock.advance(86400)
        assert await status(client) == "INACTIVE"


async def test_unpublished_site_fails_by_default(clock: ManualClock) -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True, generation_seconds=0), clock)
    emu.load_fixtures({"sites": [{"id": SITE, "published": False}]})
    async with make_client(emu) as client:
        r = await client.post("/marketing-plan/generate-marketing-plan")
        assert r.json() == {"status": "GENERATING"}  # not validated at call time
        assert (await client.get("/marketing-plan")).json() == {
            "status": "FAILED", "marketingActivities": []}


async def test_unpublished_site_can_end_active_without_posts(clock: ManualClock) -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True, generation_seconds=0), clock)
    emu.load_fixtures({"sites": [
        {"id": SITE, "published": False, "unpublishedOutcome": "ACTIVE_WITHOUT_POSTS"}]})
    async with make_client(emu) as client:
        await client.post("/marketing-plan/generate-marketing-plan")
        plan = (await client.get("/marketing-plan")).json()
    assert plan["status"] == "ACTIVE"
    assert plan["marketingActivities"]
    assert all(a["items"] == [] for a in plan["marketingActivities"])


async def test_injected_failures_then_success_keeps_previous_activities(
    client: httpx.AsyncClient, clock: ManualClock, emu: Emulator
) -> None:
    first = await generated_plan(client, clock)
    emu.fail_next_generations(SITE, 1)
    await client.post("/marketing-plan/regenerate-marketing-plan")
    clock.advance(GEN_SECONDS)
    failed = (await client.get("/marketing-plan")).json()
    assert failed["status"] == "FAILED"
    assert failed["marketingActivities"] == first["marketingActivities"]
    await generated_plan(client, clock, "regenerate-marketing-plan")


async def test_regenerate_keeps_past_activities_and_replaces_upcoming(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    first = await generated_plan(client, clock)
    clock.advance(timedelta(days=5).total_seconds())
    await client.post("/marketing-plan/regenerate-marketing-plan")
    clock.advance(GEN_SECONDS)
    params = {"timeframe.startDate": "2026-11-01T00:00:00.000Z"}
    second = (await client.get("/marketing-plan", params=params)).json()
    cutoff = datetime(2026, 12, 2, 9, 0, 10, tzinfo=UTC)
    old = {a["marketingActivityId"]: a for a in first["marketingActivities"]}
    kept = [a for a in second["marketingActivities"]
            if datetime.fromisoformat(a["date"]) < cutoff]
    fresh = [a for a in second["marketingActivities"] if a not in kept]
    assert kept and fresh
    assert all(old[a["marketingActivityId"]] == a for a in kept)  # with their items
    assert any(a["items"] for a in kept)
    assert not {a["marketingActivityId"] for a in fresh} & set(old)


async def test_generate_on_existing_plan_replaces_everything(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    first = await generated_plan(client, clock)
    second = await generated_plan(client, clock)
    old_ids = {a["marketingActivityId"] for a in first["marketingActivities"]}
    assert not old_ids & {a["marketingActivityId"] for a in second["marketingActivities"]}


async def test_timeframe_filter_is_inclusive_and_sorted(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    dates = [a["date"] for a in plan["marketingActivities"]]
    assert dates == sorted(dates)
    assert dates[0] >= "2026-11-27T00:00:00.000Z"
    params = {"timeframe.startDate": dates[1], "timeframe.endDate": dates[3]}
    window = (await client.get("/marketing-plan", params=params)).json()
    assert [a["date"] for a in window["marketingActivities"]] == dates[1:4]
    bad = await client.get("/marketing-plan", params={"timeframe.startDate": "yesterday"})
    assert bad.status_code == 400


async def test_delete_plan_and_delete_activity(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    plan = await generated_plan(client, clock)
    victim = plan["marketingActivities"][0]["marketingActivityId"]
    r = await client.delete("/marketing-plan/plan-marketing-activity", params={"id": victim})
    assert (r.status_code, r.json()) == (200, {})
    after = (await client.get("/marketing-plan")).json()["marketingActivities"]
    assert victim not in {a["marketingActivityId"] for a in after}
    r = await client.delete("/marketing-plan/plan-marketing-activity", params={"id": victim})
    assert (r.status_code, app_code(r)) == (404, "NOT_FOUND")
    assert (await client.delete("/marketing-plan/plan-marketing-activity")).status_code == 400
    assert (await client.delete("/marketing-plan")).json() == {}
    assert await status(client) == "NEVER_CREATED"
    assert (await client.delete("/marketing-plan")).status_code == 200  # idempotent


async def test_generate_accepts_any_body(client: httpx.AsyncClient) -> None:
    r = await client.post("/marketing-plan/generate-marketing-plan", json={"whatever": 1})
    assert r.json() == {"status": "GENERATING"}


async def test_seeded_plans(clock: ManualClock) -> None:
    emu = Emulator(EmulatorConfig(lenient_auth=True, generation_seconds=5), clock)
    ids = [f"0000000{i}-0000-4000-8000-000000000000" for i in range(4)]
    statuses = ["ACTIVE", "INACTIVE", "FAILED", "GENERATING"]
    emu.load_fixtures({"sites": [{"id": i, "plan": {"status": s}}
                                 for i, s in zip(ids, statuses, strict=True)]})
    seen = []
    for site_id in ids:
        async with make_client(emu, {**HEADERS, "wix-site-id": site_id}) as client:
            seen.append(await status(client))
    assert seen == statuses
    assert emu.site(ids[0]).plan.activities


async def test_plans_are_partitioned_by_site(emu: Emulator, clock: ManualClock) -> None:
    other = "99999999-0000-4000-8000-000000000000"
    emu.load_fixtures({"sites": [{"id": other}]})
    async with make_client(emu) as client:
        await generated_plan(client, clock)
    async with make_client(emu, {**HEADERS, "wix-site-id": other}) as client:
        assert await status(client) == "NEVER_CREATED"
