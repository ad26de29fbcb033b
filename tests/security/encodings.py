"""Every encoding mpr promises to mask a secret in, written with independent encoders.

One row per entry of `reconciler.wix.auth.ENCODINGS` (a test checks the two tables name the
same encodings), each built with the standard library's encoders and never with mpr's own
functions, plus the two variations the Redactor applies to every form: letter case and a
line break. The security scan (`test_every_output_of_a_run.py`) searches every output for
every one of these; `tests/wix/test_redactor.py` checks the Redactor masks each.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import textwrap
from collections.abc import Callable
from urllib.parse import quote, quote_plus, urlencode
from xml.sax.saxutils import escape as xml_escape


def _bytes(value: str) -> bytes:
    """What a value read from the environment was before Python decoded it (bytes that are
    not UTF-8 become lone surrogates, `os.fsdecode`'s way); any other lone surrogate as
    UTF-8 would spell it."""
    try:
        return os.fsencode(value) if os.name == "posix" else value.encode()
    except UnicodeEncodeError:  # a lone surrogate from a JSON "\\ud800" escape, as UTF-8 spells it
        return value.encode("utf-8", "surrogatepass")


def _python(value: str) -> list[str]:
    return [repr(value)[1:-1], repr(_bytes(value))[2:-1], value.encode("unicode_escape").decode()]


def _json(value: str) -> list[str]:
    plain = json.dumps(value)
    return [
        plain[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        plain[1:-1].replace("/", "\\/"),  # PHP's json_encode
        json.dumps(plain)[3:-3],  # a JSON document inside a JSON string
        plain[1:-1].replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"),
    ]


def _u_escapes(value: str) -> list[str]:
    units = value.encode("utf-16-be", "surrogatepass")
    escaped = ["\\u" + units[i : i + 2].hex() for i in range(0, len(units), 2)]
    return ["".join(escaped), "".join(escaped).upper().replace("\\U", "\\u")]


def _url(value: str) -> list[str]:
    raw = _bytes(value)
    return [
        quote(raw, safe=""),
        quote(raw),
        quote_plus(raw),
        quote(raw, safe="!'()*"),  # JavaScript's encodeURIComponent
        quote_plus(raw, safe="!'()*"),  # a form body built with it, spaces as +
        urlencode({"k": raw})[2:],
        quote(raw, safe="").lower(),
    ]


def _html(value: str) -> list[str]:
    return [
        html.escape(value),
        html.escape(value, quote=False),
        xml_escape(value, {'"': "&quot;", "'": "&apos;"}),
        xml_escape(value, {'"': "&#34;", "'": "&#39;"}),
    ]


def _base64(value: str) -> list[str]:
    raw = _bytes(value)
    return [
        base64.b64encode(raw).decode(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        base64.b64encode(raw).decode().replace("/", "\\/"),
    ]


ENCODERS: dict[str, Callable[[str], list[str]]] = {
    "raw": lambda value: [value],
    "Python escapes": _python,
    "JSON escapes": _json,
    "\\u escapes": _u_escapes,
    "URL encoding": _url,
    "HTML escapes": _html,
    "base64": _base64,
}
"""By the names of `reconciler.wix.auth.ENCODINGS`."""


def encoded(value: str) -> dict[str, str]:
    """`value` in every encoding, by `name #n`, plus the case and line-break variations."""
    found = {
        f"{name} #{n}": form
        for name, encode in ENCODERS.items()
        for n, form in enumerate(encode(value))
    }
    if value.isascii():  # case is folded for ASCII letters: hex and base64-like tokens
        found |= {"upper case": value.upper(), "lower case": value.lower()}
        found |= {
            "swapped case": value.swapcase(),
            "JSON upper case": json.dumps(value)[1:-1].upper(),
        }
    middle, early, late = _cut(value, len(value) // 2), _cut(value, 3), _cut(value, -3)
    found |= {
        "split by \\n": f"{value[:middle]}\n{value[middle:]}",
        "split by \\r\\n, indented": f"{value[:early]}\r\n    {value[early:]}",
        "split by an escaped \\n": f"{value[:late]}\\n{value[late:]}",
        "base64 wrapped": "\n".join(textwrap.wrap(base64.b64encode(_bytes(value)).decode(), 20)),
    }
    return found


def _cut(value: str, near: int) -> int:
    """A place near `near` to split `value` at with no white space on either side (white
    space around a line break is taken for indentation)."""
    at = near % len(value)
    return next(
        i for i in range(at, len(value)) if not any(c.isspace() for c in value[i - 1 : i + 1])
    )


def stable_run(value: str, before: bytes, after: bytes) -> tuple[str, int, int]:
    """`before + value + after` in base64, and where the characters that depend on `value`
    alone start and end: those that stay the same when either neighbour's bits are flipped
    (`after` must not be empty)."""
    raw = _bytes(value)

    def flipped(data: bytes) -> bytes:
        return bytes(b ^ 0xFF for b in data)

    text = base64.b64encode(before + raw + after).decode()
    others = (
        base64.b64encode(flipped(before) + raw + after).decode(),
        base64.b64encode(before + raw + flipped(after)).decode(),
    )
    stable = [char != "=" and all(o[i] == char for o in others) for i, char in enumerate(text)]
    start = stable.index(True)
    end = stable.index(False, start)
    assert not any(stable[end:]), "one stable run"
    return text, start, end


def joined(text: str) -> str:
    """`text` with its line breaks (raw or escaped) and the indentation around them removed."""
    return re.sub(r"[ \t]*(?:\r\n|\r|\n|\\r\\n|\\n|\\r)[ \t]*", "", text)
