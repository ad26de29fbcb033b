"""Counts in mpr's messages as people write them: "1 draft", "2 drafts", "1 activity"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and `noun`, plural unless it is one (`plural` when adding an s is wrong)."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {plural or noun + 's'}"
