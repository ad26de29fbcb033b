"""Long text changed by a few words, shown as a word diff: `[-old-]{+new+}` (or coloured)."""

from __future__ import annotations

import difflib
import re

from reconciler.render.paint import Paint, plain

LONG_TEXT = 40
"""Texts longer than this (either side) are shown as a word diff rather than old → new."""
CONTEXT_WORDS = 6
"""Unchanged words kept on each side of a change; longer unchanged runs are cut to `…`."""

_TOKENS = re.compile(r"\s+|\S+")


def is_long_text(before: object, after: object) -> bool:
    """Whether a change from `before` to `after` reads better as a word diff."""
    if not isinstance(before, str) or not isinstance(after, str):
        return False
    return max(len(before), len(after)) > LONG_TEXT


def word_diff(before: str, after: str, paint: Paint = plain) -> str:
    """`before` → `after` in one line: removed words as `[-…-]`, added ones as `{+…+}`.

    The marks stay when `paint` colours them too (they survive a copy and a colour-blind
    reader). Unchanged runs longer than 2 × CONTEXT_WORDS words keep CONTEXT_WORDS words
    next to each change.
    """
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    parts: list[str] = []
    codes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            parts.append(_context(old[i1:i2], first=index == 0, last=index == len(codes) - 1))
            continue
        if i2 > i1:
            parts.append(paint(f"[-{''.join(old[i1:i2])}-]", "remove"))
        if j2 > j1:
            parts.append(paint(f"{{+{''.join(new[j1:j2])}+}}", "add"))
    return "".join(parts)


def _context(tokens: list[str], *, first: bool, last: bool) -> str:
    """An unchanged run, cut to the words next to the changes around it."""
    keep = CONTEXT_WORDS * 2  # a word and the space after it are two tokens
    if len(tokens) <= 2 * keep + 1:
        return "".join(tokens)
    head = "" if first else "".join(tokens[:keep]).rstrip() + " "
    tail = "" if last else " " + "".join(tokens[-keep:]).lstrip()
    return f"{head}…{tail}"
