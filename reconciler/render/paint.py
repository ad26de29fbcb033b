"""Colour for people, chosen by role: renderers say what a piece of text *is*, never how
it looks. The CLI passes a painter that styles roles for a terminal (or none: plain text)."""

from __future__ import annotations

from typing import Literal, Protocol

Role = Literal["add", "remove", "change", "warn", "error", "strong"]
"""add/remove/change: the `+ - ~` of a diff; warn and error: what needs a look; strong: a title."""


class Paint(Protocol):
    """`text` as it should look for `role` (the same text, maybe wrapped in styling)."""

    def __call__(self, text: str, role: Role) -> str: ...


def plain(text: str, role: Role) -> str:
    """No colour: the text as it is (for files, pipes, Markdown, NO_COLOR)."""
    return text
