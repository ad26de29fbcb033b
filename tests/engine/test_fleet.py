"""A fleet moves every site at once: waiting costs no slot, and a dead endpoint stops it once."""

from __future__ import annotations

import asyncio
import io
import socket
import sys
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from reconciler.cli import run
from reconciler.cli.app import Hooks
from reconciler.cli.console import FleetDisplay
from reconciler.emulator import Clock, Emulator, EmulatorConfig, ManualClock
from reconciler.engine.fleet import PLANNING_AT_ONCE, apply_sites, plan_sites
from reconciler.engine.journal import MemoryJournal
from reconciler.engine.runtime import Runtime
from reconciler.errors import ApiUnreachable, PermissionDenied
from reconciler.model.policy import Policy, SchedulePolicy
from reconciler.model.settings import ManagedSettings
from reconciler.model.site import DesiredSite, SiteId
from reconciler.wix import RetryPolicy, WixClient
from reconciler.wix.credentials import CommandCredential
from tests.conftest import TODAY

KEY = "IST.fleet-test-key"


def site_id(index: int) -> str:
    return f"{index + 1:08x}-0000-4000-8000-{index + 1:012x}"


def fleet(size: int, tone: str = "new") -> list[DesiredSite]:
    return [
        DesiredSite(
            id=SiteId(site_id(i)),
            name=f"Site {i}",
            source=f"sites/site-{i}.yaml",
            settings=ManagedSettings.from_documents({"toneOfVoice": tone}, {}),
            policy=Policy(schedule=SchedulePolicy(enabled=False)),
        )
        for i in range(size)
    ]


class Frozen:
    """The engine's clock while the test holds time still: a wait only yields."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


async def _no_sleep(seconds: float) -> None:
    pass


def on(emulator: Emulator) -> WixClient:
    """A client of `emulator` whose retries do not wait."""
    return WixClient(
        base_url="http://emulator.test",
        api_key=KEY,
        transport=httpx.ASGITransport(app=emulator.app),
        sleep=_no_sleep,
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_sites_waiting_for_their_generation_hold_no_request_slot() -> None:
    clock = ManualClock(TODAY)
    config = EmulatorConfig(lenient_auth=True, generation_seconds=60, posts_seconds=0, seed=3)
    emulator = Emulator(config=config, clock=clock)
    sites = fleet(6)
    emulator.load_fixtures(
        {
            "sites": [
                {"id": s.id, "settings": {"toneOfVoice": "old"}, "plan": {"status": "ACTIVE"}}
                for s in sites
            ]
        }
    )
    runtime = Runtime(clock=Frozen(clock), journal=MemoryJournal())
    async with WixClient(
        base_url="http://emulator.test",
        api_key=KEY,
        transport=httpx.ASGITransport(app=emulator.app),
        max_connections=1,  # mpr --max-in-flight 1
        rate_limit_per_minute=0,
    ) as wix:
        work = await plan_sites(wix, sites, runtime)
        applying = asyncio.create_task(apply_sites(wix, work, runtime))
        started: set[str | None] = set()
        for _ in range(20_000):
            await asyncio.sleep(0)
            started = {
                r.site_id for r in emulator.requests if r.operation == "RegenerateMarketingPlan"
            }
            if len(started) == len(sites):
                break
        # With one request in flight at most, every site started its generation while the
        # first one's was still running: none of them holds anything while it waits.
        assert started == {s.id for s in sites}
        assert not applying.done()
        clock.advance(61)
        report = await applying
    assert [o.status for o in report.outcomes] == ["applied"] * len(sites)


async def test_an_unreachable_endpoint_stops_the_fleet_after_the_first_sites_tries() -> None:
    runtime = Runtime(journal=MemoryJournal())
    base_url = f"http://127.0.0.1:{closed_port()}"
    async with WixClient(
        base_url=base_url,
        api_key=KEY,
        sleep=_no_sleep,
        retry=RetryPolicy(max_attempts=4),
    ) as wix:
        with pytest.raises(ApiUnreachable) as caught:
            await plan_sites(wix, fleet(200), runtime)
    assert wix.request_count == 4  # the first site's tries; no other site sent anything
    message = str(caught.value)
    assert f"could not reach {base_url}" in message
    assert message.endswith(
        f"(mpr stopped there: reaching {base_url} failed before any request had succeeded, and "
        "every other site would meet the same answer)"
    )


def test_the_command_line_says_it_once_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "sites"
    folder.mkdir()
    for site in fleet(200):
        (folder / f"{site.id}.yaml").write_text(
            f"version: 1\nsite: {{id: {site.id}, name: {site.name}}}\n"
            "settings: {toneOfVoice: warm}\n",
            encoding="utf-8",
        )
    base_url = f"http://127.0.0.1:{closed_port()}"
    clients: list[WixClient] = []

    def client() -> WixClient:
        wix = WixClient(base_url=base_url, api_key=KEY, sleep=_no_sleep)
        clients.append(wix)
        return wix

    hooks = Hooks(client=client, runtime=lambda: Runtime(journal=MemoryJournal()))
    code = run(["plan", str(folder)], obj=hooks)
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("Error: ") == 1 and "could not reach" in err
    assert "could not reach" not in out
    assert clients[0].request_count == 5  # one site's tries (RetryPolicy's default 5)


async def test_a_refused_api_key_stops_the_fleet_at_its_first_answer() -> None:
    """One site more than are planned at once: the last one starts after the stop, and is
    not read either."""
    clock = ManualClock(TODAY)
    emulator = Emulator(config=EmulatorConfig(seed=1), clock=clock)  # faithful: keys refused
    sites = fleet(PLANNING_AT_ONCE + 1)
    emulator.load_fixtures({"sites": [{"id": s.id} for s in sites]})
    async with on(emulator) as wix:
        with pytest.raises(PermissionDenied, match="Wix refused the API key in WIX_API_KEY"):
            await plan_sites(wix, sites, Runtime(journal=MemoryJournal()))
    assert len(emulator.requests) == 1


async def test_planning_settles_each_site_as_planned_or_error_on_the_progress_line() -> None:
    """What the status line shows once the sites are read (and what stops a log's heartbeat):
    each site counted as planned, or as an error when it could not be read."""
    emulator = Emulator(config=EmulatorConfig(lenient_auth=True, seed=2), clock=ManualClock(TODAY))
    known, unknown = fleet(2)
    emulator.load_fixtures({"sites": [{"id": known.id}]})
    display = FleetDisplay(io.StringIO(), env={"CI": "true"})
    runtime = display.attach(Runtime(clock=Frozen(emulator.clock), journal=MemoryJournal()))
    async with on(emulator) as wix:
        async with display.showing({known.id: "Known", unknown.id: "Unknown"}, announce=False):
            work = await plan_sites(wix, [known, unknown], runtime)
            assert display.model is not None
            assert display.model.all_settled()
            line = display.model.status_line(TODAY)
    assert work[0].plan.error is None and work[1].plan.error
    assert line == "2 site(s): 1 error, 1 planned · 0s"


async def test_a_site_that_cannot_sign_in_leaves_the_next_one_to_find_the_endpoint_down(
    tmp_path: Path,
) -> None:
    """The first site's token command fails before anything is sent: the next site takes its
    place as the one request in flight, finds the endpoint unreachable after its tries, and
    the sites after it stop at once, as if the first had found it."""
    failing = CommandCredential(f"{sys.executable} -c 'raise SystemExit(3)'", "s0")
    base_url = f"http://127.0.0.1:{closed_port()}"
    async with WixClient(
        base_url=base_url,
        api_key=KEY,
        credentials=lambda site: failing if site == "s0" else None,
        sleep=_no_sleep,
        retry=RetryPolicy(max_attempts=4),
    ) as wix:
        outcomes = await asyncio.gather(
            *(wix.site(f"s{n}").get_social_marketing_plan() for n in range(4)),
            return_exceptions=True,
        )
    assert [type(o).__name__ for o in outcomes] == [
        "CredentialUnavailable",
        "ApiUnreachable",
        "ApiUnreachable",
        "ApiUnreachable",
    ]
    assert wix.request_count == 4, "the second site's tries, and nothing from the others"
