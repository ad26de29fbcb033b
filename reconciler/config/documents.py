"""Pydantic models of the YAML documents: the single source of truth for their shape.

`SiteDoc` is one site file; `DefaultsDoc` is a shared defaults file merged under it.
Keys are camelCase as in the Wix API (SPEC.md §2.5-2.6); unknown keys are errors
(`extra="forbid"`); attribute docstrings become the JSON Schema descriptions editors show.
Settings fields default to None *and* remember whether they were given (`model_fields_set`):
a field left out is not managed, a field given as `null` is cleared.
Rules that need more than one field (exactly one of `date`/`recurringRule`, say) are checked
in `semantics`, so that one mistake never hides another.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel

from reconciler.config import values
from reconciler.model import enums
from reconciler.model.policy import WEEKDAYS
from reconciler.model.policy import AfterGeneration as AfterGenerationValue
from reconciler.model.policy import RegenerateMode as RegenerateModeValue


def _choice(allowed: tuple[str, ...]) -> Callable[[object], str]:
    return lambda value: values.choice(value, allowed)


def _range(low: float, high: float | None) -> Callable[[Any], Any]:
    return lambda value: values.between(value, low, high)


def _enum_schema(allowed: tuple[str, ...]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(allowed)})


def _int_schema(low: int, high: int | None = None) -> WithJsonSchema:
    schema: dict[str, Any] = {"type": "integer", "minimum": low}
    if high is not None:
        schema["maximum"] = high
    return WithJsonSchema(schema)


PlanGoal = Annotated[
    str, BeforeValidator(_choice(enums.PLAN_GOALS)), _enum_schema(enums.PLAN_GOALS)
]
MarketingTool = Annotated[
    str, BeforeValidator(_choice(enums.MARKETING_TOOLS)), _enum_schema(enums.MARKETING_TOOLS)
]
SocialChannel = Annotated[
    str, BeforeValidator(_choice(enums.SOCIAL_CHANNELS)), _enum_schema(enums.SOCIAL_CHANNELS)
]
PointOfView = Annotated[
    str, BeforeValidator(_choice(enums.POINTS_OF_VIEW)), _enum_schema(enums.POINTS_OF_VIEW)
]
FrequencyInterval = Annotated[
    str,
    BeforeValidator(_choice(enums.FREQUENCY_INTERVALS)),
    _enum_schema(enums.FREQUENCY_INTERVALS),
]
Recurrence = Annotated[
    str,
    BeforeValidator(_choice(enums.RECURRENCE_FREQUENCIES)),
    _enum_schema(enums.RECURRENCE_FREQUENCIES),
]
_MODES: tuple[str, ...] = get_args(RegenerateModeValue)
RegenerateMode = Annotated[
    RegenerateModeValue, BeforeValidator(_choice(_MODES)), _enum_schema(_MODES)
]
Count = Annotated[
    int,
    Strict(),
    AfterValidator(_range(enums.FREQUENCY_COUNT_MIN, enums.FREQUENCY_COUNT_MAX)),
    _int_schema(enums.FREQUENCY_COUNT_MIN, enums.FREQUENCY_COUNT_MAX),
]
Guid = Annotated[
    str,
    BeforeValidator(values.guid),
    WithJsonSchema({"type": "string", "format": "uuid", "examples": [values.GUID_EXAMPLE]}),
]
Timestamp = Annotated[
    datetime,
    BeforeValidator(values.timestamp),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "examples": [values.TIMESTAMP_EXAMPLE]}
    ),
]
Duration = Annotated[
    float,
    BeforeValidator(values.duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": values.MAX_DURATION},
                {
                    "type": "string",
                    "pattern": r"^(?=\d)(\d+h)?(\d+m)?(\d+(\.\d+)?s)?$|^\d+(\.\d+)?$",
                },
            ],
            "examples": ["15m", "90s", "1h30m", 900],
        }
    ),
]
Flag = Annotated[bool, Strict()]
_AFTER: tuple[str, ...] = get_args(AfterGenerationValue)
AfterGeneration = Annotated[
    AfterGenerationValue, BeforeValidator(_choice(_AFTER)), _enum_schema(_AFTER)
]
Weekday = Annotated[str, BeforeValidator(_choice(WEEKDAYS)), _enum_schema(WEEKDAYS)]
BlockWord = Annotated[
    str,
    BeforeValidator(values.phrase),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\w"}),
    Field(max_length=200),
]
QuietDate = Annotated[
    str,
    BeforeValidator(values.iso_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-12-25"]}),
]
TimeZone = Annotated[
    str,
    BeforeValidator(values.time_zone),
    WithJsonSchema({"type": "string", "examples": ["Europe/Lisbon", "UTC"]}),
]
Text = Annotated[str, Field(max_length=3000)]
LabelKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$", max_length=63)]


class _Doc(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        alias_generator=to_camel,
        allow_inf_nan=False,
        field_title_generator=lambda name, info: to_camel(name),
    )


# --- settings (SPEC.md §2.6) -----------------------------------------------------------


class GoalDoc(_Doc):
    """The plan's goal: exactly one of `goalKey` (a preset) or `customGoal` (free text)."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["goalKey"]}, {"required": ["customGoal"]}]}
    )

    goal_key: PlanGoal | None = Field(default=None, examples=["BOOST_SALES"])
    """A preset goal."""
    custom_goal: Text | None = Field(default=None, examples=["Fill our weekend cooking classes"])
    """A goal in your own words, instead of a preset."""


class FrequencyDoc(_Doc):
    """How often to publish: `count` items per `interval`."""

    interval: FrequencyInterval = Field(examples=["WEEK"])
    """The period the count applies to."""
    count: Count = Field(examples=[3])
    """How many items per interval (1-30)."""


class TopicsDoc(_Doc):
    """Content pillars. Changing them triggers a regenerate with keyword research."""

    included: list[Text] = Field(
        default_factory=list, examples=[["sourdough", "seasonal pastries"]]
    )
    """Topics the plan should cover."""
    excluded: list[Text] = Field(default_factory=list, examples=[["discounts"]])
    """Topics the plan must avoid."""
    core_topic: Text | None = Field(default=None, examples=["artisan baking"])
    """Accepted by Wix but ignored by generation today."""


class BusinessProfileDoc(_Doc):
    """What the business offers and to whom; guides every generated text."""

    value_proposition: Text | None = Field(default=None, examples=["Slow-fermented bread daily"])
    """Why customers choose you."""
    target_audience: Text | None = Field(default=None, examples=["Families in the old town"])
    """Who you are talking to."""
    business_goal: Text | None = Field(default=None, examples=["Grow pre-orders for holidays"])
    """What the business wants from its marketing."""


CalendarTitle = Annotated[str, Field(min_length=1, max_length=200)]


class CalendarDoc(_Doc):
    """Which marketing calendars feed the plan."""

    ids: list[Guid] = Field(default_factory=list)
    """Calendar ids, as GetCalendarOptions lists them."""
    names: list[CalendarTitle] | None = Field(default=None, examples=[["US holidays"]])
    """Calendars by title, as `mpr options` lists them: mpr looks each one up on the site
    before anything is written, and a title no calendar has, or that several share, is an
    error (name such a calendar by id). Sent to Wix as ids, together with `ids`."""


class SettingsDoc(_Doc):
    """Writable marketing settings (SPEC.md §2.6). Leave a field out to leave it unmanaged;
    set it to null to clear it on the site."""

    marketing_plan_goal: GoalDoc | None = None
    """The plan's goal: `{goalKey: ...}` or `{customGoal: ...}`."""
    marketing_tools: list[MarketingTool] | None = Field(
        default=None, examples=[["SOCIAL_MARKETING", "BLOGS"]]
    )
    """Which tools the plan uses; social drafts need SOCIAL_MARKETING."""
    social_channels: list[SocialChannel] | None = Field(
        default=None, examples=[["FACEBOOK", "INSTAGRAM"]]
    )
    """Channels captions are written for (a hint to generation, not a filter)."""
    topics: TopicsDoc | None = None
    """Content pillars to include and exclude."""
    tone_of_voice: Text | None = Field(default=None, examples=["warm and playful"])
    """Tone of voice, free text."""
    point_of_view: PointOfView | None = Field(default=None, examples=["FIRST_PERSON"])
    """Grammatical person the texts are written in."""
    frequency: FrequencyDoc | None = None
    """Shared publishing cadence; `overrides` can set it per tool."""
    business_profile: BusinessProfileDoc | None = None
    """Value proposition, audience and goal of the business."""
    custom_content_guidelines: Text | None = Field(
        default=None, examples=["One call to action per post."]
    )
    """Extra instructions for generated content, free text."""
    image_guidelines: Text | None = Field(
        default=None, examples=["Natural light, no stock photos."]
    )
    """Instructions for generated images, free text."""
    image_generation_settings: dict[str, Any] | None = Field(
        default=None, examples=[{"style": "photo"}]
    )
    """Free-form object; accepted but ignored by Wix today."""
    calendar: CalendarDoc | None = None
    """Marketing calendars that feed the plan."""


class ToolOverrideDoc(_Doc):
    """Settings of one marketing tool that differ from the shared ones."""

    frequency: FrequencyDoc | None = None
    """This tool's cadence; null clears the override (the shared frequency applies)."""


class OverridesDoc(_Doc):
    """Per-tool overrides (SettingsOverrides, SPEC.md §2.6); null on a tool clears all of it."""

    social_marketing: ToolOverrideDoc | None = None
    """Overrides for social posts."""
    email_marketing: ToolOverrideDoc | None = None
    """Overrides for email campaigns."""
    blogs: ToolOverrideDoc | None = None
    """Overrides for blog posts."""


# --- events (SPEC.md §2.5) ---------------------------------------------------------------


class RecurringRuleDoc(_Doc):
    """How a recurring event repeats."""

    frequency: Recurrence = Field(examples=["WEEKLY"])
    """WEEKLY, MONTHLY or YEARLY."""
    start_date: Timestamp
    """The first occurrence (with Z or an offset)."""
    end_date: Timestamp | None = Field(default=None, examples=["2027-06-30T23:59:59Z"])
    """No occurrence after this moment; leave out to repeat forever."""
    interval: Annotated[int, Strict(), AfterValidator(_range(1, None)), _int_schema(1)] = Field(
        default=1, examples=[2]
    )
    """Every how many periods (2 with WEEKLY: every other week)."""


class EventDoc(_Doc):
    """A calendar event this repo manages; its identity is its name. Give `date` for a one-off
    event or `recurringRule` for a recurring one (not both)."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["date"]}, {"required": ["recurringRule"]}]}
    )

    name: Annotated[str, Field(min_length=1, max_length=3000)] = Field(
        examples=["Black Friday Sale"]
    )
    """The event's name; unique within the site (it is how mpr finds the event again)."""
    description: Text | None = Field(default=None, examples=["30% off all cakes"])
    """What the plan should know about the event."""
    date: Timestamp | None = None
    """When a one-off event happens (with Z or an offset)."""
    recurring_rule: RecurringRuleDoc | None = None
    """How a recurring event repeats."""


# --- policy ------------------------------------------------------------------------------


class WaitDoc(_Doc):
    """How long `apply` waits for an asynchronous plan generation."""

    timeout: Duration = Field(default=900.0, examples=["15m"])
    """Give up waiting after this long: seconds, or "90s", "15m", "1h", "1h30m"."""
    max_attempts: Annotated[int, Strict(), AfterValidator(_range(1, 5)), _int_schema(1, 5)] = Field(
        default=2, examples=[3]
    )
    """Generation tries before giving up (1-5)."""


class ScheduleDoc(_Doc):
    """Which generated post drafts `apply` schedules."""

    enabled: Flag = Field(default=True, examples=[False])
    """Schedule post drafts at all."""
    channels: list[SocialChannel] | None = Field(default=None, examples=[["FACEBOOK"]])
    """Channels to schedule; default: every channel in settings.socialChannels."""
    horizon_days: Annotated[int, Strict(), AfterValidator(_range(1, 62)), _int_schema(1, 62)] = (
        Field(default=14, examples=[7])
    )
    """Only activities dated within this many days from now (1-62)."""
    generate_missing_posts: Flag = Field(default=True, examples=[False])
    """Ask Wix to generate posts for activities in the horizon that have none."""
    after_generation: AfterGeneration = Field(default="schedule", examples=["review"])
    """Drafts a generation makes during `apply` were seen by nobody: `schedule` them in the
    same run (per the rules here), or `review`: schedule none of them, so that the next plan
    shows their words first."""
    block_words: list[BlockWord] = Field(default_factory=list, examples=[["guarantee", "free"]])
    """Never schedule a draft whose text contains one of these words or phrases (any case,
    whole words only, any script); it stays a draft and the plan says which word."""
    quiet_days: list[Weekday] = Field(default_factory=list, examples=[["SUNDAY"]])
    """Weekdays on which nothing is scheduled (MONDAY … SUNDAY, in `timeZone`)."""
    quiet_dates: list[QuietDate] = Field(default_factory=list, examples=[["2026-12-25"]])
    """Dates (YYYY-MM-DD, in `timeZone`) on which nothing is scheduled."""
    max_per_day: (
        Annotated[int, Strict(), AfterValidator(_range(1, 100)), _int_schema(1, 100)] | None
    ) = Field(default=None, examples=[1])
    """At most this many posts per channel and day (in `timeZone`), the ones already
    scheduled included; leave out for no limit (1-100)."""
    time_zone: TimeZone = Field(default="UTC", examples=["Europe/Lisbon"])
    """The IANA time zone that quiet days, quiet dates and maxPerDay count days in."""
    hold_excluded_topics: Flag = Field(default=False, examples=[True])
    """Hold a draft that mentions one of settings.topics.excluded, instead of warning."""


class DeleteGuardDoc(_Doc):
    """The destructive-change gate on event deletions."""

    percent: Annotated[
        float,
        Strict(),
        AfterValidator(_range(0, 100)),
        WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100}),
    ] = Field(default=30.0, examples=[50])
    """Deleting more than this percentage of a site's events stops `apply` (0-100)."""
    min_events: Annotated[int, Strict(), AfterValidator(_range(0, None)), _int_schema(0)] = Field(
        default=4, examples=[10]
    )
    """Sites with fewer events than this are exempt."""


class PolicyDoc(_Doc):
    """How mpr reconciles this site."""

    prune_events: Flag = Field(default=False, examples=[True])
    """Delete live events missing from this file (never connected-calendar ones)."""
    regenerate: RegenerateMode = Field(default="auto", examples=["never"])
    """`auto`: regenerate the plan when settings or events change; `never`: leave it."""
    wait: WaitDoc = Field(default_factory=WaitDoc)
    """Waiting for plan generation."""
    schedule: ScheduleDoc = Field(default_factory=ScheduleDoc)
    """Scheduling of post drafts."""
    delete_guard: DeleteGuardDoc = Field(default_factory=DeleteGuardDoc)
    """The gate on deleting many events at once."""


# --- auth (SPEC.md §1.3) ---------------------------------------------------------------

ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
EnvName = Annotated[str, Field(pattern=ENV_NAME_PATTERN, max_length=128, examples=["WIX_APP_ID"])]
PATTERN_WORDS = {
    ENV_NAME_PATTERN: "expected the name of an environment variable (letters, digits and _, "
    "not starting with a digit)",
}
"""What a value that does not match a field's pattern should have been, in words."""


class WixAppAuthDoc(_Doc):
    """Sign in as a Wix app installed on the site (OAuth client credentials): best for CI."""

    instance_id: Guid | None = None
    """The app's instance id on this site (required; a defaults file may leave it out)."""
    app_id_env: EnvName = Field(default="WIX_APP_ID", examples=["NORTHWIND_WIX_APP_ID"])
    """The environment variable holding the app id."""
    app_secret_env: EnvName = Field(default="WIX_APP_SECRET", examples=["NORTHWIND_WIX_APP_SECRET"])
    """The environment variable holding the app secret."""


class WixUserAuthDoc(_Doc):
    """Sign in as a Wix user with the token a command prints, e.g. `wix token --site {siteId}`."""

    command: Annotated[str, Field(min_length=1, max_length=1000)] = Field(
        examples=["wix token --site {siteId}"]
    )
    """Run without a shell; `{siteId}` and `{instanceId}` are filled in; its last line of
    output is the token. Keep secrets out of it: put them in the environment."""
    cache_for: Duration = Field(default=600.0, examples=["10m"])
    """How long a token is reused before the command runs again (a 401 re-runs it sooner)."""
    timeout: Duration = Field(default=30.0, examples=["45s"])
    """How long the command may take before it is stopped."""


class ApiKeyAuthDoc(_Doc):
    """Send an API key. Wix refuses API keys on these APIs; the emulator accepts them in
    lenient mode (`mpr emulator serve --lenient-auth`)."""

    env: EnvName = Field(default="WIX_API_KEY", examples=["STAGING_WIX_API_KEY"])
    """The environment variable holding the key."""


class AuthDoc(_Doc):
    """How mpr signs in to Wix for this site: exactly one of wixApp, wixUser, apiKey.

    Without `auth`, mpr sends the API key in WIX_API_KEY."""

    wix_app: WixAppAuthDoc | None = None
    """As a Wix app (OAuth client credentials); the app id and secret come from the environment."""
    wix_user: WixUserAuthDoc | None = None
    """As a Wix user, with a token from a command such as the Wix CLI."""
    api_key: ApiKeyAuthDoc | None = None
    """With an API key (not accepted by Wix on these APIs)."""


# --- documents ---------------------------------------------------------------------------

Version = Annotated[
    int, BeforeValidator(values.version), WithJsonSchema({"const": 1, "type": "integer"})
]
Labels = dict[LabelKey, Annotated[str, Field(max_length=200)]]


class SiteInfoDoc(_Doc):
    """Which Wix site this file describes."""

    id: Guid
    """The Wix site ID (a GUID), sent as the wix-site-id header."""
    name: Annotated[str, Field(max_length=200)] = Field(default="", examples=["Crumb & Co Bakery"])
    """A name for people, shown in plans."""
    labels: Labels = Field(default_factory=dict, examples=[{"client": "crumb", "region": "eu"}])
    """Free labels to select sites with `--site key=value`."""


class SiteDoc(_Doc):
    """An mpr site file: the marketing plan one Wix site should have."""

    model_config = ConfigDict(title="mpr site file")

    version: Version
    """Format version of this file; always 1."""
    site: SiteInfoDoc
    """The Wix site this file describes: its id, a name for people, and labels."""
    settings: SettingsDoc | None = None
    """Marketing settings to manage; a field left out is not managed, null clears it."""
    overrides: OverridesDoc | None = None
    """Per-tool overrides of the settings."""
    events: list[EventDoc] | None = None
    """Calendar events this repo manages; identity = name."""
    policy: PolicyDoc | None = None
    """How mpr reconciles this site."""
    auth: AuthDoc | None = None
    """How mpr signs in to Wix for this site (README: Connecting to Wix)."""
    defaults: str | None = Field(default=None, examples=["../_defaults.yaml"])
    """A shared defaults file merged under this one (this file wins), relative to it."""


class DefaultsDoc(_Doc):
    """An mpr defaults file: a partial site document shared by several site files."""

    model_config = ConfigDict(title="mpr defaults file")

    version: Version | None = None
    """Format version of this file; always 1."""
    labels: Labels | None = None
    """Labels every including site gets (its own win)."""
    settings: SettingsDoc | None = None
    """Shared settings; a site's own fields win."""
    overrides: OverridesDoc | None = None
    """Shared per-tool overrides."""
    events: list[EventDoc] | None = None
    """Shared events; a site's event with the same name replaces one of these."""
    policy: PolicyDoc | None = None
    """Shared policy; a site's own fields win."""
    auth: AuthDoc | None = None
    """Shared sign-in, e.g. the variables of the agency's Wix app; a site's own fields win."""
