"""The `mpr` command line: the only package that imports click or writes to the terminal.

Each command is a thin shell: parse options, call one engine entry point with asyncio.run,
render, return an exit code from cli.exitcodes. Commands are imported lazily so that
`mpr --help` stays fast.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import click

from reconciler import __version__
from reconciler.cli import exitcodes
from reconciler.errors import MprError

# name → (module, attribute, one-line help). The help is written here, not read from the
# command, so that `mpr --help` imports none of the commands (and none of pydantic, httpx…).
_COMMANDS = {
    "validate": (
        "reconciler.cli.validate_cmd",
        "validate",
        "Check site files (offline; --online: live options).",
    ),
    "plan": ("reconciler.cli.plan_cmd", "plan", "Show what apply would change; never writes."),
    "apply": ("reconciler.cli.apply_cmd", "apply", "Make the live sites match the YAML."),
    "drift": ("reconciler.cli.drift_cmd", "drift", "Report live settings/events that drifted."),
    "doctor": (
        "reconciler.cli.doctor_cmd",
        "doctor",
        "Check, read-only, that live sites answer as mpr reads.",
    ),
    "import": ("reconciler.cli.import_cmd", "import_sites", "Write site files from live sites."),
    "options": (
        "reconciler.cli.options_cmd",
        "options",
        "Show the goals, views, calendars a site offers.",
    ),
    "calendar": (
        "reconciler.cli.calendar_cmd",
        "calendar",
        "Show the weeks ahead: events, activities, posts.",
    ),
    "history": ("reconciler.cli.history_cmd", "history", "Read the apply audit log."),
    "show": ("reconciler.cli.show_cmd", "show", "Show a plan saved with `mpr plan --out`."),
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
        _name_environment(command, cmd_name)
        _accept_global_options(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _name_environment(command: click.Command, path: str) -> None:
    """Give `command` (and each subcommand of a group) the help section listing the
    environment variables it reads, from the one registry in cli/environment.py."""
    from reconciler.cli.environment import epilog, variables_for

    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            _name_environment(sub, f"{path} {name}")
    elif variables_for(path):
        command.epilog = epilog(path)


def _accept_global_options(command: click.Command) -> None:
    """Let `mpr plan --no-color` and `mpr apply … --debug` mean what `mpr --no-color plan`
    means: people add them at the end of a command line they already typed."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_global_options(sub)
        return
    names = {name for param in command.params for name in getattr(param, "opts", ())}
    for flag, then, meaning in _LATE_OPTIONS:
        if flag not in names:
            command.params.append(
                click.Option([flag], is_flag=True, expose_value=False, callback=then, help=meaning)
            )


def _late_no_color(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[NO_COLOR_KEY] = True


def _late_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        _debug_on()


_LATE_OPTIONS = (
    ("--no-color", _late_no_color, "Never colour the output (as `mpr --no-color`)."),
    ("--debug", _late_debug, "On a bug in mpr, print its traceback (as `mpr --debug`)."),
)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mpr")
@click.option(
    "--debug",
    is_flag=True,
    envvar="MPR_DEBUG",
    help="On an unexpected error (a bug in mpr), print the Python traceback to report it.",
)
@click.option(
    "--no-color",
    is_flag=True,
    help="Never colour the output (nor with NO_COLOR set; a file or a pipe never gets colour).",
)
def cli(debug: bool, no_color: bool) -> None:
    """mpr keeps Wix AI marketing plans in the state declared in YAML.

    \b
    Exit codes: 0 ok / no changes, 1 error, 2 changes present (plan --detailed-exitcode)
    or drift found (drift), 3 usage error, 4 refused (unsafe, stale or unreviewed plan, an
    older commit, another apply holding the lock or lease), 5 generation still running at
    the timeout, 130 stopped by Ctrl-C, 143 stopped by SIGTERM.
    """
    click.get_current_context().meta[NO_COLOR_KEY] = no_color
    _start_logging(debug)


NO_COLOR_KEY = "mpr.no_color"
"""Where the global `--no-color` flag is kept in click's context (`Context.meta`)."""
_run: dict[str, Any] = {}
"""The run under way: --debug, and the logging set-up to undo when it ends."""
REPORT = (
    "This is a bug in mpr, not a problem with your files: run the same command again with "
    "`mpr --debug …` and report what it prints to the mpr maintainers."
)
_SECRET_NAMES = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL", re.IGNORECASE)


def _start_logging(debug: bool) -> None:
    """Warnings of mpr's loggers on stderr without tracebacks; everything with --debug.

    Set up when a command runs (not for `mpr --help`, which stays import-light).
    """
    import logging

    class Quiet(logging.Handler):
        """Python's last-resort log output (warnings on stderr), minus the tracebacks."""

        def emit(self, record: logging.LogRecord) -> None:
            click.echo(record.getMessage(), err=True)

    _run["last_resort"] = logging.lastResort
    logging.lastResort = Quiet(logging.WARNING)
    if debug:
        _debug_on()


def _debug_on() -> None:
    """--debug: tracebacks of unexpected errors, and every log line of mpr on stderr (once)."""
    import logging

    _run["debug"] = True
    if "handler" in _run:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
    logger = logging.getLogger("reconciler")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    _run["handler"] = handler


def _end_logging() -> None:
    if "last_resort" not in _run:
        return
    import logging

    logging.lastResort = _run["last_resort"]
    if "handler" in _run:
        logger = logging.getLogger("reconciler")
        logger.removeHandler(_run["handler"])
        logger.setLevel(logging.NOTSET)


def main(argv: list[str] | None = None) -> None:
    """Run mpr and exit with a code from the one table in cli.exitcodes."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None, **extra: Any) -> int:
    """Run mpr and return its exit code (tests call this).

    Never raises for a user's input: every outcome is an exit code and a message. Ctrl-C and
    SIGTERM exit 130 and 143; an unexpected error (a bug) is one line saying how to report
    it, and its traceback only with --debug.
    """
    from reconciler.cli.interrupt import label, sigterm_raises, stopped_by

    _run.clear()
    _tolerate_narrow_encodings()
    try:
        with sigterm_raises():
            result = cli.main(args=argv, prog_name="mpr", standalone_mode=False, **extra)
    except click.exceptions.UsageError as exc:
        exc.show()
        return exitcodes.USAGE
    except click.exceptions.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):
            number = stopped_by()
            click.echo(f"Stopped by {label(number)}.", err=True)
            return exitcodes.for_signal(number)
        click.echo("Aborted.", err=True)
        return exitcodes.ERROR
    except KeyboardInterrupt:
        number = stopped_by()
        click.echo(f"\nStopped by {label(number)}.", err=True)
        return exitcodes.for_signal(number)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exitcodes.ERROR
    except MprError as exc:
        click.echo(f"Error: {exc}", err=True)
        return exitcodes.for_error(exc)
    except Exception as exc:  # a bug: one clear line, the traceback only when asked for
        _unexpected(exc, debug=bool(_run.get("debug")))
        return exitcodes.ERROR
    finally:
        _end_logging()
    return int(result or 0)


def _tolerate_narrow_encodings() -> None:
    """Let stdout and stderr write what their encoding cannot hold as "?" rather than fail.

    mpr prints names, arrows and dashes; a terminal or PYTHONIOENCODING set to latin-1 or
    ASCII must still get the whole output (#23), not a UnicodeEncodeError half-way.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if encoding not in ("utf8", "utf8sig") and callable(reconfigure):
            reconfigure(errors="replace")


def _unexpected(error: Exception, *, debug: bool) -> None:
    """Report an error mpr did not foresee, with every secret of the environment masked."""
    import traceback

    from reconciler.wix.auth import Redactor

    redactor = Redactor(v for k, v in os.environ.items() if _SECRET_NAMES.search(k) and v)
    if debug:
        trace = "".join(traceback.format_exception(error))
        click.echo(redactor.redact(trace), err=True, nl=False)
    what = redactor.redact(f"{type(error).__name__}: {error}")
    click.echo(f"Error: unexpected error ({what}). {REPORT}", err=True)
