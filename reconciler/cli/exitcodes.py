"""The one table of exit codes. 2 always means "changes present", so usage errors get 3."""

from __future__ import annotations

from reconciler.errors import (
    GenerationTimedOut,
    MprError,
    Refused,
)

OK = 0
"""Success; with --detailed-exitcode: no changes."""
ERROR = 1
"""Invalid configuration, an API error, a failed generation, or a site that failed."""
CHANGES = 2
"""plan --detailed-exitcode: changes are present."""
USAGE = 3
"""The command line was wrong (click's usage errors, which exit 2 by default)."""
REFUSED = 4
"""mpr refused: unsafe plan without --force, stale saved plan, no confirmation."""
TIMED_OUT = 5
"""A generation was still running at policy.wait.timeout: re-run later to finish."""

_BY_ERROR: tuple[tuple[type[MprError], int], ...] = (
    (Refused, REFUSED),
    (GenerationTimedOut, TIMED_OUT),
    (MprError, ERROR),
)


def for_error(error: MprError) -> int:
    """The exit code for an error that ended the command."""
    for kind, code in _BY_ERROR:
        if isinstance(error, kind):
            return code
    return ERROR
