"""The benchmark script runs and prints its tables (on two tiny fleets, with no latency).

No figure is asserted: timings belong in RESULTS.md, never in a test.
"""

from __future__ import annotations

import pytest

from tests.bench.run import main


@pytest.mark.dated
def test_the_benchmark_prints_a_table_per_section(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "--sites",
        "1,2",
        "--latency",
        "0",
        "--overshoot-runs",
        "1",
        "--sections",
        "reads,fleet,breakdown,overshoot",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("# mpr benchmarks\n")
    assert "| requests per site, no-change plan | 3 | 3 (the read floor) | met |" in out
    assert "| command | sites | --parallelism 256 | one at a time | speed-up |" in out
    assert "| plan | 2 |" in out and "| apply | 2 |" in out
    assert "| **mpr in all** |" in out
    assert out.count("\n| 30 s | 1 |") == 1 and "| 900 s | 1 |" in out


def test_an_unknown_section_is_refused() -> None:
    with pytest.raises(SystemExit, match="unknown section"):
        main(["--sections", "nope"])
