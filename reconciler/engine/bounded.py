"""Bounded reads: mpr reads its logs, state and plans only from regular files, up to a cap.

`/dev/zero`, a FIFO, a device or a 10 GB file named as an audit log or a plan would
otherwise be read as one endless line (#23). Every reader of those files goes through here
and gets one ConfigError naming the file, what is wrong and what to do, with memory bounded
by the cap. A missing or unreadable file raises OSError, for the caller's own message.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reconciler.errors import ConfigError

MIB = 1 << 20


@dataclass(frozen=True)
class Kind:
    """One kind of file mpr reads: its name, its caps, and what to do when it is not a
    regular file (`instead`) or too large (`too_large`)."""

    name: str
    max_bytes: int
    instead: str
    too_large: str
    max_line_bytes: int = MIB


AUDIT_LOG = Kind(
    "the audit log",
    512 * MIB,
    "name a file with --audit-log or MPR_AUDIT_LOG",
    "move it aside (apply starts a new one) and read it with `mpr history --audit-log`",
)
STATE_FILE = Kind(
    "the state file",
    64 * MIB,
    "remove it (apply writes a new one)",
    "move it aside (apply writes a new one) and report it",
)
SAVED_PLAN = Kind(
    "a saved plan",
    256 * MIB,
    "pass the file `mpr plan --out` wrote",
    "make the plan again with `mpr plan --out` for fewer sites (--site, --shard)",
)
COMMENT = Kind(
    "the comment file",
    16 * MIB,
    "pass the Markdown file `mpr plan --comment` wrote",
    "pass the Markdown file `mpr plan --comment` wrote",
)
GITHUB_EVENT = Kind(
    "the GitHub event file (GITHUB_EVENT_PATH)",
    64 * MIB,
    "unset GITHUB_EVENT_PATH outside GitHub Actions",
    "unset GITHUB_EVENT_PATH outside GitHub Actions",
)
LOCK_NOTE = Kind("the apply lock's note", MIB, "remove it", "remove it")

_TYPES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_bytes(path: str | os.PathLike[str], kind: Kind) -> bytes:
    """The whole of `path`: a regular file of at most `kind.max_bytes`."""
    with _open(Path(path), kind) as handle:
        data = handle.read(kind.max_bytes + 1)
    if len(data) > kind.max_bytes:  # it grew since it was looked at
        raise _too_large(Path(path), kind)
    return data


def read_text(path: str | os.PathLike[str], kind: Kind) -> str:
    """`read_bytes` decoded as UTF-8 (UnicodeDecodeError for the caller to place)."""
    return read_bytes(path, kind).decode("utf-8")


def read_lines(path: str | os.PathLike[str], kind: Kind) -> Iterator[str]:
    """The lines of `path` (UTF-8, undecodable bytes replaced), each at most
    `kind.max_line_bytes`, the whole at most `kind.max_bytes`."""
    source = Path(path)
    total = 0
    with _open(source, kind) as handle:
        lines = iter(lambda: handle.readline(kind.max_line_bytes + 1), b"")
        for number, line in enumerate(lines, 1):
            total += len(line)
            if total > kind.max_bytes:
                raise _too_large(source, kind)
            if len(line) > kind.max_line_bytes and not line.endswith(b"\n"):
                raise ConfigError(
                    f"{source}:{number}: {kind.name} has a line longer than "
                    f"{_size(kind.max_line_bytes)}, which mpr never writes; {kind.too_large}"
                )
            yield line.decode("utf-8", "replace")


def _open(path: Path, kind: Kind) -> BinaryIO:
    """`path` open for reading once it proved a regular file within the cap.

    Opened without blocking, so a FIFO with no writer is refused rather than waited on.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        with suppress(OSError):  # Linux refuses to open a socket (ENXIO): say what it is
            _require_regular_file(path, os.stat(path).st_mode, kind)
        raise
    try:
        mode = os.fstat(fd)
        _require_regular_file(path, mode.st_mode, kind)
        if mode.st_size > kind.max_bytes:
            raise _too_large(path, kind)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _require_regular_file(path: Path, mode: int, kind: Kind) -> None:
    what = next((name for test, name in _TYPES if test(mode)), None)
    if what is not None or not stat.S_ISREG(mode):
        raise ConfigError(
            f"{path} is {what or 'not a regular file'}: mpr reads {kind.name} only "
            f"from a regular file; {kind.instead}"
        )


def _too_large(path: Path, kind: Kind) -> ConfigError:
    return ConfigError(
        f"{path}: {kind.name} is larger than {_size(kind.max_bytes)}, more than mpr reads; "
        f"{kind.too_large}"
    )


def _size(count: int) -> str:
    return f"{count // MIB} MiB" if count >= MIB else f"{count} bytes"
