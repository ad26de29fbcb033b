"""`mpr doctor SITE_ID…|PATH…`: before the first write, check that each live site answers in
a way mpr can act on. Reads only: the sign-in and every read method mpr uses, once each.

Sites are given as for `mpr options`: by site file or folder (signing in as the file's `auth`
says), or by id (the API key, or a Wix user with `--token-command`). `--record DIR` saves the
answers, masked, as an emulator fixture (DIR/fixture.json) and, for sites given by file, their
declared state masked the same way (DIR/sites/<site id>.yaml), so that
`mpr plan DIR/sites --emulator DIR/fixture.json` shows what a plan of the live sites showed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from reconciler.cli import exitcodes
from reconciler.cli.app import App
from reconciler.cli.options import instance_ids, text_or_json_option, with_app
from reconciler.cli.options_cmd import (
    sign_in_as_app_option,
    targets,
    token_command_option,
)
from reconciler.cli.outfile import save
from reconciler.config.export import render_site_file
from reconciler.config.masking import masked_site
from reconciler.engine.fleet import every
from reconciler.model.site import DesiredSite
from reconciler.render.doctor import Examined, render_doctor
from reconciler.wix.inspect import SiteInspection, inspect_site
from reconciler.wix.recording import Masker, fixture

FIXTURE = "fixture.json"
SCHEMA = "https://example.invalid/mpr/site.schema.json"
"""The modeline of a masked site file: it lives outside the repository, so no relative path."""


async def examine(app: App, sites: Sequence[DesiredSite]) -> list[Examined]:
    async with app.client(sites) as client:

        async def one(site: DesiredSite) -> Examined:
            return site, await inspect_site(client, site.id, datetime.now(UTC))

        return await every(sites, one)


def record(app: App, found: Sequence[Examined], folder: str) -> str:
    """Write the masked recording to `folder`; the line that says where and how to replay."""
    masker = Masker(app.redactor)
    inspections: list[SiteInspection] = [inspection for _, inspection in found]
    text = json.dumps(fixture(inspections, masker), indent=2, ensure_ascii=False) + "\n"
    save(str(Path(folder) / FIXTURE), text, "the recorded answers")
    files = 0
    for site, _ in found:
        if not site.from_file:
            continue
        exported = masked_site(site, masker.text, masker.json)
        path = Path(folder) / "sites" / f"{site.id}.yaml"
        save(str(path), render_site_file(exported, SCHEMA), "a masked site file")
        files += 1
    replay = f"mpr plan {Path(folder) / 'sites'} --emulator {Path(folder) / FIXTURE}"
    how = f"; replay: {replay}" if files else ""
    return f"Recorded {len(found)} site(s), masked, to {folder}{how}"


@click.command("doctor")
@click.argument("given", nargs=-1, required=True, metavar="SITE_ID|PATH...")
@with_app(regenerate=False)
@text_or_json_option
@sign_in_as_app_option
@token_command_option
@click.option(
    "--record",
    "record_dir",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Also save the answers, with every secret and free text masked, as an emulator "
    f"fixture (DIR/{FIXTURE}) and the sites given by file as masked site files "
    "(DIR/sites/), to replay with `mpr plan DIR/sites --emulator DIR/fixture.json`.",
)
def doctor(
    app: App,
    given: tuple[str, ...],
    fmt: str,
    instances: tuple[str, ...],
    token_command: str | None,
    record_dir: str | None,
) -> int:
    """Check, without writing anything, that the live sites given (by site id, or by site
    file or folder) answer every read method in a way mpr can act on: status, time, the
    identity used, and each answer's members against what mpr reads. Exit 0: every answer
    can be acted on; 1: at least one cannot (its site would stop plan and apply)."""
    sites = targets(app, given, instance_ids(instances), token_command)
    found = asyncio.run(examine(app, sites))
    click.echo(render_doctor(found, fmt), nl=False)
    if record_dir is not None:
        click.echo(record(app, found, record_dir), err=True)
    ready = all(inspection.usable for _, inspection in found)
    return exitcodes.OK if ready else exitcodes.ERROR
