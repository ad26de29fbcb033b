"""The real clock: the engine compares its time with Wix's dated answers, which carry a zone."""

from __future__ import annotations

from datetime import timedelta

from reconciler.engine.clock import SystemClock


def test_the_real_clock_tells_utc_time_with_its_zone() -> None:
    # a naive time could not be compared with an activity's date: the plan would crash
    assert SystemClock().now().utcoffset() == timedelta(0)
