"""Signing in over a real socket (SPEC §1.3, §5.37): app tokens, user tokens, API keys.

The emulator runs faithful here: an API key is refused; an app token is issued per instance,
valid for its own site only and until it expires or is revoked.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from reconciler.emulator import Emulator, FaultRule, ManualClock
from reconciler.errors import CredentialUnavailable, PermissionDenied, Unauthenticated
from reconciler.wix import RetryPolicy, WixClient
from reconciler.wix.auth import Secret
from reconciler.wix.credentials import AppCredential, CommandCredential, Credential

from .support import KEY, SITE, Sleeps

FLEET = [f"{n:08x}-0000-4000-8000-{n:012x}" for n in range(1, 51)]


@pytest.fixture
def faithful(emulator: Emulator) -> Emulator:
    emulator.configure(lenient_auth=False, token_seconds=1000)
    emulator.load_fixtures({"sites": [{"id": site} for site in FLEET]})
    return emulator


def app_credentials(emulator: Emulator) -> Callable[[str], Credential | None]:
    app = emulator.config

    def resolve(site_id: str) -> Credential:
        instance = emulator.instance_id(site_id)
        return AppCredential(app.app_id, Secret(app.app_secret), instance, origin="test app")

    return resolve


def token_requests(emulator: Emulator) -> list[str]:
    return [r.body["instance_id"] for r in emulator.requests if r.path == "/oauth2/token"]


def client_for(
    base_url: str,
    credentials: Callable[[str], Credential | None] | None,
    clock: ManualClock,
    sleeps: Sleeps,
    **kwargs: object,
) -> WixClient:
    return WixClient(
        base_url=base_url,
        credentials=credentials,
        sleep=sleeps,
        retry=RetryPolicy(max_attempts=3, random=lambda: 0.5),
        timeout=5.0,
        token_clock=lambda: clock.now().timestamp(),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
async def app_client(
    faithful: Emulator, base_url: str, clock: ManualClock, sleeps: Sleeps
) -> AsyncIterator[WixClient]:
    async with client_for(base_url, app_credentials(faithful), clock, sleeps) as client:
        yield client


async def test_fifty_sites_get_one_token_each_reused_across_calls(
    faithful: Emulator, app_client: WixClient
) -> None:
    async def read_twice(site_id: str) -> None:
        site = app_client.site(site_id)
        await asyncio.gather(site.get_marketing_settings(), site.get_social_marketing_plan())
        await site.get_point_of_view_options()

    await asyncio.gather(*(read_twice(site) for site in FLEET))
    instances = token_requests(faithful)
    assert sorted(instances) == sorted(faithful.instance_id(site) for site in FLEET)
    assert app_client.token_requests == 50
    api = [r for r in faithful.requests if r.path != "/oauth2/token"]
    assert len(api) == 150 and {r.status for r in api} == {200}


async def test_a_token_is_renewed_shortly_before_it_expires(
    faithful: Emulator, app_client: WixClient, clock: ManualClock
) -> None:
    site = app_client.site(FLEET[0])
    await site.get_marketing_settings()
    clock.advance(850)  # within the lifetime, before the 10% margin
    await site.get_marketing_settings()
    assert len(token_requests(faithful)) == 1
    clock.advance(100)  # past 900 s of 1000: renewed before Wix would refuse it
    await site.get_marketing_settings()
    assert len(token_requests(faithful)) == 2
    assert all(r.status == 200 for r in faithful.requests)


async def test_a_refused_token_is_renewed_once_and_the_call_succeeds(
    faithful: Emulator, app_client: WixClient
) -> None:
    site = app_client.site(FLEET[0])
    await site.get_marketing_settings()
    assert faithful.revoke_tokens(FLEET[0]) == 1
    await site.get_marketing_settings()
    assert [r.status for r in faithful.requests if r.path != "/oauth2/token"] == [200, 401, 200]
    assert len(token_requests(faithful)) == 2


async def test_a_second_refusal_is_reported_not_retried(
    faithful: Emulator, app_client: WixClient
) -> None:
    faithful.add_fault(FaultRule(path="/marketing-settings", status=401, times=None))
    with pytest.raises(Unauthenticated) as caught:
        await app_client.site(FLEET[0]).get_marketing_settings()
    assert len(token_requests(faithful)) == 2, "renewed exactly once"
    assert "Wix did not accept the Wix app" in str(caught.value)


async def test_a_token_used_on_another_site_is_refused_clearly(
    faithful: Emulator, base_url: str, clock: ManualClock, sleeps: Sleeps
) -> None:
    app = faithful.config
    wrong = AppCredential(
        app.app_id,
        Secret(app.app_secret),
        faithful.instance_id(FLEET[1]),
        origin="auth.wixApp of sites/a.yaml",
    )
    async with client_for(base_url, lambda site: wrong, clock, sleeps) as client:
        with pytest.raises(PermissionDenied) as caught:
            await client.site(FLEET[0]).get_marketing_settings()
    message = str(caught.value)
    assert "HTTP 403 → PERMISSION_DENIED: the access token was issued for another site" in message
    assert "auth.wixApp of sites/a.yaml" in message


async def test_a_wrong_app_secret_is_a_credential_error_naming_where_to_look(
    faithful: Emulator, base_url: str, clock: ManualClock, sleeps: Sleeps
) -> None:
    bad = AppCredential(
        faithful.config.app_id, Secret("not-the-secret-123"), faithful.instance_id(FLEET[0])
    )
    async with client_for(base_url, lambda site: bad, clock, sleeps) as client:
        with pytest.raises(CredentialUnavailable) as caught:
            await client.site(FLEET[0]).get_marketing_settings()
    assert "Wix refused a token for the Wix app" in str(caught.value)
    assert "not-the-secret-123" not in str(caught.value)
    assert [r.path for r in faithful.requests] == ["/oauth2/token"]


async def test_an_api_key_is_refused_with_the_way_to_sign_in(
    faithful: Emulator, base_url: str, clock: ManualClock, sleeps: Sleeps
) -> None:
    async with client_for(base_url, None, clock, sleeps, api_key=KEY) as client:
        with pytest.raises(PermissionDenied) as caught:
            await client.site(SITE).get_marketing_settings()
    message = str(caught.value)
    assert "API key admin identities cannot call this method" in message
    assert "the Marketing Plan APIs accept only a Wix app or a Wix user identity" in message
    assert KEY not in message


# --- a Wix user token from a credential command ----------------------------------------------


def command(tmp_path: Path, body: str) -> str:
    script = tmp_path / "token.py"
    script.write_text(body, encoding="utf-8")
    return f"{sys.executable} {script} --site {{siteId}}"


async def test_a_user_token_from_a_command_is_used_and_cached(
    faithful: Emulator, base_url: str, clock: ManualClock, sleeps: Sleeps, tmp_path: Path
) -> None:
    token = faithful.issue_user_token(SITE)
    runs = tmp_path / "runs"
    body = (
        "import sys, pathlib\n"
        f"pathlib.Path({str(runs)!r}).open('a').write(sys.argv[2] + '\\n')\n"
        f"print('Using account dev@example.com')\nprint({token!r})\n"
    )
    credential = CommandCredential(command(tmp_path, body), SITE, cache_seconds=60)
    async with client_for(base_url, lambda site: credential, clock, sleeps) as client:
        await client.site(SITE).get_marketing_settings()
        await client.site(SITE).get_social_marketing_plan()
        assert runs.read_text().split() == [SITE], "run once, with the site id filled in"
        clock.advance(61)
        await client.site(SITE).get_marketing_settings()
    assert runs.read_text().split() == [SITE, SITE]
    assert {r.status for r in faithful.requests} == {200}


@pytest.mark.parametrize(
    ("body", "timeout", "expected"),
    [
        (
            "import sys\nsys.stderr.write('not logged in: run wix login\\n')\nsys.exit(3)\n",
            10.0,
            "exited with status 3; it said: not logged in: run wix login",
        ),
        ("pass\n", 10.0, "printed nothing (a token was expected on standard output)"),
        ("import time\ntime.sleep(30)\n", 0.5, "gave no answer within 0.5 s and was stopped"),
        (
            "print('tok\\u00e9n')\n",
            10.0,
            "its output holds a non-ASCII character (latin small letter e with acute) at "
            "position 4: a credential is plain ASCII; copy it again",
        ),
    ],
    ids=["fails", "silent", "hangs", "garbage"],
)
async def test_a_failing_credential_command_is_a_clear_per_site_error(
    faithful: Emulator,
    base_url: str,
    clock: ManualClock,
    sleeps: Sleeps,
    tmp_path: Path,
    body: str,
    timeout: float,
    expected: str,
) -> None:
    credential = CommandCredential(
        command(tmp_path, body), SITE, timeout_seconds=timeout, origin="auth.wixUser.command of x"
    )
    async with client_for(base_url, lambda site: credential, clock, sleeps) as client:
        with pytest.raises(CredentialUnavailable) as caught:
            await client.site(SITE).get_marketing_settings()
    assert str(caught.value) == f"the credential command (auth.wixUser.command of x) {expected}"
    assert faithful.requests == [], "nothing is sent without a token"
