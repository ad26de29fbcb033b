"""Constants and helpers shared by the Wix client tests."""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx

from reconciler.wix import SERVICE_PATH

BASE = "https://wix.test"
API = BASE + SERVICE_PATH
KEY = "IST.key-9f3c2b7a-DO-NOT-LEAK"
SITE = "7f0c1e2a-5b6d-4c3e-9a8b-1d2e3f4a5b6c"


def body_of(request: httpx.Request) -> Any:
    """The JSON body a request carried, or None when it carried none."""
    return json.loads(request.content) if request.content else None


def api_route(router: respx.MockRouter, verb: str, path: str) -> respx.Route:
    """A route for `verb` on SERVICE_PATH + `path`, whatever the query string."""
    return router.route(method=verb, url=API + path)
