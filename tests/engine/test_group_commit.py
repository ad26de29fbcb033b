"""Group commit: the records of many sites reach the disk in few writes, and none is late.

A fleet's sites each journal an intent before every write to Wix; each site may send only
once its own record is on disk. With group commit a write carries every record made while
the one before it was on disk, so the number of writes stays far below the number of sites.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest

from reconciler.engine.groupcommit import GroupCommit
from reconciler.engine.journal import FileJournal


async def test_each_flush_returns_once_its_own_record_is_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    journal = FileJournal(path)
    seen_on_disk: dict[str, bool] = {}

    async def site(n: int) -> None:
        journal.record(f"site-{n}", "regenerate", "2026-11-23T10:00:00.000Z")
        await journal.flush()
        seen_on_disk[f"site-{n}"] = f"site-{n}" in json.loads(path.read_text())["pending"]

    await asyncio.gather(*(site(n) for n in range(200)))
    assert seen_on_disk == {f"site-{n}": True for n in range(200)}


async def test_two_hundred_sites_share_a_handful_of_writes() -> None:
    written: list[list[int]] = []
    made: list[int] = []
    release = threading.Event()

    def write(batch: list[int]) -> None:
        release.wait(5)  # the first write is slow: everyone else's records pile up behind it
        written.append(batch)

    def take() -> list[int]:
        batch = made.copy()
        made.clear()
        return batch

    commits: GroupCommit[list[int]] = GroupCommit(take, write)

    async def site(n: int) -> None:
        made.append(n)
        commits.changed()
        await commits.flush()

    tasks = [asyncio.create_task(site(n)) for n in range(200)]
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.gather(*tasks)
    assert sorted(n for batch in written for n in batch) == list(range(200))
    assert len(written) <= 3


async def test_a_failed_write_fails_the_flush_and_is_retried_by_the_next(tmp_path: Path) -> None:
    attempts: list[str] = []

    def write(text: str) -> None:
        attempts.append(text)
        if len(attempts) == 1:
            raise OSError(28, "No space left on device")

    commits: GroupCommit[str] = GroupCommit(lambda: "state", write)
    commits.changed()
    with pytest.raises(OSError, match="No space left"):
        await commits.flush()
    assert commits.dirty
    await commits.flush()
    assert attempts == ["state", "state"] and not commits.dirty


def test_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    FileJournal(path).save()
    assert not path.exists()
