"""Text written by someone else (AI captions, mostly) made inert for each output.

A draft's words are AI output: they may hold terminal escape sequences (ANSI colours, OSC
hyperlinks or title changes), bidirectional overrides that reorder what a reviewer reads,
Markdown or HTML. Every renderer passes them through one of these before writing them, so
they show as the characters they are and never act.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]"
)
"""C0 and C1 controls (ESC, CSI…) but tab and newline, zero-width and bidi formatting marks."""
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-=.!|~&$:])")
"""Markdown's markup characters; `:` too, so that no URL in the text becomes a link."""


def visible(text: str) -> str:
    """`text` with each control or formatting character spelled out (`\\x1b`, `\\u202e`)."""
    return _CONTROL.sub(_spelled, text.replace("\r\n", "\n").replace("\t", " "))


def _spelled(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def one_line(text: str, width: int | None = None) -> str:
    """`text` visible on one terminal line (newlines shown as ⏎), cut to `width` with `…`."""
    flat = " ⏎ ".join(part.strip() for part in visible(text).split("\n") if part.strip())
    if width is not None and len(flat) > width:
        return flat[: max(width - 1, 0)] + "…"
    return flat


def markdown(text: str) -> str:
    """`text` as literal Markdown text: every markup character escaped, lines kept as
    `<br>` breaks, no @mention (a WORD JOINER after each "@"), no link."""
    lines = [line for line in visible(text).split("\n") if line.strip()]
    escaped = [_MARKDOWN.sub(r"\\\1", line.strip()).replace("@", "@\u2060") for line in lines]
    return "<br>\n".join(escaped)


def markdown_label(text: str) -> str:
    """A label mpr writes (a channel and a time) as Markdown text: `markdown`, colons kept."""
    return markdown(text).replace("\\:", ":")


def html_text(text: str) -> str:
    """`text` as HTML text: escaped, lines kept as `<br>` breaks."""
    lines = visible(text).strip().split("\n")
    return "<br>".join(html.escape(line.strip()) for line in lines)


def web_link(url: str) -> str | None:
    """`url` safe to put in a link (http or https, percent-encoded), else None."""
    if _CONTROL.search(url) or any(ch.isspace() for ch in url):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")
