"""The audit log: one JSON line per write `apply` made, tied to the Git commit it applied.

`AuditLog.record` is the `Runtime.audit` trail: the engine gives it each write as it is
about to be sent (an `intent` line) and as it settles, and awaits `flush` before sending, so
a run killed half-way has every write it sent on disk at least as an intent. After a site's
apply, `AuditLog.outcome` adds one `apply` line with the site's outcome (`applied`,
`unchanged`, `failed`, `timed_out`): with it the log says which commit every site was last
reconciled to, even when that commit changed nothing there. Lines are appended whole, never
rewritten, and fsynced by group commit (the lines of every site since the last write, in one
write and one fsync, in a worker thread): a line a full disk cut short is cut back off, and
a torn last line a killed run left is never glued to (the next line starts on a fresh line).
Reading checks every line's shape.

Each line: time (UTC), site, site_name, action, target, before, after, result, detail, and
the provenance of the run (commit, actor, run, repository, ref). Any `secrets` given (the API
key) are blanked out of every line, whatever field they would have reached.

`check_order` is the ordering guard: it refuses to apply a commit that Git says is an
ancestor of the one last applied to a site (an older merge whose run was delayed or re-run
would roll the site back). When Git cannot tell, it warns and lets the apply go on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.engine import bounded
from reconciler.engine.files import make_folder
from reconciler.engine.groupcommit import GroupCommit
from reconciler.engine.report import ActionRecord
from reconciler.errors import ConfigError, MprError, OutOfOrderCommit
from reconciler.model.json_kind import json_kind

REDACTED = "[redacted]"
SITE_ACTION = "apply"
"""The `action` of the one line per site that records the site's outcome."""
SUCCESS = frozenset({"ok", "applied", "unchanged", "landed"})
_MIN_SECRET = 8
_MAX_ITEMS = 50


@dataclass(frozen=True)
class Provenance:
    """Who and what an apply ran for: taken from the CI environment (or Git) by the CLI."""

    commit: str | None = None
    actor: str | None = None
    run: str | None = None
    repository: str | None = None
    ref: str | None = None
    dirty: bool = False
    """The files applied differ from `commit` (uncommitted edits): recorded on every line."""


@dataclass(frozen=True)
class AuditEntry:
    """One line of the log."""

    time: str
    site: str
    site_name: str = ""
    action: str = ""
    target: str = ""
    before: Any = None
    after: Any = None
    result: str = ""
    detail: str = ""
    commit: str | None = None
    actor: str | None = None
    run: str | None = None
    repository: str | None = None
    ref: str | None = None
    identity: str | None = None
    """How mpr signed in for the site: "wix-app", "wix-user" or "api-key" (never a secret)."""
    dirty: bool = False
    """The YAML applied was not the commit's (written to a line only when true)."""

    @property
    def succeeded(self) -> bool:
        """A write that went through, or a site apply that ended applied or unchanged."""
        return self.result in SUCCESS

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> AuditEntry:
        """The entry a parsed line holds; ValueError naming the first key of the wrong kind.

        Keys this mpr does not know are ignored (a newer mpr may add some).
        """
        if not isinstance(body, Mapping):
            raise ValueError(f"expected a JSON object, got {json_kind(body)}")
        for key in ("time", "site"):
            if not isinstance(body.get(key), str):
                raise ValueError(f"`{key}` must be a string, got {json_kind(body.get(key))}")
        for key in _TEXT:
            if key in body and not isinstance(body[key], str):
                raise ValueError(f"`{key}` must be a string, got {json_kind(body[key])}")
        for key in _OPTIONAL_TEXT:
            if body.get(key) is not None and not isinstance(body[key], str):
                raise ValueError(f"`{key}` must be a string or null, got {json_kind(body[key])}")
        if "dirty" in body and not isinstance(body["dirty"], bool):
            raise ValueError(f"`dirty` must be true or false, got {json_kind(body['dirty'])}")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in body.items() if k in known})


_TEXT = ("site_name", "action", "target", "result", "detail")
_OPTIONAL_TEXT = ("commit", "actor", "run", "repository", "ref", "identity")


class AuditLog:
    """Appends audit lines to a file (created with its folders when missing)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        provenance: Provenance,
        *,
        names: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        now: Callable[[], datetime] | None = None,
        identities: Mapping[str, str] | None = None,
        redact: Callable[[str], str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.provenance = provenance
        self.names = dict(names or {})
        self.identities = dict(identities or {})
        self.secrets = sorted((s for s in set(secrets) if len(s) >= _MIN_SECRET), key=len)[::-1]
        self._redact = redact
        self._now = now or (lambda: datetime.now(UTC))
        self._broken: MprError | None = None
        try:
            make_folder(self.path.parent)
            os.close(os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))
        except OSError as exc:
            raise ConfigError(
                f"cannot write the audit log {self.path}: {exc.strerror or exc}; make the "
                "folder writable or pass another --audit-log (or MPR_AUDIT_LOG), then run again"
            ) from None
        self.open_writes: list[AuditEntry] = []
        """Writes an earlier run left open (intent, or unknown), to settle from live state."""
        self._lines: list[str] = []
        self._commits = GroupCommit(self._take_lines, self._write)

    async def flush(self) -> None:
        """Return once every line so far is on disk (one write for every site's lines)."""
        await self._commits.flush()

    def save(self) -> None:
        """The same, outside the event loop."""
        self._commits.flush_now()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.save()

    def record(self, site_id: str, record: ActionRecord) -> None:
        """The Runtime.audit sink: one line for one settled write."""
        self._append(
            site_id,
            action=record.action,
            target=record.target,
            before=summarised(record.before),
            after=summarised(record.after),
            result=record.result,
            detail=record.detail,
        )

    def settled(self, entry: AuditEntry, result: str, detail: str) -> None:
        """A line that settles an earlier open write (`entry`) from what Wix now shows."""
        self._append(
            entry.site,
            action=entry.action,
            target=entry.target,
            before=entry.before,
            after=entry.after,
            result=result,
            detail=detail,
        )

    def outcome(self, site_id: str, status: str, detail: str = "") -> None:
        """The one `apply` line for a site: how its apply ended (or that nothing was due)."""
        self._append(site_id, action=SITE_ACTION, result=status, detail=detail)

    def _append(self, site_id: str, **values: Any) -> None:
        entry = AuditEntry(
            time=self._now().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            site=site_id,
            site_name=self.names.get(site_id, ""),
            **values,
            **_shallow(self.provenance),
            identity=self.identities.get(site_id),
        )
        body = _shallow(entry)
        if not entry.dirty:  # lines of a clean checkout keep the shape they always had
            del body["dirty"]
        line = json.dumps(body, ensure_ascii=False, sort_keys=False, default=str)
        for secret in self.secrets:
            line = line.replace(json.dumps(secret, ensure_ascii=False)[1:-1], REDACTED)
        if self._redact is not None:  # tokens issued during the run, in every form
            line = self._redact(line)
        if self._broken is not None:
            raise self._broken
        self._lines.append(line)
        self._commits.changed()

    def _take_lines(self) -> str | None:
        lines, self._lines = self._lines, []
        return "".join(line + "\n" for line in lines) if lines else None

    def _write(self, lines: str) -> None:
        """Append `lines` whole, starting on a line of their own, and fsync; or raise and add
        nothing.

        A last line left without its newline (a run killed mid-write, a full disk) is never
        glued to: the new line starts on a fresh line. A failed write is cut back off, so
        every earlier line stays as it was; after one failure every later append fails too
        (no write may go out that the log cannot show).
        """
        if self._broken is not None:
            raise self._broken
        data = lines.encode("utf-8")
        try:
            make_folder(self.path.parent)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise self._fail(exc) from None
        try:
            size = os.fstat(fd).st_size
            if size and os.lseek(fd, size - 1, os.SEEK_SET) >= 0 and os.read(fd, 1) != b"\n":
                data = b"\n" + data
            try:
                written = 0
                while written < len(data):
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            except OSError as exc:
                with suppress(OSError):
                    os.ftruncate(fd, size)
                    os.fsync(fd)
                raise self._fail(exc) from None
        finally:
            os.close(fd)

    def _fail(self, error: OSError) -> MprError:
        self._broken = ConfigError(
            f"cannot append to the audit log {self.path}: {error.strerror or error}; mpr sends "
            "no further write to Wix, and every earlier line is intact (a write whose outcome "
            "could not be recorded is settled from the live state by the next apply). Free "
            "some space or make the folder writable, then run apply again"
        )
        return self._broken


def _shallow(record: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict, values as they are: `asdict` deep-copies every
    value, a third of the cost of a line at a fleet's thousands of lines (#12)."""
    return {field.name: getattr(record, field.name) for field in fields(record)}


def summarised(value: Any) -> Any:
    """`value` with long lists cut to their first items and a count (keeps lines short)."""
    if isinstance(value, Mapping):
        return {str(k): summarised(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [summarised(v) for v in value[:_MAX_ITEMS]]
        if len(value) > _MAX_ITEMS:
            items.append(f"… {len(value) - _MAX_ITEMS} more")
        return items
    return value


def read_log(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[AuditEntry], list[str]]:
    """Every entry of the files, in file then line order, and one problem per unreadable line.

    A missing file reads as empty (no apply has written it yet). A line cut short by a
    killed run, or anything else that is not an entry, is skipped and reported.
    """
    entries: list[AuditEntry] = []
    problems: list[str] = []
    for path in paths:
        source = Path(path)
        try:
            found, wrong = parse_lines(str(source), bounded.read_lines(source, bounded.AUDIT_LOG))
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:  # a name too long included: asking if it exists raises too
            raise ConfigError(
                f"cannot read the audit log {source}: {exc.strerror or exc}; name another "
                "with --audit-log (or MPR_AUDIT_LOG)"
            ) from None
        entries += found
        problems += wrong
    return entries, problems


def parse_lines(source: str, lines: Iterable[str]) -> tuple[list[AuditEntry], list[str]]:
    """The entries of audit `lines`, and one problem (naming `source` and the line) per line
    that is not an entry."""
    entries: list[AuditEntry] = []
    problems: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entries.append(AuditEntry.from_json(_parse_line(line)))
        except ValueError as exc:
            problems.append(
                f"{source}:{number}: not an audit entry ({exc}); skipped (fix or "
                "remove the line to silence this)"
            )
    return entries, problems


def _parse_line(line: str) -> Any:
    try:
        body = json.loads(line.strip())
    except json.JSONDecodeError as exc:
        cut = "" if line.rstrip().endswith("}") else "; cut short by a killed run or a full disk?"
        raise ValueError(f"not valid JSON at column {exc.colno}: {exc.msg}{cut}") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if "\\ud" in line.lower() and not encodable(body):
        raise ValueError("a \\ud800-\\udfff escape that stands for no character")
    return body


def encodable(value: Any) -> bool:
    """Whether `value` holds only real characters (JSON lets a lone surrogate be escaped)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def last_applied(entries: Iterable[AuditEntry]) -> dict[str, AuditEntry]:
    """Per site, the last successful entry that names a commit."""
    last: dict[str, AuditEntry] = {}
    for entry in entries:
        if entry.commit and entry.succeeded:
            last[entry.site] = entry
    return last


Ancestry = Callable[[str, str], bool | None]
"""is_ancestor(a, b): whether commit a is an ancestor of b; None when Git cannot tell."""


def check_order(
    sites: Mapping[str, str],
    last: Mapping[str, AuditEntry],
    commit: str | None,
    is_ancestor: Ancestry,
) -> list[str]:
    """Raise OutOfOrderCommit when `commit` is older than one last applied to any of `sites`.

    `sites` maps the ids about to be applied to their names. Returns warnings for the sites
    where the order cannot be known (Git lacks a commit: a shallow clone, say). Nothing is
    checked when the current commit is unknown.
    """
    if not commit:
        return []
    older: list[str] = []
    unknown: list[str] = []
    for site_id, name in sites.items():
        previous = last.get(site_id)
        if previous is None or not previous.commit or _same(previous.commit, commit):
            continue
        answer = is_ancestor(commit, previous.commit)
        label = f"{name} ({site_id})" if name else site_id
        if answer is None:
            unknown.append(f"{label}: last applied {_short(previous.commit)}")
        elif answer:
            by = f" by {previous.actor}" if previous.actor else ""
            run = f" (run {previous.run})" if previous.run else ""
            when = f"was applied at {previous.time}{by}{run}"
            older.append(f"{label}: {_short(previous.commit)} {when}")
    if older:
        raise OutOfOrderCommit(
            f"refusing to apply commit {_short(commit)}: it is older than the commit last "
            "applied to these sites, and applying it would roll them back:\n  "
            + "\n  ".join(older)
            + "\napply the newest commit instead, or pass --allow-out-of-order to roll back "
            "on purpose"
        )
    if unknown:
        return [
            f"cannot tell whether commit {_short(commit)} is older than the one last applied "
            "(Git does not know one of them: fetch the full history, e.g. actions/checkout "
            "with fetch-depth: 0); applying anyway:\n  " + "\n  ".join(unknown)
        ]
    return []


def _same(a: str, b: str) -> bool:
    shortest = min(len(a), len(b))
    return shortest >= 7 and a[:shortest].lower() == b[:shortest].lower()


def _short(commit: str) -> str:
    return commit[:12]
