"""Imported by every Python interpreter that has tests/timeshift on PYTHONPATH (see
tests/timeshift/__init__.py): with TIMESHIFT_YEARS=N it moves this process's clock N years
ahead, ticking, with time-machine, and refuses to start a process whose environment was built
without the shift (that process would silently run at the real date). It must stay importable
without the project."""

import os
import sys

_NAME = "TIMESHIFT_YEARS"
_HERE = os.path.dirname(os.path.abspath(__file__))


def _travel() -> None:
    years = int(os.environ.get(_NAME) or 0)
    if not years:
        return
    from datetime import UTC, datetime

    import time_machine

    now = datetime.now(UTC)
    try:
        then = now.replace(year=now.year + years)
    except ValueError:  # 29 February into a year that has none
        then = now.replace(year=now.year + years, day=28)
    time_machine.travel(then, tick=True).start()
    sys.addaudithook(_children_keep_the_shift)


def _children_keep_the_shift(event: str, args: tuple) -> None:  # type: ignore[type-arg]
    """An environment given to a new process must say its clock: carry tests.timeshift.carried()
    (or set TIMESHIFT_YEARS yourself, 0 for the real date)."""
    if event != "subprocess.Popen" or args[3] is None:
        return
    env = {os.fsdecode(k): os.fsdecode(v) for k, v in args[3].items()}
    years = env.get(_NAME)
    shimmed = _HERE in env.get("PYTHONPATH", "").split(os.pathsep)
    if years is None or (years.strip() not in ("", "0") and not shimmed):
        raise RuntimeError(
            f"{args[1]!r} was given an environment without the clock shift of this run"
            f" ({_NAME} and PYTHONPATH={_HERE}): pass tests.timeshift.carried() into it"
        )


_travel()
