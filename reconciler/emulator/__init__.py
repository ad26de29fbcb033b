"""A local, independent implementation of the Wix Marketing Plan APIs (SPEC.md).

Role: serve the 30 methods over real HTTP (an ASGI app, in-process or via uvicorn) with the
documented state effects, errors, asynchronous generation on a controllable clock, fault
injection and a request log, so the client can be tested on the wire.
Rule: this package imports nothing from the rest of ``reconciler`` (client and emulator meet
only on the wire), and never imports click.
"""

from __future__ import annotations

from reconciler.emulator.clock import Clock, ManualClock, RealClock
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.control import FaultRule, RequestRecord
from reconciler.emulator.errors import EmulatorError
from reconciler.emulator.fixtures import FixtureError
from reconciler.emulator.routes import PREFIX as API_PREFIX
from reconciler.emulator.server import Emulator, serve, serve_in_thread

__all__ = [
    "API_PREFIX",
    "Clock",
    "Emulator",
    "EmulatorConfig",
    "EmulatorError",
    "FaultRule",
    "FixtureError",
    "ManualClock",
    "RealClock",
    "RequestRecord",
    "serve",
    "serve_in_thread",
]
