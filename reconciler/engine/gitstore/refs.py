"""Plain `git` plumbing on the checkout: flat trees of small files, commits, fetch and push.

A tree here is flat (file name → blob id): the store's refs hold a few files (`state.json`,
`lease.json`) or one note per applied commit, never folders. Every call is a `git`
subprocess in the checkout; a failure is one ConfigError that says what git answered.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import ConfigError

Tree = dict[str, str]
"""A flat tree: file name → blob id."""

_TIMEOUT = 120.0
_REJECTED = (
    "[rejected]",  # the ref moved: not a fast-forward any more
    "stale info",
    "fetch first",
    "non-fast-forward",
    "failed to update ref",  # another push updated it between the remote's check and write
    "cannot lock ref",
)
"""What git says when a push lost the race for the ref (try again), as opposed to a refusal."""
_LOCAL_RACE = ("cannot lock ref", "reference already exists", "Unable to create", "File exists")
"""What git says when another git process of this clone (a second apply here) holds or moved
a local ref: not a failure, a race that is run again."""
_LOCAL_TRIES = 50
_LOCAL_PAUSE = 0.1


class RefMoved(ConfigError):
    """The local ref was not where the update expected: another process of this clone moved
    it (or holds its lock). The caller reads it again and redoes its change."""


class Git:
    """The checkout at `folder`, and its remote `remote` (by name, so its auth is used)."""

    def __init__(self, folder: str | os.PathLike[str], remote: str = "origin") -> None:
        self.folder = Path(folder)
        self.remote = remote

    def run(self, *args: str, stdin: bytes | None = None, ok: tuple[int, ...] = (0,)) -> str:
        """git's standard output; ConfigError on an exit code not in `ok`."""
        done = self._run(args, stdin)
        if done.returncode not in ok:
            reason = _reason(done.stderr.decode("utf-8", "replace"))
            raise ConfigError(f"git {args[0]} failed in {self.folder.resolve()}: {reason}")
        return done.stdout.decode("utf-8", "replace")

    def _run(
        self, args: tuple[str, ...], stdin: bytes | None
    ) -> subprocess.CompletedProcess[bytes]:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        try:
            return subprocess.run(
                ["git", "-C", str(self.folder), *args],
                input=stdin,
                capture_output=True,
                timeout=_TIMEOUT,
                check=False,
                env=env,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise ConfigError(f"cannot run git in {self.folder}: {exc}") from None

    def resolve(self, ref: str) -> str | None:
        """The commit `ref` points at, or None when there is no such ref."""
        out = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", ok=(0, 1))
        return out.strip() or None

    def tree(self, commit: str | None) -> Tree:
        """The files of `commit` (empty for None), flattened.

        `git notes` spreads a large notes tree over folders (`3f/9c2a…`); the name of a
        note is its path without the slashes, and the store writes it back flat (git reads
        notes either way).
        """
        if commit is None:
            return {}
        listing = self.run("ls-tree", "-r", "-z", commit)
        found: Tree = {}
        for item in filter(None, listing.split("\0")):
            meta, name = item.split("\t", 1)
            found[name.replace("/", "")] = meta.split()[2]
        return found

    def read_all(self, blobs: list[str]) -> list[bytes]:
        """The contents of many blobs, read by one `git cat-file --batch`."""
        if not blobs:
            return []
        done = self._run(("cat-file", "--batch"), ("\n".join(blobs) + "\n").encode())
        out, at, found = done.stdout, 0, []
        for blob in blobs:
            header_end = out.find(b"\n", at)
            header = out[at:header_end].split() if header_end >= 0 else []
            whole = len(header) == 3 and header[1] == b"blob"
            end = header_end + 1 + int(header[2]) if whole else len(out)
            if end >= len(out):  # no such blob, or git stopped within it (a broken object)
                raise ConfigError(f"git cannot read object {blob} in {self.folder.resolve()}")
            found.append(out[header_end + 1 : end])
            at = end + 1
        return found

    def read(self, blob: str) -> bytes:
        done = self._run(("cat-file", "blob", blob), None)
        if done.returncode:
            raise ConfigError(f"git cannot read object {blob} in {self.folder}")
        return done.stdout

    def blob(self, content: bytes) -> str:
        return self.run("hash-object", "-w", "--stdin", stdin=content).strip()

    def commit(self, tree: Mapping[str, str], parents: list[str], message: str) -> str:
        """A new commit of the flat `tree` on `parents` (an identity of its own, not the user's)."""
        listing = "".join(f"100644 blob {blob}\t{name}\0" for name, blob in sorted(tree.items()))
        tree_id = self.run("mktree", "-z", stdin=listing.encode("utf-8")).strip()
        args = ["commit-tree", tree_id, "-m", message]
        for parent in parents:
            args += ["-p", parent]
        done = self._run(("-c", "user.name=mpr", "-c", "user.email=mpr@localhost", *args), None)
        if done.returncode:
            raise ConfigError(f"git commit-tree failed in {self.folder}: {done.stderr!r}")
        return done.stdout.decode().strip()

    def set_ref(self, ref: str, new: str, old: str | None) -> None:
        """Move `ref` to `new` only if it is still at `old` (None: only if it does not exist);
        RefMoved when it is not."""
        done = self._run(("update-ref", ref, new, old or "0" * 40), None)
        if done.returncode:
            said = done.stderr.decode("utf-8", "replace")
            error = RefMoved if any(mark in said for mark in _LOCAL_RACE) else ConfigError
            raise error(f"git update-ref failed in {self.folder.resolve()}: {_reason(said)}")

    def merge_base(self, a: str, b: str) -> str | None:
        return self.run("merge-base", a, b, ok=(0, 1)).strip() or None

    def contains(self, newer: str, older: str) -> bool:
        """Whether `older` is `newer` or one of its ancestors."""
        done = self._run(("merge-base", "--is-ancestor", older, newer), None)
        return done.returncode == 0

    def fetch(self, refspecs: list[str]) -> None:
        """Fetch `refspecs`, again while another git process of this clone holds a ref."""
        args = (
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            "--end-of-options",  # the remote's name (--store-remote) is never an option
            self.remote,
            *refspecs,
        )
        for _ in range(_LOCAL_TRIES):
            done = self._run(args, None)
            said = done.stderr.decode("utf-8", "replace")
            if done.returncode == 0 or not any(mark in said for mark in _LOCAL_RACE):
                break
            time.sleep(_LOCAL_PAUSE)
        if done.returncode:
            raise ConfigError(f"git fetch failed in {self.folder.resolve()}: {_reason(said)}")

    def push(self, updates: Mapping[str, str]) -> bool:
        """Push each commit to its ref if that only moves the ref forward; False if it moved."""
        specs = [f"{commit}:{ref}" for ref, commit in updates.items()]
        done = self._run(
            ("push", "--porcelain", "--quiet", "--end-of-options", self.remote, *specs), None
        )
        if done.returncode == 0:
            return True
        said = (done.stdout + done.stderr).decode("utf-8", "replace")
        if any(mark in said for mark in _REJECTED):
            return False
        raise ConfigError(
            f"cannot push to the git remote {self.remote!r} from {self.folder.resolve()}: "
            f"{_refused(said)}; the store needs write access to it (in GitHub Actions: "
            "permissions: contents: write)"
        )


def _refused(said: str) -> str:
    """What the remote said of the refused ref (push --porcelain's `!` line), else why."""
    for line in said.splitlines():
        if line.startswith("!"):
            return " ".join(line[1:].split("\t")[1:]).strip() or line
    return _reason(said)


def _reason(said: str) -> str:
    """git's own first word on what went wrong (its `fatal:`/`error:` line, else its last)."""
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:", "remote: error:")):
            return line
    return lines[-1] if lines else "no message"
