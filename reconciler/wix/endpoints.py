"""The 30 methods of the Wix Marketing Plan API family as data (SPEC §3.0).

One `Endpoint` per method: the SPEC's method name, the HTTP verb, the path relative to
`SERVICE_PATH`, and whether the call is idempotent (which decides how it may be retried,
see `retry.py`). `SiteClient` names these constants; tests walk `ENDPOINTS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

SERVICE_PATH = "/promote/marketing-plan-service/v1"


@dataclass(frozen=True)
class Endpoint:
    """One API method: SPEC name, verb, path template (relative) and retry safety."""

    name: str
    verb: str
    path: str
    idempotent: bool
    gone_status: int | None = None
    """For deletes: the status a retry gets when an earlier try, whose answer was lost, had
    already deleted the thing (the id is then unknown). The retry reports success instead."""

    @property
    def writes(self) -> bool:
        """Whether a call changes something on Wix (every method but the Get and Query ones)."""
        return not self.name.startswith(("Get", "Query"))

    def url_path(self, resource_id: str | None = None) -> str:
        """The path after the host root, with `{id}` filled in (percent-encoded).

        Raises ValueError when the template needs an id and none (or an empty one) was given.
        """
        path = self.path
        if "{id}" in path:
            if not resource_id:
                raise ValueError(f"{self.name} needs a non-empty id")
            path = path.replace("{id}", quote(resource_id, safe=""))
        return SERVICE_PATH + path


def _ep(
    name: str, verb: str, path: str, *, idempotent: bool, gone_status: int | None = None
) -> Endpoint:
    return Endpoint(name, verb, path, idempotent, gone_status)


_PLAN = "/marketing-plan"
_SETTINGS = "/marketing-settings"

# --- Marketing Plan V1 -------------------------------------------------------------------
GENERATE_MARKETING_PLAN = _ep(
    "GenerateMarketingPlan", "POST", f"{_PLAN}/generate-marketing-plan", idempotent=False
)
REGENERATE_MARKETING_PLAN = _ep(
    "RegenerateMarketingPlan", "POST", f"{_PLAN}/regenerate-marketing-plan", idempotent=False
)
REGENERATE_MARKETING_PLAN_WITH_KEYWORD_RESEARCH = _ep(
    "RegenerateMarketingPlanWithKeywordResearch",
    "POST",
    f"{_PLAN}/regenerate-marketing-plan-with-keyword-research",
    idempotent=False,
)
GET_SOCIAL_MARKETING_PLAN = _ep("GetSocialMarketingPlan", "GET", _PLAN, idempotent=True)
DELETE_MARKETING_PLAN = _ep("DeleteMarketingPlan", "DELETE", _PLAN, idempotent=True)
DELETE_PLAN_MARKETING_ACTIVITY = _ep(
    "DeletePlanMarketingActivity",
    "DELETE",
    f"{_PLAN}/plan-marketing-activity",
    idempotent=True,
    gone_status=404,  # SPEC §5.25: an unknown activity id is a 404
)
GENERATE_SOCIAL_POSTS = _ep(
    "GenerateSocialPosts", "POST", f"{_PLAN}/generate-social-posts", idempotent=False
)
GET_MARKETING_ACTIVITY_POSTS = _ep(
    "GetMarketingActivityPosts", "POST", "/marketing-activity-posts", idempotent=True
)
SCHEDULE_DRAFTS = _ep("ScheduleDrafts", "POST", f"{_PLAN}/schedule-drafts", idempotent=False)
CLEAR_MARKETING_ACTIVITY_POSTS = _ep(
    "ClearMarketingActivityPosts",
    "PATCH",
    f"{_PLAN}/clear-marketing-activity-posts",
    idempotent=True,
)
CLEAR_MARKETING_ACTIVITY_STORIES = _ep(
    "ClearMarketingActivityStories",
    "PATCH",
    f"{_PLAN}/clear-marketing-activity-stories",
    idempotent=True,
)
REGENERATE_MARKETING_ACTIVITY_POSTS = _ep(
    "RegenerateMarketingActivityPosts",
    "POST",
    f"{_PLAN}/regenerate-marketing-activity-posts",
    idempotent=False,
)
REGENERATE_MARKETING_ACTIVITY_POSTS_MEDIA = _ep(
    "RegenerateMarketingActivityPostsMedia",
    "POST",
    f"{_PLAN}/regenerate-marketing-activity-posts-media",
    idempotent=False,
)
REGENERATE_MARKETING_ACTIVITY_STORIES = _ep(
    "RegenerateMarketingActivityStories",
    "POST",
    f"{_PLAN}/regenerate-marketing-activity-stories",
    idempotent=False,
)
UPDATE_MARKETING_ACTIVITY_POSTS_MEDIA = _ep(
    "UpdateMarketingActivityPostsMedia",
    "PATCH",
    f"{_PLAN}/update-marketing-activity-posts-media",
    idempotent=True,
)
UPDATE_MARKETING_ACTIVITY_STORIES_MEDIA = _ep(
    "UpdateMarketingActivityStoriesMedia",
    "PATCH",
    f"{_PLAN}/update-marketing-activity-stories-media",
    idempotent=True,
)

# --- Marketing Settings V1 ---------------------------------------------------------------
GET_MARKETING_SETTINGS = _ep("GetMarketingSettings", "GET", _SETTINGS, idempotent=True)
UPSERT_MARKETING_SETTINGS = _ep("UpsertMarketingSettings", "POST", _SETTINGS, idempotent=True)
GET_MARKETING_SETTINGS_DEFAULTS = _ep(
    "GetMarketingSettingsDefaults", "GET", f"{_SETTINGS}/defaults", idempotent=True
)
GET_PLAN_GOAL_OPTIONS = _ep(
    "GetPlanGoalOptions", "GET", f"{_SETTINGS}/plan-goal-options", idempotent=True
)
GET_POINT_OF_VIEW_OPTIONS = _ep(
    "GetPointOfViewOptions", "GET", f"{_SETTINGS}/point-of-view-options", idempotent=True
)
GET_CALENDAR_OPTIONS = _ep(
    "GetCalendarOptions", "GET", f"{_SETTINGS}/calendar-options", idempotent=True
)

# --- Marketing Activity V1 ---------------------------------------------------------------
# Three different paths (SPEC §1.2): Create and Get share `/marketing-activity`, Update is
# under `/items/{id}` and Query under `/marketing-activities/query`. Wix answers a create
# sent to `POST /items` (the path guessed before 2026-11-27) with 404.
_ACTIVITY = "/marketing-activity"
CREATE_MARKETING_ACTIVITY = _ep("CreateMarketingActivity", "POST", _ACTIVITY, idempotent=False)
UPDATE_MARKETING_ACTIVITY = _ep("UpdateMarketingActivity", "PATCH", "/items/{id}", idempotent=True)
GET_MARKETING_ACTIVITY = _ep("GetMarketingActivity", "GET", _ACTIVITY, idempotent=True)
QUERY_MARKETING_ACTIVITIES = _ep(
    "QueryMarketingActivities", "POST", "/marketing-activities/query", idempotent=True
)

# --- Calendar Event V1 -------------------------------------------------------------------
CREATE_EVENT = _ep("CreateEvent", "POST", "/events", idempotent=False)
UPDATE_EVENT = _ep("UpdateEvent", "PUT", "/events/{id}", idempotent=True)
# SPEC §3.4.3: an unknown event id is a 428, not a 404.
DELETE_EVENT = _ep("DeleteEvent", "DELETE", "/events/{id}", idempotent=True, gone_status=428)
QUERY_EVENTS = _ep("QueryEvents", "POST", "/events/query", idempotent=True)

ENDPOINTS: tuple[Endpoint, ...] = (
    GENERATE_MARKETING_PLAN,
    REGENERATE_MARKETING_PLAN,
    REGENERATE_MARKETING_PLAN_WITH_KEYWORD_RESEARCH,
    GET_SOCIAL_MARKETING_PLAN,
    DELETE_MARKETING_PLAN,
    DELETE_PLAN_MARKETING_ACTIVITY,
    GENERATE_SOCIAL_POSTS,
    GET_MARKETING_ACTIVITY_POSTS,
    SCHEDULE_DRAFTS,
    CLEAR_MARKETING_ACTIVITY_POSTS,
    CLEAR_MARKETING_ACTIVITY_STORIES,
    REGENERATE_MARKETING_ACTIVITY_POSTS,
    REGENERATE_MARKETING_ACTIVITY_POSTS_MEDIA,
    REGENERATE_MARKETING_ACTIVITY_STORIES,
    UPDATE_MARKETING_ACTIVITY_POSTS_MEDIA,
    UPDATE_MARKETING_ACTIVITY_STORIES_MEDIA,
    GET_MARKETING_SETTINGS,
    UPSERT_MARKETING_SETTINGS,
    GET_MARKETING_SETTINGS_DEFAULTS,
    GET_PLAN_GOAL_OPTIONS,
    GET_POINT_OF_VIEW_OPTIONS,
    GET_CALENDAR_OPTIONS,
    CREATE_MARKETING_ACTIVITY,
    UPDATE_MARKETING_ACTIVITY,
    GET_MARKETING_ACTIVITY,
    QUERY_MARKETING_ACTIVITIES,
    CREATE_EVENT,
    UPDATE_EVENT,
    DELETE_EVENT,
    QUERY_EVENTS,
)
