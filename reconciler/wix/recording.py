"""`mpr doctor --record`: the answers of an inspection as an emulator fixture, masked.

The fixture is the emulator's own format (reconciler/emulator/README.md, "Recorded answers"):
one site entry per site with `answers: {Method: {status, body}}`, which the emulator
replays as they were. Written as JSON (a fixture file may be JSON or YAML).

Masking keeps the structure and drops the content. Member names, numbers, booleans and
strings that are structure (ENUM_VALUES, GUIDs, RFC 3339 times, digits-only ids) are kept;
every other string (names, titles, descriptions, captions, tone of voice, URLs…) becomes
`masked-` and a keyed hash of it. The key is random and lives only in memory while one
recording is made, so the same text gives the same mask throughout that recording (an
event's name in QueryEvents and in a masked site file still match) and cannot be guessed
back from it. A string that holds a secret the run knows (a token, a key) is masked as a
secret whatever it looks like, and the token request's answer is never written at all.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from typing import Any

from .auth import Redactor
from .inspect import TOKEN_METHOD, SiteInspection

_STRUCTURE = re.compile(
    r"[A-Z][A-Z0-9_]*"  # enum values
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # GUIDs
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?"  # RFC 3339 times
    r"|\d{1,32}"  # digits-only ids (Publisher account ids)
)
MASK_PREFIX = "masked-"


class Masker:
    """Free text and secrets → stable placeholders for one recording (see the module doc)."""

    def __init__(self, redactor: Redactor, key: bytes | None = None) -> None:
        self._redactor = redactor
        self._key = key if key is not None else secrets.token_bytes(32)

    def text(self, value: str) -> str:
        """`value` if it is structure (or empty), otherwise its mask."""
        if not value:
            return value
        if self._redactor.redact(value) != value:
            return f"{MASK_PREFIX}secret-{self._digest(value)}"
        if _STRUCTURE.fullmatch(value):
            return value
        return MASK_PREFIX + self._digest(value)

    def json(self, value: Any) -> Any:
        """A copy of `value` with every string masked by `text` (member names kept)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {str(k): self.json(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.json(v) for v in value]
        return value

    def _digest(self, value: str) -> str:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def fixture(inspections: Sequence[SiteInspection], masker: Masker) -> dict[str, Any]:
    """The emulator fixture that replays every answer of `inspections`, masked.

    Sites sign in leniently there (any API key): the recording holds no credential, so
    the replay cannot ask for the one the live site used.
    """
    return {
        "autoCreateSites": False,
        "config": {"lenientAuth": True},
        "sites": [_site(inspection, masker) for inspection in inspections],
    }


def _site(inspection: SiteInspection, masker: Masker) -> dict[str, Any]:
    answers = {
        check.method: {"status": check.status, "body": masker.json(check.body)}
        for check in inspection.checks
        if check.method != TOKEN_METHOD and check.body is not None and check.status is not None
    }
    return {"id": inspection.site_id, "answers": answers}
