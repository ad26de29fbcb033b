"""`SiteClient`: one short async method per SPEC §3.0 method, bound to one site.

Each method builds the request exactly as the SPEC names it, sends it through
`WixClient.call` and returns a `wire` model. Datetimes go out as RFC 3339 UTC with
milliseconds; naive datetimes raise ValueError before anything is sent. Wix omits empty
lists, so a missing list reads as `[]`, but only as reading.py allows (SPEC §5 reading
rule); an answer mpr cannot act on is an `errors.UnexpectedAnswer` naming what it found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from . import endpoints as ep
from .reading import expect_list, expect_member
from .wire import (
    ActivityPosts,
    CalendarEvent,
    CalendarOption,
    Item,
    MarketingActivity,
    MarketingSettings,
    PlanActivity,
    PlanGoalOption,
    PointOfViewOption,
    SocialMarketingPlan,
    format_timestamp,
    to_wire,
)

if TYPE_CHECKING:
    from .client import WixClient

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
Json = dict[str, Any]


class SiteClient:
    """The API methods for one site; every call sends `Authorization` and `wix-site-id`."""

    def __init__(self, client: WixClient, site_id: str) -> None:
        self._client = client
        self.site_id = site_id
        self.notes: list[str] = []
        """Entries of this site's answers skipped as unreadable, one line each, in the
        order met (reading.py): the engine reports them as the site's warnings."""
        self.unreadable_events: list[str | None] = []
        """The names of the live events skipped as unreadable; None for one without a name,
        which may be any event the site file declares."""

    def __repr__(self) -> str:
        return f"SiteClient(site_id={self.site_id!r}, base_url={self._client.base_url!r})"

    async def _call(self, endpoint: ep.Endpoint, parse: Callable[[Json], T], **kwargs: Any) -> T:
        return await self._client.call(self.site_id, endpoint, parse, **kwargs)

    # --- Marketing Plan V1: the plan ----------------------------------------------------

    async def generate_marketing_plan(self) -> str:
        """Start generating the plan; returns the status ("GENERATING")."""
        return await self._call(ep.GENERATE_MARKETING_PLAN, _status, body={})

    async def regenerate_marketing_plan(self) -> str:
        """Rebuild the upcoming activities; PlanAlreadyGenerating while one runs."""
        return await self._call(ep.REGENERATE_MARKETING_PLAN, _status, body={})

    async def regenerate_marketing_plan_with_keyword_research(self) -> str:
        """Refresh keyword research, then regenerate (never starts a parallel run)."""
        endpoint = ep.REGENERATE_MARKETING_PLAN_WITH_KEYWORD_RESEARCH
        return await self._call(endpoint, _status, body={})

    async def get_social_marketing_plan(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        only_status_while: str | None = None,
    ) -> SocialMarketingPlan:
        """The plan status and its activities dated in [start, end] (server default: today on).

        With `only_status_while`, a plan in that status comes back without its activities:
        a poll for the end of a generation needs the status alone, and reading the whole
        plan on every poll was most of a waiting fleet's CPU (tests/bench/RESULTS.md).
        """
        params = {}
        if start is not None:
            params["timeframe.startDate"] = format_timestamp(start)
        if end is not None:
            params["timeframe.endDate"] = format_timestamp(end)
        parse = _plan(self.notes)
        if only_status_while is not None:
            parse = _status_only_while(only_status_while, self.notes)
        return await self._call(ep.GET_SOCIAL_MARKETING_PLAN, parse, params=params)

    async def delete_marketing_plan(self) -> None:
        """Delete the plan and all its activities."""
        await self._call(ep.DELETE_MARKETING_PLAN, _nothing)

    async def delete_plan_marketing_activity(self, activity_id: str) -> None:
        """Remove one activity from the plan."""
        params = {"id": _required(activity_id, "activity_id")}
        await self._call(ep.DELETE_PLAN_MARKETING_ACTIVITY, _nothing, params=params)

    # --- Marketing Plan V1: drafts ------------------------------------------------------

    async def generate_social_posts(self, activity_ids: Sequence[str]) -> None:
        """Start generating drafts for these activities (SPEC: 1–20 ids per call)."""
        body = {"marketingActivityIds": _strings(activity_ids, "activity_ids")}
        await self._call(ep.GENERATE_SOCIAL_POSTS, _nothing, body=body)

    async def get_marketing_activity_posts(
        self, activity_ids: Sequence[str]
    ) -> list[ActivityPosts]:
        """The drafts of these activities; unknown ids are simply absent from the result."""
        body = {"marketingActivityIds": _strings(activity_ids, "activity_ids")}
        entry = _activity_entry(ActivityPosts, "GetMarketingActivityPosts: activity", self.notes)
        what = "GetMarketingActivityPosts: activity"

        def parse(data: Json) -> list[ActivityPosts]:
            return expect_list(data, ["marketingActivities"], entry, what=what, notes=self.notes)

        return await self._call(ep.GET_MARKETING_ACTIVITY_POSTS, parse, body=body)

    async def schedule_drafts(self, draft_ids: Sequence[str]) -> list[Item]:
        """Schedule drafts (SPEC: 1–20); returns only those scheduled: diff against the ids sent."""
        body = {"draftIds": _strings(draft_ids, "draft_ids")}
        parse = _many(Item, "items", what="ScheduleDrafts: item", notes=self.notes)
        return await self._call(ep.SCHEDULE_DRAFTS, parse, body=body)

    async def clear_marketing_activity_posts(self, activity_id: str) -> None:
        """Remove the activity's post drafts."""
        body = _activity_body(activity_id)
        await self._call(ep.CLEAR_MARKETING_ACTIVITY_POSTS, _nothing, body=body)

    async def clear_marketing_activity_stories(self, activity_id: str) -> None:
        """Remove the activity's story drafts."""
        body = _activity_body(activity_id)
        await self._call(ep.CLEAR_MARKETING_ACTIVITY_STORIES, _nothing, body=body)

    async def regenerate_marketing_activity_posts(self, activity_id: str) -> ActivityPosts:
        """Regenerate image and captions; returns a transient snapshot (poll for the result)."""
        return await self._snapshot(ep.REGENERATE_MARKETING_ACTIVITY_POSTS, activity_id)

    async def regenerate_marketing_activity_posts_media(self, activity_id: str) -> ActivityPosts:
        """Regenerate only the image of the posts; returns a transient snapshot."""
        return await self._snapshot(ep.REGENERATE_MARKETING_ACTIVITY_POSTS_MEDIA, activity_id)

    async def regenerate_marketing_activity_stories(self, activity_id: str) -> ActivityPosts:
        """Regenerate the story drafts only; returns a transient snapshot."""
        return await self._snapshot(ep.REGENERATE_MARKETING_ACTIVITY_STORIES, activity_id)

    async def update_marketing_activity_posts_media(
        self, activity_id: str, media_url: str
    ) -> ActivityPosts:
        """Replace the media of the activity's posts with `media_url`."""
        extra = {"mediaUrl": _required(media_url, "media_url")}
        endpoint = ep.UPDATE_MARKETING_ACTIVITY_POSTS_MEDIA
        return await self._snapshot(endpoint, activity_id, extra)

    async def update_marketing_activity_stories_media(
        self, activity_id: str, media_url: str, media_index: int | None = None
    ) -> ActivityPosts:
        """Replace story frame `media_index` (0-based), or the whole story when None."""
        extra: Json = {"mediaUrl": _required(media_url, "media_url")}
        if media_index is not None:
            extra["mediaIndex"] = media_index
        endpoint = ep.UPDATE_MARKETING_ACTIVITY_STORIES_MEDIA
        return await self._snapshot(endpoint, activity_id, extra)

    async def _snapshot(
        self, endpoint: ep.Endpoint, activity_id: str, extra: Json | None = None
    ) -> ActivityPosts:
        body = {**_activity_body(activity_id), **(extra or {})}
        parse = _activity_snapshot(activity_id, f"{endpoint.name}: activity", self.notes)
        return await self._call(endpoint, parse, body=body)

    # --- Marketing Settings V1 ----------------------------------------------------------

    async def get_marketing_settings(self, field_set: str | None = None) -> MarketingSettings:
        """The stored settings (defaults are not filled in; see the defaults method)."""
        params = {"fieldSet": field_set} if field_set else {}
        return await self._call(ep.GET_MARKETING_SETTINGS, _stored_settings, params=params)

    async def upsert_marketing_settings(
        self, body: Mapping[str, Any], field_mask: Sequence[str]
    ) -> MarketingSettings | None:
        """Write the masked paths of `body` (the `marketingSettings` object) as-is; return
        what Wix says it stored (None when its answer shows no settings object).

        Explicit nulls are kept (null clears a field). The mask goes out as ONE
        comma-separated string; an empty mask raises ValueError before sending.
        """
        request = {"marketingSettings": to_wire(body), "fieldMask": _mask(field_mask)}
        endpoint = ep.UPSERT_MARKETING_SETTINGS
        return await self._call(endpoint, _upserted_settings, body=request)

    async def get_marketing_settings_defaults(
        self, fields: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """The `settings` object of the site's defaults, limited to `fields` when given."""
        params = {"fieldMask": _mask(fields)} if fields else {}
        return await self._call(ep.GET_MARKETING_SETTINGS_DEFAULTS, _defaults, params=params)

    async def get_plan_goal_options(self) -> list[PlanGoalOption]:
        """The goals offered for `settings.marketingPlanGoal.goalKey`, in display order."""
        parse = _many(
            PlanGoalOption, "options", what="GetPlanGoalOptions: option", notes=self.notes
        )
        return await self._call(ep.GET_PLAN_GOAL_OPTIONS, parse)

    async def get_point_of_view_options(self) -> list[PointOfViewOption]:
        """The values offered for `settings.pointOfView`."""
        what = "GetPointOfViewOptions: option"
        parse = _many(PointOfViewOption, "options", what=what, notes=self.notes)
        return await self._call(ep.GET_POINT_OF_VIEW_OPTIONS, parse)

    async def get_calendar_options(self) -> list[CalendarOption]:
        """The calendars usable in `settings.calendar.ids`."""
        what = "GetCalendarOptions: option"
        parse = _many(CalendarOption, "options", what=what, notes=self.notes)
        return await self._call(ep.GET_CALENDAR_OPTIONS, parse)

    # --- Marketing Activity V1 ----------------------------------------------------------

    async def create_marketing_activity(self, activity: Mapping[str, Any]) -> MarketingActivity:
        """Create an activity (title, description, targetDate, marketingActivityType).

        Title and description hold at most 3,000 characters (Wix checks, not this method).
        """
        body = {"marketingActivity": to_wire(activity)}
        parse = _one(MarketingActivity, "marketingActivity")
        return await self._call(ep.CREATE_MARKETING_ACTIVITY, parse, body=body)

    async def update_marketing_activity(
        self, activity_id: str, fields: Mapping[str, Any], field_mask: Sequence[str]
    ) -> MarketingActivity:
        """Update the masked fields (title, description, targetDate) of an activity."""
        body = {"marketingActivity": to_wire(fields), "fieldMask": _mask(field_mask)}
        parse = _one(MarketingActivity, "marketingActivity")
        endpoint = ep.UPDATE_MARKETING_ACTIVITY
        return await self._call(endpoint, parse, resource_id=activity_id, body=body)

    async def get_marketing_activity(self, activity_id: str) -> MarketingActivity:
        """One activity by id (NotFound for an id the site does not have)."""
        params = {"id": _required(activity_id, "activity_id")}
        parse = _one(MarketingActivity, "marketingActivity")
        return await self._call(ep.GET_MARKETING_ACTIVITY, parse, params=params)

    async def query_marketing_activities(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        activity_type: str | None = None,
        ids: Sequence[str] | None = None,
    ) -> list[MarketingActivity]:
        """The activities whose `targetDate` lies in [start, end] and whose type is
        `activity_type` (each filter optional), or those with these `ids`; no filter: all.

        All of them, ascending by `targetDate`: Wix neither pages nor sorts otherwise.
        `ids` combines with no other filter (Wix refuses that): ValueError before sending.
        Empty `ids` answer `[]` unsent: on the wire an empty list means no filter, i.e. all.
        The answer carries no drafts (those are in GetMarketingActivityPosts).
        """
        query_filter: Json = {}
        if ids is not None:
            if start is not None or end is not None or activity_type is not None:
                raise ValueError("ids cannot be combined with start, end or activity_type")
            query_filter["ids"] = _strings(ids, "ids")
            if not query_filter["ids"]:
                return []
        if start is not None:
            query_filter["startDate"] = format_timestamp(start)
        if end is not None:
            query_filter["endDate"] = format_timestamp(end)
        if activity_type is not None:
            query_filter["marketingActivityType"] = _required(activity_type, "activity_type")
        body = {"query": {"filter": query_filter}}
        what = "QueryMarketingActivities: activity"
        parse = _many(MarketingActivity, "marketingActivities", what=what, notes=self.notes)
        return await self._call(ep.QUERY_MARKETING_ACTIVITIES, parse, body=body)

    # --- Calendar Event V1 --------------------------------------------------------------

    async def create_event(self, event: Mapping[str, Any]) -> CalendarEvent:
        """Create a calendar event; the answer carries its `id`."""
        body = {"calendarEvent": to_wire(event)}
        return await self._call(ep.CREATE_EVENT, _one(CalendarEvent, "calendarEvent"), body=body)

    async def update_event(self, event_id: str, event: Mapping[str, Any]) -> CalendarEvent:
        """Replace an event entirely (PUT); unknown or read-only ids are FailedPrecondition."""
        body = {"event": to_wire(event)}
        parse = _one(CalendarEvent, "event", "calendarEvent")
        return await self._call(ep.UPDATE_EVENT, parse, resource_id=event_id, body=body)

    async def delete_event(self, event_id: str) -> None:
        """Delete an event; unknown or read-only ids are FailedPrecondition (not NotFound)."""
        await self._call(ep.DELETE_EVENT, _nothing, resource_id=event_id)

    async def query_events(self, start: datetime, end: datetime) -> list[CalendarEvent]:
        """Events in [start, end] (max 100, ascending), recurring ones with occurrences."""
        date_filter = {"$gte": format_timestamp(start), "$lte": format_timestamp(end)}
        body = {"query": {"filter": {"date": date_filter}}}
        names = self.unreadable_events

        def event(entry: Json) -> CalendarEvent:
            if "name" not in entry:
                # mpr matches the site file by name: one it cannot read is unreadable
                raise ValueError("name: Field required")
            return CalendarEvent.model_validate(entry)

        def unreadable(entry: Any) -> None:
            name = entry.get("name") if isinstance(entry, dict) else None
            names.append(name if isinstance(name, str) else None)  # None: it may be any

        def parse(data: Json) -> list[CalendarEvent]:
            keys = ("events", "calendarEvents")
            what = "QueryEvents: event"
            return expect_list(data, keys, event, what=what, notes=self.notes, skipped=unreadable)

        return await self._call(ep.QUERY_EVENTS, parse, body=body)


# --- request helpers ---------------------------------------------------------------------


def _required(value: str, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    return value


def _strings(values: Sequence[str], name: str) -> list[str]:
    # A lone str is a Sequence[str] too; sending its characters as ids would be a silent bug.
    if isinstance(values, str):
        raise TypeError(f"{name} must be a sequence of strings, not a single string")
    return list(values)


def _mask(paths: Sequence[str] | None) -> str:
    """The SPEC's field mask: ONE comma-separated string (an array is a 400)."""
    if isinstance(paths, str):
        raise TypeError("a field mask must be a sequence of paths, not a single string")
    if not paths:
        raise ValueError("a field mask must name at least one path")
    return ",".join(paths)


def _activity_body(activity_id: str) -> Json:
    return {"marketingActivityId": _required(activity_id, "activity_id")}


# --- response parsers (raise ValueError for a body of the wrong shape) ------------------
#
# The reading rule (reading.py) member by member, from the SPEC tags:
# * GetSocialMarketingPlan: `status` is required (mpr decides everything from it);
#   `marketingActivities` [R] and each activity's `items` [R] are lists absent when empty;
#   an activity without `marketingActivityId`, or a draft without `id`, is skipped.
# * GetMarketingActivityPosts / regenerate snapshots: `marketingActivities` [R] absent when
#   empty; the `marketingActivity` wrapper [I]: a snapshot without it is read unwrapped;
#   `videoCandidates` is a known list.
# * Get/Upsert/Defaults of settings: the `marketingSettings` wrapper is [I]: an answer
#   without it is read unwrapped; `settings` and `overrides` are optional objects. An upsert
#   answer without any of them says nothing of what Wix kept (verify-after-write re-reads).
# * QueryEvents: `events` [I] (or `calendarEvents`), absent when empty. An event is skipped
#   when it is not an object, has no `id` or no `name` (the site file is matched by name),
#   or a member has another type (a `date` that is no time).
# * Options: `options` [C]; an option without its key (`planGoalKey` [C], `pointOf…` [C,
#   name cut: `pointOfViewKey` [I] or any `pointOf…` member], calendar `id` [C]) is skipped.
# * Create/Update writes: the returned object is required: it is what Wix stored.


def _nothing(data: Json) -> None:
    return None


def _status(data: Json) -> str:
    status: str = expect_member(data, ["status"], str, required=True)
    return status


def _one(model: type[M], *keys: str) -> Callable[[Json], M]:
    def parse(data: Json) -> M:
        return model.model_validate(expect_member(data, keys, dict, required=True))

    return parse


def _many(model: type[M], *keys: str, what: str, notes: list[str]) -> Callable[[Json], list[M]]:
    def parse(data: Json) -> list[M]:
        return expect_list(data, keys, model.model_validate, what=what, notes=notes)

    return parse


def _plan(notes: list[str]) -> Callable[[Json], SocialMarketingPlan]:
    entry = _activity_entry(PlanActivity, "GetSocialMarketingPlan: activity", notes)

    def parse(data: Json) -> SocialMarketingPlan:
        status = _status(data)
        activities = expect_list(
            data,
            ["marketingActivities"],
            entry,
            what="GetSocialMarketingPlan: activity",
            notes=notes,
        )
        plan = SocialMarketingPlan.model_validate(
            {k: v for k, v in data.items() if k not in ("status", "marketingActivities")}
            | {"status": status}
        )
        plan.marketing_activities = activities
        return plan

    return parse


def _status_only_while(status: str, notes: list[str]) -> Callable[[Json], SocialMarketingPlan]:
    whole = _plan(notes)

    def parse(data: Json) -> SocialMarketingPlan:
        if data.get("status") == status:
            return SocialMarketingPlan.model_validate({"status": status})
        return whole(data)

    return parse


A = TypeVar("A", PlanActivity, ActivityPosts)


def _activity_entry(model: type[A], what: str, notes: list[str]) -> Callable[[Json], A]:
    """One activity with its drafts read one by one (a bad draft is skipped, not the rest)."""

    def parse(entry: Json) -> A:
        items = expect_list(
            entry,
            ["items"],
            Item.model_validate,
            what=f"{what} draft",
            notes=notes,
            known=("videoCandidates",),
        )
        activity = model.model_validate({k: v for k, v in entry.items() if k != "items"})
        activity.items = items
        return activity

    return parse


def _activity_snapshot(
    activity_id: str, what: str, notes: list[str]
) -> Callable[[Json], ActivityPosts]:
    entry = _activity_entry(ActivityPosts, what, notes)

    def parse(data: Json) -> ActivityPosts:
        # The wrapper is [I]: an answer without it is the activity itself, not "no drafts".
        found = expect_member(data, ["marketingActivity"], dict, required=False)
        if found is None:
            found = {k: v for k, v in data.items() if k != "marketingActivity"}
        return entry({"marketingActivityId": activity_id, **found})

    return parse


_SETTINGS_OBJECTS = ("settings", "overrides")


def _settings_object(data: Json) -> Json | None:
    """The `marketingSettings` object, wrapped [I] or not; None when the answer has none."""
    wrapper = expect_member(
        data, ["marketingSettings"], dict, required=False, known=_SETTINGS_OBJECTS
    )
    source: Json = wrapper if wrapper is not None else data
    for name in _SETTINGS_OBJECTS:
        others = [o for o in _SETTINGS_OBJECTS if o != name]
        expect_member(source, [name], dict, required=False, known=others)
    if wrapper is None and not any(k in data for k in (*_SETTINGS_OBJECTS, "id")):
        return None
    return source


def _stored_settings(data: Json) -> MarketingSettings:
    """GetMarketingSettings: `{}` is a site with nothing saved."""
    return MarketingSettings.model_validate(_settings_object(data) or {})


def _upserted_settings(data: Json) -> MarketingSettings | None:
    """UpsertMarketingSettings: the stored object, or None when the answer shows none."""
    found = _settings_object(data)
    return None if found is None else MarketingSettings.model_validate(found)


def _defaults(data: Json) -> dict[str, Any]:
    found = _settings_object(data) or {}
    settings: dict[str, Any] = found.get("settings") or {}
    return settings
