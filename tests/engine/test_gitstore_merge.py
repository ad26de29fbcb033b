"""Two applies that pushed to the same Git store at once: the second merges its files with the
first's instead of overwriting them (engine/gitstore/merge.py). What a user then finds:
every audit line of both runs, once, in order; each site's journal record from the run
that last changed it; a record one run cleared stays cleared; a lease as it was taken."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reconciler.engine.gitstore.merge import merge_file, merge_trees


def audit(base: bytes, ours: bytes, theirs: bytes) -> bytes:
    return merge_file("notes/abc123", base, ours, theirs)


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "merged"),
    [
        (b"a\n", b"a\nb\n", b"a\nc\n", b"a\nc\nb\n"),
        (b"a\n", b"a\nb\n", b"a\nc", b"a\nc\nb\n"),  # theirs without its last line break
        (b"a\nx\n", b"a\ny\n", b"a\nx\nc\n", b"a\nx\nc\ny\n"),  # ours rewrote, not appended
        (b"a\n", b"a\nb\n", b"a\nb\n", b"a\nb\n"),  # a line theirs holds already
        (b"", b"b\nd\n", b"", b"b\nd\n"),
        (b"a\nx\n", b"a\nx\nb\n", b"a\nc\n", b"a\nc\nb\n"),  # a line theirs removed
    ],
    ids=[
        "both appended",
        "no final break",
        "ours rewrote",
        "already held",
        "from nothing",
        "theirs removed",
    ],
)
def test_audit_lines_are_theirs_then_those_ours_added(
    base: bytes, ours: bytes, theirs: bytes, merged: bytes
) -> None:
    assert audit(base, ours, theirs) == merged


def journal(**sections: dict[str, Any]) -> bytes:
    return json.dumps(sections).encode()


def merged_journal(base: bytes, ours: bytes, theirs: bytes) -> dict[str, Any]:
    merged: dict[str, Any] = json.loads(merge_file("state.json", base, ours, theirs))
    return merged


def test_each_site_s_record_comes_from_the_run_that_changed_it() -> None:
    base = journal(pending={"s1": {"kind": "regenerate"}, "s2": {"kind": "regenerate"}})
    ours = journal(pending={"s1": {"kind": "keywords"}, "s2": {"kind": "regenerate"}})
    theirs = journal(pending={"s1": {"kind": "regenerate"}, "s3": {"kind": "regenerate"}})
    assert merged_journal(base, ours, theirs) == {
        "pending": {"s1": {"kind": "keywords"}, "s3": {"kind": "regenerate"}}
    }


def test_a_record_ours_cleared_stays_cleared_and_ours_wins_when_both_changed_it() -> None:
    base = journal(pending={"s1": {"kind": "regenerate"}}, posts={"s2": {"sent": "t0"}})
    ours = journal(pending={}, posts={"s2": {"sent": "t2"}})
    theirs = journal(pending={"s1": {"kind": "regenerate"}}, posts={"s2": {"sent": "t1"}})
    assert merged_journal(base, ours, theirs) == {"pending": {}, "posts": {"s2": {"sent": "t2"}}}


def test_a_section_ours_adds_is_kept_and_an_empty_posts_section_is_left_out() -> None:
    base = journal(pending={})
    ours = journal(pending={}, posts={"s1": {"sent": "t1"}})
    theirs = journal(pending={"s2": {"kind": "regenerate"}})
    assert merged_journal(base, ours, theirs) == {
        "pending": {"s2": {"kind": "regenerate"}},
        "posts": {"s1": {"sent": "t1"}},
    }
    emptied = journal(pending={}, posts={})
    assert merged_journal(ours, emptied, ours) == {"pending": {}}


def test_an_unreadable_journal_counts_as_empty() -> None:
    ours = journal(pending={"s1": {"kind": "regenerate"}})
    assert merged_journal(b"{not json", ours, b"[1, 2]") == {
        "pending": {"s1": {"kind": "regenerate"}}
    }
    damaged = b'{"pending": "s9", "posts": ["s9"], "version": 1}'  # sections of no shape
    assert merged_journal(damaged, ours, damaged) == {
        "pending": {"s1": {"kind": "regenerate"}},
        "version": 1,
    }


def test_a_record_both_sides_cleared_stays_cleared() -> None:
    base = journal(pending={"s1": {"kind": "regenerate"}, "s2": {"kind": "regenerate"}})
    ours = journal(pending={"s2": {"kind": "regenerate"}})
    theirs = journal(pending={"s2": {"kind": "keywords"}})
    assert merged_journal(base, ours, theirs) == {"pending": {"s2": {"kind": "keywords"}}}


def test_a_merged_journal_is_written_as_mpr_writes_one() -> None:
    """Two spaces of indent and a final line break, as FileJournal writes it: a diff of the
    state ref shows only the records that changed."""
    base = journal(pending={})
    ours = journal(pending={"s1": {"kind": "regenerate"}})
    theirs = journal(pending={"s2": {"kind": "keywords"}})
    assert merge_file("state.json", base, ours, theirs) == (
        b'{\n  "pending": {\n    "s1": {\n      "kind": "regenerate"\n    },\n'
        b'    "s2": {\n      "kind": "keywords"\n    }\n  }\n}\n'
    )


def test_a_lease_both_changed_keeps_theirs() -> None:
    assert merge_file("lease.json", b"{}", b'{"holder": "me"}', b'{"holder": "them"}') == (
        b'{"holder": "them"}'
    )


def test_a_file_one_side_changed_takes_that_side_and_one_removed_stays_removed() -> None:
    base = {"a": "1", "b": "1", "c": "1"}
    ours = {"a": "2", "b": "1"}  # changed a, removed c
    theirs = {"a": "1", "b": "3", "c": "1", "d": "4"}  # changed b, added d

    def both(name: str, *_: object) -> str:
        raise AssertionError(f"{name} was changed on one side only")

    assert merge_trees(base, ours, theirs, both) == {"a": "2", "b": "3", "d": "4"}
    assert merge_trees(base, {"a": "5"}, {"a": "6"}, lambda name, b, o, t: f"{o}+{t}") == {
        "a": "5+6"
    }
