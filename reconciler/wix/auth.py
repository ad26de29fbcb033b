"""Secrets and their redaction: the API key, an app secret, tokens and a command's output.

Rules: a secret only ever leaves a `Secret` through `reveal()`, for the one header or body
that must carry it; its repr and str are "***". Every text that reaches an exception
message, a log line or an output goes through a `Redactor` that knows every secret of the
run in every form a message can hold it: raw, escaped as by repr() or JSON, URL-encoded,
and as the repr of its bytes.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from typing import final
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

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def reveal(self) -> str:
        """The raw value, for the header or request body that must carry it."""
        return self._value


ApiKey = Secret
"""The Wix API key is one kind of secret (the name older code and tests use)."""


def forms(value: str) -> set[str]:
    """Every way `value` can appear inside a message: raw, escaped, encoded, as bytes."""
    encoded = value.encode("utf-8", "backslashreplace")
    candidates = {
        value,
        repr(value)[1:-1],
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        quote(value, safe=""),
        quote_plus(value, safe=""),
        repr(encoded)[2:-1],
        value.encode("unicode_escape").decode("ascii"),
    }
    return {form for form in candidates if len(form) >= MIN_SECRET}


class Redactor:
    """Masks every known secret of a run, in every form, in any text.

    Shared by the client (which adds tokens as they are issued), the audit log and the
    command line, so a secret learnt half-way through a run is masked from then on.
    """

    def __init__(self, secrets: Iterable[str | Secret] = ()) -> None:
        self._forms: dict[str, list[str]] = {}
        """Every form, by its first MIN_SECRET characters; longest first within each."""
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | Secret | None) -> None:
        """Mask `secret` (and its escaped and encoded forms) from now on."""
        if secret is None:
            return
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if not value:
            return
        for form in forms(value):
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
        search per form: a fleet's run knows thousands of tokens (one per site, in eight
        forms each) and redacts every audit line (#12).
        """
        starts = {text[i : i + MIN_SECRET] for i in range(len(text) - MIN_SECRET + 1)}
        if not any(map(self._forms.__contains__, starts)):
            return text  # most text holds no secret: found so in one pass, in C mostly
        parts: list[str] = []
        kept = position = 0
        last = len(text) - MIN_SECRET
        while position <= last:
            form = self._form_at(text, position)
            if form is None:
                position += 1
                continue
            parts += (text[kept:position], MASK)
            position = kept = position + len(form)
        return "".join(parts) + text[kept:] if parts else text

    def _form_at(self, text: str, position: int) -> str | None:
        candidates = self._forms.get(text[position : position + MIN_SECRET])
        if candidates is None:
            return None
        return next((form for form in candidates if text.startswith(form, position)), None)

    def __bool__(self) -> bool:
        return bool(self._forms)


def check_header_value(value: str, what: str) -> str:
    """`value` when it can travel in an HTTP header; otherwise a ConfigError naming `what`.

    The error never echoes the value: it says which kind of character is wrong and where.
    """
    if value != value.strip():
        raise ConfigError(
            f"{what} has white space at its start or end: copy the value again without it"
        )
    for position, char in enumerate(value, 1):
        if ord(char) > 126:
            name = unicodedata.name(char, "a non-ASCII character").lower()
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
