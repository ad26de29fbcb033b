"""The review digest: a short fingerprint of the writes a plan intends, to apply what was reviewed.

It covers, per site, the settings it would write (path and new value) and the events it would
create, update or delete (name and new body): what a reviewer approves in a pull request. It
leaves out what moves by itself between review and merge without anyone changing anything:
the draft step (drafts enter the scheduling horizon day by day), the plan action (it follows
from the writes and the live plan status) and the "before" values. Two plans with the same
digest make the same settings and event writes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from reconciler.engine.plan import Plan

DIGEST_LENGTH = 16


def review_digest(plan: Plan) -> str:
    """The first 16 hex digits of the SHA-256 of the plan's intended settings and event writes."""
    body: list[Any] = []
    for site in sorted(plan.sites, key=lambda s: s.site_id):
        if not (site.settings or site.events):
            continue
        body.append(
            {
                "site": site.site_id,
                "settings": [[c.path, c.after] for c in site.settings],
                "events": [[c.op, c.name, c.after] for c in site.events],
            }
        )
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:DIGEST_LENGTH]
