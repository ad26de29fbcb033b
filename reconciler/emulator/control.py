"""Test-only control plane: request log, fault injection, rate limiting, ``/_emulator`` API.

The request log records every API request (not control-plane calls), including faulted
ones; ``mutating`` is true for everything but GETs, QueryEvents, GetMarketingActivityPosts
and QueryMarketingActivities, which is what proves "plan never writes". A ``FaultRule``
matches on optional method, path substring and site id and hits ``times`` requests (``None``:
all): a ``status`` (429 with ``Retry-After``, other 4xx with an envelope, 5xx with an empty
body), a ``delay_seconds`` (real sleep), or ``disconnect`` (no HTTP response at all).
With ``after_backend`` the request is executed first and only then answered by the fault.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reconciler.emulator.clock import parse_wire, to_wire
from reconciler.emulator.errors import EmulatorError
from reconciler.emulator.fixtures import FixtureError
from reconciler.emulator.records import Json, Site
from reconciler.emulator.state import settings_wire

if TYPE_CHECKING:
    from reconciler.emulator.server import Emulator


@dataclass
class FaultRule:
    """One injected fault; unset matchers match everything."""

    method: str | None = None
    path: str | None = None
    """Substring of the URL path, e.g. ``"/marketing-plan"`` or ``"schedule-drafts"``."""
    site_id: str | None = None
    status: int | None = None
    retry_after: float | str | None = None
    """``Retry-After`` header value; defaults to ``1`` for 429."""
    delay_seconds: float = 0.0
    disconnect: bool = False
    times: int | None = 1
    after_backend: bool = False
    hits: int = 0

    def __post_init__(self) -> None:
        if self.status is None and not self.disconnect and self.delay_seconds <= 0:
            raise ValueError("a fault needs a status, delay_seconds or disconnect")
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError(f"fault status must be 4xx or 5xx, not {self.status}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be >= 1 (or None for every request)")

    def matches(self, method: str, path: str, site_id: str | None) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is not None and self.path not in path:
            return False
        return self.site_id is None or self.site_id == site_id

    def error(self) -> EmulatorError:
        """The response this fault answers with (requires ``status``)."""
        status = self.status or 500
        headers: dict[str, str] = {}
        retry = self.retry_after if self.retry_after is not None else (1 if status == 429 else None)
        if retry is not None:
            headers["Retry-After"] = _header_number(retry)
        code = {
            429: "RESOURCE_EXHAUSTED",
            401: "UNAUTHENTICATED",
            403: "PERMISSION_DENIED",
            404: "NOT_FOUND",
            409: "ALREADY_EXISTS",
        }.get(status, "INJECTED_FAULT")
        return EmulatorError(status, code, f"injected fault ({status})", headers=headers)

    @classmethod
    def from_wire(cls, data: Json) -> FaultRule:
        """Build from control-plane JSON (lowerCamelCase or snake_case keys)."""
        names = {f.name for f in fields(cls)} - {"hits"}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            name = "".join("_" + c.lower() if c.isupper() else c for c in key)
            if name not in names:
                raise ValueError(f"unknown fault field {key!r}")
            kwargs[name] = value
        return cls(**kwargs)

    def to_wire(self) -> Json:
        return asdict(self)


def _header_number(value: float | str) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class RequestRecord:
    """One logged API request, as the emulator saw and answered it."""

    method: str
    path: str
    query: dict[str, str]
    site_id: str | None
    status: int
    """HTTP status answered; 0 when the connection was dropped without a response."""
    body: Any
    mutating: bool
    time: datetime
    operation: str | None = None
    request_id: str = ""
    fault: str | None = None

    def to_wire(self) -> Json:
        out = asdict(self)
        out["siteId"] = out.pop("site_id")
        out["requestId"] = out.pop("request_id")
        out["time"] = to_wire(self.time)
        return out


@dataclass
class ControlState:
    """Request log, fault rules and the optional per-site rate limiter."""

    requests: list[RequestRecord] = field(default_factory=list)
    faults: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _recent: dict[str, deque[datetime]] = field(default_factory=dict)

    def record(self, entry: RequestRecord) -> None:
        with self._lock:
            self.requests.append(entry)

    def writes(self, site_id: str | None = None) -> list[RequestRecord]:
        """Logged mutating requests, optionally for one site."""
        with self._lock:
            return [
                r for r in self.requests if r.mutating and (site_id is None or r.site_id == site_id)
            ]

    def add_fault(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self.faults.append(rule)
        return rule

    def take_fault(self, method: str, path: str, site_id: str | None) -> FaultRule | None:
        """The first matching fault, with one of its ``times`` consumed."""
        with self._lock:
            for rule in self.faults:
                if rule.matches(method, path, site_id):
                    rule.hits += 1
                    return rule
        return None

    def over_limit(self, site_id: str | None, now: datetime, per_minute: int) -> bool:
        """Sliding one-minute window per site (SPEC §5.34); never limits when ``<= 0``."""
        if per_minute <= 0 or not site_id:
            return False
        with self._lock:
            window = self._recent.setdefault(site_id, deque())
            while window and now - window[0] >= timedelta(minutes=1):
                window.popleft()
            if len(window) >= per_minute:
                return True
            window.append(now)
            return False

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self.faults.clear()
            self._recent.clear()


def site_snapshot(site: Site) -> Json:
    """Everything the emulator holds for a site, as JSON (for tests and debugging).

    Shares the stored records: `Emulator.snapshot` deep-copies the whole answer once.
    """
    plan = site.plan
    return {
        "siteId": site.id,
        "profile": asdict(site.profile),
        "marketingSettings": settings_wire(site),
        "events": [e.to_wire() for e in site.events.values()],
        "plan": {
            "id": plan.id,
            "status": plan.status,
            "generations": plan.generations,
            "generating": None
            if plan.job is None
            else {
                "kind": plan.job.kind,
                "startedAt": to_wire(plan.job.started),
                "durationSeconds": plan.job.duration,
                "readsSeen": plan.job.reads_seen,
            },
            "marketingActivities": [a.to_plan_wire(frozen=False) for a in plan.sorted_activities()],
        },
        "pendingPostJobs": [
            {"kind": j.kind, "activityIds": j.activity_ids} for j in site.post_jobs
        ],
        "keywords": site.keywords,
        "failNextGenerations": site.fail_next_generations,
        "lastEngagement": None if site.last_engagement is None else to_wire(site.last_engagement),
    }


# --- the control plane over HTTP (no auth; never logged, never faulted) ----------------------

ControlHandler = Callable[[Request, Json], Json]


class ControlAPI:
    """The ``/_emulator`` operations; each takes the request and its JSON body."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def reset(self, request: Request, body: Json) -> Json:
        self.emu.reset()
        return {}

    def list_sites(self, request: Request, body: Json) -> Json:
        return {"sites": sorted(self.emu.backend.sites)}

    def seed_sites(self, request: Request, body: Json) -> Json:
        document = body if "sites" in body else {"sites": [body]}
        return {"sites": self.emu.load_fixtures(document, "POST /_emulator/sites")}

    def state(self, request: Request, body: Json) -> Json:
        return self.emu.snapshot(request.path_params["siteId"])

    def fail(self, request: Request, body: Json) -> Json:
        self.emu.fail_next_generations(request.path_params["siteId"], int(body.get("count", 1)))
        return {}

    def connect(self, request: Request, body: Json) -> Json:
        site_id, channel = request.path_params["siteId"], str(body.get("channel", ""))
        return {"accountId": self.emu.connect_channel(site_id, channel, body.get("accountId"))}

    def edit_draft(self, request: Request, body: Json) -> Json:
        params = request.path_params
        return {"item": self.emu.edit_draft(params["siteId"], params["draftId"], body)}

    def complete(self, request: Request, body: Json) -> Json:
        self.emu.complete_jobs(body.get("siteId"))
        return {}

    def faults(self, request: Request, body: Json) -> Json:
        return {"faults": [f.to_wire() for f in self.emu.control.faults]}

    def add_fault(self, request: Request, body: Json) -> Json:
        return {"fault": self.emu.add_fault(FaultRule.from_wire(body)).to_wire()}

    def clear_faults(self, request: Request, body: Json) -> Json:
        self.emu.clear_faults()
        return {}

    def requests(self, request: Request, body: Json) -> Json:
        site = request.query_params.get("siteId")
        if request.query_params.get("mutating") in ("1", "true"):
            chosen = self.emu.writes(site)
        else:
            chosen = [r for r in list(self.emu.requests) if site is None or r.site_id == site]
        return {"requests": [r.to_wire() for r in chosen]}

    def clear_requests(self, request: Request, body: Json) -> Json:
        self.emu.clear_requests()
        return {}

    def clock(self, request: Request, body: Json) -> Json:
        return {"now": to_wire(self.emu.clock.now())}

    def advance(self, request: Request, body: Json) -> Json:
        return {"now": to_wire(self.emu.clock.advance(float(body.get("seconds", 0))))}

    def set_clock(self, request: Request, body: Json) -> Json:
        return {"now": to_wire(self.emu.clock.set(parse_wire(str(body.get("now")))))}

    def config(self, request: Request, body: Json) -> Json:
        return {"config": self.emu.config.to_wire()}

    def configure(self, request: Request, body: Json) -> Json:
        return {"config": self.emu.configure(**body).to_wire()}

    def app(self, request: Request, body: Json) -> Json:
        return self.emu.app_credentials()

    def user_token(self, request: Request, body: Json) -> Json:
        site_id = body.get("siteId")
        if not isinstance(site_id, str) or not site_id:
            raise ValueError("siteId is required")
        return {"token": self.emu.issue_user_token(site_id)}

    def revoke_tokens(self, request: Request, body: Json) -> Json:
        return {"revoked": self.emu.revoke_tokens(body.get("siteId"))}

    def table(self) -> list[tuple[str, str, ControlHandler]]:
        return [
            ("POST", "/reset", self.reset),
            ("GET", "/sites", self.list_sites),
            ("POST", "/sites", self.seed_sites),
            ("GET", "/state/{siteId}", self.state),
            ("POST", "/sites/{siteId}/fail-generations", self.fail),
            ("POST", "/sites/{siteId}/connect", self.connect),
            ("PATCH", "/sites/{siteId}/drafts/{draftId}", self.edit_draft),
            ("POST", "/jobs/complete", self.complete),
            ("GET", "/faults", self.faults),
            ("POST", "/faults", self.add_fault),
            ("DELETE", "/faults", self.clear_faults),
            ("GET", "/requests", self.requests),
            ("DELETE", "/requests", self.clear_requests),
            ("GET", "/clock", self.clock),
            ("POST", "/clock/advance", self.advance),
            ("POST", "/clock/set", self.set_clock),
            ("GET", "/config", self.config),
            ("PATCH", "/config", self.configure),
            ("GET", "/app", self.app),
            ("POST", "/user-tokens", self.user_token),
            ("POST", "/tokens/revoke", self.revoke_tokens),
        ]


def _control_endpoint(handler: ControlHandler) -> Callable[[Request], Awaitable[Response]]:
    """JSON in/out; bad input → 400, unknown site → 404, fixture problems listed."""

    async def run(request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw.strip() else {}
            return JSONResponse(handler(request, body if isinstance(body, dict) else {}))
        except FixtureError as exc:
            return JSONResponse({"message": str(exc), "problems": exc.problems}, 400)
        except KeyError as exc:
            return JSONResponse({"message": f"unknown site {exc}"}, 404)
        except (ValueError, TypeError) as exc:
            return JSONResponse({"message": str(exc)}, 400)

    return run


def control_routes(emu: Emulator) -> list[Route]:
    """``/_emulator/...`` routes driving ``emu`` (same operations as its Python API)."""
    return [
        Route("/_emulator" + path, _control_endpoint(handler), methods=[verb])
        for verb, path, handler in ControlAPI(emu).table()
    ]
