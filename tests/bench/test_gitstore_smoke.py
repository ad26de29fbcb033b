"""The git store benchmark runs end to end and prints its tables (one site, two pushes).

No figure is asserted: timings belong in RESULTS.md, never in a test.
"""

from __future__ import annotations

import pytest

from tests.bench.gitstore import main


def test_the_git_store_benchmark_prints_its_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sites", "1", "--pushes", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# the git store\n")
    assert "| journal (state.json) |" in out and "| audit lines (a note) |" in out
    (row,) = [line for line in out.splitlines() if line.startswith("| 1 |")]
    assert row.endswith("| 6 | 6.00 |"), "lease, journal and lease back; intent, ok, outcome"
