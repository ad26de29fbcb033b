"""`--shard I/N`: a stable, disjoint, complete split of the fleet for CI matrices."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.config.shard import Shard, parse_shard, shard_of, shard_sites
from reconciler.emulator import Emulator
from reconciler.model.site import DesiredSite, SiteId
from tests.conftest import Mpr
from tests.gitops.conftest import OTHER, SITE, seed, site_file
from tests.timeshift import carried

IDS = [str(uuid.UUID(int=n * 7919 + 12345, version=4)) for n in range(2000)]


def test_parse() -> None:
    assert parse_shard("2/4") == Shard(2, 4)
    assert parse_shard(" 1 / 1 ") == Shard(1, 1)
    for bad in ("0/4", "5/4", "1/0", "a/b", "1", "1/2/3", "-1/2", ""):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_every_site_in_exactly_one_shard_and_roughly_even() -> None:
    sites = [DesiredSite(SiteId(i), "", "") for i in IDS]
    parts = [shard_sites(sites, Shard(k, 4)) for k in range(1, 5)]
    seen = Counter(s.id for part in parts for s in part)
    assert set(seen) == set(IDS) and set(seen.values()) == {1}
    assert all(400 <= len(part) <= 600 for part in parts), [len(p) for p in parts]
    assert shard_sites(sites, None) == tuple(sites)
    assert [s.id for s in parts[0]] == [i for i in IDS if shard_of(i, 4) == 1], "order is kept"


def test_stable_across_processes_and_case() -> None:
    """Python's hash() is salted per process; the shard must not be."""
    script = (
        "from reconciler.config.shard import shard_of; import sys; "
        "print([shard_of(i, 7) for i in sys.argv[1:]])"
    )
    ids = IDS[:20]
    other = subprocess.run(
        [sys.executable, "-c", script, *ids],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": "", **carried()},
    )
    assert json.loads(other.stdout) == [shard_of(i, 7) for i in ids]
    assert shard_of(SITE.upper(), 7) == shard_of(SITE, 7)
    # pinned: a change of the hash would move every site to another runner
    examples = (SITE, OTHER, "33333333-4444-4555-8666-777777777777")
    assert [shard_of(i, 4) for i in examples] == [3, 2, 2]
    assert [shard_of(i, 10) for i in examples] == [3, 6, 8]


def two_sites(tmp_path: Path, emulator: Emulator) -> Path:
    seed(emulator, {"id": SITE}, {"id": OTHER})
    folder = tmp_path / "sites"
    site_file(folder, "crumb", SITE, "settings:\n  toneOfVoice: warm\n")
    site_file(folder, "harbor", OTHER, "settings:\n  toneOfVoice: calm\n")
    return folder


def test_plan_and_apply_one_shard(mpr: Mpr, emulator: Emulator, tmp_path: Path) -> None:
    folder = two_sites(tmp_path, emulator)
    mine = shard_of(SITE, 2)
    result = mpr("plan", str(folder), "--shard", f"{mine}/2", "--out", "plan.json")
    assert result.code == exitcodes.OK, result.err
    assert "crumb (" in result.out and "harbor (" not in result.out
    saved = json.loads((tmp_path / "plan.json").read_text())
    assert saved["shard"] == f"{mine}/2"

    applied = mpr("apply", "plan.json")
    assert applied.code == exitcodes.OK, applied.err
    assert emulator.writes(OTHER) == []
    assert emulator.writes(SITE)

    other = mpr("apply", "plan.json", "--shard", f"{3 - mine}/2")
    assert other.code == exitcodes.USAGE
    assert "does not match the saved plan's shard" in other.err


def test_a_shard_with_no_sites_is_fine(mpr: Mpr, emulator: Emulator, tmp_path: Path) -> None:
    seed(emulator, {"id": SITE})
    path = site_file(tmp_path / "sites", "crumb", SITE)
    empty = next(k for k in (1, 2, 3) if shard_of(SITE, 3) != k)
    for command in ("plan", "apply", "drift"):
        result = (
            mpr(command, str(path), "--shard", f"{empty}/3", "--auto-approve")
            if command == "apply"
            else mpr(command, str(path), "--shard", f"{empty}/3")
        )
        assert result.code == exitcodes.OK, (command, result.err)
        assert f"shard {empty}/3 holds none of the 1 selected site(s): nothing to do" in result.err
    assert emulator.writes() == []


def test_a_malformed_shard_is_a_usage_error(mpr: Mpr, tmp_path: Path) -> None:
    path = site_file(tmp_path / "sites", "crumb", SITE)
    for bad in ("0/2", "3/2", "x", "1/0"):
        result = mpr("plan", str(path), "--shard", bad)
        assert result.code == exitcodes.USAGE, bad
        assert "Invalid value for '--shard'" in result.err


def test_a_selector_matching_nothing_is_still_an_error(mpr: Mpr, tmp_path: Path) -> None:
    path = site_file(tmp_path / "sites", "crumb", SITE)
    result = mpr("plan", str(path), "--site", "client=nobody", "--shard", "1/2")
    assert result.code == exitcodes.ERROR
    assert "matched no site" in result.err
