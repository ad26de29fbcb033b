"""Issue #12's benchmarks: `mpr` as a user runs it, against `mpr emulator serve` over loopback.

Every figure here comes from `mpr` in a process of its own, with its default settings (no
--max-in-flight), against the emulator in another process, so the CPU read from
`getrusage(RUSAGE_CHILDREN)` is mpr's alone and the emulator's is read from /proc.

* apply: a fleet apply in which every site changes a setting and an event, so each site
  regenerates its plan (`--generation` seconds, 60 by default, real time), generates the
  posts its horizon lacks (`--posts-seconds`) and schedules drafts; every request waits
  `--latency` seconds; the emulator's per-site rate limit (200 a minute) is on. Its floor, the
  critical path, is one generation + one posts job + one site's requests in a row, the last
  measured as the wall time of the same apply of one site with instant jobs. Beside it: the
  429s Wix answered, and the serial sample-flow script (Wix's "Sample Flows", one site after
  another, polling every 2 s) measured on `--serial-sites` sites and extrapolated.
* cpu: `mpr plan` of a fleet that needs no change, CPU per site (a one-site run's start-up
  subtracted), requests per site, and what the emulator spent meanwhile.
* unreachable: `mpr plan` of 200 sites against a closed port: exit code, time, what it said.
* memory: peak RSS (VmHWM) of `mpr plan` over `--memory-sites` sites (10,000 by default).
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.bench.fleet import REPO, site_id

APP_ID = "5e1c7a52-6f0b-4d1e-9c3a-7b2d8e4f6a10"  # the emulator's defaults (EmulatorConfig)
APP_SECRET = "emulator-app-secret-0f3b9d27c1e84a56"
KEY = "bench-api-key"
SERVICE = "/promote/marketing-plan-service/v1"


def instance_id(index: int) -> str:
    return f"{index + 1:08x}-1111-4000-8000-{index + 1:012x}"


class Server:
    """`mpr emulator serve` in a child process; its knobs set through the control plane."""

    def __init__(self, *, latency: float, lenient: bool, **config: Any) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "reconciler", "emulator", "serve", "--port", str(port)]
        command += ["--latency", str(latency), "--seed", "1"]
        if lenient:
            command.append("--lenient-auth")
        self.process = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.control = httpx.Client(base_url=self.base_url + "/_emulator", timeout=600)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.control.patch("/config", json=config).raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the emulator process did not start") from None
                time.sleep(0.05)

    def seed(self, sites: list[dict[str, Any]]) -> None:
        self.control.post("/reset").raise_for_status()
        self.control.post("/sites", json={"sites": sites}).raise_for_status()

    def requests(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.control.get("/requests").json()["requests"]
        return found

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.control.close()
        self.process.terminate()
        self.process.wait(20)


@contextmanager
def server(**kwargs: Any) -> Iterator[Server]:
    running = Server(**kwargs)
    try:
        yield running
    finally:
        running.close()


# --- fleets -------------------------------------------------------------------------------


def write_fleet(folder: Path, size: int, *, tone: str, app: bool, schedule: bool) -> None:
    """`size` site files: one setting, two events; signing in as the emulator's app or not."""
    when = (datetime.now(UTC) + timedelta(days=5)).replace(hour=9, minute=0, second=0)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(size):
        text = f"version: 1\nsite:\n  id: {site_id(index)}\n  name: Bench site {index}\n"
        if app:
            text += f"auth:\n  wixApp: {{instanceId: {instance_id(index)}}}\n"
        text += (
            f"settings:\n  toneOfVoice: {tone}\n  socialChannels: [FACEBOOK, INSTAGRAM]\n"
            f'events:\n  - name: Opening\n    date: "{_wire(when)}"\n'
            f'  - name: Launch\n    date: "{_wire(when + timedelta(days=1))}"\n'
        )
        if not schedule:
            text += "policy:\n  schedule: {enabled: false}\n"
        (folder / f"site-{index:05d}.yaml").write_text(text, encoding="utf-8")


def live_sites(size: int, *, tone: str, both_events: bool) -> list[dict[str, Any]]:
    """The fleet as it is on Wix: `tone`, and the first event (or both)."""
    when = (datetime.now(UTC) + timedelta(days=5)).replace(hour=9, minute=0, second=0)
    events = [{"name": "Opening", "date": _wire(when)}]
    if both_events:
        events.append({"name": "Launch", "date": _wire(when + timedelta(days=1))})
    return [
        {
            "id": site_id(i),
            "instanceId": instance_id(i),
            "connectedChannels": ["FACEBOOK"],
            "settings": {"toneOfVoice": tone, "socialChannels": ["FACEBOOK", "INSTAGRAM"]},
            "events": events,
            "plan": {"status": "ACTIVE"},
        }
        for i in range(size)
    ]


def _wire(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- running mpr ----------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str
    wall: float
    cpu: float
    peak_mb: float = 0.0


_PEAK = (
    "import atexit, sys\n"
    "def _peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            open({out!r}, 'w').write(line.split()[1])\n"
    "atexit.register(_peak)\n"
    "from reconciler.cli import main\n"
    "sys.argv = ['mpr', *{argv!r}]\n"
    "main()\n"
)


def mpr(argv: Sequence[str], env: dict[str, str], cwd: Path) -> Run:
    """`mpr argv` in a process of its own; its wall time, CPU and peak resident memory."""
    with tempfile.NamedTemporaryFile(suffix=".peak", delete=False) as peak:
        path = peak.name
    code = _PEAK.format(out=path, argv=list(argv))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = Path(path).read_text().strip()
    Path(path).unlink()
    peak_mb = int(text) / 1024 if text else 0.0
    return Run(done.returncode, done.stdout, done.stderr, wall, cpu, peak_mb)


def app_env(srv: Server) -> dict[str, str]:
    return {"WIX_API_BASE_URL": srv.base_url, "WIX_APP_ID": APP_ID, "WIX_APP_SECRET": APP_SECRET}


def key_env(base_url: str) -> dict[str, str]:
    return {"WIX_API_BASE_URL": base_url, "WIX_API_KEY": KEY}


# --- apply: waiting is free ---------------------------------------------------------------


@dataclass
class ApplyFigures:
    sites: int
    wall: float
    critical: float
    rate_limited: int
    requests: int
    serial_per_site: float
    serial_sites: int

    @property
    def ratio(self) -> float:
        return self.wall / self.critical

    def row(self) -> list[str]:
        serial = self.serial_per_site * self.sites
        note = " (extrapolated)" if self.serial_sites < self.sites else ""
        return [
            str(self.sites),
            f"{self.wall:.1f} s",
            f"{self.critical:.1f} s",
            f"{self.ratio:.2f}×",
            "met" if self.ratio <= 1.5 else "**missed**",
            f"{self.requests / self.sites:.1f}",
            str(self.rate_limited),
            f"{_duration(serial)}{note}",
            f"{serial / self.wall:.0f}×",
        ]


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def apply_fleets(
    sizes: Sequence[int], generation: float, posts: float, latency: float, serial_sites: int
) -> tuple[list[ApplyFigures], float]:
    """The apply figures per fleet size, and the critical path's requests-in-a-row part."""
    knobs = {"postsSeconds": posts, "rateLimitPerMinute": 200, "generationSeconds": generation}
    with server(latency=latency, lenient=False, **knobs) as srv, _tmp() as work:
        # One site with instant jobs: its requests in a row, and mpr's start-up with them.
        srv.control.patch("/config", json={"generationSeconds": 0, "postsSeconds": 0})
        alone = _apply(srv, work / "alone", 1)
        in_a_row = alone.wall
        srv.control.patch("/config", json=knobs)
        per_site, measured = _serial(srv, serial_sites, generation)
        figures = []
        for size in sizes:
            run = _apply(srv, work / f"fleet-{size}", size)
            log = srv.requests()
            figures.append(
                ApplyFigures(
                    sites=size,
                    wall=run.wall,
                    critical=generation + posts + in_a_row,
                    rate_limited=sum(1 for r in log if r["status"] == 429),
                    requests=sum(1 for r in log if r["siteId"]),
                    serial_per_site=per_site,
                    serial_sites=measured,
                )
            )
            print(f"  apply {size}: {run.wall:.1f} s", file=sys.stderr, flush=True)
    return figures, in_a_row


def _apply(srv: Server, folder: Path, size: int) -> Run:
    srv.seed(live_sites(size, tone="old", both_events=False))
    write_fleet(folder / "sites", size, tone="new", app=True, schedule=True)
    run = mpr(["apply", "sites", "--auto-approve"], app_env(srv), folder)
    if run.code != 0 or f"{size} changed, 0 failed" not in run.out:
        raise RuntimeError(f"apply of {size} sites: exit {run.code}\n{run.out[-1500:]}{run.err}")
    return run


def _serial(srv: Server, sites: int, generation: float) -> tuple[float, int]:
    """Seconds per site of Wix's sample flow scripted one site after another, bare httpx."""
    if sites <= 0:
        return 0.0, 0
    srv.seed(live_sites(sites, tone="old", both_events=False))
    started = time.perf_counter()
    with httpx.Client(base_url=srv.base_url, timeout=60) as http:
        for index in range(sites):
            _sample_flow(http, index)
    return (time.perf_counter() - started) / sites, sites


def _sample_flow(http: httpx.Client, index: int) -> None:
    """Settings, event, regenerate, poll, posts for the rest, poll, schedule: one site."""
    answer = http.post(
        "/oauth2/token",
        json={
            "grant_type": "client_credentials",
            "client_id": APP_ID,
            "client_secret": APP_SECRET,
            "instance_id": instance_id(index),
        },
    ).json()
    headers = {"Authorization": answer["access_token"], "wix-site-id": site_id(index)}
    when = (datetime.now(UTC) + timedelta(days=6)).replace(hour=9, minute=0, second=0)

    def call(verb: str, path: str, body: Any = None) -> Any:
        response = http.request(verb, SERVICE + path, json=body, headers=headers)
        response.raise_for_status()
        return response.json()

    call(
        "POST",
        "/marketing-settings",
        {"marketingSettings": {"settings": {"toneOfVoice": "new"}}, "fieldMask": "settings"},
    )
    call("POST", "/events", {"calendarEvent": {"name": "Launch", "date": _wire(when)}})
    call("POST", "/marketing-plan/regenerate-marketing-plan", {})
    while (plan := call("GET", "/marketing-plan"))["status"] == "GENERATING":
        time.sleep(2)
    activities = plan.get("marketingActivities", [])
    missing = [a["marketingActivityId"] for a in activities if not a.get("items")][:20]
    if missing:
        call("POST", "/marketing-plan/generate-social-posts", {"marketingActivityIds": missing})
        while True:
            found = call(
                "POST", "/marketing-activity-posts", {"marketingActivityIds": missing}
            ).get("marketingActivities", [])
            if all(entry.get("items") for entry in found):
                break
            time.sleep(2)
        activities = call("GET", "/marketing-plan").get("marketingActivities", [])
    drafts = [
        item["id"]
        for activity in activities
        for item in activity.get("items", [])
        if item.get("status") == "DRAFT"
    ][:20]
    if drafts:
        call("POST", "/marketing-plan/schedule-drafts", {"draftIds": drafts})


# --- cpu: a no-change plan ------------------------------------------------------------------


@dataclass
class PlanCpu:
    sites: int
    cpu_per_site_ms: float
    requests_per_site: float
    wall: float
    emulator_per_site_ms: float


def plan_cpu(size: int) -> PlanCpu:
    with server(latency=0.0, lenient=True) as srv, _tmp() as work:
        srv.seed(live_sites(size, tone="warm", both_events=True))
        write_fleet(work / "sites", size, tone="warm", app=False, schedule=False)
        env = key_env(srv.base_url)
        one = mpr(["plan", "sites/site-00000.yaml"], env, work)
        srv.control.delete("/requests").raise_for_status()
        before = srv.cpu_seconds()
        run = mpr(["plan", "sites"], env, work)
        spent = srv.cpu_seconds() - before
        if f"0 to change, {size} unchanged" not in run.out:
            raise RuntimeError(f"not a no-change plan:\n{run.out[-1500:]}{run.err}")
        requests = len(srv.requests())
    return PlanCpu(
        sites=size,
        cpu_per_site_ms=(run.cpu - one.cpu) / (size - 1) * 1000,
        requests_per_site=requests / size,
        wall=run.wall,
        emulator_per_site_ms=spent / size * 1000,
    )


# --- unreachable ----------------------------------------------------------------------------


def unreachable(size: int) -> Run:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with _tmp() as work:
        write_fleet(work / "sites", size, tone="warm", app=False, schedule=False)
        return mpr(["plan", "sites"], key_env(f"http://127.0.0.1:{port}"), work)


# --- memory ---------------------------------------------------------------------------------


def memory(size: int) -> Run:
    with server(latency=0.0, lenient=True) as srv, _tmp() as work:
        srv.seed(live_sites(size, tone="warm", both_events=True))
        write_fleet(work / "sites", size, tone="warm", app=False, schedule=False)
        run = mpr(["plan", "sites"], key_env(srv.base_url), work)
        if f"0 to change, {size} unchanged" not in run.out:
            raise RuntimeError(f"not a no-change plan:\n{run.out[-1500:]}{run.err}")
        return run


@contextmanager
def _tmp() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="mpr-bench12-") as directory:
        yield Path(directory)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.bench.waiting", description=__doc__)
    parser.add_argument("--sections", default="apply,cpu,unreachable,memory")
    parser.add_argument("--sites", default="100,1000", help="apply fleet sizes")
    parser.add_argument("--generation", type=float, default=60.0)
    parser.add_argument("--posts-seconds", type=float, default=5.0)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--serial-sites", type=int, default=1)
    parser.add_argument("--cpu-sites", type=int, default=1000)
    parser.add_argument("--memory-sites", type=int, default=10_000)
    args = parser.parse_args(argv)
    chosen = {s.strip() for s in args.sections.split(",") if s.strip()}
    from tests.bench.run import machine, table

    print(f"# mpr fleet benchmarks (#12)\n\n{machine()}\n")
    if "apply" in chosen:
        sizes = [int(s) for s in args.sites.split(",") if s.strip()]
        figures, in_a_row = apply_fleets(
            sizes, args.generation, args.posts_seconds, args.latency, args.serial_sites
        )
        print(
            f"Fleet apply, default settings: generation {args.generation:g} s, posts "
            f"{args.posts_seconds:g} s, {args.latency * 1000:g} ms per request, the emulator's "
            f"rate limit of 200 per site and minute on; one site's requests in a row "
            f"{in_a_row:.1f} s.\n"
        )
        headers = ["sites", "wall", "critical path", "ratio", "≤ 1.5×", "requests/site"]
        headers += ["429s", "serial sample flow", "speed-up"]
        print(table(headers, [f.row() for f in figures]), flush=True)
    if "cpu" in chosen:
        cpu = plan_cpu(args.cpu_sites)
        rows = [
            [
                str(cpu.sites),
                f"{cpu.cpu_per_site_ms:.2f} ms",
                "met" if cpu.cpu_per_site_ms <= 5 else "**missed**",
                f"{cpu.requests_per_site:g}",
                f"{cpu.wall:.2f} s",
                f"{cpu.emulator_per_site_ms:.2f} ms",
            ]
        ]
        headers = ["sites", "mpr CPU per site", "≤ 5 ms", "requests/site", "wall"]
        print(table([*headers, "emulator CPU per site"], rows), flush=True)
    if "unreachable" in chosen:
        run = unreachable(200)
        errors = run.err.count("Error:")
        lines = len(run.err.strip().splitlines())
        met = run.code == 1 and run.wall <= 15 and errors == 1
        rows = [
            [
                "200",
                str(run.code),
                f"{run.wall:.1f} s",
                str(errors),
                str(lines),
                "met" if met else "**missed**",
            ]
        ]
        headers = ["sites", "exit", "wall", "errors said", "stderr lines", "exit 1 ≤ 15 s, once"]
        print(table(headers, rows), flush=True)
        print("```text\n" + run.err.strip()[-1200:] + "\n```\n", flush=True)
    if "memory" in chosen:
        run = memory(args.memory_sites)
        rows = [
            [
                str(args.memory_sites),
                f"{run.peak_mb:.0f} MB",
                "met" if run.peak_mb < 500 else "**missed**",
                f"{run.wall:.1f} s",
                f"{run.cpu / args.memory_sites * 1000:.2f} ms",
            ]
        ]
        print(
            table(["sites planned", "peak RSS", "< 500 MB", "wall", "CPU per site"], rows),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
