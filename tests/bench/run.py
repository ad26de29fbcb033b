"""Benchmarks against the emulator; prints tables of figures and asserts none of them.

    python -m tests.bench.run [--sites 1,10,100,1000] [--latency 0.05] [--parallelism 256]
                              [--emulator inline|process] [--sequential-up-to N]
                              [--sections reads,fleet,breakdown,overshoot,memory,startup]

Sections (tests/bench/RESULTS.md holds the figures of a full run, with the machine):

* reads: requests per site for a plan that finds nothing to change (the floor is one read
  each of settings, events and plan) and that it writes nothing.
* fleet: wall time of `mpr plan` and `mpr apply` over fleets of each size, with
  `--parallelism P` beside `--parallelism 1` (one site at a time), and the ratio. Every
  emulator request waits `--latency` seconds for real, as a request to Wix would. With
  `--sequential-up-to N`, one-at-a-time runs over more than N sites are extrapolated from the
  largest size measured (they are linear in the site count) and marked so.
* breakdown: where a site's time goes without latency, one site at a time: reading its YAML,
  the emulator answering, and the rest of mpr (client, engine, rendering). It bounds the
  speed-up: with latency L and c seconds of CPU per site, at most (L + c) / c.
* overshoot: how late apply notices that a generation ended, on the emulator's manual clock
  (no real waiting), as a share of the generation time: median and worst over many runs.
* memory: peak memory of a fresh process that plans 1,000 sites in-process.
* startup: `python -m reconciler --help` and `mpr --help` in a subprocess, median of 9.

`--emulator process` serves the emulator from `mpr emulator serve` in a child process over
loopback HTTP (as Wix would be) instead of in this process; it adds "stock", the same plan
with mpr's own client as the command line builds it from WIX_API_BASE_URL.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.cli.app import Hooks
from reconciler.config import load_sites
from tests.bench import probes
from tests.bench.fleet import Backend, InProcess, OwnProcess, make_fleet, mpr, runtime

SECTIONS = ("reads", "fleet", "breakdown", "overshoot", "memory", "startup", "stock")
READ_FLOOR = 3
"""GetMarketingSettings, GetSocialMarketingPlan and one QueryEvents per site."""
GENERATION_SECONDS = (30, 60, 120, 300, 900)


def section_reads(backend: Backend, work: Path, parallelism: int) -> list[list[str]]:
    size = 10
    fleet = make_fleet(work / "reads", size, tone="warm", extra_event=False)
    backend.seed(fleet.converged())
    _, out, _ = mpr(
        ["plan", str(fleet.folder), "--parallelism", str(parallelism)],
        backend.hooks(parallelism * 3),
    )
    if f"0 to change, {size} unchanged" not in out:
        raise RuntimeError(f"the converged fleet is not a no-change plan:\n{out[-2000:]}")
    requests, writes = backend.counts()
    per_site = requests / size
    return [
        [
            "requests per site, no-change plan",
            f"{per_site:g}",
            f"{READ_FLOOR} (the read floor)",
            _verdict(per_site <= READ_FLOOR),
        ],
        ["writes, no-change plan", str(writes), "0", _verdict(writes == 0)],
    ]


@dataclass
class Timing:
    command: str
    sites: int
    parallel: float
    sequential: float
    extrapolated: bool

    @property
    def ratio(self) -> float:
        return self.sequential / self.parallel

    def row(self) -> list[str]:
        note = " (extrapolated)" if self.extrapolated else ""
        return [
            self.command,
            str(self.sites),
            f"{self.parallel:.2f} s",
            f"{self.sequential:.2f} s{note}",
            f"{self.ratio:.1f}×",
            f"{self.parallel / self.sites * 1000:.1f} ms",
        ]


def _timed(
    backend: Backend,
    command: str,
    folder: Path,
    size: int,
    parallelism: int,
    live: dict[str, object],
) -> float:
    backend.seed(live)
    argv = [command, str(folder), "--parallelism", str(parallelism)]
    if command == "apply":
        argv.append("--auto-approve")
    _, out, seconds = mpr(argv, backend.hooks(parallelism * 3))
    if command == "apply" and f"{size} changed, 0 failed" not in out:
        raise RuntimeError(f"apply did not change every site:\n{out[-2000:]}")
    return seconds


def section_fleet(
    backend: Backend, work: Path, sizes: Sequence[int], parallelism: int, sequential_up_to: int
) -> list[Timing]:
    timings = []
    for command, tone, extra in (("plan", "warm", False), ("apply", "brisk", True)):
        per_site: float | None = None
        for size in sizes:
            fleet = make_fleet(work / f"{command}-{size}", size, tone=tone, extra_event=extra)
            live = fleet.converged()
            parallel = _timed(backend, command, fleet.folder, size, parallelism, live)
            if size <= sequential_up_to or per_site is None:
                sequential = _timed(backend, command, fleet.folder, size, 1, live)
                per_site, extrapolated = sequential / size, False
            else:
                sequential, extrapolated = per_site * size, True
            timings.append(Timing(command, size, parallel, sequential, extrapolated))
            _progress(f"{command} {size}: {parallel:.2f} s vs {sequential:.2f} s")
    return timings


def section_breakdown(work: Path, size: int) -> list[list[str]]:
    """Per-site CPU, no latency, one site at a time, in this process."""
    fleet = make_fleet(work / "breakdown", size, tone="warm", extra_event=False)
    backend = InProcess(0.0)
    backend.seed(fleet.converged())
    mpr(["plan", str(fleet.folder), "--parallelism", "1"], backend.hooks(3))  # warm up
    started = time.perf_counter()
    load_sites([str(fleet.folder)])
    reading = time.perf_counter() - started
    backend.emulator_seconds = 0.0
    _, _, total = mpr(["plan", str(fleet.folder), "--parallelism", "1"], backend.hooks(3))
    emulator = backend.emulator_seconds
    mine = total - emulator

    def ms(seconds: float) -> str:
        return f"{seconds / size * 1000:.2f} ms"

    return [
        ["reading and validating the YAML", ms(reading)],
        ["the rest of mpr (client, engine, rendering)", ms(mine - reading)],
        ["**mpr in all**", f"**{ms(mine)}**"],
        ["the emulator answering (Wix's side, in this process)", ms(emulator)],
        ["plan, one site at a time, no latency", ms(total)],
    ]


def section_overshoot(runs: int) -> list[list[str]]:
    rows = []
    for seconds in GENERATION_SECONDS:
        shares = probes.overshoots(seconds, runs)
        median, worst = statistics.median(shares), max(shares)
        rows.append(
            [
                f"{seconds} s",
                str(runs),
                f"{median * 100:.1f}%",
                f"{worst * 100:.1f}%",
                f"{worst * seconds:.1f} s",
                _verdict(worst < 0.10),
            ]
        )
    return rows


def section_memory(sites: int) -> list[list[str]]:
    alone, inline = probes.memory(sites, "process"), probes.memory(sites, "inline")
    traced = probes.memory(sites, "traced")
    rss = alone["max_rss_mb"]
    return [
        [
            f"peak RSS of mpr planning {sites} sites (emulator in its own process)",
            f"{rss:.0f} MB",
            "< 200 MB",
            _verdict(rss < 200),
        ],
        [
            "  of which before planning (interpreter and imports)",
            f"{alone['before_mb']:.0f} MB",
            "",
            "",
        ],
        [
            f"peak RSS with the emulator in the same process ({sites} sites' state)",
            f"{inline['max_rss_mb']:.0f} MB",
            "",
            "",
        ],
        [
            "  of which before planning (interpreter, imports, emulator state)",
            f"{inline['before_mb']:.0f} MB",
            "",
            "",
        ],
        [
            f"Python allocations at their peak while planning {sites} sites (tracemalloc)",
            f"{traced['traced_mb']:.0f} MB",
            "",
            "",
        ],
    ]


def section_startup(runs: int = 9) -> list[list[str]]:
    commands = {
        "python -m reconciler --help": [sys.executable, "-m", "reconciler", "--help"],
        "python -m reconciler --version": [sys.executable, "-m", "reconciler", "--version"],
    }
    script = Path(sys.executable).with_name("mpr")
    if script.exists():
        commands["mpr --help"] = [str(script), "--help"]
    rows = []
    for label, command in commands.items():
        times = probes.startup(command, runs)
        median = probes.median_ms(times)
        target = "< 300 ms" if "--help" in label else ""
        rows.append(
            [
                label,
                f"{median:.0f} ms",
                f"{min(times) * 1000:.0f} ms",
                target,
                _verdict(median < 300) if target else "",
            ]
        )
    return rows


def section_stock(backend: OwnProcess, work: Path, size: int, parallelism: int) -> list[str]:
    """`mpr plan` with the client the command line builds from the environment."""
    fleet = make_fleet(work / "stock", size, tone="warm", extra_event=False)
    backend.seed(fleet.converged())
    saved = {key: os.environ.get(key) for key in backend.stock_env()}
    os.environ.update(backend.stock_env())
    try:
        argv = ["plan", str(fleet.folder), "--parallelism", str(parallelism)]
        _, _, seconds = mpr(argv, Hooks(runtime=runtime))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return ["plan", str(size), f"{seconds:.2f} s", f"{seconds / size * 1000:.1f} ms"]


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def machine() -> str:
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kb / 2**20:.1f} GiB RAM"
    return (
        f"{os.cpu_count()} CPU(s){memory}, Python {platform.python_version()} on "
        f"{platform.system()} {platform.machine()}"
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sites",
        default="1,10,100,1000",
        help="fleet sizes, comma-separated (default 1,10,100,1000)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.05,
        help="seconds added to every emulator request (default 0.05)",
    )
    parser.add_argument(
        "--parallelism",
        type=int,
        default=256,
        help="mpr --parallelism of the concurrent runs (default 256, the most)",
    )
    parser.add_argument(
        "--emulator",
        choices=("inline", "process"),
        default="inline",
        help="serve the emulator in this process (default) or in its own",
    )
    parser.add_argument(
        "--sections",
        default="reads,fleet,breakdown,overshoot,memory,startup",
        help=f"which of {','.join(SECTIONS)} to run",
    )
    parser.add_argument(
        "--sequential-up-to",
        type=int,
        default=10**9,
        metavar="N",
        help="extrapolate one-at-a-time runs over more than N sites",
    )
    parser.add_argument("--overshoot-runs", type=int, default=60)
    parser.add_argument("--memory-sites", type=int, default=1000)
    parser.add_argument("--memory-probe", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--probe-mode", choices=("inline", "process", "traced"), help=argparse.SUPPRESS
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.memory_probe:
        probes.memory_probe(args.memory_probe, args.probe_mode or "inline")
        return 0
    sizes = [int(s) for s in args.sites.split(",") if s.strip()]
    chosen = [s.strip() for s in args.sections.split(",") if s.strip()]
    if unknown := set(chosen) - set(SECTIONS):
        raise SystemExit(f"unknown section(s): {', '.join(sorted(unknown))}")
    backend: Backend = (OwnProcess if args.emulator == "process" else InProcess)(args.latency)
    print(
        f"# mpr benchmarks\n\n{machine()}\n\n{backend.name}; {args.latency * 1000:g} ms of "
        f"latency per request; concurrent runs with --parallelism {args.parallelism}\n"
    )
    try:
        with _workdir() as work:
            _fleet_sections(backend, work, sizes, chosen, args)
    finally:
        backend.close()
    if "overshoot" in chosen:
        rows = section_overshoot(args.overshoot_runs)
        print(
            table(["generation", "runs", "median late", "worst late", "worst (s)", "< 10%"], rows),
            flush=True,
        )
    if "memory" in chosen:
        print(
            table(["figure", "measured", "target", ""], section_memory(args.memory_sites)),
            flush=True,
        )
    if "startup" in chosen:
        print(table(["command", "median", "best", "target", ""], section_startup()), flush=True)
    return 0


def _fleet_sections(
    backend: Backend,
    work: Path,
    sizes: Sequence[int],
    chosen: Sequence[str],
    args: argparse.Namespace,
) -> None:
    if "reads" in chosen:
        rows = section_reads(backend, work, args.parallelism)
        print(table(["figure", "measured", "target", ""], rows), flush=True)
    if "fleet" in chosen:
        timings = section_fleet(backend, work, sizes, args.parallelism, args.sequential_up_to)
        print(
            table(
                [
                    "command",
                    "sites",
                    f"--parallelism {args.parallelism}",
                    "one at a time",
                    "speed-up",
                    "wall time per site",
                ],
                [t.row() for t in timings],
            ),
            flush=True,
        )
    if "breakdown" in chosen:
        rows = section_breakdown(work, min(max(sizes), 300))
        print(table(["per site, no latency, one at a time", "CPU time"], rows), flush=True)
    if "stock" in chosen and isinstance(backend, OwnProcess):
        row = section_stock(backend, work, max(sizes), args.parallelism)
        print(
            table(
                ["command", "sites", "mpr's own client (from the environment)", "per site"], [row]
            ),
            flush=True,
        )


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="mpr-bench-") as directory:
        yield Path(directory)


if __name__ == "__main__":
    raise SystemExit(main())
