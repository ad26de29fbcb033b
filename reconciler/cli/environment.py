"""Every environment variable mpr reads, and which commands read it: the one list that every
`--help` epilog is made from (tests/cli/test_environment.py checks it against the source).

Kept free of heavy imports: `mpr --help` and each command's help read it.
"""

from __future__ import annotations

from dataclasses import dataclass

_WIX = ("plan", "apply", "drift", "import", "options", "calendar", "validate", "doctor")
"""Commands that talk to Wix (validate only with --online)."""
_FLEET = ("plan", "apply", "drift", "options", "calendar", "doctor")
"""Commands that take the shared fleet options (--state-file, --store…)."""
_PROGRESS = ("plan", "apply", "drift")
"""Commands that show a fleet's progress on stderr."""
_PUBLISH = ("plan", "apply", "drift")
"""Commands with --github."""
_GITHUB = ("github comment", "github issue", "github reviewed")


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, what it does, the commands that read it."""

    name: str
    meaning: str
    commands: tuple[str, ...]


VARIABLES = (
    Variable(
        "WIX_API_BASE_URL",
        "the API's address (default https://www.wixapis.com)",
        (*_WIX, "emulator token"),
    ),
    Variable("WIX_API_TIMEOUT", "seconds one request may take", _WIX),
    Variable("WIX_API_KEY", "the API key, for sites without `auth` (or auth.apiKey)", _WIX),
    Variable("WIX_APP_ID", "the Wix app's id, for auth.wixApp (appIdEnv names another)", _WIX),
    Variable(
        "WIX_APP_SECRET", "the Wix app's secret, for auth.wixApp (appSecretEnv: another)", _WIX
    ),
    Variable("MPR_STATE_FILE", "the state file (default .mpr/state.json)", (*_FLEET, "history")),
    Variable("MPR_STORE", "where the journal and audit live (--store)", (*_FLEET, "history")),
    Variable("MPR_STORE_REMOTE", "the git remote of --store git", (*_FLEET, "history")),
    Variable(
        "MPR_AUDIT_LOG", "the audit log (default .mpr/audit.jsonl; off: none)", ("apply", "history")
    ),
    Variable(
        "MPR_COMMIT", "the commit recorded in the audit log (else GITHUB_SHA, git)", ("apply",)
    ),
    Variable(
        "MPR_ACTOR", "who the audit log says applied (else GITHUB_ACTOR, the user)", ("apply",)
    ),
    Variable(
        "MPR_INTERRUPT_GRACE", "seconds the writes in flight get after Ctrl-C (5)", ("apply",)
    ),
    Variable("MPR_DEBUG", "1: print the traceback of an unexpected error (--debug)", ("*",)),
    Variable(
        "NO_COLOR", "set: never colour the output (--no-color)", ("plan", "apply", "drift", "show")
    ),
    Variable("CI", "set: no live status line; a heartbeat and outcomes in the log", _PROGRESS),
    Variable("GITHUB_OUTPUT", "--github writes the result here", _PUBLISH),
    Variable("GITHUB_STEP_SUMMARY", "--github writes the Markdown summary here", _PUBLISH),
    Variable(
        "GITHUB_TOKEN", "the token that comments, labels and opens issues (or GH_TOKEN)", _GITHUB
    ),
    Variable("GITHUB_REPOSITORY", "owner/name of the repository", _GITHUB),
    Variable("GITHUB_EVENT_PATH", "the event that names the pull request", _GITHUB),
    Variable("GITHUB_API_URL", "the GitHub API (GitHub Enterprise)", _GITHUB),
)


def variables_for(command: str) -> tuple[Variable, ...]:
    """The variables `command` ("plan", "github comment"…) reads, in the registry's order."""
    return tuple(v for v in VARIABLES if command in v.commands or "*" in v.commands)


def epilog(command: str) -> str:
    """The `--help` section naming every variable `command` reads (click keeps the lines)."""
    found = variables_for(command)
    width = max(len(v.name) for v in found)
    lines = [f"  {v.name.ljust(width)}  {v.meaning}" for v in found]
    if command in _WIX:
        lines.append("  and every variable a site file names (${VAR}, auth.*Env)")
    return "\b\nEnvironment variables:\n" + "\n".join(lines)
