"""The `mpr` command line: the only package that imports click or writes to the terminal.

Each command is a thin shell: parse options, call one engine entry point with asyncio.run,
render, return an exit code from cli.exitcodes. Commands are imported lazily so that
`mpr --help` stays fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from reconciler import __version__
from reconciler.cli import exitcodes
from reconciler.errors import MprError

# name → (module, attribute, one-line help). The help is written here, not read from the
# command, so that `mpr --help` imports none of the commands (and none of pydantic, httpx…).
_COMMANDS = {
    "validate": ("reconciler.cli.validate_cmd", "validate", "Check site files (no network)."),
    "plan": ("reconciler.cli.plan_cmd", "plan", "Show what apply would change; never writes."),
    "apply": ("reconciler.cli.apply_cmd", "apply", "Make the live sites match the YAML."),
    "drift": ("reconciler.cli.drift_cmd", "drift", "Report live settings/events that drifted."),
    "import": ("reconciler.cli.import_cmd", "import_sites", "Write site files from live sites."),
    "history": ("reconciler.cli.history_cmd", "history", "Read the apply audit log."),
    "github": ("reconciler.cli.github_cmd", "github", "The GitHub side of the mpr workflows."),
    "emulator": ("reconciler.cli.emulator_cmd", "emulator", "Run the local Wix API emulator."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module_name, attribute, _ = _COMMANDS[cmd_name]
        module = __import__(module_name, fromlist=[attribute])
        command: click.Command = getattr(module, attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mpr")
def cli() -> None:
    """mpr keeps Wix AI marketing plans in the state declared in YAML.

    \b
    Exit codes: 0 ok / no changes, 1 error, 2 changes present (plan --detailed-exitcode)
    or drift found (drift), 3 usage error, 4 refused (unsafe, stale or unreviewed plan, an
    older commit), 5 generation still running at the timeout.
    """


def main(argv: list[str] | None = None) -> None:
    """Run mpr and exit with a code from the one table in cli.exitcodes."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None, **extra: Any) -> int:
    """Run mpr and return its exit code (tests call this)."""
    try:
        result = cli.main(args=argv, prog_name="mpr", standalone_mode=False, **extra)
    except click.exceptions.UsageError as exc:
        exc.show()
        return exitcodes.USAGE
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return exitcodes.ERROR
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exitcodes.ERROR
    except MprError as exc:
        click.echo(f"Error: {exc}", err=True)
        return exitcodes.for_error(exc)
    return int(result or 0)
