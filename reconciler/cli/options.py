"""Options shared by several commands, declared once."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

import click

from reconciler.config.shard import Shard, parse_shard

F = TypeVar("F", bound=Callable[..., Any])


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> Shard | None:
    """`--shard I/N`: part I of N (1 ≤ I ≤ N); a malformed value is a usage error (exit 3)."""
    if value is None:
        return None
    try:
        return parse_shard(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


paths_argument = click.argument("paths", nargs=-1, required=True, type=click.Path())

site_option = click.option(
    "--site",
    "selectors",
    multiple=True,
    metavar="SEL",
    help="Only these sites: a site id, a name glob, or label=value; !SEL leaves those "
    "sites out. Repeatable.",
)
parallelism_option = click.option(
    "--max-in-flight",
    "--parallelism",
    "parallelism",
    default=64,  # = reconciler.wix.client.DEFAULT_MAX_CONNECTIONS (not imported: --help stays fast)
    show_default=True,
    type=click.IntRange(1, 1024),
    metavar="N",
    help="How many HTTP requests to Wix may be in flight at once. Every site moves at once "
    "and a site waiting for Wix holds none. (--parallelism is the old name.)",
)
emulator_option = click.option(
    "--emulator",
    "emulator_fixture",
    metavar="FIXTURE",
    type=click.Path(exists=True, dir_okay=False),
    help="Run against an in-process Wix emulator seeded from this fixture file.",
)
DEFAULT_STATE_FILE = ".mpr/state.json"
state_option = click.option(
    "--state-file",
    default=DEFAULT_STATE_FILE,
    show_default=True,
    envvar="MPR_STATE_FILE",
    type=click.Path(dir_okay=False),
    help="Where apply records a regenerate it made due, in case it is cut short.",
)
no_regenerate_option = click.option(
    "--no-regenerate",
    is_flag=True,
    help="Report a due regenerate as a skipped step instead of running it.",
)


shard_option = click.option(
    "--shard",
    metavar="I/N",
    default=None,
    callback=_shard,
    help="Only part I of N of the selected sites (a stable split by site id, for CI matrices).",
)
github_option = click.option(
    "--github",
    is_flag=True,
    help="In GitHub Actions: write the result to $GITHUB_OUTPUT and a summary to "
    "$GITHUB_STEP_SUMMARY.",
)
comment_option = click.option(
    "--comment",
    "comment_file",
    type=click.Path(dir_okay=False),
    help="Also write the plan as a pull-request comment (Markdown, under GitHub's size limit).",
)
issue_option = click.option(
    "--comment",
    "comment_file",
    type=click.Path(dir_okay=False),
    help="Also write the report as the body of the drift issue (Markdown, under GitHub's size "
    "limit), for `mpr github issue FILE`.",
)
comment_limit_option = click.option(
    "--comment-limit", type=click.IntRange(200), default=65_536, hidden=True
)


def instance_id_option(help: str) -> Callable[[F], F]:
    """`--instance-id SITE_ID=INSTANCE_ID` (repeatable), passed as `instances`."""
    return click.option(
        "--instance-id", "instances", multiple=True, metavar="SITE_ID=INSTANCE_ID", help=help
    )


def instance_ids(given: Sequence[str]) -> dict[str, str]:
    """Site id → app instance id from `--instance-id SITE_ID=INSTANCE_ID`; usage error if bad."""
    from reconciler.config.values import guid

    by_site: dict[str, str] = {}
    for raw in given:
        site, _, instance = raw.partition("=")
        try:
            by_site[guid(site.strip())] = guid(instance.strip())
        except ValueError as exc:
            raise click.BadParameter(
                f"{raw!r}: give SITE_ID=INSTANCE_ID, two GUIDs ({exc})",
                param_hint="--instance-id",
            ) from None
    return by_site


def format_choice(choices: Sequence[str], help: str, name: str = "fmt") -> Callable[[F], F]:
    """`--format` among `choices` (the first is the default), passed as `name`."""
    return click.option(
        "--format",
        name,
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )


format_option = format_choice(
    ["text", "json", "markdown"],
    "text for people, json for machines, markdown for pull-request comments and issues.",
)
text_or_json_option = format_choice(["text", "json"], "text for people, json for machines.")
AUDIT_OFF = "off"
"""`MPR_AUDIT_LOG=off` (or `--audit-log off`): keep no audit log, like --no-audit."""
_audit_log_option = click.option(
    "--audit-log",
    type=click.Path(dir_okay=False),
    envvar="MPR_AUDIT_LOG",
    help="Append one JSON line per write (and per site) to this file; default "
    "<state dir>/audit.jsonl (.mpr/audit.jsonl), 'off' for none [env MPR_AUDIT_LOG].",
)
_no_audit_option = click.option(
    "--no-audit", is_flag=True, help="Keep no audit log for this apply (same as --audit-log off)."
)


def audit_option(func: F) -> F:
    """--audit-log FILE and --no-audit."""
    return _audit_log_option(_no_audit_option(func))


_store_option = click.option(
    "--store",
    type=click.Choice(["file", "git"]),
    default="file",
    show_default=True,
    envvar="MPR_STORE",
    help="Where apply keeps its journal, lock and audit trail: files in the state folder, or "
    "the site repository's git remote (refs/mpr/state, notes in refs/notes/mpr) [env "
    "MPR_STORE].",
)
_store_remote_option = click.option(
    "--store-remote",
    default="origin",
    show_default=True,
    envvar="MPR_STORE_REMOTE",
    metavar="REMOTE",
    help="With --store git: the remote of the current checkout to keep it in "
    "[env MPR_STORE_REMOTE].",
)


def store_options(func: F) -> F:
    """--store file|git and --store-remote REMOTE."""
    return _store_option(_store_remote_option(func))


@overload
def with_app(func: Callable[..., int]) -> Callable[..., int]: ...


@overload
def with_app(*, regenerate: bool) -> Callable[[Callable[..., int]], Callable[..., int]]: ...


def with_app(func: Callable[..., int] | None = None, *, regenerate: bool = True) -> Any:
    """The options every command that talks to Wix takes, passed on as one `app: App`.

    `@with_app(regenerate=False)` for a command that never runs a plan action (drift): it
    does not offer --no-regenerate.
    """
    if func is None:
        return functools.partial(with_app, regenerate=regenerate)

    @functools.wraps(func)
    def command(
        *args: Any,
        selectors: tuple[str, ...],
        parallelism: int,
        emulator_fixture: str | None,
        state_file: str,
        shard: Shard | None,
        store: str,
        store_remote: str,
        no_regenerate: bool = False,
        **kwargs: Any,
    ) -> int:
        from reconciler.cli.app import App, Hooks
        from reconciler.cli.store import StoreChoice

        app = App(
            store=StoreChoice(store, store_remote),
            emulator_fixture=emulator_fixture,
            state_file=state_file,
            parallelism=parallelism,
            no_regenerate=no_regenerate,
            selectors=selectors,
            shard=shard,
            hooks=click.get_current_context().find_object(Hooks) or Hooks(),
        )
        return func(*args, app=app, **kwargs)

    wrapped: Callable[..., int] = store_options(command)
    for option in (
        shard_option,
        *([no_regenerate_option] if regenerate else []),
        state_option,
        emulator_option,
        parallelism_option,
        site_option,
    ):
        wrapped = option(wrapped)
    return wrapped
