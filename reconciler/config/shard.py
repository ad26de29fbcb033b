"""`--shard I/N`: split a fleet into N disjoint parts the same way on every machine.

A site belongs to shard `1 + (h mod N)`, where `h` is the first 8 bytes of the SHA-256 of its
lower-cased id. Python's `hash()` is salted per process, so it would scatter the sites
differently on each CI runner; a digest does not. A site's shard depends on its id and N only:
adding or removing other sites never moves it, and the shards of one N cover the fleet once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.model.site import DesiredSite

_SPELLING = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    """Part `index` (1-based) of `count` parts."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, site_id: str) -> bool:
        """Whether the site with this id falls in this shard."""
        return shard_of(site_id, self.count) == self.index


def parse_shard(text: str) -> Shard:
    """Parse "I/N" with 1 ≤ I ≤ N; raise ValueError with the message a user should read."""
    match = _SPELLING.fullmatch(text)
    if match is None:
        raise ValueError(f"expected I/N such as 1/4, got {text!r}")
    index, count = int(match[1]), int(match[2])
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"expected I/N with 1 ≤ I ≤ N, got {text!r}")
    return Shard(index, count)


def shard_of(site_id: str, count: int) -> int:
    """The shard (1..count) that the site with this id falls in."""
    digest = hashlib.sha256(site_id.strip().lower().encode("utf-8")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % count


def shard_sites(sites: Sequence[DesiredSite], shard: Shard | None) -> tuple[DesiredSite, ...]:
    """The sites of `shard`, in their original order (all of them when `shard` is None)."""
    if shard is None:
        return tuple(sites)
    return tuple(site for site in sites if shard.holds(site.id))
