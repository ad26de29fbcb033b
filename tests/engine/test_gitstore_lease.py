"""Lease records as a refusal names them: the file to remove, and the sites it holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reconciler.engine.gitstore.lease import Host, Lease, new_lease

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["lease-old.json", "lease-0-of-2.json", "lease-3-of-2.json"])
def test_a_damaged_record_whose_file_names_no_shard_holds_every_site_and_names_its_file(
    name: str,
) -> None:
    """A record in a file a person named: whoever wrote it may be writing to Wix, so
    it holds a shard's apply as a whole-fleet lease would, and the refusal names the file the
    commands that clear it remove."""
    lease = Lease.read(b'{"pid": "abc"}', name)
    assert lease is not None
    assert lease.overlaps("1/2") and lease.overlaps("")
    assert lease.file_name == name
    assert lease.describe() == (
        f"a damaged lease record {name} (it has no token, it has no holder, it has no run, "
        'it has no host, pid is "abc", it has no since, it has no expires; it reads as ? '
        "(pid 0 on ?) since ?)"
    )


def test_a_damaged_record_for_the_last_shard_holds_that_shard_alone() -> None:
    lease = Lease.read(b'{"pid": "abc"}', "lease-2-of-2.json")
    assert lease is not None
    assert lease.overlaps("2/2") and not lease.overlaps("1/2")


def test_a_lease_lapses_at_its_expiry() -> None:
    here = Host("boot/pid:[1]", 4321, Path("/nonexistent-proc"))
    lease = new_lease("alice", "7", T0, timedelta(minutes=30), here)
    assert not lease.expired(T0 + timedelta(minutes=30) - timedelta(milliseconds=1))
    assert lease.expired(T0 + timedelta(minutes=30))


def test_a_damaged_record_naming_this_machine_is_held_until_its_expiry() -> None:
    """Its pid cannot be trusted (pid 0 runs nowhere): whoever wrote it may be writing."""
    here = Host("boot/pid:[1]", 4321, Path("/nonexistent-proc"))
    sound = new_lease("alice", "7", T0, timedelta(minutes=30), here)
    body = sound.to_bytes().replace(b'"pid": 4321', b'"pid": "4321"')
    damaged = Lease.read(body)
    assert damaged is not None and damaged.damage == 'pid is "4321"'
    assert damaged.machine == here.machine
    assert not damaged.stale(T0, here)
    assert replace(damaged, damage="").stale(T0, here), "a sound one of a gone process lapses"
