"""What every rule module needs from the emulator: its knobs, its clock and its id minting."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.emulator.clock import Clock
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.ids import IdFactory


@dataclass
class Context:
    """Shared by ``state``, ``planning``, ``drafts`` and ``transitions`` (one per emulator)."""

    config: EmulatorConfig
    clock: Clock
    ids: IdFactory
