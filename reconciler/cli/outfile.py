"""Files a command writes on request (`--out`): whole or not at all, or one clear error."""

from __future__ import annotations

import errno
from pathlib import Path

from reconciler.engine.journal import write_atomically
from reconciler.errors import ConfigError


def save(path: str, text: str, what: str) -> None:
    """Write `text` (`what` it is, for the message) to `path`, making its folders; a
    ConfigError naming the file when it cannot be written."""
    blocker = next((p for p in Path(path).parents if p.exists() and not p.is_dir()), None)
    try:
        if blocker is not None:
            raise NotADirectoryError(errno.ENOTDIR, f"{blocker} is a file, not a folder")
        write_atomically(Path(path), text)
    except OSError as exc:
        raise ConfigError(
            f"cannot write {what} to {path}: {exc.strerror or exc}; pass --out a file in a "
            "folder you can write to"
        ) from None
