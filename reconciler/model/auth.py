"""How mpr signs in to Wix for a site: declared in the site file, secrets left in the environment.

Each kind names the environment variables that hold its secrets, never the secrets
themselves, so a site file can be public. The Marketing Plan APIs accept a Wix app or a
Wix user identity only (SPEC §1.3); an API key is kept for the emulator and for servers
that accept it.
"""

from __future__ import annotations

from dataclasses import dataclass

ENV_APP_ID = "WIX_APP_ID"
ENV_APP_SECRET = "WIX_APP_SECRET"
ENV_API_KEY = "WIX_API_KEY"


@dataclass(frozen=True)
class WixAppAuth:
    """Sign in as a Wix app installed on the site (OAuth client credentials)."""

    instance_id: str
    app_id_env: str = ENV_APP_ID
    app_secret_env: str = ENV_APP_SECRET

    kind = "wix-app"

    def variables(self) -> tuple[str, ...]:
        return (self.app_id_env, self.app_secret_env)


@dataclass(frozen=True)
class WixUserAuth:
    """Sign in as a Wix user with a token a command prints (e.g. the Wix CLI's `wix token`)."""

    command: str
    cache_seconds: float = 600.0
    timeout_seconds: float = 30.0

    kind = "wix-user"

    def variables(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class ApiKeyAuth:
    """Send an API key (accepted by the emulator in lenient mode; refused by Wix here)."""

    env: str = ENV_API_KEY

    kind = "api-key"

    def variables(self) -> tuple[str, ...]:
        return (self.env,)


SiteAuth = WixAppAuth | WixUserAuth | ApiKeyAuth
