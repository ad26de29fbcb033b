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
    # the first site's write, then one for the 199 that piled up behind it; none empty
    assert [len(batch) for batch in written] == [1, 199]
    assert sorted(n for batch in written for n in batch) == list(range(200))


async def test_a_failed_write_fails_the_flush_and_a_later_change_is_written_afresh() -> None:
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
    with pytest.raises(OSError, match="No space left"):  # nothing new: still not on disk
        await commits.flush()
    commits.changed()
    await commits.flush()
    assert attempts == ["state", "state"] and not commits.dirty


async def test_every_site_whose_record_rode_on_a_failed_write_is_told() -> None:
    """Three sites record in one tick; the first to flush writes all three lines and fails.
    The other two must not go on as if their lines were on disk (they would send a write
    to Wix that the log cannot show)."""
    lines: list[str] = []

    def take() -> str | None:
        batch = "".join(lines)
        lines.clear()
        return batch or None

    def write(batch: str) -> None:
        raise OSError(28, "No space left on device")

    commits: GroupCommit[str] = GroupCommit(take, write)

    async def site(name: str) -> str:
        lines.append(f"{name} intent\n")
        commits.changed()
        try:
            await commits.flush()
        except OSError:
            return "stopped"
        return "would send"

    assert await asyncio.gather(*(site(n) for n in "abc")) == ["stopped"] * 3


async def test_a_cancelled_flush_keeps_the_store_until_its_write_has_ended() -> None:
    """Two writes of one store never overlap: a journal snapshot written late could land
    after a newer one."""
    started, release = threading.Event(), threading.Event()
    running: list[int] = []
    overlapped: list[bool] = []

    def write(n: int) -> None:
        running.append(n)
        overlapped.append(len(running) > 1)
        started.set()
        release.wait(5)
        running.remove(n)

    count = iter(range(100))
    commits: GroupCommit[int] = GroupCommit(lambda: next(count), write)
    commits.changed()
    first = asyncio.create_task(commits.flush())
    await asyncio.to_thread(started.wait, 5)
    first.cancel()
    commits.changed()
    second = asyncio.create_task(commits.flush())
    await asyncio.sleep(0.05)
    release.set()
    await second
    with pytest.raises(asyncio.CancelledError):
        await first
    assert overlapped == [False, False]


def test_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    FileJournal(path).save()
    assert not path.exists()


def test_one_store_serves_one_event_loop_after_another() -> None:
    """A CLI run may drive the same store from more than one event loop, one after the
    other: each loop gets a lock of its own (a lock waited on in one loop is bound to it)."""
    written: list[list[int]] = []
    made: list[int] = []

    def take() -> list[int] | None:
        batch = made.copy()
        made.clear()
        return batch or None

    commits: GroupCommit[list[int]] = GroupCommit(take, written.append)

    async def two_sites(first: int) -> None:
        async def site(n: int) -> None:
            made.append(n)
            commits.changed()
            await commits.flush()

        await asyncio.gather(site(first), site(first + 1))  # the second waits on the lock

    asyncio.run(two_sites(0))
    asyncio.run(two_sites(2))
    assert sorted(n for batch in written for n in batch) == [0, 1, 2, 3]
