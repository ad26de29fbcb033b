"""The one exception tree of mpr. Imports nothing from the package.

Intermediate classes group the leaves by what the caller does next::

    MprError                         anything mpr raises on purpose
    ├── ConfigError                  fix the input files or the command line
    │   ├── ConfigInvalid            carries every Problem found, with file/line/column/field
    │   └── SelectionEmpty           a --site selector matched no site
    ├── ApiError                     the Wix API answered with an error, or could not be reached
    │   ├── UnexpectedAnswer         a 2xx answer mpr cannot act on (SPEC §5 reading rule)
    │   ├── TransientApiError        retrying later may succeed
    │   │   ├── RateLimited          429
    │   │   ├── ServerError          5xx
    │   │   └── ApiUnreachable       connection refused/reset, timeout
    │   └── PermanentApiError        retrying the same request will not help
    │       ├── InvalidArgument      400
    │       ├── Unauthenticated      401
    │       ├── CredentialUnavailable no token: the token endpoint or credential command failed
    │       ├── PermissionDenied     403
    │       ├── NotFound             404
    │       ├── Conflict             409
    │       └── FailedPrecondition   428
    │           └── PlanAlreadyGenerating
    ├── Refused                      mpr will not proceed: the change is unsafe or the plan stale
    │   ├── StalePlan
    │   ├── LockHeld                 another apply is running on the same state
    │   └── OutOfOrderCommit
    ├── GenerationError              asynchronous work on the Wix side did not end well
    │   ├── GenerationFailed         the plan ended FAILED after every allowed try
    │   └── GenerationTimedOut       still GENERATING at the deadline: state unknown
    ├── DidNotConverge               Wix answered a write as done but did not keep what was sent
    └── Interrupted                  Ctrl-C or SIGTERM: no new write was started after it

No class here is a subclass of a library's exception, so `except MprError` never
swallows an httpx, pydantic or YAML error by accident (tests/test_errors.py proves it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


class MprError(Exception):
    """Base of every error mpr raises on purpose."""


# --- configuration -------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious, when severity is "warning") in one input file.

    Line 0 means the problem is the path itself (missing, empty): it is named without a
    made-up position."""

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return self.located(prefix)

    def located(self, prefix: str = "") -> str:
        """`file:line:col: path: PREFIXmessage` (`PREFIXmessage: file` for the path itself)."""
        if not self.line:
            return f"{prefix}{self.message}: {self.file}"
        where = f"{self.file}:{self.line}:{self.column}"
        field_path = f" {self.path}:" if self.path else ""
        return f"{where}:{field_path} {prefix}{self.message}"


class ConfigError(MprError):
    """The input files or the command line must be fixed before anything can run."""


class ConfigInvalid(ConfigError):
    """One or more input files are invalid; `problems` lists every one found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(
            f"{len(errors)} error(s) in the configuration:\n" + "\n".join(str(p) for p in errors)
        )


class SelectionEmpty(ConfigError):
    """A --site selector matched none of the sites found."""

    def __init__(
        self, selectors: Sequence[str], available: Sequence[str], *, leaves_none: bool = False
    ) -> None:
        self.selectors = tuple(selectors)
        self.available = tuple(available)
        shown = ", ".join(self.available[:10]) + (" …" if len(self.available) > 10 else "")
        what = "leaves no site" if leaves_none else "matched no site"
        chosen = " ".join(self.selectors)
        super().__init__(f"--site {chosen} {what}; sites found: {shown or 'none'}")


# --- API -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldViolation:
    """One entry of a Wix validationError.fieldViolations list."""

    field: str
    description: str
    violated_rule: str = ""


@dataclass(eq=False)
class ApiError(MprError):
    """The Wix API answered with an error, or could not be reached.

    Holds what a user needs to report or fix it: the request (method and path, never
    headers or the key), the HTTP status, the Wix error code and the request id.
    """

    message: str
    method: str = ""
    path: str = ""
    status: int | None = None
    code: str | None = None
    request_id: str | None = None
    violations: tuple[FieldViolation, ...] = field(default_factory=tuple)
    retry_after: float | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [f"{self.method} {self.path}".strip()]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(self.code)
        head = " → ".join(p for p in parts if p)
        text = f"{head}: {self.message}" if head else self.message
        for violation in self.violations:
            text += f"\n  {violation.field}: {violation.description}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class UnexpectedAnswer(ApiError):
    """A 2xx answer mpr cannot act on: a list under a name it does not know, a member of
    another type, a member it cannot do without missing. Stops that site, never retried."""


class TransientApiError(ApiError):
    """Retrying later may succeed (rate limit, server error, network)."""


class RateLimited(TransientApiError):
    """HTTP 429: too many requests; `retry_after` says how long the server asked to wait."""


class ServerError(TransientApiError):
    """HTTP 5xx: the service failed; Wix sends these with an empty body."""


class ApiUnreachable(TransientApiError):
    """No HTTP answer at all: connection refused or reset, or the timeout passed."""


class PermanentApiError(ApiError):
    """Retrying the same request will not help; the request or the site must change."""


class InvalidArgument(PermanentApiError):
    """HTTP 400: the request was malformed or failed validation."""


class Unauthenticated(PermanentApiError):
    """HTTP 401: the credential is missing, wrong or expired."""


class CredentialUnavailable(PermanentApiError):
    """No token could be had for the site: the token endpoint refused, or the command failed."""


class PermissionDenied(PermanentApiError):
    """HTTP 403: this identity may not call this method on this site (identity, scope, site)."""


class NotFound(PermanentApiError):
    """HTTP 404: the addressed thing does not exist."""


class Conflict(PermanentApiError):
    """HTTP 409: the thing already exists or changed under us."""


class FailedPrecondition(PermanentApiError):
    """HTTP 428: the site is not in a state that allows this call."""


class PlanAlreadyGenerating(FailedPrecondition):
    """HTTP 428 PLAN_ALREADY_GENERATING_ERROR: a generation for the site is still running."""


# --- refusals --------------------------------------------------------------------------


class Refused(MprError):
    """mpr will not proceed because the change is unsafe or the plan is out of date."""


class StalePlan(Refused):
    """A saved plan no longer matches the live state or the YAML it was made from."""


class LockHeld(Refused):
    """Another apply holds the state directory's lock: one writer at a time."""


class OutOfOrderCommit(Refused):
    """The commit being applied is older than the last one applied to the site."""


# --- asynchronous generation ---------------------------------------------------------------


class GenerationError(MprError):
    """Asynchronous work on the Wix side (plan or post generation) did not end well."""


class GenerationFailed(GenerationError):
    """The plan generation ended FAILED after every allowed try."""


class GenerationTimedOut(GenerationError):
    """The deadline passed while the work was still running; the next run picks it up."""


# --- verify after write ---------------------------------------------------------------------


class DidNotConverge(MprError):
    """A write was answered as done, but what Wix answered (or a re-read) shows it did not
    keep what mpr sent; the plan action those writes made due is not started."""


# --- signals ---------------------------------------------------------------------------------


class Interrupted(MprError):
    """A signal (Ctrl-C, SIGTERM) stopped the run: no new write was started after it.

    `signal_number` says which (the exit code is 128 + it); `maybe_applied` is True when the
    request was already sent and its answer did not come back in time: it may have taken
    effect.
    """

    def __init__(self, message: str, signal_number: int, *, maybe_applied: bool = False) -> None:
        super().__init__(message)
        self.signal_number = signal_number
        self.maybe_applied = maybe_applied
