"""The apply lease: who may write to Wix for the sites of this store, until when.

An OS lock covers one machine; runners share nothing but the remote. The lease is a file
in the state ref (`lease.json`): holder, run, host, pid, since, expires. It is taken by a
compare-and-swap push (only when no one holds it, or the holder's lease has expired: the
stale rule, for a run that died without releasing it), renewed with every push of the
holder, and released (removed) at the end of the run.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from reconciler.model.events import parse_wire_time, wire_time

DEFAULT_TTL = timedelta(minutes=30)
"""How long a lease lasts unless renewed: longer than any one wait between two pushes."""


@dataclass(frozen=True)
class Lease:
    """One holder's claim; `token` tells two runs of the same user and host apart."""

    token: str
    holder: str
    run: str
    host: str
    pid: int
    since: str
    expires: str

    def to_bytes(self) -> bytes:
        return (json.dumps(asdict(self), indent=2) + "\n").encode("utf-8")

    def expired(self, now: datetime) -> bool:
        try:
            return now >= parse_wire_time(self.expires)
        except ValueError:  # a lease this mpr cannot date is no lease to wait for
            return True

    def describe(self) -> str:
        run = f", run {self.run}" if self.run else ""
        return f"{self.holder} (pid {self.pid} on {self.host}{run}) since {self.since}"

    @classmethod
    def read(cls, content: bytes | None) -> Lease | None:
        """The lease a file holds; None for none, or for one this mpr cannot read."""
        if not content:
            return None
        try:
            body = json.loads(content)
            return cls(**{k: body[k] for k in cls.__dataclass_fields__})
        except (ValueError, TypeError, KeyError):
            return None


def new_lease(holder: str, run: str | None, now: datetime, ttl: timedelta) -> Lease:
    """A lease for this process, from `now` for `ttl`."""
    return Lease(
        token=uuid.uuid4().hex,
        holder=holder,
        run=run or "",
        host=socket.gethostname(),
        pid=os.getpid(),
        since=wire_time(now),
        expires=wire_time(now + ttl),
    )
