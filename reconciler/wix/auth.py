"""Secrets and their redaction: the API key, an app secret, tokens and a command's output.

Rules: a secret only ever leaves a `Secret` through `reveal()`, for the one header or body
that must carry it; its repr and str are "***". Every text that reaches an exception
message, a log line or an output goes through a `Redactor` that knows every secret of the
run in every form a message can hold it: raw, escaped as by repr() or JSON, URL-encoded,
and as the repr of its bytes.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import json
import re
import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Final, final
from urllib.parse import quote, quote_plus

from reconciler.errors import ConfigError

MASK = "***"
MIN_SECRET = 6
"""Shorter values are not masked: masking "abc" everywhere would garble every message."""


@final
class Secret:
    """A credential value that never shows itself in a repr, str, log or traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value:
            raise ValueError("a secret must not be empty")
        self._value = value

    def __repr__(self) -> str:
        return MASK

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        # Refuse to serialise the secret by accident (pickle, deepcopy through pickle).
        raise TypeError("a Secret cannot be pickled")

    def reveal(self) -> str:
        """The raw value, for the header or request body that must carry it."""
        return self._value


ApiKey = Secret
"""The Wix API key is one kind of secret (the name older code and tests use)."""


def _utf8(value: str) -> bytes:
    """The bytes `value` came from. An environment variable, an argument or a file name that
    is not UTF-8 reaches Python with its bad bytes as lone surrogates (`surrogateescape`):
    they are given back, so its encoded forms are those of what was really sent."""
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no decoder made: kept as UTF-8 would spell it
        return value.encode("utf-8", "surrogatepass")


def _python_escapes(value: str) -> Iterable[str]:
    return (
        repr(value)[1:-1],
        repr(_utf8(value))[2:-1],
        value.encode("unicode_escape").decode("ascii"),
    )


def _json_escapes(value: str) -> Iterable[str]:
    ascii_only = json.dumps(value)[1:-1]
    forms = {ascii_only, json.dumps(value, ensure_ascii=False)[1:-1]}
    forms |= {form.replace("/", "\\/") for form in forms}  # PHP escapes "/" as "\/"
    # Go (and others writing JSON for HTML) escape <, > and & as \u003c, \u003e, \u0026.
    forms.add(ascii_only.translate({ord(c): f"\\u{ord(c):04x}" for c in "<>&"}))
    forms.add(json.dumps(ascii_only)[1:-1])  # JSON inside a JSON string, escaped twice
    return forms


def _unicode_escapes(value: str) -> Iterable[str]:
    """Every character as \\uXXXX (UTF-16 units), as some servers echo a whole value."""
    units = value.encode("utf-16-be", "surrogatepass")
    return ("".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2)),)


_URL_SAFE = ("", "/", "!'()*", ";,/?:@&=+$#!'()*")
"""Characters URL encoders leave alone besides letters, digits and `_.-~`: none, a path's
`/`, JavaScript's encodeURIComponent and encodeURI."""


def _url_escapes(value: str) -> Iterable[str]:
    raw = _utf8(value)
    forms = {quote(raw, safe=safe) for safe in _URL_SAFE}
    return forms | {quote_plus(raw, safe=safe) for safe in _URL_SAFE}


_HTML_QUOTES = (('"', "&quot;", "&#34;", "&#x22;"), ("'", "&#x27;", "&#39;", "&apos;"))


def _html_escapes(value: str) -> Iterable[str]:
    """As html.escape and its kin write it: &amp; &lt; &gt;, and each spelling of the quotes."""
    base = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    double, single = _HTML_QUOTES
    return {base.replace(double[0], dq).replace(single[0], sq) for dq in double for sq in single}


def _base64(value: str) -> Iterable[str]:
    """The value's base64 (standard and URL-safe, padded or not), and the part of it that
    stays the same wherever the value sits in a longer encoded text (`Basic user:secret`).

    A value starting `offset` bytes into a 3-byte group changes only the characters whose
    6 bits lie wholly within its bytes: from bit 8·offset to bit 8·(offset + length).
    """
    raw = _utf8(value)
    whole = base64.b64encode(raw).decode("ascii")
    forms = {whole, whole.rstrip("=")}
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + raw).decode("ascii")
        forms.add(encoded[-(-8 * offset // 6) : 8 * (offset + len(raw)) // 6])
    forms |= {form.translate(_URL_SAFE_ALPHABET) for form in forms}
    return forms | {form.replace("/", "\\/") for form in forms}


_URL_SAFE_ALPHABET = str.maketrans("+/", "-_")

ENCODINGS: Final[Mapping[str, Callable[[str], Iterable[str]]]] = {
    "raw": lambda value: (value,),
    "Python escapes": _python_escapes,
    "JSON escapes": _json_escapes,
    "\\u escapes": _unicode_escapes,
    "URL encoding": _url_escapes,
    "HTML escapes": _html_escapes,
    "base64": _base64,
}
"""The one table of the forms a secret can take in a message, by encoding. Two variations
apply to every form without a row of their own: letter case (forms are matched ignoring
the case of ASCII letters: an upper-case hex token, %2f for %2F) and line breaks (a form
split by a line break, escaped or not, with the indentation around it)."""


def forms(value: str) -> set[str]:
    """Every way `value` can appear inside a message: each encoding of the table."""
    found = {form for encode in ENCODINGS.values() for form in encode(value)}
    return {form for form in found if len(form) >= MIN_SECRET}


_ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _fold(text: str) -> str:
    """`text` with ASCII letters in lower case, every character kept at its position."""
    return text.lower() if text.isascii() else text.translate(_ASCII_FOLD)


_BREAK = re.compile(r"[ \t]*(?:\r\n|\r|\n|\\r\\n|\\n|\\r)[ \t]*")
"""A line break, raw or escaped as in JSON, with the indentation around it."""


class Redactor:
    """Masks every known secret of a run, in every form, in any text.

    Shared by the client (which adds tokens as they are issued), the audit log and the
    command line, so a secret learnt half-way through a run is masked from then on.
    """

    def __init__(self, secrets: Iterable[str | Secret] = ()) -> None:
        self._forms: dict[str, list[str]] = {}
        """Every form (case folded), by its first MIN_SECRET characters; longest first."""
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | Secret | None) -> None:
        """Mask `secret` (and its escaped and encoded forms) from now on."""
        if secret is None:
            return
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if not value:
            return
        for form in map(_fold, forms(value)):
            same_start = self._forms.setdefault(form[:MIN_SECRET], [])
            if form not in same_start:
                same_start.append(form)
                # Longest first, so a form that contains another is masked whole.
                same_start.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def redact(self, text: str) -> str:
        """`text` with every known secret replaced by "***", leftmost and longest first.

        One pass over `text` looking each position's first characters up, rather than one
        search per form: a fleet's run knows thousands of tokens (one per site, in some
        forty forms each) and redacts every audit line (#12). Text with a line break gets
        a second pass over a copy without its breaks, for a secret split across lines.
        """
        text = self._mask(text, _fold(text))
        if "\n" in text or "\r" in text or "\\n" in text or "\\r" in text:
            return self._mask_split(text)  # cheaper than one search for _BREAK
        return text

    def _mask(self, text: str, folded: str) -> str:
        """`text` with every form found in `folded` (its case-folded copy) masked."""
        spans = self._spans(folded)
        if not spans:
            return text
        parts: list[str] = []
        kept = 0
        for start, end in spans:
            parts += (text[kept:start], MASK)
            kept = end
        return "".join(parts) + text[kept:]

    def _mask_split(self, text: str) -> str:
        """`text` with every form that a line break splits masked, the break with it."""
        kept: list[tuple[int, int]] = []  # the parts of `text` between its breaks
        start = 0
        for brk in _BREAK.finditer(text):
            kept.append((start, brk.start()))
            start = brk.end()
        kept.append((start, len(text)))
        joined = "".join(text[a:b] for a, b in kept)
        spans = self._spans(_fold(joined))
        if not spans:
            return text
        offsets = list(itertools.accumulate((b - a for a, b in kept), initial=0))

        def in_text(position: int) -> int:
            """Where `joined[position]` is in `text`."""
            part = bisect.bisect_right(offsets, position) - 1
            return kept[part][0] + position - offsets[part]

        parts: list[str] = []
        done = 0
        for first, end in spans:
            parts += (text[done : in_text(first)], MASK)
            done = in_text(end - 1) + 1
        return "".join(parts) + text[done:]

    def _spans(self, folded: str) -> list[tuple[int, int]]:
        """Where forms lie in `folded`: leftmost first, the longest at each place."""
        starts = {folded[i : i + MIN_SECRET] for i in range(len(folded) - MIN_SECRET + 1)}
        if not any(map(self._forms.__contains__, starts)):
            return []  # most text holds no secret: found so in one pass, in C mostly
        spans: list[tuple[int, int]] = []
        position, last = 0, len(folded) - MIN_SECRET
        while position <= last:
            form = self._form_at(folded, position)
            if form is None:
                position += 1
                continue
            spans.append((position, position + len(form)))
            position += len(form)
        return spans

    def _form_at(self, folded: str, position: int) -> str | None:
        candidates = self._forms.get(folded[position : position + MIN_SECRET])
        if candidates is None:
            return None
        return next((form for form in candidates if folded.startswith(form, position)), None)


_TOKEN_LIKE = re.compile(r"[A-Za-z0-9+/_.~=-]{24,}")


def mask_token_like(text: str) -> str:
    """`text` with every word that looks like a credential masked: 24 or more characters of
    the base64 and JWT alphabets holding a digit, a lower-case and an upper-case letter.

    For the output of a program whose job is to mint tokens (a credential command's
    standard error), which may print one mpr has not learnt: paths and words stay readable.
    """

    def mask(found: re.Match[str]) -> str:
        word = found.group()
        mixed = any(c.isdigit() for c in word) and not word.islower() and not word.isupper()
        return MASK if mixed else word

    return _TOKEN_LIKE.sub(mask, text)


def check_header_value(value: str, what: str) -> str:
    """`value` when it can travel in an HTTP header; otherwise a ConfigError naming `what`.

    The error never echoes the value: it says which kind of character is wrong and where.
    """
    if value != value.strip():
        raise ConfigError(
            f"{what} has white space at its start or end: copy the value again without it"
        )
    for position, char in enumerate(value, 1):
        if ord(char) > 127:  # DEL (127) is ASCII: a control character, said below
            name = unicodedata.name(char, "a non-ASCII character").lower()
            if 0xDC80 <= ord(char) <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
                name = f"the byte 0x{ord(char) - 0xDC00:02x}, which is not UTF-8"
            raise ConfigError(
                f"{what} holds a non-ASCII character ({name}) at position {position}: "
                "a credential is plain ASCII; copy it again"
            )
        if ord(char) < 32 or ord(char) == 127:
            raise ConfigError(
                f"{what} holds a control character (code {ord(char)}) at position {position}, "
                "such as a line break: copy the value again without it"
            )
    return value
