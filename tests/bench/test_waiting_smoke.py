"""The fleet benchmarks of #12 run end to end on tiny fleets and print their tables.

No figure is asserted: timings belong in RESULTS.md, never in a test.
"""

from __future__ import annotations

import pytest

from tests.bench.waiting import main


@pytest.mark.slow
def test_every_section_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--sites", "2", "--generation", "0.2", "--posts-seconds", "0", "--latency", "0"]
    argv += ["--serial-sites", "1", "--cpu-sites", "3", "--memory-sites", "3"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "| sites | wall | critical path | ratio |" in out and "\n| 2 |" in out
    assert "| sites | mpr CPU per site |" in out and "\n| 3 |" in out
    assert "| 200 | 1 |" in out  # the unreachable endpoint: exit 1
    assert "| sites planned | peak RSS |" in out
