"""Every `--help` names the environment variables its command reads, from one registry that
cannot fall behind the source: a variable read anywhere in mpr and missing there fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from reconciler.cli import _COMMANDS, run
from reconciler.cli.environment import VARIABLES, variables_for

SOURCE = Path(__file__).parents[2] / "reconciler"
READS = re.compile(
    r"""(?:environ|env)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|envvar=["']([A-Z][A-Z0-9_]+)["']"""
    r"""|(?:_env|ENV_[A-Z_]+)\s*(?::\s*str\s*)?=\s*["']([A-Z][A-Z0-9_]+)["']"""
)
NOT_FOR_USERS = {
    "GH_TOKEN",  # an alias of GITHUB_TOKEN, named in its line
    "GITHUB_SHA",  # set by GitHub Actions for the audit log: named in MPR_COMMIT's line
    "GITHUB_ACTOR",  # likewise, in MPR_ACTOR's
    "GITHUB_RUN_ID",  # recorded as the audit line's run, set by Actions
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_REF",
    "GITHUB_SERVER_URL",
    "USER",  # the login user, MPR_ACTOR's last fallback
    "LOGNAME",
}
# `mutmut run` tests a copy of the source where every function also has mutated twins
# (`x_name__mutmut_3`); their altered strings (`XXWIX_API_KEYXX`) are read by no one.
MUTANT = re.compile(r"__mutmut_\d+$")


def source_as_written(path: Path) -> str:
    """The file's text without the mutated copies of its functions mutmut adds."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and MUTANT.search(node.name):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            last = node.end_lineno or node.lineno
            lines[first - 1 : last] = [""] * (last - first + 1)
    return "".join(lines)


def commands() -> list[str]:
    """Every command path: `plan`, `github comment`…"""
    import click

    from reconciler.cli import cli

    found = []
    for name in sorted(_COMMANDS):
        command = cli.get_command(click.Context(cli), name)
        if isinstance(command, click.Group):
            found += [f"{name} {sub}" for sub in sorted(command.commands)]
        else:
            found.append(name)
    return found


def test_every_variable_mpr_reads_is_in_the_registry() -> None:
    read = set()
    for path in SOURCE.rglob("*.py"):
        if "emulator" in path.parts:  # the emulator's own settings are not mpr's
            continue
        for match in READS.finditer(source_as_written(path)):
            read.add(next(group for group in match.groups() if group))
    registered = {variable.name for variable in VARIABLES}
    assert read - NOT_FOR_USERS - registered == set()
    assert {"WIX_API_BASE_URL", "WIX_API_TIMEOUT", "MPR_STATE_FILE", "WIX_API_KEY"} <= read


@pytest.mark.parametrize("command", commands())
def test_help_lists_the_variables_the_command_reads(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*command.split(), "--help"]) == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^    ([A-Z][A-Z0-9_]+)  ", out.split("Environment variables:")[-1], re.M)
    assert listed == [variable.name for variable in variables_for(command)]


def test_plan_help_names_the_wix_variables_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    run(["plan", "--help"])
    out = capsys.readouterr().out
    assert out.endswith(
        "  Environment variables:\n"
        "    WIX_API_BASE_URL     the API's address (default https://www.wixapis.com)\n"
        "    WIX_API_TIMEOUT      seconds one request may take\n"
        "    WIX_API_KEY          the API key, for sites without `auth` (or auth.apiKey)\n"
        "    WIX_APP_ID           the Wix app's id, for auth.wixApp (appIdEnv names another)\n"
        "    WIX_APP_SECRET       the Wix app's secret, for auth.wixApp (appSecretEnv: "
        "another)\n"
        "    MPR_STATE_FILE       the state file (default .mpr/state.json)\n"
        "    MPR_STORE            where the journal and audit live (--store)\n"
        "    MPR_STORE_REMOTE     the git remote of --store git\n"
        "    MPR_DEBUG            1: print the traceback of an unexpected error (--debug)\n"
        "    NO_COLOR             set: never colour the output (--no-color)\n"
        "    CI                   set: no live status line; a heartbeat and outcomes in the "
        "log\n"
        "    GITHUB_OUTPUT        --github writes the result here\n"
        "    GITHUB_STEP_SUMMARY  --github writes the Markdown summary here\n"
        "    and every variable a site file names (${VAR}, auth.*Env)\n"
    )


def test_drift_help_offers_no_regenerate_switch_and_calls_its_comment_an_issue(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(["drift", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--no-regenerate" not in out
    assert "as a pull-request comment" not in out
    assert "--comment FILE Also write the report as the body of the drift issue" in out
    run(["plan", "--help"])
    assert "--no-regenerate" in capsys.readouterr().out
