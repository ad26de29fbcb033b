"""``mpr emulator serve``: run the local Wix API emulator on a loopback port.

Thin by design: parse options, build an ``Emulator``, load the site fixtures, serve with
uvicorn until interrupted. Heavy imports happen inside the command so ``mpr --help`` stays
fast.
"""

from __future__ import annotations

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
    help="Accept only these API keys (repeatable); default: any non-empty key.",
)
@click.option(
    "--auto-create-sites/--no-auto-create-sites",
    default=None,
    help="Create unknown sites on first use (overrides the fixture file).",
)
@click.option("--seed", default=None, help="Make generated ids deterministic.")
def serve(
    port: int,
    host: str,
    sites_file: str | None,
    generation_seconds: float | None,
    latency: float,
    api_keys: tuple[str, ...],
    auto_create_sites: bool | None,
    seed: str | None,
) -> None:
    """Serve the emulator at http://HOST:PORT until interrupted."""
    from reconciler.emulator import Emulator, EmulatorConfig, FixtureError
    from reconciler.emulator import serve as run_server

    emu = Emulator(
        EmulatorConfig(latency_seconds=latency, accepted_api_keys=frozenset(api_keys), seed=seed)
    )
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
    if overrides:
        emu.configure(**overrides)
    click.echo(
        f"mpr emulator: http://{host}:{port} serving {len(site_ids)} site(s); "
        f"control plane at /_emulator/",
        err=True,
    )
    run_server(emu, host=host, port=port)
