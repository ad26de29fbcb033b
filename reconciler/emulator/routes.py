"""Wire ↔ backend: the 30 methods at their SPEC §3.0 URLs, JSON in, JSON out.

Each route resolves the caller, lets due jobs progress, calls one ``Backend`` operation under
its lock and writes the result; an ``EmulatorError`` becomes its own status and envelope
(empty body for 5xx). Unknown paths and methods get Wix-shaped 404/405 bodies. Nothing here
decides business rules.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reconciler.emulator import settings as settings_rules
from reconciler.emulator.errors import EmulatorError, parse_error
from reconciler.emulator.records import Json, Site
from reconciler.emulator.state import Backend

logger = logging.getLogger(__name__)
PREFIX = "/promote/marketing-plan-service/v1"
PLAN = "/marketing-plan"
SETTINGS = "/marketing-settings"
ACTIVITY = "/marketing-activity"
ACTIVITIES_QUERY = "/marketing-activities/query"


@dataclass(frozen=True)
class Call:
    """What a handler may read from the request."""

    body: Json
    query: Mapping[str, str]
    params: Mapping[str, str]


Handler = Callable[[Backend, Site, Call], Json]


@dataclass(frozen=True)
class Operation:
    """One API method: its name, verb, path template (relative to ``PREFIX``) and handler."""

    name: str
    verb: str
    path: str
    handler: Handler

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """The path as a regex, compiled once (every request is matched against it)."""
        return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", PREFIX + self.path) + "$")


def _drafts(operation: str) -> Handler:
    return lambda b, s, c: b.drafts_call(s, operation, c.body)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GenerateMarketingPlan",
        "POST",
        f"{PLAN}/generate-marketing-plan",
        lambda b, s, c: b.generate(s, "generate"),
    ),
    Operation(
        "RegenerateMarketingPlan",
        "POST",
        f"{PLAN}/regenerate-marketing-plan",
        lambda b, s, c: b.generate(s, "regenerate"),
    ),
    Operation(
        "RegenerateMarketingPlanWithKeywordResearch",
        "POST",
        f"{PLAN}/regenerate-marketing-plan-with-keyword-research",
        lambda b, s, c: b.generate(s, "keyword"),
    ),
    Operation("GetSocialMarketingPlan", "GET", PLAN, lambda b, s, c: b.get_plan(s, c.query)),
    Operation("DeleteMarketingPlan", "DELETE", PLAN, lambda b, s, c: b.delete_plan(s)),
    Operation(
        "DeletePlanMarketingActivity",
        "DELETE",
        f"{PLAN}/plan-marketing-activity",
        lambda b, s, c: b.delete_activity(s, c.query.get("id")),
    ),
    Operation(
        "GenerateSocialPosts", "POST", f"{PLAN}/generate-social-posts", _drafts("generate_posts")
    ),
    Operation(
        "GetMarketingActivityPosts",
        "POST",
        "/marketing-activity-posts",
        lambda b, s, c: b.activity_posts(s, c.body),
    ),
    Operation("ScheduleDrafts", "POST", f"{PLAN}/schedule-drafts", _drafts("schedule")),
    Operation(
        "ClearMarketingActivityPosts",
        "PATCH",
        f"{PLAN}/clear-marketing-activity-posts",
        _drafts("clear_posts"),
    ),
    Operation(
        "ClearMarketingActivityStories",
        "PATCH",
        f"{PLAN}/clear-marketing-activity-stories",
        _drafts("clear_stories"),
    ),
    Operation(
        "RegenerateMarketingActivityPosts",
        "POST",
        f"{PLAN}/regenerate-marketing-activity-posts",
        _drafts("regen_posts"),
    ),
    Operation(
        "RegenerateMarketingActivityPostsMedia",
        "POST",
        f"{PLAN}/regenerate-marketing-activity-posts-media",
        _drafts("regen_media"),
    ),
    Operation(
        "RegenerateMarketingActivityStories",
        "POST",
        f"{PLAN}/regenerate-marketing-activity-stories",
        _drafts("regen_stories"),
    ),
    Operation(
        "UpdateMarketingActivityPostsMedia",
        "PATCH",
        f"{PLAN}/update-marketing-activity-posts-media",
        _drafts("update_posts_media"),
    ),
    Operation(
        "UpdateMarketingActivityStoriesMedia",
        "PATCH",
        f"{PLAN}/update-marketing-activity-stories-media",
        _drafts("update_stories_media"),
    ),
    Operation("GetMarketingSettings", "GET", SETTINGS, lambda b, s, c: b.get_settings(s)),
    Operation(
        "UpsertMarketingSettings", "POST", SETTINGS, lambda b, s, c: b.upsert_settings(s, c.body)
    ),
    Operation(
        "GetMarketingSettingsDefaults",
        "GET",
        f"{SETTINGS}/defaults",
        lambda b, s, c: settings_rules.defaults(c.query.get("fieldMask")),
    ),
    Operation(
        "GetPlanGoalOptions",
        "GET",
        f"{SETTINGS}/plan-goal-options",
        lambda b, s, c: settings_rules.plan_goal_options(s),
    ),
    Operation(
        "GetPointOfViewOptions",
        "GET",
        f"{SETTINGS}/point-of-view-options",
        lambda b, s, c: settings_rules.point_of_view_options(s),
    ),
    Operation(
        "GetCalendarOptions",
        "GET",
        f"{SETTINGS}/calendar-options",
        lambda b, s, c: settings_rules.calendar_options(s),
    ),
    # Marketing Activity V1 has three paths (SPEC §1.2). Nothing answers POST /items (the
    # create path guessed before 2026-11-27): it gets the 404 Wix gives it.
    Operation(
        "CreateMarketingActivity",
        "POST",
        ACTIVITY,
        lambda b, s, c: b.create_activity(s, c.body),
    ),
    Operation(
        "UpdateMarketingActivity",
        "PATCH",
        "/items/{activityId}",
        lambda b, s, c: b.update_activity(s, c.params["activityId"], c.body),
    ),
    Operation("GetMarketingActivity", "GET", ACTIVITY, lambda b, s, c: b.get_activity(s, c.query)),
    Operation(
        "QueryMarketingActivities",
        "POST",
        ACTIVITIES_QUERY,
        lambda b, s, c: b.query_activities(s, c.body),
    ),
    Operation("CreateEvent", "POST", "/events", lambda b, s, c: b.create_event(s, c.body)),
    Operation("QueryEvents", "POST", "/events/query", lambda b, s, c: b.query_events(s, c.body)),
    Operation(
        "UpdateEvent",
        "PUT",
        "/events/{eventId}",
        lambda b, s, c: b.update_event(s, c.params["eventId"], c.body),
    ),
    Operation(
        "DeleteEvent",
        "DELETE",
        "/events/{eventId}",
        lambda b, s, c: b.delete_event(s, c.params["eventId"]),
    ),
)

#: OAuth client-credentials token endpoint (SPEC §1.3): at the host root, not under PREFIX.
TOKEN_PATH = "/oauth2/token"

#: Calls that change no site although they are POSTs (the request log's "mutating" flag).
READ_ONLY_POSTS = (
    PREFIX + "/events/query",
    PREFIX + "/marketing-activity-posts",
    PREFIX + ACTIVITIES_QUERY,
    TOKEN_PATH,
)


def operation_for(method: str, path: str) -> Operation | None:
    """The API method a request addresses, or ``None``."""
    for op in OPERATIONS:
        if op.verb == method.upper() and op.pattern.match(path.rstrip("/") or "/"):
            return op
    return None


def is_mutating(method: str, path: str) -> bool:
    """Everything but GETs, QueryEvents, GetMarketingActivityPosts, QueryMarketingActivities."""
    if method.upper() in ("GET", "HEAD", "OPTIONS"):
        return False
    return not (method.upper() == "POST" and path.rstrip("/") in READ_ONLY_POSTS)


def error_response(error: EmulatorError) -> Response:
    """The wire form of ``error``: JSON envelope, or an empty body for 5xx."""
    body = error.to_body()
    if body is None:
        return Response(b"", status_code=error.status, headers=error.headers)
    return JSONResponse(body, status_code=error.status, headers=error.headers)


async def read_json(request: Request) -> Json:
    """The request body as a JSON object (``{}`` when empty); 400 parse error otherwise."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise parse_error("body", "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise parse_error("body", "request body must be a JSON object")
    return body


def _endpoint(backend: Backend, op: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        try:
            with backend.lock:
                site = backend.resolve(
                    request.headers.get("authorization"), request.headers.get("wix-site-id")
                )
            body = await read_json(request)
            call = Call(body, request.query_params, request.path_params)
            with backend.lock:
                recorded = site.answers.get(op.name)
                if recorded is not None:
                    return replayed(recorded)
                backend.progress(site)
                answer = op.handler(backend, site, call)
                if backend.ctx.config.newer_fields:
                    answer = with_newer_fields(answer)
                # Encoded under the lock: read answers share the stored drafts, uncopied.
                return JSONResponse(answer)
        except EmulatorError as error:
            return error_response(error)
        except Exception:
            # An emulator bug: keep the traceback in the log, answer like Wix (empty 5xx).
            logger.exception("emulator error in %s", op.name)
            return Response(b"", status_code=500)

    run.__name__ = op.name
    return run


def replayed(recorded: Json) -> Response:
    """A recorded answer, as it was (an empty body for a recorded 5xx, as Wix sends)."""
    status, body = int(recorded["status"]), recorded.get("body")
    if body is None:
        return Response(b"", status_code=status)
    return JSONResponse(copy.deepcopy(body), status_code=status)


def with_newer_fields(value: Any) -> Any:
    """A copy of ``value`` in which every object holds ``NEWER_FIELD`` (kept if stored)."""
    if isinstance(value, dict):
        newer = settings_rules.NEWER_FIELD
        out = {k: v if k == newer else with_newer_fields(v) for k, v in value.items()}
        out.setdefault(newer, {"since": "a newer Wix API"})
        return out
    if isinstance(value, list):
        return [with_newer_fields(v) for v in value]
    return value


def api_routes(backend: Backend) -> list[Route]:
    """Starlette routes for all 30 methods and the token endpoint, bound to ``backend``."""
    return [
        *(
            Route(PREFIX + op.path, _endpoint(backend, op), methods=[op.verb], name=op.name)
            for op in OPERATIONS
        ),
        Route(TOKEN_PATH, _token_endpoint(backend), methods=["POST"], name="CreateAccessToken"),
    ]


def _token_endpoint(backend: Backend) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        try:
            body = await read_json(request)
            with backend.lock:
                return JSONResponse(backend.issue_app_token(body))
        except EmulatorError as error:
            return error_response(error)

    return run


async def http_error(request: Request, exc: Exception) -> Response:
    """Unknown path (404) or wrong verb (405), in the Wix envelope."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(status, "INTERNAL")
    message = f"{request.method} {request.url.path}: " + (
        "no such method" if status == 404 else "method not allowed"
    )
    return error_response(EmulatorError(status, code, message))
