"""Imported by every Python interpreter that has tests/timeshift on PYTHONPATH (see
tests/timeshift/__init__.py): with TIMESHIFT_YEARS=N it moves this process's clock N
years ahead, ticking, with time-machine. It must stay importable without the project."""

import os


def _travel() -> None:
    years = int(os.environ.get("TIMESHIFT_YEARS") or 0)
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


_travel()
