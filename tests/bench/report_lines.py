"""How long each fleet report is when one site of many changes (#24): the fleet rule's budget.

A fleet of `size` sites, every one declared and live alike except the first, whose live tone
of voice differs from its file. Counted, in lines: `CI=true mpr apply`'s stdout and stderr
together, the pull-request comment (`mpr plan --format markdown`) and the drift comment
(`mpr drift --comment FILE`). Every report must name the changed site.

    python -m tests.bench.report_lines [--sites 60,1000]

Budget (issue #24): under 45 lines at 60 sites, under 60 at 1,000.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reconciler.cli import run as mpr_run
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from tests.bench.fleet import InProcess

CHANGED = "Shop 0"
BUDGETS = {60: 45, 1000: 60}


@dataclass(frozen=True)
class Reports:
    """Each report's text, by name ("apply", "pr comment", "drift comment")."""

    texts: dict[str, str]

    def lines(self) -> dict[str, int]:
        return {name: len(text.splitlines()) for name, text in self.texts.items()}


def site_id(index: int) -> str:
    return f"{index + 1:08x}-1111-4000-8000-{index + 1:012x}"


def write_fleet(folder: Path, size: int, event_date: str) -> dict[str, Any]:
    """`size` site files in `folder`, all declaring tone "warm"; returns the emulator
    fixture of their live state, where the first site's tone is "cold"."""
    folder.mkdir(parents=True, exist_ok=True)
    live = []
    for index in range(size):
        (folder / f"shop-{index:04d}.yaml").write_text(
            f"version: 1\nsite:\n  id: {site_id(index)}\n  name: Shop {index}\n"
            "settings:\n  toneOfVoice: warm\n"
            f'events:\n  - name: Opening\n    date: "{event_date}"\n'
            "policy:\n  schedule: {enabled: false}\n",
            encoding="utf-8",
        )
        live.append(
            {
                "id": site_id(index),
                "settings": {"toneOfVoice": "cold" if index == 0 else "warm"},
                "events": [{"name": "Opening", "date": event_date}],
                "plan": {"status": "ACTIVE"},
            }
        )
    return {"sites": live}


@contextlib.contextmanager
def in_ci() -> Iterator[None]:
    """CI=true for the run, as a CI job has it (progress as log lines, not a status line)."""
    before = os.environ.get("CI")
    os.environ["CI"] = "true"
    try:
        yield
    finally:
        if before is None:
            del os.environ["CI"]
        else:
            os.environ["CI"] = before


def _run(argv: Sequence[str], hooks: Hooks) -> str:
    """`mpr argv` in this process; stdout and stderr as one log, as a CI job shows them."""
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        mpr_run(list(argv), obj=hooks)
    return log.getvalue()


def measure(emulator: Emulator, hooks: Hooks, folder: Path, size: int, event_date: str) -> Reports:
    """The three reports of a `size`-site fleet with one changed site (see the docstring)."""
    emulator.load_fixtures(write_fleet(folder, size, event_date))
    sites = str(folder)
    comment = folder.parent / "drift.md"
    with in_ci():
        pr_comment = _run(["plan", sites, "--format", "markdown"], hooks)
        _run(["drift", sites, "--format", "json", "--comment", str(comment)], hooks)
        applied = _run(["apply", sites, "--auto-approve", "--no-audit"], hooks)
    drift_comment = comment.read_text(encoding="utf-8")
    return Reports({"apply": applied, "pr comment": pr_comment, "drift comment": drift_comment})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", default="60,1000", help="fleet sizes, comma-separated")
    args = parser.parse_args(argv)
    when = (datetime.now(UTC) + timedelta(days=30)).replace(hour=9, minute=0, second=0)
    event_date = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    print("| sites | report | lines | budget | names the changed site |")
    print("|---|---|---|---|---|")
    for size in (int(n) for n in args.sites.split(",")):
        backend = InProcess(latency=0.0)
        with tempfile.TemporaryDirectory() as tmp:
            hooks = backend.hooks(64)
            reports = measure(backend.emulator, hooks, Path(tmp) / "sites", size, event_date)
        budget = BUDGETS.get(size, BUDGETS[max(BUDGETS)])
        for name, count in reports.lines().items():
            named = "yes" if CHANGED in reports.texts[name] else "NO"
            print(f"| {size} | {name} | {count} | < {budget} | {named} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
