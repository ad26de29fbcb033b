"""`mpr doctor`: each site's answers against what mpr reads, as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reconciler.model.site import DesiredSite
from reconciler.wix.inspect import MethodCheck, SiteInspection

Examined = tuple[DesiredSite, SiteInspection]
SHOWN_KNOWN = 6
"""Known members named in the text before the rest are counted."""


def render_doctor(found: Sequence[Examined], fmt: str) -> str:
    if fmt == "json":
        body = {"ready": all(i.usable for _, i in found), "sites": [_json(*row) for row in found]}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    ready = sum(1 for _, inspection in found if inspection.usable)
    summary = f"Doctor: {len(found)} site(s): {ready} ready, {len(found) - ready} not ready\n"
    return "".join(_text(*row) + "\n" for row in found) + summary


def verdict(inspection: SiteInspection) -> str:
    """One line: whether mpr can act on every answer, and which ones it cannot."""
    bad = [c.method for c in inspection.checks if not c.usable]
    if not bad:
        return "ready: mpr can act on every answer"
    return f"NOT READY: mpr cannot act on {', '.join(bad)}; plan and apply stop this site"


def _json(site: DesiredSite, inspection: SiteInspection) -> dict[str, Any]:
    return {
        "site": site.id,
        "name": site.name,
        "source": site.source,
        "identity": inspection.identity,
        "ready": inspection.usable,
        "verdict": verdict(inspection),
        "methods": [_check_json(check) for check in inspection.checks],
        "notes": list(inspection.notes),
    }


def _check_json(check: MethodCheck) -> dict[str, Any]:
    return {
        "method": check.method,
        "status": check.status,
        "milliseconds": round(check.seconds * 1000),
        "known": list(check.members.known),
        "missing": list(check.members.missing),
        "unknown": list(check.members.unknown),
        "error": check.error,
        "note": check.note or None,
    }


def _text(site: DesiredSite, inspection: SiteInspection) -> str:
    lines = [
        f"{site.display_name} — {site.source}",
        f"  signed in as {inspection.identity}",
    ]
    width = max(len(c.method) for c in inspection.checks)
    for check in inspection.checks:
        lines += _check_text(check, width)
    lines += [f"  note: {note}" for note in inspection.notes]
    lines.append(f"  verdict: {verdict(inspection)}")
    return "\n".join([*lines, ""])


def _check_text(check: MethodCheck, width: int) -> list[str]:
    name = check.method.ljust(width)
    if check.note and check.status is None and check.error is None:
        return [f"  {name}  -    {check.note}"]
    status = str(check.status) if check.status is not None else "---"
    head = f"  {name}  {status:<4} {round(check.seconds * 1000):>5} ms"
    members = check.members
    parts = [_known(members.known)] if members.known else []
    if members.missing:
        parts.append("missing: " + ", ".join(members.missing))
    if members.unknown:
        parts.append("unknown: " + _grouped(members.unknown))
    lines = [f"{head}  {' · '.join(parts) or 'no member'}"]
    if check.error:
        lines.append(f"  {' ' * width}  ! {check.error}")
    if check.note:
        lines.append(f"  {' ' * width}  {check.note}")
    return lines


def _grouped(paths: Sequence[str]) -> str:
    """`a.b[].x, a.b[].y` as `a.b[].{x, y}`: the content objects of drafts are many."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        cut = path.rfind(".") + 1
        groups.setdefault(path[:cut], []).append(path[cut:])
    shown = []
    for parent, leaves in groups.items():
        if parent and len(leaves) > 1:
            shown.append(f"{parent}{{{', '.join(leaves)}}}")
        else:
            shown += [parent + leaf for leaf in leaves]
    return ", ".join(shown)


def _known(paths: Sequence[str]) -> str:
    top = list(dict.fromkeys(p for p in paths if "." not in p and "[" not in p)) or list(paths)
    shown = ", ".join(top[:SHOWN_KNOWN]) + (" …" if len(top) > SHOWN_KNOWN else "")
    return f"known: {shown} ({len(paths)} in all)"
