"""The async client for the Wix Marketing Plan API family (plan, settings, activities, events).

Knows HTTP and the wire (SPEC.md) and nothing of YAML, plans or the emulator: it may
import only `reconciler.errors` from the package. Every failure is an `errors.ApiError`
subclass; no httpx or pydantic exception escapes a public call, and the API key never
appears in a repr, log line or exception message.
"""

from .client import DEFAULT_BASE_URL, WixClient
from .endpoints import ENDPOINTS, SERVICE_PATH, Endpoint
from .inflight import polling
from .responses import may_have_been_applied
from .retry import RetryPolicy
from .site import SiteClient
from .wire import (
    ActivityPosts,
    ActivitySource,
    AssetReference,
    BlogPostCandidate,
    CalendarEvent,
    CalendarOption,
    Channel,
    Item,
    MarketingActivity,
    MarketingSettings,
    Occurrence,
    PlanActivity,
    PlanGoalOption,
    PointOfViewOption,
    RecurringRule,
    SocialMarketingPlan,
    format_timestamp,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "ENDPOINTS",
    "SERVICE_PATH",
    "ActivityPosts",
    "ActivitySource",
    "AssetReference",
    "BlogPostCandidate",
    "CalendarEvent",
    "CalendarOption",
    "Channel",
    "Endpoint",
    "Item",
    "MarketingActivity",
    "MarketingSettings",
    "Occurrence",
    "PlanActivity",
    "PlanGoalOption",
    "PointOfViewOption",
    "RecurringRule",
    "RetryPolicy",
    "SiteClient",
    "SocialMarketingPlan",
    "WixClient",
    "format_timestamp",
    "polling",
    "may_have_been_applied",
]
