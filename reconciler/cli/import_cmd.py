"""`mpr import SITE_ID[=NAME]…`: write the site file that declares a live site as it is.

The file holds the writable settings that are set, the per-tool frequency overrides and the
events that are not read-only, with the schema modeline and every policy value spelled out.
The promise, checked before the command returns: `mpr validate` accepts the file and
`mpr plan` on it shows no changes. Where the default policy would act by itself right away
(schedule drafts already in the horizon, regenerate an INACTIVE plan), that part of the
policy is turned off and the file's header says so. Existing files are kept unless
--overwrite is given. `--instance-id` (sign in as the Wix app) or `--token-command` (as a Wix
user) chooses how mpr signs in, and the written file keeps that choice in its `auth`.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import click

from reconciler.cli import exitcodes, outfile
from reconciler.cli.app import App, Hooks
from reconciler.cli.console import warn
from reconciler.cli.options import (
    emulator_option,
    instance_id_option,
    instance_ids,
    parallelism_option,
    state_option,
)
from reconciler.config import export as exporting
from reconciler.config import load_sites
from reconciler.config.values import guid
from reconciler.engine.fleet import every
from reconciler.engine.importing import LiveRead, adoption_policy, read_live_sites
from reconciler.engine.options import unique_titles
from reconciler.engine.runtime import Runtime
from reconciler.errors import ApiError, ConfigError
from reconciler.model.auth import SiteAuth, WixAppAuth, WixUserAuth
from reconciler.model.events import wire_time
from reconciler.model.site import DesiredSite, LiveSite, SiteId


@dataclass(frozen=True)
class Target:
    """One site to import and the file it goes to."""

    site_id: str
    name: str
    path: Path
    auth: SiteAuth | None = None

    def signing_in(self) -> DesiredSite:
        """A stand-in site that carries only how to sign in, for the client."""
        site = DesiredSite(SiteId(self.site_id), self.name, str(self.path))
        return site if self.auth is None else replace(site, auth=self.auth)


@click.command("import")
@click.argument("sites", nargs=-1, required=True, metavar="SITE_ID[=NAME]...")
@click.option(
    "--out",
    "out_dir",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The folder to write the site files to (one <name or id>.yaml per site).",
)
@click.option("--overwrite", is_flag=True, help="Replace site files that already exist.")
@click.option(
    "--schema",
    default=None,
    help="The $schema of the modeline (default: schemas/site.schema.json from the "
    "current folder, relative to the file).",
)
@instance_id_option(
    "Sign in to SITE_ID as the Wix app in WIX_APP_ID/WIX_APP_SECRET, installed there "
    "as INSTANCE_ID (repeatable); the file gets auth.wixApp."
)
@click.option(
    "--token-command",
    metavar="COMMAND",
    help="Sign in as a Wix user with the token COMMAND prints, e.g. "
    "'wix token --site {siteId}'; the files get auth.wixUser.",
)
@emulator_option
@parallelism_option
@state_option
@click.pass_context
def import_sites(
    ctx: click.Context,
    sites: tuple[str, ...],
    out_dir: str,
    overwrite: bool,
    schema: str | None,
    instances: tuple[str, ...],
    token_command: str | None,
    emulator_fixture: str | None,
    parallelism: int,
    state_file: str,
) -> int:
    """Write a site file for each live site given (by id, optionally =NAME for people).

    Signs in with the API key in WIX_API_KEY unless --instance-id or --token-command says
    otherwise (README: Connecting to Wix).
    """
    app = App(
        emulator_fixture=emulator_fixture,
        state_file=state_file,
        parallelism=parallelism,
        hooks=ctx.find_object(Hooks) or Hooks(),
    )
    targets = _with_auth(_targets(sites, Path(out_dir), overwrite), instances, token_command)
    runtime = app.runtime()
    reads, titles = asyncio.run(_read(app, runtime, targets))
    failed = 0
    for target, read, titled in zip(targets, reads, titles, strict=True):
        if read.live is None:
            click.echo(f"Error: {target.site_id}: cannot read the site: {read.error}", err=True)
            failed += 1
            continue
        _write(app, runtime, target, read.live, schema, titled)
    return exitcodes.ERROR if failed else exitcodes.OK


async def _read(
    app: App, runtime: Runtime, targets: Sequence[Target]
) -> tuple[list[LiveRead], list[dict[str, str]]]:
    """Each site's live state, and its calendars' titles where unique (none when unreadable)."""
    async with app.client([t.signing_in() for t in targets]) as client:
        site_ids = [t.site_id for t in targets]
        reads = await read_live_sites(client, site_ids, runtime, app.parallelism)

        async def titles(site_id: str) -> dict[str, str]:
            try:
                return await unique_titles(client.site(site_id))
            except ApiError:
                return {}  # the calendars are then written by id

        return reads, await every(site_ids, titles)


def _with_auth(
    targets: list[Target], instances: Sequence[str], command: str | None
) -> list[Target]:
    """Each target with the `auth` the options give it (none: the API key)."""
    by_site = instance_ids(instances)
    unknown = sorted(set(by_site) - {t.site_id for t in targets})
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)} is not imported", param_hint="--instance-id"
        )
    if by_site and command:
        raise click.UsageError("give --instance-id or --token-command, not both")
    result = []
    for target in targets:
        auth: SiteAuth | None = None
        if target.site_id in by_site:
            auth = WixAppAuth(by_site[target.site_id])
        elif by_site:
            raise click.UsageError(f"--instance-id is missing for {target.site_id}")
        elif command:
            auth = WixUserAuth(command)
        result.append(replace(target, auth=auth))
    return result


def _targets(given: Sequence[str], folder: Path, overwrite: bool) -> list[Target]:
    targets: list[Target] = []
    taken: set[Path] = set()
    seen: dict[str, str] = {}
    for raw in given:
        text, _, name = raw.partition("=")
        try:
            site_id = guid(text.strip())
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="SITE_ID") from None
        if site_id in seen:
            raise click.BadParameter(
                f"{site_id} is given twice ({seen[site_id]!r} and {raw!r}): a site has one "
                "file, so import each site once",
                param_hint="SITE_ID",
            )
        seen[site_id] = raw
        if len(name.strip()) > MAX_NAME:
            raise click.BadParameter(
                f"the name given to {site_id} is {len(name.strip())} characters long; a site "
                f"name is at most {MAX_NAME}",
                param_hint="NAME",
            )
        stem = _slug(name)[:MAX_STEM].strip("-") or site_id
        path = folder / f"{stem}.yaml"
        if path in taken:
            path = folder / f"{stem}-{site_id[:8]}.yaml"
        if os.path.lexists(path) and not overwrite:  # a link too; False for any odd name
            raise ConfigError(f"{path} exists: pass --overwrite to replace it")
        taken.add(path)
        # Wix has no site name to read: without =NAME the file names the site by its id.
        targets.append(Target(site_id, name.strip() or site_id, path))
    return targets


MAX_NAME = 200
"""site.name's limit in a site file."""
MAX_STEM = 80
"""File names made from a site name stay well under every file system's limit."""


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _write(
    app: App,
    runtime: Runtime,
    target: Target,
    live: LiveSite,
    schema: str | None,
    titles: Mapping[str, str],
) -> None:
    """Build, tune the policy, write, and prove the promise on the written file."""
    secret = app.env.get("WIX_API_KEY", "")
    source = str(target.path)
    exported = exporting.site_document(
        target.site_id, target.name, live.settings_document, live.events, secret=secret
    )
    if target.auth is not None:
        exported.document["auth"] = _auth_document(target.auth)
    desired = exporting.desired_site(exported.document, source)
    now = runtime.clock.now()
    policy, notes, still = adoption_policy(
        desired, live, now=now, pending=runtime.journal.pending(target.site_id)
    )
    exported.document["policy"] = exporting.policy_document(policy)
    # By title only now: the policy above was judged on the ids the plan will compare.
    exporting.name_calendars(exported.document, titles)
    # An entry of Wix's answers mpr could not read is not in the file: never a silent "none".
    unread = [f"not read from Wix, so this file may lack it: {note}" for note in live.notes]
    header = [
        f"Imported from Wix by `mpr import` at {wire_time(now)}: the live settings and events "
        "of this site, so that `mpr plan` on this file shows no changes.",
        *notes,
        *unread,
    ]
    text = exporting.render_site_file(exported, schema or _schema_ref(target.path), header)
    # Whole or not at all, and a symlink in the folder is replaced, never written through.
    outfile.save(str(target.path), text, "the imported site file")
    _verify(app, target, exporting.desired_site(exported.document, source))
    settings = len(desired.settings)
    click.echo(
        f"wrote {target.path}: {settings} setting(s), {len(desired.events)} event(s)"
        f"{f', {len(exported.notes)} left out' if exported.notes else ''}"
    )
    for note in exported.notes:
        warn(f"{target.path}: left out (not managed here): {note}")
    for note in [*notes, *still, *unread]:
        warn(f"{target.path}: {note}")


def _verify(app: App, target: Target, expected: DesiredSite) -> None:
    """The written file must load to exactly what was meant (a bug here must not go unseen)."""
    loaded = load_sites([str(target.path)], env=app.env).sites
    if (
        len(loaded) != 1
        or loaded[0].settings != expected.settings
        or loaded[0].events != expected.events
        or loaded[0].policy != expected.policy
    ):
        raise ConfigError(f"{target.path}: the written file does not read back as imported")


def _auth_document(auth: SiteAuth) -> dict[str, object]:
    if isinstance(auth, WixAppAuth):
        return {"wixApp": {"instanceId": auth.instance_id}}
    if isinstance(auth, WixUserAuth):
        return {"wixUser": {"command": auth.command}}
    return {"apiKey": {"env": auth.env}}


def _schema_ref(path: Path) -> str:
    schema = Path.cwd() / "schemas" / "site.schema.json"
    relative = os.path.relpath(schema, path.parent.resolve())
    return Path(relative).as_posix()
