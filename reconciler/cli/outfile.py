"""Files a command writes on request (`--out`): whole or not at all, or one clear error."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from reconciler.engine.files import write_atomically
from reconciler.errors import ConfigError

_STREAM_FOLDERS = ("/dev", "/dev/fd", "/proc/self/fd")
"""Where `/dev/stdout`, `/dev/fd/63` (a shell's `>(jq .)`) and their like live."""


def save(path: str, text: str, what: str) -> None:
    """Write `text` (`what` it is, for the message) to `path`, making its folders; a
    ConfigError naming the file when it cannot be written.

    A file is replaced whole (written aside, then renamed over it). A stream the user names
    (`/dev/null`, `/dev/stdout`, a named pipe) is written into instead: a rename would put a
    file in its place, and as root that breaks `/dev/null` for the whole machine.
    """
    try:
        if _stream(path):
            with open(path, "w", encoding="utf-8") as stream:
                stream.write(text)
            return
        write_atomically(Path(path), text)
    except OSError as exc:
        raise ConfigError(
            f"cannot write {what} to {path}: {exc.strerror or exc}; pass --out a file in a "
            "folder you can write to"
        ) from None


def _stream(path: str) -> bool:
    """Whether `path` names a character device, a pipe, or a stream of /dev or /proc; an
    OSError for a block device or a socket, which are never written."""
    if os.path.dirname(os.path.abspath(path)) in _STREAM_FOLDERS:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # not there yet (a file to make), or the write says why
    if stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        kind = "a block device" if stat.S_ISBLK(mode) else "a socket"
        raise OSError(errno.EINVAL, f"{path} is {kind}, not a file")
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)
