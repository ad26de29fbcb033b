"""Who is calling (SPEC §1.3, §5.37): API keys, app tokens issued here, user tokens issued here.

- ``POST /oauth2/token`` (client credentials): the emulator's one registered app (id and
  secret from the config) gets a token per app instance, i.e. per site; ``expires_in`` is
  ``token_seconds``. A token is valid for its own site only (another ``wix-site-id`` → 403)
  and until it expires or is revoked (→ 401).
- User tokens stand in for ``wix token --site ID``: issued through the control plane
  (``POST /_emulator/user-tokens``) or ``Emulator.issue_user_token``, one site each.
- Anything else in ``Authorization`` is an API key. Faithful default: refused on every
  method with 403 ``PERMISSION_DENIED``, as Wix does for the *API key admin* identity;
  ``lenient_auth`` accepts keys for quick local runs.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.errors import EmulatorError, invalid

APP_TOKEN_PREFIX = "OauthNG.JWS.emu-app."
USER_TOKEN_PREFIX = "OauthNG.JWS.emu-user."
KEY_REFUSED = (
    "API key admin identities cannot call this method: authenticate as a Wix app "
    "(OAuth client credentials) or a Wix user identity"
)


@dataclass(frozen=True)
class Issued:
    """A token the emulator handed out."""

    site_id: str
    kind: str
    """``"app"`` or ``"user"``."""
    expires: datetime


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: its identity kind and the site a token binds it to."""

    kind: str
    """``"app"``, ``"user"`` or ``"api-key"``."""
    site_id: str | None = None


@dataclass
class Identities:
    """Issued tokens and the rules for the ``Authorization`` header."""

    tokens: dict[str, Issued] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)

    def issue_app_token(
        self, body: Any, config: EmulatorConfig, instances: dict[str, str], now: datetime
    ) -> dict[str, Any]:
        """The OAuth client-credentials grant; ``instances`` maps instance id → site id."""
        if not isinstance(body, dict):
            raise invalid("body", "must be a JSON object")
        if body.get("grant_type") != "client_credentials":
            raise invalid("grant_type", "must be client_credentials", "INVALID_GRANT_TYPE")
        for name in ("client_id", "client_secret", "instance_id"):
            if not isinstance(body.get(name), str) or not body[name]:
                raise invalid(name, "is required", "REQUIRED_FIELD")
        if body["client_id"] != config.app_id or body["client_secret"] != config.app_secret:
            raise EmulatorError(401, "INVALID_CLIENT", "unknown app id or wrong app secret")
        site_id = instances.get(body["instance_id"])
        if site_id is None:
            raise EmulatorError(
                404, "INSTANCE_NOT_FOUND", "the app is not installed with this instance id"
            )
        token = self._issue(APP_TOKEN_PREFIX, site_id, "app", config, now)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": max(1, math.ceil(config.token_seconds)),
        }

    def issue_user_token(self, site_id: str, config: EmulatorConfig, now: datetime) -> str:
        """A site-scoped user token, as ``wix token --site SITE_ID`` prints."""
        return self._issue(USER_TOKEN_PREFIX, site_id, "user", config, now)

    def revoke(self, site_id: str | None = None) -> int:
        """Make the tokens of ``site_id`` (or all) answer 401 from now on; returns how many."""
        gone = [t for t, i in self.tokens.items() if site_id is None or i.site_id == site_id]
        for token in gone:
            del self.tokens[token]
            self.revoked.add(token)
        return len(gone)

    def clear(self) -> None:
        """Forget every token, issued or revoked."""
        self.tokens.clear()
        self.revoked.clear()

    def authenticate(
        self, authorization: str | None, site_id: str | None, config: EmulatorConfig, now: datetime
    ) -> Caller:
        """The caller behind ``authorization``; 401 / 403 ``EmulatorError`` when refused."""
        value = (authorization or "").strip()
        if not value:
            raise EmulatorError(401, "UNAUTHENTICATED", "missing Authorization header")
        if value in self.revoked:
            raise EmulatorError(401, "UNAUTHENTICATED", "the access token was revoked")
        issued = self.tokens.get(value)
        if issued is None:
            return _api_key(value, config)
        if now >= issued.expires:
            raise EmulatorError(401, "UNAUTHENTICATED", "the access token has expired")
        if site_id and site_id.strip() and site_id.strip() != issued.site_id:
            raise EmulatorError(
                403, "PERMISSION_DENIED", "the access token was issued for another site"
            )
        return Caller(issued.kind, issued.site_id)

    def _issue(
        self, prefix: str, site_id: str, kind: str, config: EmulatorConfig, now: datetime
    ) -> str:
        token = prefix + secrets.token_urlsafe(24)
        expires = now + timedelta(seconds=config.token_seconds)
        self.tokens[token] = Issued(site_id, kind, expires)
        return token


def _api_key(value: str, config: EmulatorConfig) -> Caller:
    if config.accepted_api_keys and value not in config.accepted_api_keys:
        raise EmulatorError(401, "UNAUTHENTICATED", "invalid API key")
    if not config.lenient_auth:
        raise EmulatorError(403, "PERMISSION_DENIED", KEY_REFUSED)
    return Caller("api-key")
