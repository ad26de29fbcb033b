"""The redaction benchmark runs and prints its table (no figure asserted: see RESULTS.md)."""

from __future__ import annotations

import pytest

from tests.bench.redaction import main


def test_the_redaction_benchmark_prints_its_row(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sites", "20", "--lines", "300"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| sites (tokens) | lines |")
    assert "| 20 | 300 |" in out and out.rstrip().endswith("| 3 |")
