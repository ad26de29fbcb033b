"""Site fixtures: YAML/JSON documents that seed sites, validated with clear errors.

Format (README "Fixtures")::

    autoCreateSites: false            # optional
    config: {generationSeconds: 0}    # optional EmulatorConfig knobs (camelCase or snake),
                                      # e.g. appId, appSecret, tokenSeconds, lenientAuth
    sites:
      - id: <GUID>                    # required
        instanceId: <GUID>            # the app's instance id here (default: derived from id)
        published: true               # default true
        unpublishedOutcome: FAILED    # or ACTIVE_WITHOUT_POSTS
        connectedChannels: [FACEBOOK] # or {FACEBOOK: "<accountId>"}
        premium: {schedulePosts: true, postsHorizonDays: 14}
        language: en
        businessLocation: {city: Lisbon, country: PT}
        targetLocations: []
        calendars: [{id: <GUID>, name: US holidays}]
        planGoals: [BOOST_SALES]      # the goal keys offered here (default: all)
        pointsOfView: [FIRST_PERSON]  # the point-of-view keys offered here (default: all)
        settings: {...}               # stored Settings, validated like an upsert
        overrides: {...}
        events: [{name, date | recurringRule, description?, id?, readOnly?, calendarId?}]
        plan: {status: ACTIVE}        # NEVER_CREATED|GENERATING|ACTIVE|INACTIVE|FAILED
        failNextGenerations: 0
        answers:                      # recorded answers (`mpr doctor --record`): replayed as
          GetMarketingSettings: {status: 200, body: {...}}   # they are, whatever the state

Every problem is collected and reported at once as ``FixtureError`` naming the source and
the path of each bad field. Nothing is registered unless the whole document is valid.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reconciler.emulator import events as event_rules
from reconciler.emulator import settings as settings_rules
from reconciler.emulator.errors import EmulatorError
from reconciler.emulator.ids import derived_id, is_guid
from reconciler.emulator.records import CHANNELS, Json, SiteProfile

SITE_KEYS = {
    "id",
    "instanceId",
    "published",
    "unpublishedOutcome",
    "connectedChannels",
    "premium",
    "language",
    "businessLocation",
    "targetLocations",
    "calendars",
    "planGoals",
    "pointsOfView",
    "settings",
    "overrides",
    "events",
    "plan",
    "failNextGenerations",
    "answers",
}
REPLAYABLE = (
    "GetMarketingSettings",
    "GetMarketingSettingsDefaults",
    "GetPlanGoalOptions",
    "GetPointOfViewOptions",
    "GetCalendarOptions",
    "GetSocialMarketingPlan",
    "GetMarketingActivityPosts",
    "QueryEvents",
    "QueryMarketingActivities",
    "GetMarketingActivity",
)
"""The read methods a fixture may hold recorded answers for (writes always reach the state)."""
PLAN_STATUSES = ("NEVER_CREATED", "GENERATING", "ACTIVE", "INACTIVE", "FAILED")
OUTCOMES = ("FAILED", "ACTIVE_WITHOUT_POSTS")


class FixtureError(ValueError):
    """A fixture document is invalid; ``problems`` lists ``path: reason`` strings."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid emulator fixtures in {source}:\n{lines}")


@dataclass
class SiteSeed:
    """A validated site fixture, ready to register."""

    id: str
    profile: SiteProfile
    settings: Json
    overrides: Json
    events: list[Json]
    plan_status: str
    fail_next: int
    answers: Json = field(default_factory=dict)


@dataclass
class FixtureDocument:
    """A validated fixture document."""

    sites: list[SiteSeed] = field(default_factory=list)
    auto_create_sites: bool | None = None
    config: Json = field(default_factory=dict)
    source: str = "<fixtures>"


def read_file(path: str | Path) -> FixtureDocument:
    """Load and validate a YAML (or JSON) fixture file; ``FixtureError`` names the file."""
    source = str(path)
    try:
        with Path(path).open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FixtureError(source, [f"cannot read file: {exc.strerror or exc}"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise FixtureError(source, [f"larger than {MAX_FILE_BYTES} bytes; split it"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FixtureError(source, [f"not UTF-8 text (byte {exc.start + 1})"]) from None
    try:
        data = _load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise FixtureError(source, [f"not valid YAML{where}: {problem}"]) from None
    except yaml.YAMLError as exc:
        raise FixtureError(source, [f"not valid YAML: {exc}"]) from None
    except RecursionError:
        raise FixtureError(source, ["not valid YAML: nested too deeply"]) from None
    try:
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        lone = "a \\ud800-\\udfff escape that stands for no character"
        raise FixtureError(source, [lone]) from None
    return parse(data, source)


MAX_FILE_BYTES = 8 * 1024 * 1024
"""A fixture file larger than this is refused unread (a fleet of 10,000 sites fits)."""


def _load(text: str) -> Any:
    loader = _NoAliasLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader without aliases: a fixture has no use for them, and a 'billion laughs'
    document would expand them until memory runs out."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not supported in fixtures", event.start_mark
            )
        return super().compose_node(parent, index)


def parse(data: Any, source: str = "<fixtures>") -> FixtureDocument:
    """Validate a fixture document already parsed into Python values."""
    problems: list[str] = []
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FixtureError(source, ["top level must be a mapping with a 'sites' list"])
    for key in sorted(set(data) - {"autoCreateSites", "sites", "config"}):
        problems.append(f"{key}: unknown key (expected autoCreateSites, config, sites)")
    config = data.get("config") or {}
    if not isinstance(config, dict) or not all(isinstance(key, str) for key in config):
        problems.append("config: must be a mapping of emulator knobs, e.g. {generationSeconds: 0}")
        config = {}
    doc = FixtureDocument(config=dict(config), source=source)
    auto = data.get("autoCreateSites")
    if auto is not None and not isinstance(auto, bool):
        problems.append("autoCreateSites: must be true or false")
    doc.auto_create_sites = auto if isinstance(auto, bool) else None
    sites = data.get("sites") or []
    if not isinstance(sites, list):
        problems.append("sites: must be a list")
        sites = []
    seen: set[str] = set()
    for i, raw in enumerate(sites):
        seed = _site(raw, f"sites[{i}]", problems)
        if seed is not None and seed.id in seen:
            problems.append(f"sites[{i}].id: duplicate site id {seed.id}")
        elif seed is not None:
            seen.add(seed.id)
            doc.sites.append(seed)
    if problems:
        raise FixtureError(source, problems)
    return doc


def _site(raw: Any, where: str, problems: list[str]) -> SiteSeed | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    before = len(problems)
    for key in sorted(set(raw) - SITE_KEYS):
        problems.append(f"{where}.{key}: unknown key")
    site_id = raw.get("id")
    if not is_guid(site_id):
        problems.append(f"{where}.id: required, must be a GUID string")
    profile = _profile(raw, where, problems)
    settings, overrides = _settings(raw, where, problems)
    events = _events(raw.get("events") or [], f"{where}.events", profile, problems)
    plan = raw.get("plan") or {}
    status = plan.get("status", "ACTIVE") if isinstance(plan, dict) else None
    if raw.get("plan") is not None and status not in PLAN_STATUSES:
        problems.append(f"{where}.plan.status: must be one of {', '.join(PLAN_STATUSES)}")
    fail_next = raw.get("failNextGenerations", 0)
    if isinstance(fail_next, bool) or not isinstance(fail_next, int) or fail_next < 0:
        problems.append(f"{where}.failNextGenerations: must be an integer >= 0")
    recorded = raw.get("answers")
    answers = _answers({} if recorded is None else recorded, f"{where}.answers", problems)
    if len(problems) > before:
        return None
    plan_status = str(status) if raw.get("plan") is not None else "NEVER_CREATED"
    return SiteSeed(
        str(site_id), profile, settings, overrides, events, plan_status, int(fail_next), answers
    )


def _answers(raw: Any, where: str, problems: list[str]) -> Json:
    """Recorded answers: method → {status: 200–599, body: object (or null for a 5xx)}."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping of method name to {{status, body}}")
        return {}
    out: Json = {}
    for method, answer in raw.items():
        path = f"{where}.{method}"
        if method not in REPLAYABLE:
            problems.append(
                f"{path}: not a read method that can be replayed ({', '.join(REPLAYABLE)})"
            )
            continue
        status = answer.get("status") if isinstance(answer, dict) else None
        body = answer.get("body") if isinstance(answer, dict) else None
        if isinstance(status, bool) or not isinstance(status, int) or not 200 <= status <= 599:
            problems.append(f"{path}.status: must be an HTTP status from 200 to 599")
        elif not isinstance(body, dict) and not (body is None and status >= 500):
            problems.append(f"{path}.body: must be a mapping (the JSON answer)")
        else:
            out[str(method)] = {"status": status, "body": copy.deepcopy(body)}
    return out


def _profile(raw: Json, where: str, problems: list[str]) -> SiteProfile:
    profile = SiteProfile()
    published = raw.get("published", True)
    if not isinstance(published, bool):
        problems.append(f"{where}.published: must be true or false")
    profile.published = published is not False
    outcome = raw.get("unpublishedOutcome", "FAILED")
    if outcome not in OUTCOMES:
        problems.append(f"{where}.unpublishedOutcome: must be one of {', '.join(OUTCOMES)}")
    profile.unpublished_outcome = str(outcome)
    profile.connected_channels = _channels(
        raw.get("connectedChannels") or [], raw.get("id"), f"{where}.connectedChannels", problems
    )
    _premium(raw.get("premium") or {}, profile, f"{where}.premium", problems)
    language = raw.get("language", "en")
    if not isinstance(language, str):
        problems.append(f"{where}.language: must be a string")
    profile.language = str(language)
    location = raw.get("businessLocation") or {}
    if not isinstance(location, dict):
        problems.append(f"{where}.businessLocation: must be a mapping")
    profile.business_location = dict(location) if isinstance(location, dict) else {}
    targets = raw.get("targetLocations") or []
    if not isinstance(targets, list):
        problems.append(f"{where}.targetLocations: must be a list")
    profile.target_locations = list(targets) if isinstance(targets, list) else []
    profile.calendars = _calendars(raw.get("calendars") or [], f"{where}.calendars", problems)
    profile.plan_goals = _offered(raw, "planGoals", settings_rules.PLAN_GOALS, where, problems)
    profile.points_of_view = _offered(
        raw, "pointsOfView", settings_rules.POINTS_OF_VIEW, where, problems
    )
    instance = raw.get("instanceId")
    if instance is not None and not is_guid(instance):
        problems.append(f"{where}.instanceId: must be a GUID string (the app instance id)")
    profile.instance_id = str(instance) if instance is not None else None
    return profile


def _channels(raw: Any, site_id: Any, where: str, problems: list[str]) -> dict[str, str]:
    if isinstance(raw, dict):
        pairs = list(raw.items())
    elif isinstance(raw, list):
        pairs = [(name, None) for name in raw]
    else:
        problems.append(f"{where}: must be a list of channels or a channel→accountId mapping")
        return {}
    out: dict[str, str] = {}
    for name, account in pairs:
        if name not in CHANNELS:
            problems.append(f"{where}: unknown channel {name!r} (one of {', '.join(CHANNELS)})")
            continue
        # A deterministic numeric account id, like the Publisher's page/account ids.
        default = str(int(derived_id("account", str(site_id), name)[:8], 16))
        out[str(name)] = str(account) if account is not None else default
    return out


def _premium(raw: Any, profile: SiteProfile, where: str, problems: list[str]) -> None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return
    for key in sorted(set(raw) - {"schedulePosts", "postsHorizonDays"}):
        problems.append(f"{where}.{key}: unknown key (expected schedulePosts, postsHorizonDays)")
    schedule = raw.get("schedulePosts", True)
    if not isinstance(schedule, bool):
        problems.append(f"{where}.schedulePosts: must be true or false")
    profile.schedule_posts = schedule is not False
    days = raw.get("postsHorizonDays")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
        problems.append(f"{where}.postsHorizonDays: must be an integer >= 0")
        days = None
    profile.posts_horizon_days = days


def _offered(
    raw: dict[str, Any], key: str, known: tuple[str, ...], where: str, problems: list[str]
) -> tuple[str, ...] | None:
    """A site's offered subset of option keys (None when the fixture leaves it out: all)."""
    given = raw.get(key)
    if given is None:
        return None
    if not isinstance(given, list) or any(k not in known for k in given):
        problems.append(f"{where}.{key}: must be a list of {', '.join(known)}")
        return None
    return tuple(k for k in known if k in given)


def _calendars(raw: Any, where: str, problems: list[str]) -> list[Json]:
    if not isinstance(raw, list):
        problems.append(f"{where}: must be a list of {{id, name}}")
        return []
    out = []
    for i, cal in enumerate(raw):
        if not isinstance(cal, dict) or not is_guid(cal.get("id")):
            problems.append(f"{where}[{i}].id: required, must be a GUID string")
            continue
        out.append({"id": str(cal["id"]), "name": str(cal.get("name", ""))})
    return out


def _settings(raw: Json, where: str, problems: list[str]) -> tuple[Json, Json]:
    settings = raw.get("settings") or {}
    overrides = raw.get("overrides") or {}
    for violation in settings_rules.validate(
        settings, settings_rules.SETTINGS_SPEC, f"{where}.settings"
    ):
        problems.append(f"{violation.field}: {violation.description}")
    for violation in settings_rules.validate(
        overrides, settings_rules.OVERRIDES_SPEC, f"{where}.overrides"
    ):
        problems.append(f"{violation.field}: {violation.description}")
    if not isinstance(settings, dict) or not isinstance(overrides, dict):
        return {}, {}
    stored = {
        k: copy.deepcopy(v)
        for k, v in settings.items()
        if k not in settings_rules.READ_ONLY_SETTINGS and v is not None
    }
    return stored, copy.deepcopy(overrides)


def _events(raw: Any, where: str, profile: SiteProfile, problems: list[str]) -> list[Json]:
    if not isinstance(raw, list):
        problems.append(f"{where}: must be a list")
        return []
    calendar_ids = {c["id"] for c in profile.calendars}
    out = []
    for i, event in enumerate(raw):
        path = f"{where}[{i}]"
        try:
            event_rules.parse_event(event, path)
        except EmulatorError as exc:
            problems += [f"{v.field}: {v.description}" for v in exc.violations] or [str(exc)]
            continue
        if event.get("id") is not None and not is_guid(event.get("id")):
            problems.append(f"{path}.id: must be a GUID string")
        cal = event.get("calendarId")
        if cal is not None and (not isinstance(cal, str) or cal not in calendar_ids):
            problems.append(f"{path}.calendarId: not one of this site's calendars")
        out.append(dict(event))
    return out
