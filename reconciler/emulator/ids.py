"""GUID minting: random uuid4 strings, or a deterministic sequence when a seed is given."""

from __future__ import annotations

import random
import threading
import uuid

#: Namespace for ids derived from other ids (e.g. a site's own marketing calendar).
EMULATOR_NAMESPACE = uuid.UUID("6f1c7a52-0d3e-4b8a-9c41-2e5d8f7a9b10")


class IdFactory:
    """Mints version-4-shaped GUID strings; the same seed yields the same sequence."""

    def __init__(self, seed: int | str | None = None) -> None:
        self._rng = random.Random(str(seed)) if seed is not None else None
        self._lock = threading.Lock()

    def new(self) -> str:
        if self._rng is None:
            return str(uuid.uuid4())
        with self._lock:
            bits = self._rng.getrandbits(128)
        return str(uuid.UUID(int=bits, version=4))


def derived_id(*parts: str) -> str:
    """A stable GUID derived from ``parts`` (uuid5), for ids that must not depend on order."""
    return str(uuid.uuid5(EMULATOR_NAMESPACE, "/".join(parts)))


def is_guid(value: object) -> bool:
    """True for a GUID string (any version)."""
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
