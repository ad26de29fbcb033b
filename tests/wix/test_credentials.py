"""Signing in, in-process (so `mutmut run` sees it): how long an app token is kept, what a
credential command is given and what its failures say, and that no token it printed leaks.

The end-to-end versions over a socket and through `mpr` are in tests/contract/test_identity.py
and tests/cli/test_credentials.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from reconciler.emulator import Emulator, EmulatorConfig, ManualClock
from reconciler.errors import (
    ApiError,
    ApiUnreachable,
    CredentialUnavailable,
    PermissionDenied,
    RateLimited,
    ServerError,
    UnexpectedAnswer,
)
from reconciler.wix import RetryPolicy, WixClient
from reconciler.wix.auth import Secret
from reconciler.wix.credentials import AppCredential, CommandCredential, Credential

from .support import BASE, SITE, api_route, body_of

TOKEN = "user-token-5c1f0e9a7b3d4e2f8a6b0c9d1e3f5a7b"
"""A token long enough for the redactor to hide it."""
ORIGIN = "auth.wixUser.command of crumb.yaml"


# --- an app token's lifetime, from the token endpoint's expires_in -------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def token_clock() -> Clock:
    return Clock()


def app(site_id: str) -> Credential:
    return AppCredential("app-id", Secret("app-secret-0123456789"), "instance-1", origin="test")


def answers(router: respx.MockRouter, *tokens: dict[str, Any]) -> respx.Route:
    """The token endpoint answering `tokens` in turn; the API answering every call."""
    api_route(router, "GET", "/marketing-plan").mock(
        return_value=httpx.Response(200, json={"status": "ACTIVE"})
    )
    route = router.post(BASE + "/oauth2/token")
    route.side_effect = [httpx.Response(200, json=token) for token in tokens]
    return route


async def read_at(
    router: respx.MockRouter,
    moments: list[float],
    token_clock: Clock,
    fake_sleep: Callable[[float], Awaitable[None]],
) -> list[str]:
    """The bearer tokens of one plan read at each of `moments` (seconds from the first)."""
    start, used = token_clock.now, []
    async with WixClient(
        base_url=BASE, credentials=app, sleep=fake_sleep, token_clock=token_clock
    ) as client:
        for moment in moments:
            token_clock.now = start + moment
            await client.site(SITE).get_social_marketing_plan()
    for call in router.calls:
        if call.request.url.path.endswith("/marketing-plan"):
            used.append(call.request.headers["authorization"].removeprefix("Bearer "))
    return used


@pytest.mark.parametrize(
    ("expires_in", "kept"),
    [
        (1000, 900.0),  # a tenth less
        (14400, 14100.0),  # at most five minutes less
        (1, 0.9),
        (0, 60.0),  # no usable lifetime: a minute
        (-5, 60.0),
        ("3600", 60.0),
        (True, 60.0),
        (None, 60.0),
    ],
)
async def test_an_app_token_is_kept_for_its_lifetime_less_a_margin(
    router: respx.MockRouter,
    token_clock: Clock,
    fake_sleep: Callable[[float], Awaitable[None]],
    expires_in: object,
    kept: float,
) -> None:
    tokens = [{"access_token": f"token-{n}", "expires_in": expires_in} for n in (1, 2)]
    route = answers(router, *tokens)
    used = await read_at(router, [0, kept - 0.01, kept], token_clock, fake_sleep)
    assert used == ["token-1", "token-1", "token-2"]
    assert route.call_count == 2


@pytest.mark.parametrize("token", [None, "", 12345])
async def test_a_token_answer_without_an_access_token_is_a_clear_error(
    router: respx.MockRouter,
    token_clock: Clock,
    fake_sleep: Callable[[float], Awaitable[None]],
    token: object,
) -> None:
    answers(router, {"access_token": token, "expires_in": 3600})
    with pytest.raises(CredentialUnavailable) as caught:
        await read_at(router, [0], token_clock, fake_sleep)
    assert str(caught.value) == (
        "the token endpoint answered without an access_token for the Wix app app-id "
        "(instance instance-1) (test)"
    )


# --- the token endpoint: asked again like a read; what its refusals say and stop ------------

TOKEN_ANSWER = {"access_token": "token-1", "expires_in": 3600}
APP_HINT = (
    "check the app secret in WIX_APP_SECRET and the app id in WIX_APP_ID, and that the app is "
    "installed on the site with instance id instance-1 (test)"
)
OTHER_SITE = "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a"


def token_answers(router: respx.MockRouter, *said: httpx.Response | Exception) -> respx.Route:
    """The token endpoint answering `said` in turn; the API answering every plan read."""
    api_route(router, "GET", "/marketing-plan").mock(
        return_value=httpx.Response(200, json={"status": "ACTIVE"})
    )
    route = router.post(BASE + "/oauth2/token")
    route.side_effect = list(said)
    return route


def each_site_its_app(site_id: str) -> Credential:
    instance = "instance-1" if site_id == SITE else "instance-2"
    return AppCredential("app-id", Secret("app-secret-0123456789"), instance, origin="test")


def app_client(fake_sleep: Callable[[float], Awaitable[None]], attempts: int = 4) -> WixClient:
    return WixClient(
        base_url=BASE,
        credentials=each_site_its_app,
        sleep=fake_sleep,
        retry=RetryPolicy(max_attempts=attempts, random=lambda: 0.5),
    )


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_a_token_endpoint_failing_once_is_asked_again(
    router: respx.MockRouter,
    fake_sleep: Callable[[float], Awaitable[None]],
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    caplog.set_level(logging.WARNING)
    route = token_answers(router, httpx.Response(status), httpx.Response(200, json=TOKEN_ANSWER))
    async with app_client(fake_sleep) as client:
        await client.site(SITE).get_social_marketing_plan()
    assert route.call_count == 2
    assert len(sleeps) == 1
    assert f"/oauth2/token failed (HTTP {status}); try 2 of 4" in caplog.text


@pytest.mark.parametrize(
    ("status", "kind"), [(500, ServerError), (503, ServerError), (429, RateLimited)]
)
async def test_a_token_endpoint_that_keeps_failing_is_not_called_a_refusal(
    router: respx.MockRouter,
    fake_sleep: Callable[[float], Awaitable[None]],
    status: int,
    kind: type[ApiError],
) -> None:
    route = token_answers(router, *[httpx.Response(status)] * 2)
    async with app_client(fake_sleep, attempts=2) as client:
        with pytest.raises(ApiError) as caught:
            await client.site(SITE).get_social_marketing_plan()
    assert route.call_count == 2
    assert type(caught.value) is kind
    assert str(caught.value).startswith(f"POST /oauth2/token → HTTP {status}: ")
    assert "refused" not in str(caught.value)


async def test_a_token_endpoint_out_of_reach_says_where_it_looked(
    router: respx.MockRouter, fake_sleep: Callable[[float], Awaitable[None]]
) -> None:
    token_answers(router, *[httpx.ConnectError("connection refused")] * 2)
    async with app_client(fake_sleep, attempts=2) as client:
        with pytest.raises(ApiUnreachable) as caught:
            await client.site(SITE).get_social_marketing_plan()
    assert str(caught.value).startswith(
        "POST /oauth2/token: could not reach https://wix.test: connection refused"
    )


async def test_a_token_answer_mpr_cannot_read_is_not_called_a_refusal(
    router: respx.MockRouter, fake_sleep: Callable[[float], Awaitable[None]]
) -> None:
    # A proxy's login page, say: nothing about the app's id or secret is known to be wrong.
    token_answers(router, httpx.Response(200, text="<html>sign in to the proxy</html>"))
    async with app_client(fake_sleep) as client:
        with pytest.raises(UnexpectedAnswer) as caught:
            await client.site(SITE).get_social_marketing_plan()
    assert str(caught.value) == (
        "POST /oauth2/token → HTTP 200: CreateAccessToken: unexpected response shape: "
        "the body is not JSON"
    )


@pytest.mark.parametrize(
    ("status", "before_hint"),
    [(400, "; "), (401, ": "), (403, ": ")],  # a 401 or 403 says the hint itself, once
)
async def test_a_refused_token_names_the_request_the_app_and_what_to_check(
    router: respx.MockRouter,
    fake_sleep: Callable[[float], Awaitable[None]],
    status: int,
    before_hint: str,
) -> None:
    body = {"message": "no such instance", "details": {"applicationError": {"code": "BAD_APP"}}}
    refusal = httpx.Response(status, json=body, headers={"x-wix-request-id": "req-7"})
    token_answers(router, refusal)
    async with app_client(fake_sleep) as client:
        with pytest.raises(CredentialUnavailable) as caught:
            await client.site(SITE).get_social_marketing_plan()
    assert str(caught.value) == (
        f"POST /oauth2/token → HTTP {status} → BAD_APP: Wix refused a token for the Wix app "
        f"app-id (instance instance-1): no such instance{before_hint}{APP_HINT} (request id req-7)"
    )


@pytest.mark.parametrize("status", [401, 403])
async def test_an_app_refused_before_anything_succeeded_stops_every_site(
    router: respx.MockRouter, fake_sleep: Callable[[float], Awaitable[None]], status: int
) -> None:
    route = token_answers(router, httpx.Response(status, json={"message": "invalid client"}))
    async with app_client(fake_sleep) as client:
        with pytest.raises(CredentialUnavailable):
            await client.site(SITE).get_social_marketing_plan()
        with pytest.raises(CredentialUnavailable) as caught:
            await client.site(OTHER_SITE).get_social_marketing_plan()
    assert route.call_count == 1, "the other site asks for nothing"
    assert str(caught.value).endswith(
        "(mpr stopped there: signing in as the Wix app app-id failed before any request had "
        "succeeded, and every other site would meet the same answer)"
    )


async def test_a_token_refused_for_one_sites_instance_leaves_the_others_going(
    router: respx.MockRouter, fake_sleep: Callable[[float], Awaitable[None]]
) -> None:
    route = token_answers(
        router,
        httpx.Response(400, json={"message": "unknown instance"}),
        httpx.Response(200, json=TOKEN_ANSWER),
    )
    async with app_client(fake_sleep) as client:
        with pytest.raises(CredentialUnavailable):
            await client.site(SITE).get_social_marketing_plan()
        await client.site(OTHER_SITE).get_social_marketing_plan()
    assert [body_of(call.request)["instance_id"] for call in route.calls] == [
        "instance-1",
        "instance-2",
    ]


async def test_signing_in_fetches_the_sites_own_token_and_names_the_credential(
    router: respx.MockRouter, fake_sleep: Callable[[float], Awaitable[None]]
) -> None:
    route = token_answers(router, httpx.Response(200, json=TOKEN_ANSWER))
    credential = app(SITE)
    async with WixClient(
        base_url=BASE, credentials={SITE: credential}.get, sleep=fake_sleep
    ) as client:
        assert await client.sign_in(SITE) is credential
        assert await client.sign_in(OTHER_SITE) is None, "a site without auth asks nothing"
        assert client.token_requests == 1
    assert body_of(route.calls[0].request)["instance_id"] == "instance-1"


# --- a Wix user token from a credential command --------------------------------------------


@pytest.fixture
def faithful(emulator_clock: ManualClock) -> Emulator:
    emulator = Emulator(EmulatorConfig(lenient_auth=False, token_seconds=1000), emulator_clock)
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    return emulator


def in_process(
    emulator: Emulator, credentials: Callable[[str], Credential | None], attempts: int = 2
) -> WixClient:
    return WixClient(
        base_url=BASE,
        transport=httpx.ASGITransport(app=emulator.app),
        credentials=credentials,
        retry=RetryPolicy(max_attempts=attempts, random=lambda: 0.5),
        sleep=lambda seconds: asyncio.sleep(0),
    )


def script(tmp_path: Path, body: str, name: str = "token.py") -> str:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return f"{sys.executable} {path}"


async def failure(emulator: Emulator, credential: CommandCredential) -> str:
    """The message of the error a plan read stops with."""
    sent = len(emulator.requests)
    async with in_process(emulator, lambda site: credential) as client:
        with pytest.raises(CredentialUnavailable) as caught:
            await client.site(SITE).get_social_marketing_plan()
    assert len(emulator.requests) == sent, "nothing is sent without a token"
    return str(caught.value)


async def test_the_command_is_given_the_site_and_instance_ids(
    faithful: Emulator, tmp_path: Path
) -> None:
    token = faithful.issue_user_token(SITE)
    seen = tmp_path / "argv"
    body = f"import sys\nopen({str(seen)!r}, 'w').write(' '.join(sys.argv[1:]))\nprint({token!r})\n"
    command = script(tmp_path, body) + " --site {siteId} --instance {instanceId}"
    credential = CommandCredential(command, SITE, instance_id="inst-9")
    async with in_process(faithful, lambda site: credential) as client:
        await client.site(SITE).get_social_marketing_plan()
    assert seen.read_text() == f"--site {SITE} --instance inst-9"


async def test_an_id_the_command_could_read_as_an_option_is_refused_and_not_run(
    faithful: Emulator, tmp_path: Path
) -> None:
    """The site files and `--instance-id` give GUIDs; this is the last guard, for any other
    caller: a value starting with '-' would reach the command as one of its options."""
    ran = tmp_path / "ran"
    body = f"open({str(ran)!r}, 'w').write('ran')\nprint('x')\n"
    command = script(tmp_path, body) + " --site {siteId} --instance {instanceId}"
    credential = CommandCredential(command, SITE, instance_id="--delete-all", origin=ORIGIN)
    assert await failure(faithful, credential) == (
        f"the credential command ({ORIGIN}) was not run: its {{instanceId}} '--delete-all' "
        "starts with '-'"
    )
    assert not ran.exists()


async def test_the_command_never_reads_mprs_own_standard_input(
    faithful: Emulator, tmp_path: Path
) -> None:
    """A prompt in the command meets the end of its input at once, never a user's terminal
    or a CI job's input (here a pipe holding text)."""
    token = faithful.issue_user_token(SITE)
    heard = tmp_path / "heard"
    body = f"import sys\nopen({str(heard)!r}, 'w').write(sys.stdin.read())\nprint({token!r})\n"
    credential = CommandCredential(script(tmp_path, body), SITE)
    with standard_input(b"typed by someone\n"):
        async with in_process(faithful, lambda site: credential) as client:
            await client.site(SITE).get_social_marketing_plan()
    assert heard.read_text() == ""


class standard_input:  # noqa: N801 - used like a function, in `with`
    """File descriptor 0 of this process reads `data` from a pipe for the block."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __enter__(self) -> None:
        self.saved = os.dup(0)
        reading, writing = os.pipe()
        os.write(writing, self.data)
        os.close(writing)
        os.dup2(reading, 0)
        os.close(reading)

    def __exit__(self, *exc: object) -> None:
        os.dup2(self.saved, 0)
        os.close(self.saved)


async def test_a_command_that_cannot_start_is_named(faithful: Emulator, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-wix"
    credential = CommandCredential(f"{missing} token --site {{siteId}}", SITE, origin=ORIGIN)
    assert await failure(faithful, credential) == (
        f"the credential command ({ORIGIN}) could not start '{missing}': No such file or directory"
    )


@pytest.mark.parametrize("length", [400, 401, 2000])
async def test_a_failing_command_shows_the_last_400_characters_it_said(
    faithful: Emulator, tmp_path: Path, length: int
) -> None:
    said = "".join(chr(ord("a") + n % 26) for n in range(length))
    body = f"import sys\nsys.stderr.write({said!r})\nsys.exit(2)\n"
    message = await failure(faithful, CommandCredential(script(tmp_path, body), SITE))
    shown = said if length <= 400 else "…" + said[-400:]
    assert message.endswith(f"exited with status 2; it said: {shown}")


async def test_bytes_that_are_not_utf8_do_not_stop_the_command_being_read(
    faithful: Emulator, tmp_path: Path
) -> None:
    token = faithful.issue_user_token(SITE)
    body = f"import sys\nsys.stdout.buffer.write(b'\\xff\\xfe banner\\n')\nprint({token!r})\n"
    credential = CommandCredential(script(tmp_path, body), SITE)
    async with in_process(faithful, lambda site: credential) as client:
        assert (await client.site(SITE).get_social_marketing_plan()).status == "NEVER_CREATED"
    failing = "import sys\nsys.stderr.buffer.write(b'bad \\xff byte')\nsys.exit(1)\n"
    message = await failure(
        faithful, CommandCredential(script(tmp_path, failing, "failing.py"), SITE)
    )
    assert message.endswith("exited with status 1; it said: bad \ufffd byte")


async def test_a_token_the_command_printed_never_shows_in_its_error(
    faithful: Emulator, tmp_path: Path
) -> None:
    """The token is one line of what it printed; its complaint on stderr repeats it."""
    body = (
        f"import sys\nprint('Using account dev@example.com')\nprint({TOKEN!r})\n"
        f"sys.stderr.write('this token expired: ' + {TOKEN!r})\nsys.exit(4)\n"
    )
    message = await failure(faithful, CommandCredential(script(tmp_path, body), SITE))
    assert message.startswith("the credential command (auth.wixUser.command) exited with status 4")
    assert TOKEN not in message and "this token expired: " in message


async def test_a_token_the_command_only_complained_about_is_masked_its_other_words_kept(
    faithful: Emulator, tmp_path: Path
) -> None:
    """A token mpr never learnt (the command printed it only on stderr) is masked by its
    look: digits with upper- and lower-case letters. A path, a name in capitals with digits
    and a long word without any digit are what the user needs to fix the sign-in: kept."""
    unknown = "eyJhbGciOiJIUzI1NiJ9Ab3xYz0123456789"
    said = (
        f"wix: refresh token {unknown} was revoked by AuthenticationRequiredByWixServer; "
        "see /home/dev/.wix/auth-config-2026-12.json or set WIX_LOGIN_AGAIN_0123456789ABCDEF"
    )
    body = f"import sys\nsys.stderr.write({said!r})\nsys.exit(3)\n"
    message = await failure(faithful, CommandCredential(script(tmp_path, body), SITE))
    assert message.endswith(
        "exited with status 3; it said: wix: refresh token *** was revoked by "
        "AuthenticationRequiredByWixServer; see /home/dev/.wix/auth-config-2026-12.json or "
        "set WIX_LOGIN_AGAIN_0123456789ABCDEF"
    )


async def test_two_sites_commands_run_at_once(emulator_clock: ManualClock, tmp_path: Path) -> None:
    """Each command waits until the other has started: run one after the other, the first
    would give up (nothing printed) and its site would fail."""
    other = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    emulator = Emulator(EmulatorConfig(lenient_auth=False), emulator_clock)
    emulator.load_fixtures({"sites": [{"id": SITE}, {"id": other}]})
    tokens = {site: emulator.issue_user_token(site) for site in (SITE, other)}
    body = (
        "import sys, time, pathlib\n"
        f"folder = pathlib.Path({str(tmp_path)!r})\n"
        "site = sys.argv[1]\n(folder / (site + '.started')).touch()\n"
        "for _ in range(300):\n"
        "    if len(list(folder.glob('*.started'))) == 2:\n"
        f"        print({tokens!r}[site]); break\n"
        "    time.sleep(0.02)\n"
    )
    command = script(tmp_path, body) + " {siteId}"
    credentials = {site: CommandCredential(command, site, timeout_seconds=30) for site in tokens}
    async with in_process(emulator, credentials.get) as client:
        plans = await asyncio.gather(
            *(client.site(site).get_social_marketing_plan() for site in tokens),
            return_exceptions=True,
        )
    assert [p if isinstance(p, BaseException) else p.status for p in plans] == ["NEVER_CREATED"] * 2


class Together:
    """The emulator's pause, once armed: the first `armed` requests wait for each other, so
    they reach Wix (and are answered) together."""

    def __init__(self) -> None:
        self.armed = 0
        self.arrived = 0
        self.all_here = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        if not self.armed:
            return
        self.arrived += 1
        if self.arrived == self.armed:
            self.all_here.set()
        await self.all_here.wait()


async def test_a_token_refused_by_two_requests_at_once_is_renewed_once(
    emulator_clock: ManualClock, tmp_path: Path
) -> None:
    together = Together()
    config = EmulatorConfig(lenient_auth=False, latency_seconds=0.001)
    emulator = Emulator(config, emulator_clock, together)
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    runs, token = tmp_path / "runs", tmp_path / "token"
    body = f"open({str(runs)!r}, 'a').write('run\\n')\nprint(open({str(token)!r}).read())\n"
    token.write_text(emulator.issue_user_token(SITE))
    credential = CommandCredential(script(tmp_path, body), SITE)
    async with in_process(emulator, lambda site: credential, attempts=1) as client:
        site = client.site(SITE)
        await site.get_social_marketing_plan()
        emulator.revoke_tokens(SITE)
        token.write_text(emulator.issue_user_token(SITE))
        together.armed = 2  # both answered 401 before either renews the token
        await asyncio.gather(site.get_social_marketing_plan(), site.get_marketing_settings())
    assert runs.read_text().splitlines() == ["run", "run"], "one renewal for both"
    assert [r.status for r in emulator.requests] == [200, 401, 401, 200, 200]


async def test_a_request_sent_again_after_a_renewal_is_the_same_request(
    emulator_clock: ManualClock, tmp_path: Path
) -> None:
    """Refused (401) with a token that has expired, the request goes again with a new one:
    the same query, the same body, and an answer it cannot read named by its method."""
    emulator = Emulator(EmulatorConfig(lenient_auth=False), emulator_clock)
    unreadable = {"status": 200, "body": {"planStatus": "ACTIVE"}}
    emulator.load_fixtures(
        {"sites": [{"id": SITE, "answers": {"GetSocialMarketingPlan": unreadable}}]}
    )
    token = tmp_path / "token"
    token.write_text(emulator.issue_user_token(SITE))
    credential = CommandCredential(script(tmp_path, f"print(open({str(token)!r}).read())\n"), SITE)
    start = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)

    def renew() -> None:
        emulator.revoke_tokens(SITE)
        token.write_text(emulator.issue_user_token(SITE))

    async with in_process(emulator, lambda site: credential, attempts=1) as client:
        site = client.site(SITE)
        await site.get_marketing_settings()
        renew()
        await site.query_events(start, start)
        renew()
        with pytest.raises(UnexpectedAnswer) as unread:
            await site.get_social_marketing_plan(start=start)
    assert unread.value.message.startswith("GetSocialMarketingPlan: unexpected response shape")
    query, query_again, plan, plan_again = emulator.requests[1:]
    assert (query.status, query_again.status, plan.status, plan_again.status) == (
        401,
        200,
        401,
        200,
    )
    assert query_again.body == query.body and query.body["query"]["filter"]["date"]
    assert plan_again.query == plan.query == {"timeframe.startDate": "2026-08-03T09:00:00.000Z"}


@pytest.fixture
def api_key_refused(emulator_clock: ManualClock) -> Iterator[Emulator]:
    emulator = Emulator(EmulatorConfig(lenient_auth=False), emulator_clock)
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    yield emulator


async def test_an_api_key_refused_with_403_says_which_identities_work(
    api_key_refused: Emulator,
) -> None:
    async with WixClient(
        base_url=BASE,
        transport=httpx.ASGITransport(app=api_key_refused.app),
        api_key="IST.an-api-key-value-0123456789",
        retry=RetryPolicy(max_attempts=1),
    ) as client:
        with pytest.raises(PermissionDenied) as caught:
            await client.site(SITE).get_social_marketing_plan()
    assert (
        "Wix refused the API key in WIX_API_KEY: the Marketing Plan APIs accept only a Wix app "
        "or a Wix user identity; configure `auth: {wixApp: ...}` or `auth: {wixUser: ...}` for "
        "the site (README: Connecting to Wix)"
    ) in str(caught.value)
