"""Files mpr writes on disk: whole or not at all, in folders made as needed."""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import suppress
from pathlib import Path


def make_folder(folder: Path) -> None:
    """Make `folder` and its parents as needed. A plain file in the way is a NotADirectoryError
    that names it: the OS's own word ("File exists", "Not a directory") names neither."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        there = (p for p in (folder, *folder.parents) if p.exists())
        blocker = next((p for p in there if not p.is_dir()), None)
        if blocker is None:
            raise
        raise NotADirectoryError(errno.ENOTDIR, f"{blocker} is a file, not a folder") from None


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a crash leaves the old file or the new one, whole.

    Temporary file in the same folder, flushed and fsynced, renamed over `path`, and the
    folder fsynced so the rename itself is on disk. Raises OSError; no temporary file is left.
    """
    make_folder(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    with suppress(OSError):  # not every platform or file system can fsync a folder
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
