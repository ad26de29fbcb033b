"""Read-only inspection of a site's answers, for `mpr doctor`: every read method mpr uses,
asked once, with what each answer holds against what mpr reads of it.

Nothing here is a second description of the answers. A method is judged by the very parser
`SiteClient` uses (an answer mpr can act on is one that parser reads); "what mpr reads" is
taken from the same two places the parser takes it from: the members the parser looked up
in the answer (recorded as it runs) and the wire models of `wire.py` that read the objects
inside (the method's declared return type). Nothing is written: only reads and the sign-in.

The client reports each answer of a watched task to `answered` (status and JSON body), so
an inspection sees the token request as well as the API methods, and keeps the raw bodies
for `--record` (recording.py masks them).
"""

from __future__ import annotations

import time
import types
import typing
from collections.abc import Awaitable, Callable, Collection, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Union

from pydantic import BaseModel

from reconciler.errors import ApiError

from .site import SiteClient
from .wire import WireModel

if TYPE_CHECKING:
    from .client import WixClient

Json = dict[str, Any]
TOKEN_METHOD = "CreateAccessToken"
EVENTS_BACK = timedelta(days=1)
EVENTS_AHEAD = timedelta(days=400)
"""The QueryEvents window asked: the one `mpr plan` reads first (engine/observe.py)."""
MAX_POSTS_IDS = 100
"""GetMarketingActivityPosts takes at most 100 activity ids (SPEC §5.13)."""


class Looked(dict[str, Any]):
    """An answer's JSON object that remembers which members its reader looked up."""

    def __init__(self, data: Json) -> None:
        super().__init__(data)
        self.looked: list[str] = []

    def _note(self, key: object) -> None:
        if isinstance(key, str) and key not in self.looked:
            self.looked.append(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._note(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)


@dataclass
class Seen:
    """One HTTP answer a watched task received."""

    method: str
    status: int
    body: Looked | None


@dataclass
class _Watch:
    seen: list[Seen] = field(default_factory=list)


_WATCH: ContextVar[_Watch | None] = ContextVar("mpr_inspect_watch", default=None)


def answered(method: str, status: int, data: Json) -> Json:
    """Called by the client for every JSON answer; in a watched task, note it and hand back
    the body as a `Looked` (so the parser's look-ups are recorded). Otherwise `data`."""
    watch = _WATCH.get()
    if watch is None:
        return data
    body = Looked(data)
    watch.seen.append(Seen(method, status, body))
    return body


def refused(method: str, status: int) -> None:
    """Called by the client for every error answer; noted in a watched task."""
    watch = _WATCH.get()
    if watch is not None:
        watch.seen.append(Seen(method, status, None))


@dataclass(frozen=True)
class Members:
    """An answer's members against what mpr reads: dotted paths, `[]` for list entries."""

    known: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    """Members mpr cannot do without (required by its wire model) that are absent."""
    unknown: tuple[str, ...] = ()
    """Members mpr does not read (kept as sent, never diffed or wiped)."""


@dataclass(frozen=True)
class MethodCheck:
    """One read method asked of a site: how it went and what its answer held."""

    method: str
    status: int | None = None
    """HTTP status of the last answer (None: no answer, or nothing was asked)."""
    seconds: float = 0.0
    members: Members = field(default_factory=Members)
    error: str | None = None
    """Why mpr cannot act on this answer (None: it can)."""
    note: str = ""
    """Why the method was not asked, or what else is worth knowing."""
    body: Json | None = None
    """The raw answer (unmasked: only `recording.py` writes it, masked)."""

    @property
    def usable(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class SiteInspection:
    """Every read method's check for one site, and the identity it signed in as."""

    site_id: str
    identity: str
    """The kind of credential used ("wix-app", "wix-user", "api-key", "none") and its words."""
    checks: tuple[MethodCheck, ...]
    notes: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        """Whether mpr can act on every answer of this site."""
        return all(check.usable for check in self.checks)


Probe = Callable[[SiteClient, list[MethodCheck]], Awaitable[Any]]


def _probes(now: datetime) -> list[tuple[str, str, Probe | None]]:
    """(method, SiteClient attribute, call) in the order asked; None: asked specially."""

    async def posts(site: SiteClient, done: list[MethodCheck]) -> Any:
        ids = _activity_ids(done)
        return await site.get_marketing_activity_posts(ids[:MAX_POSTS_IDS])

    return [
        ("GetMarketingSettings", "get_marketing_settings", lambda s, d: s.get_marketing_settings()),
        (
            "GetMarketingSettingsDefaults",
            "get_marketing_settings_defaults",
            lambda s, d: s.get_marketing_settings_defaults(),
        ),
        ("GetPlanGoalOptions", "get_plan_goal_options", lambda s, d: s.get_plan_goal_options()),
        (
            "GetPointOfViewOptions",
            "get_point_of_view_options",
            lambda s, d: s.get_point_of_view_options(),
        ),
        ("GetCalendarOptions", "get_calendar_options", lambda s, d: s.get_calendar_options()),
        (
            "GetSocialMarketingPlan",
            "get_social_marketing_plan",
            lambda s, d: s.get_social_marketing_plan(),
        ),
        ("GetMarketingActivityPosts", "get_marketing_activity_posts", posts),
        (
            "QueryEvents",
            "query_events",
            lambda s, d: s.query_events(now - EVENTS_BACK, now + EVENTS_AHEAD),
        ),
        (
            "QueryMarketingActivities",
            "query_marketing_activities",
            lambda s, d: s.query_marketing_activities(),
        ),
    ]


READ_METHODS: tuple[str, ...] = (
    TOKEN_METHOD,
    *(name for name, _, _ in _probes(datetime(2000, 1, 1))),
)
"""Every method `mpr doctor` asks, in order (the sign-in first)."""


async def inspect_site(client: WixClient, site_id: str, now: datetime) -> SiteInspection:
    """Sign in to `site_id` and ask each read method once, one after the other.

    Never raises ApiError: a failed method is a check with its error; when the sign-in
    fails, the methods are not asked.
    """
    token = _WATCH.set(_Watch())
    try:
        credential = client.credential_for(site_id)
        identity = "none" if credential is None else credential.identity
        words = "no credential" if credential is None else credential.describe()
        checks = [await _sign_in(client, site_id)]
        site = client.site(site_id)
        if checks[0].usable:
            for method, attribute, probe in _probes(now):
                checks.append(await _ask(site, method, attribute, probe, checks))
        notes = tuple(getattr(site, "notes", ()))  # entries skipped as unreadable
        return SiteInspection(site_id, f"{identity}: {words}", tuple(checks), notes)
    finally:
        _WATCH.reset(token)


async def _sign_in(client: WixClient, site_id: str) -> MethodCheck:
    started = time.perf_counter()
    try:
        asked = await client.sign_in(site_id)
    except ApiError as exc:
        return _failed(TOKEN_METHOD, started, exc)
    seen = _last(TOKEN_METHOD)
    if not asked or seen is None:
        return MethodCheck(TOKEN_METHOD, note="no token request: " + _no_token(client, site_id))
    members = compare(seen.body or Looked({}), None)
    return MethodCheck(TOKEN_METHOD, seen.status, _since(started), members, body=_plain(seen.body))


def _no_token(client: WixClient, site_id: str) -> str:
    credential = client.credential_for(site_id)
    if credential is None:
        return "no credential is configured"
    if credential.identity == "wix-user":
        return "the credential command printed the token"
    return f"the {credential.describe()} is sent as it is"


async def _ask(
    site: SiteClient, method: str, attribute: str, probe: Probe | None, done: list[MethodCheck]
) -> MethodCheck:
    if method == "GetMarketingActivityPosts" and not _activity_ids(done):
        return MethodCheck(method, note=_posts_not_asked(done))
    assert probe is not None
    started = time.perf_counter()
    try:
        await probe(site, done)
    except ApiError as exc:
        return _failed(method, started, exc, _returned(attribute))
    seen = _last(method)
    body = seen.body if seen is not None else Looked({})
    members = compare(body or Looked({}), _returned(attribute))
    status = seen.status if seen is not None else None
    return MethodCheck(method, status, _since(started), members, body=_plain(body))


def _posts_not_asked(done: list[MethodCheck]) -> str:
    """Why GetMarketingActivityPosts was not asked: it takes the plan's activity ids."""
    plan = next((c for c in done if c.method == "GetSocialMarketingPlan"), None)
    if plan is not None and plan.usable:
        return "not asked: the plan answer holds no activity"
    return "not asked: GetSocialMarketingPlan failed, so the activity ids are unknown"


def _failed(method: str, started: float, exc: ApiError, returned: Any = None) -> MethodCheck:
    """A method whose call failed; an answer that came but could not be read is compared
    with what mpr reads all the same (that is what the user needs to see)."""
    seen = _last(method)
    status = exc.status if exc.status is not None else (seen.status if seen else None)
    body = seen.body if seen is not None else None
    members = compare(body, returned) if body is not None else Members()
    return MethodCheck(
        method, status, _since(started), members, error=exc.message, body=_plain(body)
    )


def _last(method: str) -> Seen | None:
    watch = _WATCH.get()
    found = [s for s in (watch.seen if watch else []) if s.method == method]
    return found[-1] if found else None


def _since(started: float) -> float:
    return time.perf_counter() - started


def _plain(body: Looked | None) -> Json | None:
    return None if body is None else dict(body)


def _activity_ids(done: list[MethodCheck]) -> list[str]:
    plan = next((c for c in done if c.method == "GetSocialMarketingPlan"), None)
    if plan is None or not plan.usable or plan.body is None:
        return []
    entries = plan.body.get("marketingActivities")
    if not isinstance(entries, list):
        return []
    ids = [e.get("marketingActivityId") for e in entries if isinstance(e, dict)]
    return [i for i in ids if isinstance(i, str) and i]


# --- members against what mpr reads ------------------------------------------------------


def _returned(attribute: str) -> Any:
    """The return type SiteClient declares for `attribute` (what its parser builds)."""
    return typing.get_type_hints(getattr(SiteClient, attribute)).get("return")


def compare(body: Looked, returned: Any) -> Members:
    """`body`'s members against the members its parser looked up and the wire model of
    `returned` (a model, a list of models, or anything else: only the look-ups count)."""
    found = _Found()
    model, many = _model_of(returned)
    looked = [k for k in body.looked if k in body]
    holder = next((k for k in looked if _holds(body[k], many)), None) if model else None
    if model is not None and holder is None:
        # The model reads the answer itself (no wrapper): its fields are the top members.
        found.walk(body, model, "", extra_known=set(body.looked))
    else:
        found.known += looked
        found.unknown += [k for k in body if k not in body.looked]
        if model is not None and holder is not None:
            value = body[holder]
            for entry in value if isinstance(value, list) else [value]:
                if isinstance(entry, dict):
                    found.walk(entry, model, f"{holder}{'[].' if many else '.'}")
    return found.members()


@dataclass
class _Found:
    known: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def walk(
        self,
        obj: Json,
        model: type[BaseModel],
        prefix: str,
        extra_known: Collection[str] = (),
    ) -> None:
        aliases = {(f.alias or name): (name, f) for name, f in model.model_fields.items()}
        for member, value in obj.items():
            if member not in aliases:
                read = member in extra_known or _reads_extra(model, member, value)
                (self.known if read else self.unknown).append(prefix + member)
                continue
            self.known.append(prefix + member)
            inner, many = _model_of(aliases[member][1].annotation)
            if inner is None or not inner.model_fields:
                continue  # raw JSON (settings), or an object mpr keeps as sent
            for entry in value if many and isinstance(value, list) else [value]:
                if isinstance(entry, dict):
                    self.walk(entry, inner, f"{prefix}{member}{'[].' if many else '.'}")
        for alias, (_, info) in aliases.items():
            if info.is_required() and alias not in obj:
                self.missing.append(prefix + alias)

    def members(self) -> Members:
        return Members(_unique(self.known), _unique(self.missing), _unique(self.unknown))


def _reads_extra(model: type[BaseModel], member: str, value: Any) -> bool:
    """Whether mpr reads `member` of a `model` object though it is no field of it (a
    draft's content object: `wire.Item.reads_extra`)."""
    return issubclass(model, WireModel) and model.reads_extra(member, value)


def _unique(paths: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(paths))


def _holds(value: Any, many: bool) -> bool:
    return isinstance(value, list) if many else isinstance(value, dict)


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(the wire model, whether a list of it) of a type annotation; (None, False): none."""
    for arg in _flat(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg, False
        if typing.get_origin(arg) is list:
            inner = typing.get_args(arg)[0] if typing.get_args(arg) else None
            inner_model, _ = _model_of(inner)
            if inner_model is not None:
                return inner_model, True
    return None, False


def _flat(annotation: Any) -> Iterator[Any]:
    """The members of a union (and the inner type of Annotated), or the annotation itself."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _flat(typing.get_args(annotation)[0])
    elif origin is Union or origin is types.UnionType:
        for arg in typing.get_args(annotation):
            yield from _flat(arg)
    elif annotation is not None:
        yield annotation
