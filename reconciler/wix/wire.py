"""Response bodies exactly as the SPEC names them, and the wire timestamp format.

Rules: field names are the SPEC's lowerCamelCase (snake_case in Python through an alias
generator); unknown fields are kept (`model_extra`), enums are plain `str` so a new value
never fails a read, and every datetime is an aware UTC datetime. Settings stay raw JSON
dicts on purpose: the engine diffs JSON. Request bodies are plain JSON built in `site.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    model_validator,
)
from pydantic.alias_generators import to_camel


def format_timestamp(value: datetime) -> str:
    """RFC 3339 UTC with milliseconds and "Z", e.g. "2026-11-27T09:00:00.000Z".

    Raises ValueError for a naive datetime: it is a bug in the caller, not a UTC guess.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} given; pass an aware datetime")
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def to_wire(value: Any) -> Any:
    """A JSON-ready copy of `value` with every datetime formatted by `format_timestamp`.

    Mappings and lists/tuples are copied recursively; `None` values are kept (null clears).
    """
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, Mapping):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    return value


def _as_utc(value: datetime) -> datetime:
    # A timestamp without an offset is read as UTC: the wire format is UTC by definition.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00: a shape error, not a crash
        raise ValueError("a time outside the years 1 to 9999 in UTC") from None


def _none_to(empty: Any) -> BeforeValidator:
    # Wix omits empty fields but a null must not fail a read either.
    return BeforeValidator(lambda v: empty() if v is None else v)


UtcDatetime = Annotated[
    datetime,
    AfterValidator(_as_utc),
    PlainSerializer(format_timestamp, return_type=str, when_used="json"),
]
Text = Annotated[str, _none_to(str)]
JsonObject = Annotated[dict[str, Any], _none_to(dict)]


class WireModel(BaseModel):
    """Base of every wire body: camelCase aliases, unknown fields kept."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    @classmethod
    def reads_extra(cls, member: str, value: Any) -> bool:
        """Whether mpr reads `member`, kept as an extra (not a field), when it holds `value`."""
        return False


CONTENT_SUFFIXES = ("Post", "Story", "Reel", "Photo", "Video", "Short")
"""A draft's one content object is its member whose name ends so and holds an object
(SPEC.md §2.3): the text that content review and the caption limits read."""


class Channel(WireModel):
    """A Publisher channel: `name` (FACEBOOK, …) and the connected `accountId`, if any."""

    name: str
    account_id: str | None = None


class Item(WireModel):
    """A post or story draft (Publisher item); content objects such as `facebookPost` are extras."""

    id: str
    channel: Channel | None = None
    type: str | None = None
    status: str | None = None
    scheduled_date: UtcDatetime | None = None

    @classmethod
    def reads_extra(cls, member: str, value: Any) -> bool:
        return member.endswith(CONTENT_SUFFIXES) and isinstance(value, dict)


Items = Annotated[list[Item], _none_to(list)]


class PlanActivity(WireModel):
    """One activity of the plan as GetSocialMarketingPlan returns it."""

    marketing_activity_id: str
    date: UtcDatetime | None = None
    title: Text = ""
    description: Text = ""
    marketing_activity_type: str | None = None
    items: Items = []


class SocialMarketingPlan(WireModel):
    """GetSocialMarketingPlan: the plan status and the activities in the asked timeframe."""

    status: str
    marketing_activities: Annotated[list[PlanActivity], _none_to(list)] = []


class ActivityPosts(WireModel):
    """The drafts of one activity (GetMarketingActivityPosts entry or a regenerate snapshot)."""

    marketing_activity_id: str
    items: Items = []
    video_candidates: Annotated[list[Any], _none_to(list)] = []


class MarketingSettings(WireModel):
    """The stored settings; `settings` and `overrides` are raw JSON objects."""

    id: str | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    settings: JsonObject = {}
    overrides: JsonObject = {}


class RecurringRule(WireModel):
    """How a recurring calendar event repeats (shape per SPEC §5 item 7).

    Every member is [I] (the docs never show the rule), so none is required: a rule
    without `frequency` is read, and compares unequal to any declared rule."""

    frequency: str | None = None
    start_date: UtcDatetime | None = None
    end_date: UtcDatetime | None = None
    interval: int | None = None


class Occurrence(WireModel):
    """One computed occurrence of a recurring event inside a queried range."""

    date: UtcDatetime


class CalendarEvent(WireModel):
    """A marketing-calendar event, one-time (`date`) or recurring (`recurringRule`).

    `id` is required of a live event (mpr updates and deletes by it): an event without one
    is skipped as unreadable. Everything else is optional."""

    id: str
    calendar_id: str | None = None
    name: Text = ""
    description: str | None = None
    date: UtcDatetime | None = None
    recurring_rule: RecurringRule | None = None
    recurring_occurrences: Annotated[list[Occurrence], _none_to(list)] = []
    created_date: UtcDatetime | None = None
    updated_date: UtcDatetime | None = None
    read_only: Annotated[bool, _none_to(bool)] = False
    """Not documented (SPEC §5.8): honoured if Wix ever sends it, never relied on; the
    engine tells connected-calendar events by their `calendarId`."""


class AssetReference(WireModel):
    """The site asset an activity is grounded in. Its fields are not documented (SPEC §2.4),
    so none are declared: whatever Wix sends is kept in `model_extra`, under its wire name."""


class BlogPostCandidate(WireModel):
    """The SEO data of a BLOG activity (`blogSeoData`); undocumented fields kept as sent."""


class ActivitySource(WireModel):
    """What the AI planned an activity from (an event, keywords…); undocumented fields kept."""


class MarketingActivity(WireModel):
    """A Marketing Activity V1 record (`id` ↔ the plan's `marketingActivityId`, SPEC §2.4).

    `asset`, `blogSeoData` (BLOG only) and `source` are read-only and absent on activities
    that have none. The object has no created/updated dates.
    """

    id: str | None = None
    title: Text = ""
    description: Text = ""
    target_date: UtcDatetime | None = None
    marketing_activity_type: str | None = None
    asset: AssetReference | None = None
    blog_seo_data: BlogPostCandidate | None = None
    source: ActivitySource | None = None


class PlanGoalOption(WireModel):
    """One entry of GetPlanGoalOptions; display fields are optional."""

    plan_goal_key: str
    title: str | None = None
    description: str | None = None


class PointOfViewOption(WireModel):
    """One entry of GetPointOfViewOptions; display fields are optional.

    The docs cut the key's name after `pointOf…` [C]: `pointOfViewKey` is [I], so the first
    member whose name starts with `pointOf` is the key when that one is absent."""

    point_of_view_key: str

    @model_validator(mode="before")
    @classmethod
    def _key_by_prefix(cls, data: Any) -> Any:
        if isinstance(data, dict) and "pointOfViewKey" not in data:
            named = [k for k in data if k.startswith("pointOf") and isinstance(data[k], str)]
            if named:
                return {**data, "pointOfViewKey": data[named[0]]}
        return data

    title: str | None = None
    description: str | None = None


class CalendarOption(WireModel):
    """One entry of GetCalendarOptions: an id usable in `settings.calendar.ids`."""

    id: str
    name: str | None = None
