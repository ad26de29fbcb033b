"""The API key and the request headers that carry it; redaction for everything else.

Rules: the key only ever leaves an `ApiKey` through `headers()`; its repr and str are
"***", and any server text that echoes it back goes through `redact()` before it lands in
an exception message or a log line.
"""

from __future__ import annotations

from typing import final

MASK = "***"


@final
class ApiKey:
    """A Wix API key that never shows itself in a repr, str, log or traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value:
            raise ValueError("an API key must not be empty")
        self._value = value

    def __repr__(self) -> str:
        return MASK

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        # Refuse to serialise the secret by accident (pickle, deepcopy through pickle).
        raise TypeError("an ApiKey cannot be pickled")

    def redact(self, text: str) -> str:
        """`text` with every occurrence of the key replaced by "***"."""
        return text.replace(self._value, MASK)

    def header_value(self) -> str:
        """The raw key for the `Authorization` header (Wix uses no `Bearer` prefix)."""
        return self._value


def headers(key: ApiKey | None, site_id: str) -> dict[str, str]:
    """The auth headers for a site-level call; no `Authorization` at all when `key` is None."""
    result = {"wix-site-id": site_id}
    if key is not None:
        result["Authorization"] = key.header_value()
    return result


def redact(text: str, key: ApiKey | None) -> str:
    """`text` with `key` masked; unchanged when there is no key."""
    return key.redact(text) if key is not None else text
