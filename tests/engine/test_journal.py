"""The write-ahead journal survives the process: a second reader sees what the first wrote."""

from __future__ import annotations

import errno
import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest

from reconciler.engine.journal import FileJournal, PostsRequest
from reconciler.errors import ConfigError


def test_a_recorded_regenerate_is_seen_by_the_next_run_until_cleared(tmp_path: Path) -> None:
    path = tmp_path / ".mpr" / "state.json"
    first = FileJournal(path)
    first.record("site-1", "regenerate_keywords", "2026-11-23T10:00:00.000Z")
    first.save()

    again = FileJournal(path)
    pending = again.pending("site-1")
    assert pending is not None and pending.kind == "regenerate_keywords"
    assert again.pending("site-2") is None

    again.clear("site-1")
    again.save()
    assert FileJournal(path).pending("site-1") is None
    assert json.loads(path.read_text()) == {"pending": {}}


def test_a_posts_request_is_seen_by_the_next_run_until_cleared(tmp_path: Path) -> None:
    """What a killed apply asked Wix to write posts for: the next run checks those
    activities instead of asking again, and forgets them once settled, for that site only."""
    path = tmp_path / "state.json"
    first = FileJournal(path)
    first.record_posts("site-1", "2026-11-23T10:00:00.000Z", ("a1", "a2"))
    first.record_posts("site-2", "2026-11-23T10:05:00.000Z", ("b1",))
    first.save()

    again = FileJournal(path)
    assert again.posts_requested("site-1") == PostsRequest("2026-11-23T10:00:00.000Z", ("a1", "a2"))
    again.clear_posts("site-1")
    again.clear_posts("site-3")
    again.save()

    last = FileJournal(path)
    assert last.posts_requested("site-1") is None
    assert last.posts_requested("site-2") == PostsRequest("2026-11-23T10:05:00.000Z", ("b1",))
    assert json.loads(path.read_text()) == {
        "pending": {},
        "posts": {"site-2": {"sent": "2026-11-23T10:05:00.000Z", "activities": ["b1"]}},
    }


def test_a_state_file_with_no_pending_key_has_nothing_pending(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{}", encoding="utf-8")
    assert FileJournal(path).pending("site-1") is None


def test_a_socket_as_the_state_file_is_named_for_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with socket.socket(socket.AF_UNIX) as listening:  # Linux refuses to open a socket file
        listening.bind(str(path))
        with pytest.raises(ConfigError) as refused:
            FileJournal(path)
    assert str(refused.value) == (
        f"{path} is a socket: mpr reads the state file only from a regular file; remove it "
        "(apply writes a new one)"
    )


def test_a_state_file_that_cannot_be_opened_is_named_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"pending": {}}', encoding="utf-8")
    real_open = os.open

    def denied(name: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(name) == path:  # what a file of another user gets (the tests run as root)
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(ConfigError) as refused:
        FileJournal(path)
    assert str(refused.value) == f"cannot read the state file {path}: Permission denied"
