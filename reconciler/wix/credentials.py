"""Who mpr is to Wix, per site: a Wix app, a Wix user, or an API key (SPEC §1.3).

Every method of the Marketing Plan family accepts only a Wix app or a Wix user identity:

- `AppCredential`: OAuth client credentials. One token per app instance (per site) from
  `POST /oauth2/token`, cached until shortly before `expires_in`, never requested twice at
  once for the same instance.
- `CommandCredential`: a command such as `wix token --site {siteId}` (the Wix CLI), run per
  site without a shell; its last line of output is the token, cached for `cache_seconds`.
- `ApiKeyCredential`: an API key (an *API key admin* identity, which Wix refuses on these
  methods; kept for the emulator and other servers that accept it).

Tokens are fetched lazily, on a site's first request, and renewed once when Wix answers 401.
Every secret met on the way (the app secret, each token, the command's output) is handed to
the run's `Redactor` before it can reach any message.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from reconciler.errors import ConfigError, CredentialUnavailable

from .auth import Redactor, Secret, check_header_value, mask_token_like

TOKEN_PATH = "/oauth2/token"
PLACEHOLDERS = ("siteId", "instanceId")
"""What a credential command may name: `{siteId}` and `{instanceId}`."""
_STDERR_SHOWN = 400


class TokenEndpoint(Protocol):
    """What an app credential needs of the client: one POST to the token endpoint."""

    async def request_token(
        self, body: Mapping[str, str], origin: str, guidance: str
    ) -> Mapping[str, Any]:
        """The token endpoint's answer; `guidance` says what to check when it refuses."""
        ...


@dataclass
class _Entry:
    value: str
    expires: float


@dataclass
class TokenCache:
    """Tokens by key, each fetched by one task at a time (later callers wait for it)."""

    clock: Callable[[], float] = time.monotonic
    fetches: int = 0
    _entries: dict[Hashable, _Entry] = field(default_factory=dict)
    _locks: dict[Hashable, asyncio.Lock] = field(default_factory=dict)

    async def get(self, key: Hashable, fetch: Callable[[], Awaitable[tuple[str, float]]]) -> str:
        """The cached value for `key`, or a fresh one from `fetch` (value, lifetime)."""
        if (value := self._fresh(key)) is not None:
            return value
        async with self._locks.setdefault(key, asyncio.Lock()):
            if (value := self._fresh(key)) is not None:
                return value
            self.fetches += 1
            value, lifetime = await fetch()
            self._entries[key] = _Entry(value, self.clock() + lifetime)
            return value

    def invalidate(self, key: Hashable, stale: str) -> None:
        """Forget `stale` (a token Wix refused), unless another task already replaced it."""
        entry = self._entries.get(key)
        if entry is not None and entry.value == stale:
            del self._entries[key]

    def _fresh(self, key: Hashable) -> str | None:
        entry = self._entries.get(key)
        return entry.value if entry is not None and self.clock() < entry.expires else None


@dataclass
class AuthContext:
    """What credentials share within one client: the cache, the endpoint, the redactor."""

    endpoint: TokenEndpoint
    redactor: Redactor
    cache: TokenCache = field(default_factory=TokenCache)
    commands: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))


class Credential(ABC):
    """One site's way in; `origin` says where it was configured, for messages."""

    identity: ClassVar[str]
    """The identity Wix sees: "wix-app", "wix-user" or "api-key" (recorded in the audit)."""
    renewable: ClassVar[bool] = True
    origin: str

    async def authorization(self, ctx: AuthContext) -> str:
        """The `Authorization` header value for the next request (cached per identity)."""
        return await ctx.cache.get(self._key(), lambda: self._fetch(ctx))

    async def _fetch(self, ctx: AuthContext) -> tuple[str, float]:
        """A fresh token and how many seconds to keep it."""
        raise NotImplementedError

    def refused(self, stale: str, ctx: AuthContext) -> None:
        """Wix answered 401 to `stale`: the next `authorization()` fetches a new one."""
        ctx.cache.invalidate(self._key(), stale)

    def guidance(self, status: int) -> str:
        """What to check when Wix answers `status` (401 or 403) to this identity."""
        if status == 401:
            return f"Wix did not accept the {self.describe()} (check {self.origin})"
        return (
            f"the {self.describe()} may not do this on this site: check that it has the "
            f"Manage Marketing Plans permission and reaches this site ({self.origin})"
        )

    @abstractmethod
    def describe(self) -> str:
        """The identity in a few words, for messages (never a secret)."""

    def _key(self) -> Hashable:
        return (self.identity, id(self))


@dataclass(eq=False)
class ApiKeyCredential(Credential):
    """An API key from an environment variable."""

    key: Secret
    variable: str = "WIX_API_KEY"
    origin: str = "WIX_API_KEY"
    identity: ClassVar[str] = "api-key"
    renewable: ClassVar[bool] = False

    async def authorization(self, ctx: AuthContext) -> str:
        return self.key.reveal()

    def describe(self) -> str:
        return f"API key in {self.variable}"

    def guidance(self, status: int) -> str:
        if status == 403:
            return (
                f"Wix refused the API key in {self.variable}: the Marketing Plan APIs accept "
                "only a Wix app or a Wix user identity; configure `auth: {wixApp: ...}` or "
                "`auth: {wixUser: ...}` for the site (README: Connecting to Wix)"
            )
        return f"Wix did not accept the API key in {self.variable} (check its value)"


@dataclass(eq=False)
class AppCredential(Credential):
    """A Wix app's client credentials for one app instance (one site)."""

    app_id: str
    secret: Secret
    instance_id: str
    origin: str = "WIX_APP_ID / WIX_APP_SECRET"
    id_variable: str = "WIX_APP_ID"
    """The environment variable the app id came from (auth.wixApp.appIdEnv)."""
    secret_variable: str = "WIX_APP_SECRET"
    """The environment variable the secret came from (auth.wixApp.appSecretEnv)."""
    identity: ClassVar[str] = "wix-app"

    def describe(self) -> str:
        return f"Wix app {self.app_id} (instance {self.instance_id})"

    def token_refused(self) -> str:
        """What to check when the token endpoint refuses this app: the variables at fault."""
        return (
            f"check the app secret in {self.secret_variable} and the app id in "
            f"{self.id_variable}, and that the app is installed on the site with instance id "
            f"{self.instance_id} ({self.origin})"
        )

    def _key(self) -> Hashable:
        return (self.identity, self.app_id, self.instance_id)

    async def _fetch(self, ctx: AuthContext) -> tuple[str, float]:
        body = {
            "grant_type": "client_credentials",
            "client_id": self.app_id,
            "client_secret": self.secret.reveal(),
            "instance_id": self.instance_id,
        }
        answer = await ctx.endpoint.request_token(body, self.describe(), self.token_refused())
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise CredentialUnavailable(
                f"the token endpoint answered without an access_token for the "
                f"{self.describe()} ({self.origin})"
            )
        ctx.redactor.add(token)
        return token, token_lifetime(answer.get("expires_in"))


@dataclass(eq=False)
class CommandCredential(Credential):
    """A Wix user token printed by a command, e.g. `wix token --site {siteId}`."""

    command: str
    site_id: str
    instance_id: str = ""
    cache_seconds: float = 600.0
    timeout_seconds: float = 30.0
    origin: str = "auth.wixUser.command"
    identity: ClassVar[str] = "wix-user"

    def describe(self) -> str:
        return f"Wix user token from the credential command ({self.origin})"

    def _key(self) -> Hashable:
        return (self.identity, self.command, self.site_id)

    def argv(self) -> list[str]:
        """The command split like a shell would, each placeholder filled in (no shell runs).

        A filled-in value is data: one that the command could read as an option (it starts
        with `-`) is refused, not run.
        """
        values = {"siteId": self.site_id, "instanceId": self.instance_id}
        for name, value in values.items():
            if value.startswith("-"):
                raise self._failure(f"was not run: its {{{name}}} {value!r} starts with '-'")
        return [part.format(**values) for part in shlex.split(self.command)]

    async def _fetch(self, ctx: AuthContext) -> tuple[str, float]:
        argv = self.argv()
        async with ctx.commands:
            try:
                process = await asyncio.create_subprocess_exec(
                    *argv,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                    start_new_session=True,
                )
            except OSError as exc:
                raise self._failure(f"could not start {argv[0]!r}: {exc.strerror or exc}") from None
            try:
                out, err = await asyncio.wait_for(process.communicate(), self.timeout_seconds)
            except TimeoutError:
                _kill(process)
                await process.wait()
                raise self._failure(
                    f"gave no answer within {self.timeout_seconds:g} s and was stopped"
                ) from None
        text = out.decode("utf-8", "replace")
        ctx.redactor.add(text.strip())
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for line in lines:
            ctx.redactor.add(line)
        if process.returncode != 0:
            said = err.decode("utf-8", "replace").strip()
            detail = mask_token_like(ctx.redactor.redact(said))  # a token it did not print
            raise self._failure(f"exited with status {process.returncode}", detail)
        if not lines:
            raise self._failure("printed nothing (a token was expected on standard output)")
        token = lines[-1]
        try:
            check_header_value(token, "its output")
        except ConfigError as exc:  # its text never holds the value
            raise self._failure(str(exc)) from None
        return token, self.cache_seconds

    def _failure(self, what: str, stderr: str = "") -> CredentialUnavailable:
        message = f"the credential command ({self.origin}) {what}"
        if stderr:
            shown = stderr if len(stderr) <= _STDERR_SHOWN else "…" + stderr[-_STDERR_SHOWN:]
            message += f"; it said: {shown}"
        return CredentialUnavailable(message)


def token_lifetime(expires_in: object) -> float:
    """Seconds to keep a token: `expires_in` less a margin (10%, at most five minutes)."""
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
        return 60.0  # no usable lifetime: keep it briefly; a 401 renews it anyway
    return float(expires_in) - min(300.0, float(expires_in) / 10)


def _kill(process: asyncio.subprocess.Process) -> None:
    """Stop the command and anything it started (it runs in a session of its own)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
