"""``mpr emulator serve``: run the local Wix API emulator on a loopback port.

Thin by design: parse options, build an ``Emulator``, load the site fixtures, serve with
uvicorn until interrupted. Heavy imports happen inside the command so ``mpr --help`` stays
fast.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence

import click


@click.group("emulator")
def emulator() -> None:
    """Run the local Wix Marketing Plan API emulator."""


@emulator.command("serve")
@click.option("--port", type=int, default=8080, show_default=True, help="TCP port (0: any).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML file of site fixtures to seed.",
)
@click.option(
    "--generation-seconds",
    type=float,
    default=None,
    help="Seconds a plan generation takes (default 2).",
)
@click.option(
    "--latency",
    type=float,
    default=0.0,
    show_default=True,
    help="Extra seconds of latency per API request.",
)
@click.option(
    "--api-key",
    "api_keys",
    multiple=True,
    help="With --lenient-auth: accept only these API keys (repeatable); default: any.",
)
@click.option(
    "--lenient-auth",
    is_flag=True,
    help="Accept API keys too. Default (faithful, like Wix): only a Wix app or Wix user token.",
)
@click.option(
    "--token-seconds",
    type=float,
    default=None,
    help="Lifetime of issued access tokens (default 14400, as Wix).",
)
@click.option(
    "--auto-create-sites/--no-auto-create-sites",
    default=None,
    help="Create unknown sites on first use (overrides the fixture file).",
)
@click.option("--seed", default=None, help="Make generated ids deterministic.")
@click.option(
    "--for",
    "site_paths",
    multiple=True,
    type=click.Path(exists=True),
    metavar="PATH",
    help="Site files or folders (repeatable): also print exports for the app variables "
    "their auth.wixApp names (appIdEnv, appSecretEnv), e.g. examples/sites.",
)
def serve(
    port: int,
    host: str,
    sites_file: str | None,
    generation_seconds: float | None,
    latency: float,
    api_keys: tuple[str, ...],
    lenient_auth: bool,
    token_seconds: float | None,
    auto_create_sites: bool | None,
    seed: str | None,
    site_paths: tuple[str, ...],
) -> None:
    """Serve the emulator at http://HOST:PORT until interrupted.

    It prints what a client needs to sign in as the emulator's Wix app: the app id and
    secret to export (also under the names the site files given with --for use), and each
    site's app instance id (auth.wixApp.instanceId).
    """
    from reconciler.emulator import Emulator, EmulatorConfig, FixtureError
    from reconciler.emulator import serve as run_server
    from reconciler.errors import ConfigError

    emu = Emulator(
        EmulatorConfig(
            latency_seconds=latency,
            accepted_api_keys=frozenset(api_keys),
            lenient_auth=lenient_auth,
            seed=seed,
        )
    )
    variables = app_variables(site_paths)
    site_ids: list[str] = []
    if sites_file:
        try:
            site_ids = emu.load_fixtures_file(sites_file)
        except FixtureError as exc:
            raise click.ClickException(str(exc)) from None
    overrides: dict[str, object] = {}
    if generation_seconds is not None:
        overrides["generation_seconds"] = generation_seconds
    if auto_create_sites is not None:
        overrides["auto_create_sites"] = auto_create_sites
    if token_seconds is not None:
        overrides["token_seconds"] = token_seconds
    if overrides:
        emu.configure(**overrides)

    def listening(url: str) -> None:
        click.echo(
            f"mpr emulator: {url} serving {len(site_ids)} site(s); control plane at /_emulator/",
            err=True,
        )
        app = emu.app_credentials()
        click.echo(sign_in_help(url, app, emu.config.lenient_auth, variables), err=True)

    try:
        run_server(emu, host=host, port=port, listening=listening)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise ConfigError(f"port {port} is in use: choose another with --port") from None


def app_variables(paths: Sequence[str]) -> list[tuple[str, str]]:
    """The (app id, app secret) variable names the sites under `paths` sign in with, other
    than the defaults, in order of first use; ConfigError when a file cannot be read."""
    if not paths:
        return []
    from reconciler.config import check_sites
    from reconciler.errors import ConfigInvalid
    from reconciler.model.auth import WixAppAuth

    checked = check_sites(paths)
    if checked.errors:
        raise ConfigInvalid(checked.errors)
    pairs = [
        (site.auth.app_id_env, site.auth.app_secret_env)
        for site in checked.sites
        if isinstance(site.auth, WixAppAuth)
    ]
    return [pair for pair in dict.fromkeys(pairs) if pair != ("WIX_APP_ID", "WIX_APP_SECRET")]


def sign_in_help(
    url: str, app: dict[str, object], lenient: bool, variables: Sequence[tuple[str, str]] = ()
) -> str:
    """The lines that tell a user how to point mpr at this emulator as its Wix app
    (`variables`: other names site files give the app's id and secret)."""
    mode = "API keys are accepted too" if lenient else "API keys are refused, as Wix does"
    lines = [
        f"Sign in as the emulator's Wix app ({mode}):",
        f"  export WIX_API_BASE_URL={url}",
        f"  export WIX_APP_ID={app['appId']}",
        f"  export WIX_APP_SECRET={app['appSecret']}",
    ]
    for id_name, secret_name in variables:
        lines.append(f"  export {id_name}={app['appId']}")
        lines.append(f"  export {secret_name}={app['appSecret']}")
    instances = app.get("instances")
    if isinstance(instances, dict) and instances:
        lines.append("App instance ids (auth.wixApp.instanceId in each site file):")
        lines += [f"  site {site} → instance {instance}" for site, instance in instances.items()]
    lines.append("A Wix user token for a site, as `wix token --site ID` would print it:")
    lines.append("  mpr emulator token --site SITE_ID")
    return "\n".join(lines)


@emulator.command("token")
@click.option("--site", "site_id", required=True, help="The site id the token is for.")
@click.option(
    "--url",
    envvar="WIX_API_BASE_URL",
    required=True,
    help="The running emulator (default: $WIX_API_BASE_URL).",
)
def token(site_id: str, url: str) -> None:
    """Print a Wix user token for SITE from a running emulator (stands in for `wix token`)."""
    from reconciler.emulator.remote import RemoteError, request_user_token

    try:
        click.echo(request_user_token(url, site_id))
    except RemoteError as exc:
        raise click.ClickException(str(exc)) from None
