"""Pure content rules: whether a draft's words and date let apply schedule it.

Checked per draft by the draft step (engine.decide), at plan time and again at apply, like the
delete guard: a rule never fails the run, it holds the draft back (it stays a draft) and says
which rule and which words. Words match case-insensitively and as whole words or phrases in
any script: both sides are case-folded and a match may not touch a letter or digit on either
side (Python's Unicode `\\w`), except on the side of a script written without spaces between
words (Chinese, Japanese, Thai…), where a word is found inside a run of text. Days and dates
are counted in policy.schedule.timeZone.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from reconciler.model.content import over_limits
from reconciler.model.plan_state import Draft
from reconciler.model.policy import WEEKDAYS, SchedulePolicy

BLOCK_WORDS = "policy.schedule.blockWords"
QUIET_DAYS = "policy.schedule.quietDays"
QUIET_DATES = "policy.schedule.quietDates"
MAX_PER_DAY = "policy.schedule.maxPerDay"
CHANNEL_LIMIT = "channel limit"
EXCLUDED_TOPICS = "settings.topics.excluded"
CHANGED = "changed since review"
UNSEEN = "policy.schedule.afterGeneration"


@dataclass(frozen=True)
class Hold:
    """Why a draft is not scheduled: the rule, and what it found."""

    rule: str
    detail: str


def found_phrases(text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases `text` contains as whole words, case-insensitively, as the policy spells them."""
    folded = text.casefold()
    found = []
    for phrase in phrases:
        first, pattern = _pattern(phrase)
        # The substring test is a fast filter: most texts hold none of the words at all.
        if first and first in folded and pattern.search(folded):
            found.append(phrase)
    return found


@functools.lru_cache(maxsize=1024)
def _pattern(phrase: str) -> tuple[str, re.Pattern[str]]:
    """The phrase's first word, case-folded, and the pattern of the whole phrase."""
    words = phrase.casefold().split()
    if not words:
        return "", re.compile(r"(?!)")
    body = r"\s+".join(re.escape(word) for word in words)
    before = r"(?<!\w)" if _spaced(words[0][0]) else ""
    after = r"(?!\w)" if _spaced(words[-1][-1]) else ""
    return words[0], re.compile(before + body + after)


_UNSPACED = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")
"""Scripts written without spaces between words: there a word is found inside a run."""


def _spaced(char: str) -> bool:
    """Whether words of `char`'s script are set apart by spaces (so a match needs edges)."""
    return not unicodedata.name(char, "").startswith(_UNSPACED)


@functools.cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone (validated when the site file was read)."""
    return ZoneInfo(name)


def local_day(moment: datetime, time_zone: str) -> date:
    """The calendar day `moment` falls on in `time_zone`."""
    return moment.astimezone(zone(time_zone)).date()


def words_hold(draft: Draft, policy: SchedulePolicy, excluded: Sequence[str]) -> Hold | None:
    """blockWords, Wix's channel limits, and excluded topics when the policy holds them."""
    text = draft.text
    blocked = found_phrases(text, policy.block_words)
    if blocked:
        return Hold(BLOCK_WORDS, "contains " + _quoted(blocked))
    too_long = over_limits(draft.content_key, draft.content)
    if too_long:
        return Hold(CHANNEL_LIMIT, "; ".join(too_long) + " (Wix would refuse it)")
    topics = found_phrases(text, excluded)
    if topics and policy.hold_excluded_topics:
        return Hold(EXCLUDED_TOPICS, "mentions the excluded topic(s) " + _quoted(topics))
    return None


def topic_flags(draft: Draft, excluded: Sequence[str]) -> tuple[str, ...]:
    """The warning for a draft that mentions an excluded topic (when it is not held for it)."""
    topics = found_phrases(draft.text, excluded)
    if not topics:
        return ()
    return (
        f"mentions the excluded topic(s) {_quoted(topics)} (settings.topics.excluded; "
        "policy.schedule.holdExcludedTopics: true holds such drafts)",
    )


def day_hold(moment: datetime, policy: SchedulePolicy) -> Hold | None:
    """quietDays and quietDates, in the policy's time zone."""
    if not (policy.quiet_days or policy.quiet_dates):
        return None
    day = local_day(moment, policy.time_zone)
    weekday = WEEKDAYS[day.weekday()]
    where = f"in {policy.time_zone}"
    if weekday in policy.quiet_days:
        return Hold(QUIET_DAYS, f"{day.isoformat()} is a {weekday} {where}")
    if day.isoformat() in policy.quiet_dates:
        return Hold(QUIET_DATES, f"{day.isoformat()} {where} is a quiet date")
    return None


def review_hold(draft: Draft, reviewed: Mapping[str, str] | None, mode: str) -> Hold | None:
    """A draft whose words changed since the reviewed plan, or that nobody has seen."""
    if reviewed is None:
        return None
    before = reviewed.get(draft.id)
    if before is None:
        if mode != "review":
            return None
        return Hold(
            UNSEEN,
            "generated in this run, so nobody has seen its words (afterGeneration: review): "
            "the next plan shows them",
        )
    if before != draft.digest:
        return Hold(CHANGED, "its text or image changed on Wix after the plan was reviewed")
    return None


class DayCounts:
    """Posts per channel and local day, for maxPerDay: the ones already scheduled or
    published, then each draft the step sends."""

    def __init__(self, policy: SchedulePolicy, posted: Iterable[tuple[str, datetime]]) -> None:
        self.policy = policy
        self.counts: Counter[tuple[str, date]] = Counter()
        if policy.max_per_day is not None:
            self.counts.update((c, local_day(at, policy.time_zone)) for c, at in posted)

    def hold(self, channel: str, moment: datetime) -> Hold | None:
        """Count the post in, or say that its day is full."""
        limit = self.policy.max_per_day
        if limit is None:
            return None
        key = (channel, local_day(moment, self.policy.time_zone))
        if self.counts[key] >= limit:
            return Hold(
                MAX_PER_DAY,
                f"{channel} already has {self.counts[key]} post(s) on {key[1].isoformat()} "
                f"in {self.policy.time_zone} (at most {limit})",
            )
        self.counts[key] += 1
        return None


def _quoted(words: Sequence[str]) -> str:
    return ", ".join(f"“{w}”" for w in words)
