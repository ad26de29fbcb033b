"""Marketing Activity V1 rules: the fields Create and Update accept, Get's id, Query's filter.

Rules (SPEC §2.4, §3.3; README choices 9, 25, 30 and "Other choices"):
* Create needs ``title``, ``description``, ``targetDate`` and a ``marketingActivityType`` of
  SOCIAL_MARKETING, EMAIL_MARKETING or BLOG: an unknown type string is a 400, ``UNKNOWN`` or a
  missing or blank field a 428 ``INVALID_MARKETING_ACTIVITY``;
* ``title`` and ``description`` hold at most 3,000 characters (400 ``MAX_LENGTH``);
* Update takes a comma-separated ``fieldMask`` of ``title``, ``description``, ``targetDate``;
* Get takes a required GUID ``id`` query parameter;
* Query takes ``{"query": {"filter": {startDate?, endDate?, marketingActivityType?}}}`` or
  ``{"query": {"filter": {"ids": [...]}}}``: ``ids`` with any other key is a 400, an unknown
  key a 400; bounds are inclusive on ``targetDate``; the answer is every match, ascending by
  ``targetDate`` (sort and paging in the request are ignored). An empty ``ids`` list is no
  filter, as an empty repeated field is in proto3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reconciler.emulator.clock import parse_wire
from reconciler.emulator.errors import invalid, parse_error, precondition
from reconciler.emulator.events import MAX_TEXT
from reconciler.emulator.ids import is_guid
from reconciler.emulator.records import Activity, Json, Plan

ACTIVITY_TYPES = ("SOCIAL_MARKETING", "EMAIL_MARKETING", "BLOG")
ACTIVITY_FIELDS = ("title", "description", "targetDate")
FILTER_KEYS = ("startDate", "endDate", "marketingActivityType", "ids")


def clip(text: str) -> str:
    """``text`` cut to the 3,000 characters an activity's title or description may hold."""
    return text[:MAX_TEXT]


def create_fields(body: Json) -> tuple[dict[str, Any], str]:
    """CreateMarketingActivity: the validated title, description, targetDate, and the type.

    The fields may come wrapped in ``marketingActivity`` or at the top level; read-only
    fields sent (``id``, ``asset``, ``blogSeoData``, ``source``) are ignored.
    """
    raw = body["marketingActivity"] if isinstance(body.get("marketingActivity"), dict) else body
    kind = raw.get("marketingActivityType")
    if kind is not None and kind not in (*ACTIVITY_TYPES, "UNKNOWN"):
        raise invalid(
            "marketingActivity.marketingActivityType",
            "must be one of " + ", ".join(ACTIVITY_TYPES),
            "ENUM",
        )
    missing = [f for f in (*ACTIVITY_FIELDS, "marketingActivityType") if not raw.get(f)]
    if missing or kind == "UNKNOWN":
        raise precondition(
            "INVALID_MARKETING_ACTIVITY",
            "title, description, targetDate and a marketingActivityType "
            f"other than UNKNOWN are required (missing: {missing})",
        )
    return _values(raw, ACTIVITY_FIELDS), str(kind)


def update_fields(body: Json) -> dict[str, Any]:
    """UpdateMarketingActivity: the validated values of the masked fields (all present ones
    when there is no mask)."""
    raw = body.get("marketingActivity")
    raw = raw if isinstance(raw, dict) else {}
    return _values(raw, _mask(body.get("fieldMask"), raw))


def activity_id(value: str | None) -> str:
    """GetMarketingActivity's ``id`` query parameter: required, a GUID; else 400."""
    if not value:
        raise invalid("id", "is required", "REQUIRED_FIELD")
    if not is_guid(value):
        raise invalid("id", "must be a GUID", "FORMAT")
    return value


@dataclass(frozen=True)
class ActivityFilter:
    """A parsed QueryMarketingActivities filter (every part optional)."""

    ids: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    kind: str | None = None

    def matches(self, activity: Activity) -> bool:
        if self.ids and activity.id not in self.ids:
            return False
        if self.start is not None and activity.date < self.start:
            return False
        if self.end is not None and activity.date > self.end:
            return False
        return self.kind is None or activity.type == self.kind


def query_filter(body: Json) -> ActivityFilter:
    """The filter of a QueryMarketingActivities body; 400 naming the offending path."""
    query = body.get("query", {})
    if not isinstance(query, dict):
        raise parse_error("query", "must be an object")
    raw = query.get("filter")
    if raw is None:
        return ActivityFilter()
    if not isinstance(raw, dict):
        raise parse_error("query.filter", "must be an object")
    for key in raw:
        if key not in FILTER_KEYS:
            raise invalid(
                f"query.filter.{key}",
                "cannot be filtered on; filter on " + ", ".join(FILTER_KEYS),
                "UNSUPPORTED_FILTER",
            )
    given = {k: v for k, v in raw.items() if v is not None}
    ids = _ids(given.get("ids", []))
    others = [k for k in given if k != "ids"]
    if ids and others:
        raise invalid(
            "query.filter.ids",
            "cannot be combined with " + ", ".join(others),
            "EXCLUSIVE_FILTER",
        )
    kind = given.get("marketingActivityType")
    if kind is not None and kind not in ACTIVITY_TYPES:
        raise invalid(
            "query.filter.marketingActivityType",
            "must be one of " + ", ".join(ACTIVITY_TYPES),
            "ENUM",
        )
    return ActivityFilter(
        ids=ids,
        start=_date(given.get("startDate"), "query.filter.startDate"),
        end=_date(given.get("endDate"), "query.filter.endDate"),
        kind=kind,
    )


def select(plan: Plan, wanted: ActivityFilter) -> list[Activity]:
    """Every activity that matches, ascending by ``targetDate`` (then id); no cap."""
    return [a for a in plan.sorted_activities() if wanted.matches(a)]


def _ids(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise parse_error("query.filter.ids", "must be a list of GUIDs")
    for i, value in enumerate(raw):
        if not is_guid(value):
            raise invalid(f"query.filter.ids[{i}]", "must be a GUID", "FORMAT")
    return tuple(dict.fromkeys(str(v) for v in raw))


def _date(raw: Any, where: str) -> datetime | None:
    if raw is None:
        return None
    try:
        return parse_wire(raw)
    except ValueError:
        raise invalid(where, "must be an RFC 3339 date-time", "FORMAT") from None


def _mask(raw: Any, body: Json) -> tuple[str, ...]:
    if raw is None:
        return tuple(f for f in ACTIVITY_FIELDS if f in body)
    if not isinstance(raw, str):
        raise parse_error("fieldMask", "must be a single comma-separated string")
    paths = tuple(p.strip() for p in raw.split(",") if p.strip())
    for path in paths:
        if path not in ACTIVITY_FIELDS:
            raise invalid(
                "fieldMask",
                f"{path!r} cannot be updated; allowed: " + ", ".join(ACTIVITY_FIELDS),
                "ENUM",
            )
    return paths


def _values(raw: Json, names: tuple[str, ...]) -> dict[str, Any]:
    """Validated values for ``names``; 400 for a missing/blank, too long or malformed one."""
    out: dict[str, Any] = {}
    for name in names:
        value = raw.get(name)
        where = f"marketingActivity.{name}"
        if not isinstance(value, str) or not value.strip():
            raise invalid(where, "is required and must be a non-empty string", "REQUIRED_FIELD")
        if name == "targetDate":
            out[name] = _date(value, where)
            continue
        if len(value) > MAX_TEXT:
            raise invalid(where, f"must be at most {MAX_TEXT} characters", "MAX_LENGTH")
        out[name] = value
    return out
