"""The record that keeps a due regenerate from being lost when apply is interrupted.

GetSocialMarketingPlan gives no generation time, so after an apply that wrote settings or
events and then died before the regenerate ran, the live state alone no longer says that the
plan is stale. Before writing, apply records the due action here (write-ahead); it clears
the record once Wix has accepted the action. Just before sending it, apply also notes that
it is being sent and which upcoming activities the plan had: when the answer is lost (a
kill, a timeout), the next run looks at the live plan (`decide.still_due`) instead of
sending it again. A GenerateSocialPosts is recorded the same way before it is sent, so that
a re-run waits for that job's posts instead of asking a second time. `plan` and `apply` read
it and treat a recorded action as still due. The file is small JSON, replaced atomically,
one write for the records of many sites (group commit); keep it between CI runs (cache or
artifact) if runs may be cut short.
"""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from reconciler.engine import bounded
from reconciler.engine.audit import encodable
from reconciler.engine.decide import Pending
from reconciler.engine.files import write_atomically
from reconciler.engine.groupcommit import GroupCommit
from reconciler.engine.plan import ActionKind
from reconciler.errors import ConfigError
from reconciler.model.events import EARLIEST, LATEST, in_range, parse_wire_time
from reconciler.model.json_kind import json_kind

_KINDS: tuple[str, ...] = typing.get_args(ActionKind)
_ASIDE = (
    "move it aside and run again: mpr starts a new one (a regenerate that an interrupted "
    "apply left due is then forgotten, so check each site's plan)"
)


@dataclass(frozen=True)
class PostsRequest:
    """A GenerateSocialPosts sent for `activities` at `sent`, not yet seen through."""

    sent: str
    activities: tuple[str, ...]


class Journal(Protocol):
    """Where pending plan actions (and posts requests) are kept between runs."""

    def pending(self, site_id: str) -> Pending | None: ...

    def record(self, site_id: str, kind: ActionKind, since: str) -> None: ...

    def mark_sent(
        self, site_id: str, kind: ActionKind, at: str, upcoming: tuple[str, ...]
    ) -> None: ...

    def clear(self, site_id: str) -> None: ...

    def posts_requested(self, site_id: str) -> PostsRequest | None: ...

    def record_posts(self, site_id: str, sent: str, activities: tuple[str, ...]) -> None: ...

    def clear_posts(self, site_id: str) -> None: ...

    async def flush(self) -> None:
        """Make every change so far durable (before a write that depends on it is sent)."""

    def save(self) -> None:
        """The same, outside the event loop (the end of a run)."""


class MemoryJournal:
    """A journal that lives as long as the process (for one-shot runs and `plan`)."""

    def __init__(self) -> None:
        self._entries: MutableMapping[str, Pending] = {}
        self._posts: MutableMapping[str, PostsRequest] = {}

    def pending(self, site_id: str) -> Pending | None:
        return self._entries.get(site_id)

    def record(self, site_id: str, kind: ActionKind, since: str) -> None:
        self._entries[site_id] = Pending(kind, since)

    def mark_sent(self, site_id: str, kind: ActionKind, at: str, upcoming: tuple[str, ...]) -> None:
        """`kind` is about to be sent: until Wix accepts it, its outcome is unknown."""
        since = self._entries[site_id].since if site_id in self._entries else at
        self._entries[site_id] = Pending(kind, since, at, upcoming)

    def clear(self, site_id: str) -> None:
        self._entries.pop(site_id, None)

    def posts_requested(self, site_id: str) -> PostsRequest | None:
        return self._posts.get(site_id)

    def record_posts(self, site_id: str, sent: str, activities: tuple[str, ...]) -> None:
        self._posts[site_id] = PostsRequest(sent, activities)

    def clear_posts(self, site_id: str) -> None:
        self._posts.pop(site_id, None)

    async def flush(self) -> None:
        """Nothing to make durable: this journal ends with the process."""

    def save(self) -> None:
        """Nothing to make durable: this journal ends with the process."""


class FileJournal(MemoryJournal):
    """A journal kept in a JSON file, replaced atomically by group commit (`flush`).

    A change is made durable by the next `flush` (awaited before anything is sent to Wix)
    or `save` (outside the event loop); until then it lives in memory only.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        _check_place(self.path)
        if self.path.exists():  # read_state refuses anything but a regular file
            self._entries.update(read_state(self.path))
            self._posts.update(read_posts(self.path))
        self._commits = GroupCommit(self._text, self._write)
        self._failure = ""

    def record(self, site_id: str, kind: ActionKind, since: str) -> None:
        super().record(site_id, kind, since)
        self._commits.changed()

    def mark_sent(self, site_id: str, kind: ActionKind, at: str, upcoming: tuple[str, ...]) -> None:
        super().mark_sent(site_id, kind, at, upcoming)
        self._commits.changed()

    def clear(self, site_id: str) -> None:
        if self.pending(site_id) is not None:
            super().clear(site_id)
            self._commits.changed()

    def record_posts(self, site_id: str, sent: str, activities: tuple[str, ...]) -> None:
        super().record_posts(site_id, sent, activities)
        self._commits.changed()

    def clear_posts(self, site_id: str) -> None:
        if self.posts_requested(site_id) is not None:
            super().clear_posts(site_id)
            self._commits.changed()

    async def flush(self) -> None:
        await self._commits.flush()

    def save(self) -> None:
        """Write what the run recorded after its last send (clears, mostly): ConfigError
        when the file cannot be written; the next apply then settles those from Wix."""
        try:
            self._commits.flush_now()
        except ConfigError:
            raise ConfigError(
                f"the state file {self.path} could not be saved at the end of the run "
                f"({self._failure}): it may still show plan actions or posts requests this run "
                "saw through; the next apply checks them against Wix and does not send them "
                "again. Free some space or make the folder writable"
            ) from None

    def _text(self) -> str:
        body: dict[str, Any] = {
            "pending": {site: _entry(p) for site, p in sorted(self._entries.items())}
        }
        if self._posts:
            body["posts"] = {
                site: {"sent": p.sent, "activities": list(p.activities)}
                for site, p in sorted(self._posts.items())
            }
        return json.dumps(body, indent=2) + "\n"

    def _write(self, text: str) -> None:
        try:
            write_atomically(self.path, text)
        except OSError as exc:
            self._failure = str(exc.strerror or exc)
            raise ConfigError(
                f"cannot write the state file {self.path}: {exc.strerror or exc}; nothing was "
                "sent to this site. Free some space or make the folder writable (or pass "
                "--state-file / MPR_STATE_FILE elsewhere), then run again"
            ) from None


def _entry(pending: Pending) -> dict[str, object]:
    body: dict[str, object] = {"kind": pending.kind, "since": pending.since}
    if pending.sent is not None:
        body |= {"sent": pending.sent, "upcoming": list(pending.upcoming)}
    return body


def _check_place(path: Path) -> None:
    """ConfigError unless `path` can be a state file: not a folder, under no plain file."""
    if path.is_dir():
        raise ConfigError(
            f"the state file {path} is a folder: pass --state-file (or MPR_STATE_FILE) a file "
            "name, such as .mpr/state.json"
        )
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise ConfigError(
                f"the state file {path} cannot be kept: {parent} is a file, not a folder; "
                "remove or rename it, or pass --state-file (or MPR_STATE_FILE) elsewhere"
            )
        if parent.exists():
            return


def read_state(path: Path) -> dict[str, Pending]:
    """The pending actions a state file records; ConfigError naming the file and the key.

    Keys this mpr does not know are kept for newer versions and ignored.
    """
    try:
        raw = bounded.read_bytes(path, bounded.STATE_FILE)
    except OSError as exc:
        raise ConfigError(f"cannot read the state file {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _damaged(path, f"byte {exc.start + 1} is not UTF-8 text (a binary file?)") from None
    if not text.strip():
        return {}
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"{path}:{exc.lineno}:{exc.colno}"
        raise _damaged(path, f"not valid JSON ({exc.msg})", where) from None
    except RecursionError:
        raise _damaged(path, "not valid JSON (nested too deeply)") from None
    if "\\ud" in text.lower() and not encodable(body):
        raise _damaged(path, "a \\ud800-\\udfff escape that stands for no character")
    if not isinstance(body, Mapping):
        raise _damaged(path, f"expected a JSON object with a `pending` key, got {json_kind(body)}")
    pending = body.get("pending", {})
    if not isinstance(pending, Mapping):
        raise _damaged(path, f"`pending` must be an object of site ids, got {json_kind(pending)}")
    found: dict[str, Pending] = {}
    for site_id, entry in pending.items():
        key = f"pending.{site_id}"
        if not isinstance(entry, Mapping):
            raise _damaged(path, f"`{key}` must be an object, got {json_kind(entry)}")
        kind, since = entry.get("kind"), entry.get("since")
        if kind not in _KINDS:
            allowed = ", ".join(_KINDS)
            raise _damaged(path, f"`{key}.kind` must be one of {allowed}, got {_shown(kind)}")
        since = _time(path, f"{key}.since", since)
        sent, upcoming = entry.get("sent"), entry.get("upcoming") or []
        if sent is not None:
            sent = _time(path, f"{key}.sent", sent)
        if not isinstance(upcoming, list) or not all(isinstance(i, str) for i in upcoming):
            raise _damaged(path, f"`{key}.upcoming` must be a list of activity ids")
        found[site_id] = Pending(typing.cast(ActionKind, kind), since, sent, tuple(upcoming))
    return found


def _time(path: Path, key: str, value: Any) -> str:
    """`value`, or a ConfigError unless it is a time mpr writes: RFC 3339, within the dates Wix
    stores (so the time arithmetic after it cannot overflow)."""
    if not isinstance(value, str):
        raise _damaged(path, f"`{key}` must be a time string, got {_shown(value)}")
    try:
        moment = parse_wire_time(value)
    except (ValueError, OverflowError):  # a time near year 1 or 9999 with an offset
        moment = None
    if moment is None or not in_range(moment):
        raise _damaged(
            path,
            f"`{key}` must be a time such as 2026-11-23T09:30:00.000Z within "
            f"{EARLIEST:%Y}-{LATEST:%Y}, got {_shown(value)}",
        )
    return value


def _damaged(path: Path, what: str, where: str | None = None) -> ConfigError:
    return ConfigError(f"{where or path}: the state file is damaged: {what}; {_ASIDE}")


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value[:40])
    return json_kind(value)


def read_posts(path: Path) -> dict[str, PostsRequest]:
    """The posts requests a state file records (read after `read_state` checked the file)."""
    text = bounded.read_text(path, bounded.STATE_FILE)
    body = json.loads(text) if text.strip() else {}
    posts = body.get("posts", {}) if isinstance(body, Mapping) else {}
    if not isinstance(posts, Mapping):
        raise _damaged(path, f"`posts` must be an object of site ids, got {json_kind(posts)}")
    found: dict[str, PostsRequest] = {}
    for site_id, entry in posts.items():
        sent = entry.get("sent") if isinstance(entry, Mapping) else None
        ids = entry.get("activities") if isinstance(entry, Mapping) else None
        if not isinstance(sent, str) or not isinstance(ids, list):
            raise _damaged(path, f"`posts.{site_id}` must be {{sent: time, activities: [ids]}}")
        _time(path, f"posts.{site_id}.sent", sent)
        found[site_id] = PostsRequest(sent, tuple(str(i) for i in ids))
    return found
