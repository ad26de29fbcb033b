"""Fleet-scale reports, one rule for every format (#24).

The sites that did (or will do) something, failed, or were refused come first and in full;
the others are folded into one line (their count and names); a note that repeats across
sites is said once, with the count and the sites it is about, and left out of each site's
own lines. A site with no changes but a note of its own is never folded: that note would be
lost. The text plan, the apply report, the PR comment, the drift comment, CI progress and
history all fold with `fold`, so a 1,000-site fleet with one change reads as one change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
FOLDED_NAMES = 8
"""How many sites a folded line names before it counts the rest."""
SHARED_FROM = 2
"""A note said on this many sites or more is said once for all of them."""
QUIET_STATUSES = frozenset({"unchanged", "planned"})
"""Settled statuses where a site did nothing worth a line of its own (CI progress)."""


@dataclass(frozen=True)
class SharedNote:
    """One note that several sites carry, and the names of those sites."""

    text: str
    sites: tuple[str, ...]


@dataclass(frozen=True)
class Folded(Generic[T]):
    """A fleet split for a report: shown in full, folded into one line, notes said once."""

    shown: tuple[T, ...]
    folded: tuple[T, ...]
    """Nothing to say about them: one line, their count and names."""
    shared: tuple[SharedNote, ...]
    noted: tuple[T, ...] = ()
    """Not shown and not folded: all they carry is shared notes, whose lines name them."""

    @property
    def shared_texts(self) -> frozenset[str]:
        """The notes said once for the fleet: leave them out of each site's lines."""
        return frozenset(note.text for note in self.shared)


def fold(
    items: Sequence[T],
    *,
    name: Callable[[T], str],
    busy: Callable[[T], bool],
    notes: Callable[[T], Sequence[str]] = lambda _: (),
) -> Folded[T]:
    """Split `items` (in their order): `busy` ones and those with a note of their own are
    shown; those with nothing to say are folded; a note on SHARED_FROM items or more is
    shared, said once with their names (an item that carries only shared notes is named
    there, never folded as if it had nothing to say)."""
    seen = Counter(text for item in items for text in dict.fromkeys(notes(item)))
    shared = [text for text, count in seen.items() if count >= SHARED_FROM]
    common = set(shared)
    shown = [i for i in items if busy(i) or any(t not in common for t in notes(i))]
    kept = {id(i) for i in shown}
    rest = [i for i in items if id(i) not in kept]
    return Folded(
        shown=tuple(shown),
        folded=tuple(i for i in rest if not notes(i)),
        shared=tuple(
            SharedNote(text, tuple(name(i) for i in items if text in notes(i))) for text in shared
        ),
        noted=tuple(i for i in rest if notes(i)),
    )


def listed(names: Sequence[str], limit: int = FOLDED_NAMES) -> str:
    """`a, b, c, … and M more` (at most `limit` names; all with limit 0)."""
    named = list(names[:limit] if limit else names)
    more = len(names) - len(named)
    return ", ".join(named) + (f", … and {more} more" if more else "")


def folded_line(names: Sequence[str], word: str = "unchanged") -> str:
    """`N site(s) unchanged: a, b, c, … and M more`."""
    return f"{len(names)} site(s) {word}: {listed(names)}"


def shared_line(note: SharedNote, kind: str = "note") -> str:
    """`note on N site(s) (a, b, … and M more): TEXT`."""
    return f"{kind} on {len(note.sites)} site(s) ({listed(note.sites)}): {note.text}"


def settles_loudly(status: str) -> bool:
    """Whether a site settling with `status` is worth a progress line in a log."""
    return status not in QUIET_STATUSES
