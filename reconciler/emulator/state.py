"""The backend: every site's state and every business rule, with no HTTP in sight.

``Backend`` resolves the caller (auth + ``wix-site-id``), lets pending jobs progress, then
runs one operation per API method and returns the response body as a dict, or raises
``EmulatorError``. Calls that touch the plan, its activities or drafts count as engagement
(SPEC §5.23) and push the INACTIVE deadline back. Callers hold ``lock`` around a call: the
real server and an in-process test may touch the same backend from two threads.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from datetime import datetime

from reconciler.emulator import activities, drafts, events, planning, settings
from reconciler.emulator.clock import Clock, parse_wire, to_wire
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.context import Context
from reconciler.emulator.errors import EmulatorError, invalid, not_found, precondition
from reconciler.emulator.fixtures import SiteSeed
from reconciler.emulator.identity import Identities
from reconciler.emulator.ids import IdFactory, derived_id
from reconciler.emulator.records import Activity, CalendarEvent, Json, Site, SiteProfile
from reconciler.emulator.transitions import PLAN_READ, POSTS_READ, advance


class Backend:
    """All sites of one emulator and the operations of the 30 API methods."""

    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self.ctx = Context(config, clock, IdFactory(config.seed))
        self.sites: dict[str, Site] = {}
        self.identities = Identities()
        self.lock = threading.RLock()

    # --- sites and callers ----------------------------------------------------------------

    def new_site(self, site_id: str, profile: SiteProfile | None = None) -> Site:
        """Register (or replace) a fresh site; its own calendar id derives from its id."""
        site = Site(site_id, derived_id("calendar", site_id), profile or SiteProfile())
        if site.profile.instance_id is None:
            site.profile.instance_id = derived_id("instance", site_id)
        self.sites[site_id] = site
        return site

    def instances(self) -> dict[str, str]:
        """App instance id → site id, for every site the emulator's app is installed on."""
        return {s.profile.instance_id or "": s.id for s in self.sites.values()}

    def issue_app_token(self, body: Json) -> Json:
        """``POST /oauth2/token``: an access token for one app instance (SPEC §1.3)."""
        ctx = self.ctx
        return self.identities.issue_app_token(body, ctx.config, self.instances(), ctx.clock.now())

    def seed_site(self, seed: SiteSeed) -> Site:
        """Register a validated fixture site, its events and (optionally) its plan."""
        site = self.new_site(seed.id, seed.profile)
        now = self.ctx.clock.now()
        site.settings, site.overrides = copy.deepcopy(seed.settings), copy.deepcopy(seed.overrides)
        if site.settings or site.overrides:
            site.settings_created = site.settings_updated = now
        for raw in seed.events:
            event = self._seed_event(site, raw, now)
            site.events[event.id] = event
        planning.seed_plan(self.ctx, site, seed.plan_status)
        site.fail_next_generations = seed.fail_next
        site.answers = copy.deepcopy(seed.answers)
        return site

    def _seed_event(self, site: Site, raw: Json, now: datetime) -> CalendarEvent:
        fields = events.parse_event(raw, "event")
        read_only = bool(raw.get("readOnly"))
        calendar_id = raw.get("calendarId") or site.calendar_id
        if read_only and not raw.get("calendarId"):
            calendars = site.profile.calendars
            calendar_id = calendars[0]["id"] if calendars else derived_id("connected", site.id)
        event = CalendarEvent(
            str(raw.get("id") or self.ctx.ids.new()),
            str(calendar_id),
            fields.name,
            now,
            now,
            read_only=read_only,
        )
        events.apply_fields(event, fields, now)
        return event

    def resolve(self, authorization: str | None, site_id: str | None) -> Site:
        """The caller's site (``identity.py`` decides who may call). A token names its site;
        an API key needs ``wix-site-id`` (403 without). 404 ``SITE_NOT_FOUND`` for an
        unknown site unless ``auto_create_sites``."""
        config = self.ctx.config
        caller = self.identities.authenticate(authorization, site_id, config, self.ctx.clock.now())
        if caller.site_id is not None:
            site_id = caller.site_id
        if not site_id or not site_id.strip():
            raise EmulatorError(403, "PERMISSION_DENIED", "missing wix-site-id header")
        site = self.sites.get(site_id.strip())
        if site is None:
            if not config.auto_create_sites:
                raise not_found("SITE_NOT_FOUND", f"site {site_id} not found")
            site = self.new_site(site_id.strip())
        return site

    def progress(self, site: Site, read: str | None = None) -> None:
        """Let due jobs complete (and count a polling read) before an operation."""
        advance(self.ctx, site, read)

    def _engage(self, site: Site) -> None:
        site.last_engagement = self.ctx.clock.now()

    # --- Marketing Plan V1 ----------------------------------------------------------------

    def generate(self, site: Site, kind: str) -> Json:
        """Generate (``generate``), Regenerate (``regenerate``), with keywords (``keyword``)."""
        out = planning.start_generation(self.ctx, site, kind)
        self._engage(site)
        return out

    def get_plan(self, site: Site, query: Mapping[str, str]) -> Json:
        start = _query_date(query, "timeframe.startDate")
        end = _query_date(query, "timeframe.endDate")
        self.progress(site, PLAN_READ)
        return planning.read_plan(site, start, end, self.ctx.clock.now())

    def delete_plan(self, site: Site) -> Json:
        self._engage(site)
        return planning.delete_plan(site)

    def delete_activity(self, site: Site, activity_id: str | None) -> Json:
        if not activity_id:
            raise invalid("id", "is required", "REQUIRED_FIELD")
        if site.plan.activities.pop(activity_id, None) is None:
            raise not_found("NOT_FOUND", f"marketing activity {activity_id} not found")
        self._engage(site)
        return {}

    def drafts_call(self, site: Site, operation: str, body: Json) -> Json:
        """The draft operations of ``drafts.py`` by name (all count as engagement)."""
        out = _DRAFT_OPERATIONS[operation](self.ctx, site, body)
        self._engage(site)
        return out

    def activity_posts(self, site: Site, body: Json) -> Json:
        ids = drafts.id_list(body, "marketingActivityIds", 100)  # a bad request is not a poll
        self.progress(site, POSTS_READ)
        return drafts.activity_posts(site, ids)

    # --- Marketing Settings V1 ------------------------------------------------------------

    def get_settings(self, site: Site) -> Json:
        return {"marketingSettings": settings_wire(site)}

    def upsert_settings(self, site: Site, body: Json) -> Json:
        settings.upsert(site, body, self.ctx.config.newer_fields)
        now = self.ctx.clock.now()
        site.settings_created = site.settings_created or now
        site.settings_updated = now
        return {"marketingSettings": settings_wire(site)}

    # --- Marketing Activity V1 ------------------------------------------------------------

    def create_activity(self, site: Site, body: Json) -> Json:
        values, kind = activities.create_fields(body)
        if site.plan.status == "NEVER_CREATED":
            raise precondition("PLAN_NOT_FOUND", "no marketing plan exists for this site")
        activity = Activity(
            self.ctx.ids.new(),
            values["targetDate"],
            values["title"],
            values["description"],
            kind,
        )
        site.plan.activities[activity.id] = activity
        self._engage(site)
        return {"marketingActivity": activity.to_activity_wire()}

    def update_activity(self, site: Site, activity_id: str, body: Json) -> Json:
        activity = self._activity(site, activity_id)
        values = activities.update_fields(body)
        activity.title = values.get("title", activity.title)
        activity.description = values.get("description", activity.description)
        activity.date = values.get("targetDate", activity.date)
        self._engage(site)
        return {"marketingActivity": activity.to_activity_wire()}

    def get_activity(self, site: Site, query: Mapping[str, str]) -> Json:
        """GetMarketingActivity: a read, whatever the plan's status; not engagement."""
        activity = self._activity(site, activities.activity_id(query.get("id")))
        return {"marketingActivity": activity.to_activity_wire()}

    def query_activities(self, site: Site, body: Json) -> Json:
        """QueryMarketingActivities: a read, whatever the plan's status; not engagement."""
        found = activities.select(site.plan, activities.query_filter(body))
        return {"marketingActivities": [a.to_activity_wire() for a in found]}

    @staticmethod
    def _activity(site: Site, activity_id: str) -> Activity:
        activity = site.plan.activities.get(activity_id)
        if activity is None:
            raise not_found("NOT_FOUND", f"marketing activity {activity_id} not found")
        return activity

    # --- Calendar Event V1 ----------------------------------------------------------------

    def create_event(self, site: Site, body: Json) -> Json:
        fields = events.parse_event(body.get("calendarEvent"), "calendarEvent")
        now = self.ctx.clock.now()
        event = CalendarEvent(self.ctx.ids.new(), site.calendar_id, fields.name, now, now)
        events.apply_fields(event, fields, now)
        site.events[event.id] = event
        return {"calendarEvent": event.to_wire()}

    def update_event(self, site: Site, event_id: str, body: Json) -> Json:
        key = "event" if "event" in body else "calendarEvent"
        fields = events.parse_event(body.get(key), key)
        event = events.ensure_writable(site.events.get(event_id), event_id)
        events.apply_fields(event, fields, self.ctx.clock.now())
        return {key: event.to_wire()}

    def delete_event(self, site: Site, event_id: str) -> Json:
        events.ensure_writable(site.events.get(event_id), event_id)
        del site.events[event_id]
        return {}

    def query_events(self, site: Site, body: Json) -> Json:
        gte, lte = events.query_window(body)
        return {"events": events.query_events(list(site.events.values()), gte, lte)}


_DraftOperation = Callable[[Context, Site, Json], Json]
_DRAFT_OPERATIONS: dict[str, _DraftOperation] = {
    "generate_posts": drafts.generate_posts,
    "schedule": drafts.schedule,
    "clear_posts": lambda ctx, site, body: drafts.clear(site, body, stories=False),
    "clear_stories": lambda ctx, site, body: drafts.clear(site, body, stories=True),
    "regen_posts": lambda ctx, site, body: drafts.regenerate(ctx, site, body, "regen_posts"),
    "regen_media": lambda ctx, site, body: drafts.regenerate(ctx, site, body, "regen_media"),
    "regen_stories": lambda ctx, site, body: drafts.regenerate(ctx, site, body, "regen_stories"),
    "update_posts_media": lambda ctx, s, b: drafts.update_media(ctx, s, b, stories=False),
    "update_stories_media": lambda ctx, s, b: drafts.update_media(ctx, s, b, stories=True),
}


def settings_wire(site: Site) -> Json:
    """The stored MarketingSettings plus the derived read-only fields (always present)."""
    values = copy.deepcopy(site.settings)
    profile = site.profile
    values["language"] = profile.language
    values["businessLocation"] = copy.deepcopy(profile.business_location)
    values["targetLocations"] = copy.deepcopy(profile.target_locations)
    out: Json = {"id": site.id}
    if site.settings_created is not None:
        out["createdAt"] = to_wire(site.settings_created)
    if site.settings_updated is not None:
        out["updatedAt"] = to_wire(site.settings_updated)
    out["settings"] = values
    out["overrides"] = copy.deepcopy(site.overrides)
    return out


def _query_date(query: Mapping[str, str], name: str) -> datetime | None:
    value = query.get(name)
    if value is None or value == "":
        return None
    try:
        return parse_wire(value)
    except ValueError:
        raise invalid(name, "must be an RFC 3339 date-time", "FORMAT") from None
