"""The one table of exit codes. 2 always means "changes present", so usage errors get 3."""

from __future__ import annotations

from reconciler.errors import (
    GenerationTimedOut,
    Interrupted,
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
INTERRUPTED = 130
"""Ctrl-C (SIGINT, 128 + 2): stopped; apply lists what it did and did not do."""
TERMINATED = 143
"""SIGTERM (128 + 15), as CI runners send on cancel: stopped like Ctrl-C."""

_BY_ERROR: tuple[tuple[type[MprError], int], ...] = (
    (Refused, REFUSED),
    (GenerationTimedOut, TIMED_OUT),
    (MprError, ERROR),
)


def for_signal(signal_number: int) -> int:
    """The exit code after a signal stopped the run: the shells' 128 + the signal number."""
    return 128 + signal_number


def for_error(error: MprError) -> int:
    """The exit code for an error that ended the command."""
    if isinstance(error, Interrupted):
        return for_signal(error.signal_number)
    for kind, code in _BY_ERROR:
        if isinstance(error, kind):
            return code
    return ERROR
