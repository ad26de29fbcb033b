"""The review digest: a short fingerprint of the writes a plan intends, to apply what was reviewed.

It covers, per site, the settings it would write (path and new value), the events it would
create, update or delete (name and new body) and the drafts it would schedule (id and a hash
of the words and media they will post): what a reviewer approves in a pull request. So a
caption edited in the dashboard, or drafts regenerated, between review and merge make the
merge's apply refuse, as would any other unreviewed write. It leaves out what follows from
those (the plan action), the "before" values and the drafts a rule holds back. Two plans with
the same digest make the same settings and event writes and schedule the same words.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from reconciler.engine.plan import Plan, SitePlan

DIGEST_LENGTH = 16


def review_digest(plan: Plan) -> str:
    """The first 16 hex digits of the SHA-256 of the plan's intended writes and drafts."""
    body: list[Any] = []
    for site in sorted(plan.sites, key=lambda s: s.site_id):
        if not writes_something(site):
            continue
        entry: dict[str, Any] = {
            "site": site.site_id,
            "settings": [[c.path, c.after] for c in site.settings],
            "events": [[c.op, c.name, c.after] for c in site.events],
        }
        if site.drafts.posts:  # absent when none, so digests made before #25 still match
            entry["drafts"] = sorted([p.id, p.digest] for p in site.drafts.posts)
        body.append(entry)
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:DIGEST_LENGTH]


def writes_something(site: SitePlan) -> bool:
    """Whether the site's plan makes a write the digest covers (settings, events, drafts)."""
    return bool(site.settings or site.events or site.drafts.posts)
