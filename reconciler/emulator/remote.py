"""The control plane of an emulator that runs elsewhere (``mpr emulator serve``), over HTTP."""

from __future__ import annotations

import httpx


class RemoteError(Exception):
    """The emulator at the given URL could not be reached or refused the call."""


def request_user_token(base_url: str, site_id: str, timeout: float = 10.0) -> str:
    """A Wix user token for ``site_id`` from the emulator at ``base_url``.

    The stand-in for ``wix token --site SITE_ID`` when mpr talks to the emulator.
    """
    url = base_url.rstrip("/") + "/_emulator/user-tokens"
    try:
        response = httpx.post(url, json={"siteId": site_id}, timeout=timeout)
    except httpx.HTTPError as exc:
        raise RemoteError(f"could not reach the emulator at {base_url}: {exc}") from None
    if response.status_code == 404:
        raise RemoteError(f"the emulator at {base_url} has no site {site_id}")
    if not response.is_success:
        raise RemoteError(f"the emulator at {base_url} answered HTTP {response.status_code}")
    token = response.json().get("token") if response.content else None
    if not isinstance(token, str) or not token:
        raise RemoteError(f"the emulator at {base_url} answered without a token")
    return token
