"""`mpr options SITE_ID…|PATH…`: what each site offers for the goal, the point of view and
calendars, and its settings defaults.

The seeds' second flow: read the plan-goal and point-of-view options (and calendars and
defaults), then write settings from them. Reads only. A site named by its id needs no file:
mpr signs in as the Wix app with `--instance-id`, as a Wix user with `--token-command`, as
the emulator's app with `--emulator`, else with the API key.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace

import click

from reconciler.cli import exitcodes
from reconciler.cli.app import App
from reconciler.cli.options import (
    instance_id_option,
    instance_ids,
    text_or_json_option,
    with_app,
)
from reconciler.config.values import guid
from reconciler.engine.fleet import every
from reconciler.engine.options import read_options
from reconciler.errors import ApiError
from reconciler.model.auth import SiteAuth, WixAppAuth, WixUserAuth
from reconciler.model.site import NO_FILE, DesiredSite, SiteId
from reconciler.render.options import SiteOptionsRead, render_options


async def read_all(app: App, sites: Sequence[DesiredSite]) -> list[SiteOptionsRead]:
    async with app.client(sites) as client:

        async def one(site: DesiredSite) -> SiteOptionsRead:
            try:
                return site, await read_options(client.site(site.id)), ""
            except ApiError as exc:
                return site, None, str(exc)

        return await every(sites, one)


def targets(
    app: App, given: Sequence[str], instances: Mapping[str, str], token_command: str | None
) -> list[DesiredSite]:
    """The sites of the files and folders given, then those given by id (in that order)."""
    if instances and token_command:
        raise click.UsageError("give --instance-id or --token-command, not both")
    paths = [g for g in given if os.path.exists(g)]  # False, not an error, for any odd name
    sites = list(app.load(paths)) if paths else []
    for raw in (g for g in given if not os.path.exists(g)):
        try:
            site = DesiredSite(SiteId(guid(raw.strip())), "", NO_FILE)
        except ValueError:
            raise click.BadParameter(
                f"{raw!r} is neither a site file or folder nor a site id (a GUID)",
                param_hint="SITE_ID|PATH",
            ) from None
        auth = _signing_in(app, site.id, instances, token_command)
        sites.append(replace(site, auth=auth) if auth else site)
    unknown = sorted(set(instances) - {site.id for site in sites if not site.from_file})
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)} is not a site given by id", param_hint="--instance-id"
        )
    return sites


def _signing_in(
    app: App, site_id: str, instances: Mapping[str, str], token_command: str | None
) -> SiteAuth | None:
    """How a site given by id signs in (None: the API key, as a site file without `auth`).

    With --emulator and no other choice, as the emulator's own app: it refuses API keys,
    as Wix does, and a site id is all the emulator needs to know its instance.
    """
    if site_id in instances:
        return WixAppAuth(instances[site_id])
    if token_command:
        return WixUserAuth(token_command)
    instance = app.emulated_instance(site_id)
    return WixAppAuth(instance) if instance else None


sign_in_as_app_option = instance_id_option(
    "For a site given by id: sign in as the Wix app in WIX_APP_ID/WIX_APP_SECRET, "
    "installed there as INSTANCE_ID (repeatable)."
)
token_command_option = click.option(
    "--token-command",
    metavar="COMMAND",
    help="For sites given by id: sign in as a Wix user with the token COMMAND prints, e.g. "
    "'wix token --site {siteId}' (default: the API key; with --emulator, its app).",
)


@click.command("options")
@click.argument("given", nargs=-1, required=True, metavar="SITE_ID|PATH...")
@with_app
@text_or_json_option
@sign_in_as_app_option
@token_command_option
def options(
    app: App,
    given: tuple[str, ...],
    fmt: str,
    instances: tuple[str, ...],
    token_command: str | None,
) -> int:
    """Show the live options of the sites given (by site id, or by site file or folder):
    plan goals, points of view, calendars (id and title) and the settings defaults."""
    sites = targets(app, given, instance_ids(instances), token_command)
    found = asyncio.run(read_all(app, sites))
    click.echo(render_options(found, fmt), nl=False)
    return exitcodes.ERROR if any(options is None for _, options, _ in found) else exitcodes.OK
