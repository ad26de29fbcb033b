"""The apply lease: who may write to Wix for the sites of this store, until when.

An OS lock covers one machine; runners share nothing but the remote. The lease is a file
in the state ref: holder, run, host, pid, since, expires, and the shard it covers
(`lease.json` for every site, `lease-2-of-4.json` for shard 2/4: the shards of one fleet
apply side by side, an unsharded apply excludes them all). It is taken by a
compare-and-swap push (only when no lease it overlaps stands, or those are stale: expired,
or held by a process of this machine that is gone; the rule for a run that died without
releasing one), renewed with every journal write of the holder, and released (removed) at
the end of the run.
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
    scope: str = ""
    """The shard it covers, "I/N", or "" for every site."""

    @property
    def file_name(self) -> str:
        return file_name(self.scope)

    def overlaps(self, scope: str) -> bool:
        """Whether this lease and one for `scope` could cover the same site."""
        if not self.scope or not scope:
            return True
        (mine, of), (other, out_of) = _parts(self.scope), _parts(scope)
        return of != out_of or mine == other

    def to_bytes(self) -> bytes:
        return (json.dumps(asdict(self), indent=2) + "\n").encode("utf-8")

    def expired(self, now: datetime) -> bool:
        try:
            return now >= parse_wire_time(self.expires)
        except ValueError:  # a lease this mpr cannot date is no lease to wait for
            return True

    def stale(self, now: datetime) -> bool:
        """Whether the lease may be taken over: it expired, or its holder ran on this machine
        and is gone (a killed run here need not be waited out)."""
        return self.expired(now) or (self.host == socket.gethostname() and not _alive(self.pid))

    def describe(self) -> str:
        run = f", run {self.run}" if self.run else ""
        shard = f" for shard {self.scope}" if self.scope else ""
        return f"{self.holder} (pid {self.pid} on {self.host}{run}){shard} since {self.since}"

    @classmethod
    def read(cls, content: bytes | None) -> Lease | None:
        """The lease a file holds; None for none, or for one this mpr cannot read."""
        if not content:
            return None
        try:
            body = json.loads(content)
            return cls(
                **{k: body[k] for k in cls.__dataclass_fields__ if k != "scope"},
                scope=str(body.get("scope") or ""),
            )
        except (ValueError, TypeError, KeyError):
            return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or a pid this system cannot ask about
    return True


def is_lease(name: str) -> bool:
    """Whether a file of the state ref is a lease."""
    return name.startswith("lease") and name.endswith(".json")


def file_name(scope: str) -> str:
    """The state ref's file of the lease for `scope` ("" or "I/N")."""
    return "lease.json" if not scope else f"lease-{scope.replace('/', '-of-')}.json"


def _parts(scope: str) -> tuple[int, int]:
    index, count = scope.split("/")
    return int(index), int(count)


def new_lease(
    holder: str, run: str | None, now: datetime, ttl: timedelta, scope: str = ""
) -> Lease:
    """A lease for this process over `scope`, from `now` for `ttl`."""
    return Lease(
        token=uuid.uuid4().hex,
        holder=holder,
        run=run or "",
        host=socket.gethostname(),
        pid=os.getpid(),
        since=wire_time(now),
        expires=wire_time(now + ttl),
        scope=scope,
    )
