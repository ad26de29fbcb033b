"""One writer at a time: the apply lock of a state directory.

Two applies on the same files at once would each create every event and start every plan
action. `apply` holds an OS file lock (`filelock`, flock on POSIX) on `<state dir>/apply.lock`
for its whole run; the kernel drops it when the holder exits, however it exits, so a lock
is never left stale by a killed run. Next to it, `apply.lock.json` says who holds it and
since when, for the message the second run prints.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from reconciler.engine import bounded
from reconciler.engine.files import make_folder
from reconciler.errors import ConfigError, LockHeld

LOCK_NAME = "apply.lock"


@contextmanager
def apply_lock(
    state_dir: str | os.PathLike[str],
    timeout: float = 0.0,
    now: Callable[[], datetime] | None = None,
    command: str = "mpr apply",
) -> Iterator[None]:
    """Hold the apply lock of `state_dir` for the block; LockHeld after `timeout` seconds."""
    folder = Path(state_dir)
    try:
        make_folder(folder)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the state folder {folder}: {exc.strerror or exc}; "
            "choose another with --state-file"
        ) from None
    lock = FileLock(folder / LOCK_NAME, timeout=max(timeout, 0.0))
    holder = folder / f"{LOCK_NAME}.json"
    try:
        lock.acquire()
    except Timeout:
        raise LockHeld(_held_message(holder, folder, timeout)) from None
    except OSError as exc:  # a folder, or a file mpr may not open, where the lock goes
        what = (
            "is a folder" if (folder / LOCK_NAME).is_dir() else f"cannot be opened: {exc.strerror}"
        )
        raise ConfigError(
            f"the apply lock {folder / LOCK_NAME} {what}: remove it (no apply holds it then) "
            "or choose another state folder with --state-file"
        ) from None
    try:
        stamp = (now or (lambda: datetime.now(UTC)))()
        _write_holder(holder, stamp, command)
        yield
    finally:
        with suppress(OSError):
            holder.unlink()
        lock.release()


def _write_holder(path: Path, since: datetime, command: str) -> None:
    body = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "user": _user(),
        "since": since.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "command": command,
    }
    # Written aside, then renamed: a second apply (or a person) reading the note sees all of
    # it or none, never the empty file an in-place write shows for a moment.
    draft = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with suppress(OSError):  # the lock itself is what protects; the note is for people
        draft.write_text(json.dumps(body), encoding="utf-8")
        os.replace(draft, path)


def _held_message(holder: Path, folder: Path, timeout: float) -> str:
    try:
        info = json.loads(bounded.read_text(holder, bounded.LOCK_NOTE))
        who = (
            f"{info['command']} (pid {info['pid']} on {info['host']}, by {info['user']}) "
            f"since {info['since']}"
        )
    except (OSError, ValueError, KeyError, TypeError, ConfigError):
        who = "another mpr apply"
    waited = f" after waiting {timeout:g} s" if timeout > 0 else ""
    return (
        f"{who} holds the apply lock of {folder}{waited}: one apply at a time writes to Wix. "
        "Wait for it to finish (or pass --lock-timeout SECONDS to wait); a killed run "
        "releases the lock by itself"
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
