"""The apply lease: who may write to Wix for the sites of this store, until when.

An OS lock covers one machine; runners share nothing but the remote. The lease is a file
in the state ref: holder, run, host, pid, since, expires, and the shard it covers
(`lease.json` for every site, `lease-2-of-4.json` for shard 2/4: the shards of one fleet
apply side by side, an unsharded apply excludes them all). It is taken by a
compare-and-swap push, only when no lease it overlaps stands or those are stale: expired,
or held by a process of *this* machine that is gone (the rule for a run that died without
releasing one). "This machine" is never judged by the host name, which containers and CI
runners share: a lease records `machine` (this boot of this kernel and the pid namespace:
where a pid names one process) and the start time of its process, so a pid reused by
another process, or a process in another container, never passes for the holder's death.
A record this mpr cannot read (`"pid": "abc"`) is damaged: it is held until its expiry
(when that can be read) and named in the refusal, with how to clear it. The lease is
renewed by its holder's journal writes and lease checks, and released (removed) at the end
of the run.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

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
    machine: str = ""
    """Where `pid` names one process (`Host.machine`); "" when the holder could not tell."""
    started: str = ""
    """When the holder's process started (clock ticks after boot); "" when unknown."""
    damage: str = field(default="", compare=False)
    """What is wrong with a record read from the remote ("" for a sound one); never written."""
    source: str = field(default="", compare=False)
    """The file a damaged record was read from ("" otherwise); never written."""

    @property
    def file_name(self) -> str:
        return self.source or file_name(self.scope)

    def overlaps(self, scope: str) -> bool:
        """Whether this lease and one for `scope` could cover the same site."""
        if not self.scope or not scope:
            return True
        (mine, of), (other, out_of) = _parts(self.scope), _parts(scope)
        return of != out_of or mine == other

    def to_bytes(self) -> bytes:
        body = {k: v for k, v in asdict(self).items() if k not in ("damage", "source")}
        return (json.dumps(body, indent=2) + "\n").encode("utf-8")

    def expired(self, now: datetime) -> bool:
        try:
            return now >= parse_wire_time(self.expires)
        except ValueError:  # a lease this mpr cannot date is no lease to wait for
            return True

    def stale(self, now: datetime, here: Host) -> bool:
        """Whether the lease may be taken over: it expired, or its holder's process ran
        where `here` runs and is gone (a killed run here need not be waited out). Never
        by host name: a runner of the same name elsewhere is no proof of anything."""
        if self.expired(now):
            return True
        if self.damage or not self.machine or self.machine != here.machine:
            return False
        return not here.running(self.pid, self.started)

    def describe(self) -> str:
        run = f", run {self.run}" if self.run else ""
        shard = f" for shard {self.scope}" if self.scope else ""
        held = f"{self.holder} (pid {self.pid} on {self.host}{run}){shard} since {self.since}"
        if self.damage:
            return f"a damaged lease record {self.file_name} ({self.damage}; it reads as {held})"
        return held

    @classmethod
    def read(cls, content: bytes | None, name: str = "lease.json") -> Lease | None:
        """The lease the file `name` holds; None for none. A record this mpr cannot read is
        a lease all the same, marked `damage`d: whoever wrote it may be writing to Wix."""
        lease = cls._read(content)
        if lease is None or not lease.damage or lease.file_name == name:
            return lease
        # it covers what its file name says (every site when it says no shard), and is named
        # by the file it is in: the one to remove (a name that would write control characters
        # to the terminal is not shown)
        return replace(lease, scope=_scope_of(name), source=name if name.isprintable() else "")

    @classmethod
    def _read(cls, content: bytes | None) -> Lease | None:
        if not content:
            return None
        try:
            body = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            return cls(**_PLACEHOLDER, damage="it is not JSON")
        if not isinstance(body, dict):
            return cls(**_PLACEHOLDER, damage="it is not a JSON object")
        values: dict[str, Any] = {**_PLACEHOLDER, "scope": "", "machine": "", "started": ""}
        wrong = []
        for name, default in values.items():
            value = body.get(name, default)
            if name in _PLACEHOLDER and name not in body:
                wrong.append(f"it has no {name}")
            elif type(value) is not type(default) or (name == "pid" and not 0 < value < 2**31):
                wrong.append(f"{name} is {json.dumps(value)[:40]}")
            else:
                values[name] = value
        scope = values["scope"]
        if scope and not _is_scope(str(scope)):
            wrong.append(f"scope is {json.dumps(scope)[:40]}")
            values["scope"] = ""
        return cls(**values, damage=", ".join(wrong))


_PLACEHOLDER: dict[str, Any] = {
    "token": "",
    "holder": "?",
    "run": "",
    "host": "?",
    "pid": 0,
    "since": "?",
    "expires": "",
}
"""A lease's required members, as a damaged record without them reads."""


def _scope_of(name: str) -> str:
    """The scope a lease file's name says ("" for lease.json or a name that says none)."""
    scope = name.removeprefix("lease-").removesuffix(".json").replace("-of-", "/")
    return scope if _is_scope(scope) else ""


def _is_scope(scope: str) -> bool:
    index, _, count = scope.partition("/")
    return index.isdigit() and count.isdigit() and 0 < int(index) <= int(count)


@dataclass(frozen=True)
class Host:
    """Where this process runs, as a lease records it and judges another's holder."""

    machine: str
    """This boot of this machine's kernel and this pid namespace: where a pid names one
    process ("" when this system cannot tell, and then no holder is judged gone)."""
    pid: int
    proc: Path = Path("/proc")

    @classmethod
    def this_process(cls, proc: Path = Path("/proc")) -> Host:
        return cls(_machine(proc), os.getpid(), proc)

    def started(self, pid: int) -> str | None:
        """When process `pid` started (clock ticks after boot), or None when there is none."""
        try:
            stat = (self.proc / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            return None
        fields = stat.rpartition(")")[2].split()  # the name, in parentheses, may hold spaces
        return fields[19] if len(fields) > 19 else None

    def running(self, pid: int, started: str) -> bool:
        """Whether the process `pid` that started at `started` still runs here."""
        now = self.started(pid)
        return now is not None and (not started or now == started)


def _machine(proc: Path) -> str:
    """The boot id and the pid namespace of this process; "" when either is unknown."""
    try:
        boot = (proc / "sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        namespace = os.readlink(proc / "self/ns/pid")
    except (OSError, UnicodeDecodeError):
        return ""
    return f"{boot}/{namespace}" if boot and namespace else ""


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
    holder: str, run: str | None, now: datetime, ttl: timedelta, here: Host, scope: str = ""
) -> Lease:
    """A lease for the process `here` over `scope`, from `now` for `ttl`."""
    return Lease(
        token=uuid.uuid4().hex,
        holder=holder,
        run=run or "",
        host=socket.gethostname(),
        pid=here.pid,
        since=wire_time(now),
        expires=wire_time(now + ttl),
        scope=scope,
        machine=here.machine,
        started=here.started(here.pid) or "",
    )
