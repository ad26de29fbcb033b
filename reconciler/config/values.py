"""Parsers for the scalar spellings a site file allows, shared by the documents and the checks.

Each returns the parsed value or raises `ValueError` with the message a user should read.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import date, datetime

from reconciler.model.events import EARLIEST, LATEST, in_range

GUID_EXAMPLE = "11111111-2222-4333-8444-555555555555"
TIMESTAMP_EXAMPLE = "2026-11-27T09:00:00Z"

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?"
)
_DURATION = re.compile(r"(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+(?:\.\d+)?)s)?")
_DURATION_HINT = 'use seconds (900) or a duration like "90s", "15m", "1h", "1h30m"'


def kind(value: object) -> str:
    """Name a value's type the way a YAML author thinks of it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def suggest(word: str, options: Sequence[str]) -> str | None:
    """The option `word` was most likely meant to be, or None when nothing is close."""
    folded = {_fold(option): option for option in options}
    key = _fold(word)
    if key in folded:
        return folded[key]
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    if close:
        return folded[close[0]]
    # A shortened key ("tone" for "toneOfVoice") is too short for difflib's ratio.
    starting = [option for fold, option in folded.items() if len(key) >= 3 and fold.startswith(key)]
    return starting[0] if len(starting) == 1 else None


def _fold(word: str) -> str:
    return word.replace("_", "").replace("-", "").lower()


def choice(value: object, allowed: Sequence[str]) -> str:
    """Check `value` against a closed set of strings (SPEC.md §2.7)."""
    listed = ", ".join(allowed)
    if not isinstance(value, str):
        raise ValueError(f"expected one of {listed}; got {kind(value)}")
    if value in allowed:
        return value
    hint = suggest(value, allowed)
    mean = f" (did you mean {hint}?)" if hint else ""
    raise ValueError(f"unknown value {value!r}{mean}; allowed: {listed}")


def guid(value: object) -> str:
    """A GUID such as a Wix site or calendar id, lower-cased."""
    if not isinstance(value, str) or not _GUID.fullmatch(value):
        got = repr(value) if isinstance(value, str) else kind(value)
        raise ValueError(f"expected a GUID like {GUID_EXAMPLE}, got {got}")
    return value.lower()


def timestamp(value: object) -> datetime:
    """An RFC 3339 timestamp with a time zone (Z or an offset)."""
    if not isinstance(value, str):
        raise ValueError(f"expected a quoted timestamp like {TIMESTAMP_EXAMPLE}, got {kind(value)}")
    match = _TIMESTAMP.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"expected a timestamp like {TIMESTAMP_EXAMPLE}, got {value!r}")
    if match["zone"] is None:
        raise ValueError(
            f"timestamp {value!r} has no time zone: add Z or an offset (e.g. {TIMESTAMP_EXAMPLE})"
        )
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid timestamp: {exc}") from None
    if not in_range(moment):
        raise ValueError(
            f"{value.strip()} is outside the dates Wix can store: give a date from "
            f"{EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}"
        )
    return moment


MAX_DURATION = 7 * 24 * 3600
"""The longest duration mpr takes (a week): no wait or cache needs more, and time
arithmetic (a lease's expiry, a deadline) cannot overflow below it."""


def duration(value: object) -> float:
    """A duration in seconds, up to a week: a positive number, or a string like "90s",
    "15m", "1h30m"."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a duration, got {kind(value)}: {_DURATION_HINT}")
    seconds = _duration_text(value) if isinstance(value, str) else value
    if seconds <= 0 or seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise ValueError(f"a duration must be a positive number of seconds, got {value}")
    if seconds > MAX_DURATION:
        raise ValueError(
            f"{value} is longer than a week ({MAX_DURATION} s), the longest duration mpr "
            f"takes: {_DURATION_HINT}"
        )
    return float(seconds)


def _duration_text(text: str) -> float:
    stripped = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", stripped):
        return float(stripped)
    match = _DURATION.fullmatch(stripped)
    if not stripped or match is None:
        raise ValueError(f"bad duration {text!r}: {_DURATION_HINT}")
    seconds = int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60 + float(match["s"] or 0)
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {text!r}")
    return seconds


def version(value: object) -> int:
    """The format version: 1 is the only one there is."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected the integer 1, got {kind(value)}")
    if value != 1:
        raise ValueError(f"unsupported version {value}: this mpr reads version 1 files")
    return value


def between(value: float, low: float, high: float | None) -> float:
    """Check `low <= value <= high` (no upper bound when `high` is None)."""
    if value < low or (high is not None and value > high):
        span = (
            f"between {_num(low)} and {_num(high)}" if high is not None else f"at least {_num(low)}"
        )
        raise ValueError(f"must be {span}, got {_num(value)}")
    return value


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def phrase(value: object) -> str:
    """A word or phrase of policy.schedule.blockWords: text with at least one letter or digit."""
    if not isinstance(value, str):
        raise ValueError(f"expected a word or phrase, got {kind(value)}")
    if not any(ch.isalnum() for ch in value):
        shown = "an empty word" if not value.strip() else f"{value!r} has no letter or digit and"
        raise ValueError(f"{shown} would never match: remove it or write the word")
    return value.strip()


def iso_date(value: object) -> str:
    """A calendar date written YYYY-MM-DD (quoted or not)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        got = repr(value) if isinstance(value, str) else kind(value)
        raise ValueError(f"expected a date like 2026-12-25 (YYYY-MM-DD), got {got}")
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError(f"{value.strip()!r} is not a date on the calendar") from None


def time_zone(value: object) -> str:
    """An IANA time zone name such as Europe/Lisbon (the tz database Python knows)."""
    import zoneinfo

    if not isinstance(value, str) or not value.strip():
        got = repr(value) if isinstance(value, str) else kind(value)
        raise ValueError(f"expected an IANA time zone like Europe/Lisbon, got {got}")
    name = value.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a region's folder
        hint = suggest(name, sorted(zoneinfo.available_timezones()))
        mean = f" (did you mean {hint}?)" if hint else ""
        raise ValueError(
            f"unknown time zone {name!r}{mean}: use an IANA name such as Europe/Lisbon or UTC"
        ) from None
    return name
