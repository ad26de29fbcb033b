"""Refuse secrets pasted into a site file: they belong in the environment, never in Git.

Checked on the file as written (before interpolation), so `${WIX_API_KEY}` itself is fine.
Flagged: Wix API keys (`IST.` + a long token), JWTs (`eyJ...`), the literal value of the
`WIX_API_KEY` environment variable, and any 40+ character run of token characters that looks
random (mixed case and digits with high entropy, or long hex).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from reconciler.config.interpolate import strip_references
from reconciler.config.tree import KeyPath, Mark, YList, YMap, format_path
from reconciler.errors import Problem

MESSAGE = (
    "looks like an API key or token: remove it; secrets never belong in a site file"
    " (mpr reads the Wix key from the WIX_API_KEY environment variable)"
)
_WIX_KEY = re.compile(r"IST\.[A-Za-z0-9_\-.=]{20,}")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_RUN = re.compile(r"[A-Za-z0-9_\-+=]{40,}")
_HEX = re.compile(r"[0-9a-fA-F]{40,}")
_MIN_HEX_ENTROPY = 2.5
"""Over 200,000 random 40-digit hex tokens the lowest entropy is 3.0 bits; a word of a-f
letters repeated ("dddd…", "deadbeef…", "facade…") stays under 2.3."""
_DIGITS = re.compile(r"[0-9]+")
_SEGMENTS = re.compile(r"[A-Z][a-z]+|[a-z]+|[A-Z]+(?![a-z])|[0-9]+|[^A-Za-z0-9]+")
_MIN_DIGIT_RUNS = 2
_MANY_DIGIT_RUNS = 3
_WORDY = 3.0
"""Segments (a capitalised word, a number…) this long on average read as CamelCase words.
Over 50,000 random 40-character tokens the average's median is 1.9 and its 99th percentile
2.7; counting wordy ones as words misses 0.1% more of them."""
_MIN_ENTROPY = 4.0
_MIN_ENV_SECRET = 8


def find_secrets(tree: Any, known: Iterable[str] = ()) -> list[Problem]:
    """One problem per string value of `tree` that looks like a credential, or holds one of
    `known` (the values of the credential variables the environment holds, WIX_API_KEY's
    among them: `interpolate.credential_values`)."""
    values = _long_enough(known)
    problems = []
    for path, mark, text in _strings(tree, (), None):
        bare = strip_references(text)
        if looks_secret(bare) or any(value in bare for value in values):
            problems.append(Problem(mark.file, mark.line, mark.column, format_path(path), MESSAGE))
    return problems


def find_known(tree: Any, known: Iterable[str]) -> list[Problem]:
    """One problem per string value of an interpolated `tree` that holds one of the `known`
    credential values: put together from references that are harmless one by one."""
    values = _long_enough(known)
    return [
        Problem(mark.file, mark.line, mark.column, format_path(path), MESSAGE)
        for path, mark, text in _strings(tree, (), None)
        if any(value in text for value in values)
    ]


def _long_enough(values: Iterable[str]) -> list[str]:
    return [value for value in values if len(value) >= _MIN_ENV_SECRET]


def looks_secret(text: str, known: str = "") -> bool:
    """Whether `text` contains something that looks like a credential."""
    if len(known) >= _MIN_ENV_SECRET and known in text:
        return True
    if _WIX_KEY.search(text) or _JWT.search(text):
        return True
    return any(_random(run) for run in _RUN.findall(text))


def _random(run: str) -> bool:
    # Long hex is a digest or a classic token (unless a few letters repeat); otherwise ask for
    # what random tokens have and CamelCaseHashtags2026 do not: both cases, entropy, and
    # digits in three places or more, or in two among short segments (whole words, as in a
    # hashtag, make long ones).
    if _HEX.fullmatch(run):
        return _entropy(run) >= _MIN_HEX_ENTROPY
    mixed = any(c.islower() for c in run) and any(c.isupper() for c in run)
    runs = len(_DIGITS.findall(run))
    wordy = len(run) / len(_SEGMENTS.findall(run)) >= _WORDY  # Summer2026Sale…Every2ndLoaf
    scattered = runs >= _MANY_DIGIT_RUNS or (runs >= _MIN_DIGIT_RUNS and not wordy)
    return mixed and scattered and _entropy(run) >= _MIN_ENTROPY


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _strings(node: Any, path: KeyPath, mark: Mark | None) -> Iterator[tuple[KeyPath, Mark, str]]:
    if isinstance(node, YMap):
        for key, value in node.items():
            yield from _strings(value, (*path, key), node.value_marks.get(key, node.mark))
    elif isinstance(node, YList):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index), node.item_marks[index])
    elif isinstance(node, str) and mark is not None:
        yield path, mark, node
