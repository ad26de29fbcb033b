"""The `echo` fault: an error answer that repeats the caller's credentials back.

A careless server (or a proxy in front of one) echoes what it was sent: the Authorization
header, a token request's `client_secret`. It rarely echoes them raw: a JSON encoder escapes
them, a web framework HTML-escapes them, a logger base64-encodes or wraps them. This fault
answers with every credential of the request in each of those encodings, in the message, a
field violation and the request id header, so a client can prove it masks them all. The
encoders are the standard library's, never the client's (the two meet only on the wire).
"""

from __future__ import annotations

import base64
import html
import json
from typing import Any
from urllib.parse import quote

from reconciler.emulator.errors import EmulatorError, FieldViolation

BEARER = "bearer "


def credentials(headers: list[tuple[bytes, bytes]], body: bytes) -> list[str]:
    """The request's credentials: its Authorization value (with and without the scheme)
    and a token request's client_secret."""
    found: list[str] = []
    for name, value in headers:
        if name.lower() == b"authorization" and value:
            text = value.decode("latin-1")
            found.append(text)
            if text.lower().startswith(BEARER):
                found.append(text[len(BEARER) :])
    secret = _client_secret(body)
    if secret:
        found.append(secret)
    return found


def _client_secret(body: bytes) -> str | None:
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    secret = data.get("client_secret") if isinstance(data, dict) else None
    return secret if isinstance(secret, str) else None


def encodings(value: str) -> dict[str, str]:
    """`value` in each encoding an echoing server may use, by name."""
    raw = value.encode("utf-8")
    middle = len(value) // 2
    return {
        "raw": value,
        "JSON": json.dumps(value)[1:-1],
        "\\u escapes": "".join(f"\\u{ord(c):04X}" for c in value if ord(c) < 0x10000),
        "URL": quote(value, safe=""),
        "HTML": html.escape(value),
        "base64": base64.b64encode(raw).decode("ascii"),
        "URL-safe base64": base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="),
        "Basic": base64.b64encode(b"mpr:" + raw).decode("ascii"),
        "upper case": value.upper(),
        "lower case": value.lower(),
        "split": f"{value[:middle]}\n{value[middle:]}",
        "wrapped base64": base64.encodebytes(b"x" * 70 + raw).decode("ascii"),
    }


def echoing(error: EmulatorError, secrets: list[str]) -> EmulatorError:
    """`error` with every one of `secrets` echoed in every encoding."""
    said = [f"{name} {form}" for value in secrets for name, form in encodings(value).items()]
    violations = [
        FieldViolation(field=f"auth[{form}]", description=f"not allowed: {form}")
        for value in secrets
        for form in encodings(value).values()
    ]
    headers = dict(error.headers)
    if secrets:
        headers["x-wix-request-id"] = base64.b64encode(secrets[0].encode()).decode("ascii")
    return EmulatorError(
        error.status,
        error.code,
        f"{error.message}; you sent: {'; '.join(said)}",
        violations=violations,
        headers=headers,
    )
