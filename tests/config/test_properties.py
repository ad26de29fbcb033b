"""Property-based: junk only ever gives ConfigInvalid, and every problem has a real line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.config import load_sites
from reconciler.config.documents import SiteDoc
from reconciler.config.validate import allowed_keys
from reconciler.errors import ConfigInvalid, Problem
from tests.config.conftest import FIXTURES, NOW

KNOWN_KEYS = sorted(
    {
        key
        for path in [(), ("site",), ("settings",), ("policy",), ("policy", "schedule")]
        for key in allowed_keys(SiteDoc, path)
    }
    | {"goalKey", "customGoal", "interval", "count", "name", "date", "recurringRule"}
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["WEEKLY", "FACEBOOK", "2026-12-01T00:00:00Z", "${HOME}", "${NOPE}", "15m"]),
)
KEYS = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=12))
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)
YAMLISH = st.text(
    alphabet=st.sampled_from(
        list("ab: -[]{},&*!|>'\"#%@`\n\t\\?~01.xZ$") + ["\x00", "é", "\ufeff"]
    ),
    max_size=120,
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(text: str | bytes, *, invalid_only: bool = False) -> None:
    """Loading `text` never raises anything but ConfigInvalid, and every problem it reports
    has a real line and column; `invalid_only`: it must be refused (no site in it is valid)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "site.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        lines = path.read_bytes().count(b"\n") + 1
        try:
            result = load_sites([path], env={"HOME": "/home/x"}, now=NOW)
            problems: tuple[Problem, ...] = result.warnings
            assert not invalid_only, f"loaded {len(result.sites)} site(s) from junk: {text!r}"
        except ConfigInvalid as invalid:
            problems = invalid.problems
            assert any(p.severity == "error" for p in problems)
        for problem in problems:
            assert 1 <= problem.line <= lines + 1, problem
            assert problem.column >= 1, problem
            assert problem.file == str(path)


@SETTINGS
@given(JUNK)
def test_junk_documents_give_only_config_invalid_with_real_lines(document: Any) -> None:
    """No junk document is a site: without `site.id` (a GUID junk never holds), it is refused."""
    _check(json.dumps(document, indent=2), invalid_only=True)


@SETTINGS
@given(st.dictionaries(KEYS, JUNK, max_size=6))
def test_junk_under_a_real_site_header_gives_real_lines(extra: dict[str, Any]) -> None:
    header = "version: 1\nsite:\n  id: 11111111-2222-4333-8444-555555555555\n"
    body = "\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in extra.items())
    _check(header + body + "\n")


@SETTINGS
@given(YAMLISH)
def test_yaml_shaped_noise_never_crashes(text: str) -> None:
    _check(text)


@SETTINGS
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    _check(data)


FULL = (FIXTURES / "valid" / "full.yaml").read_text(encoding="utf-8").splitlines()


@SETTINGS
@given(st.integers(min_value=0, max_value=len(FULL) - 1), SCALARS)
def test_replacing_any_value_of_a_valid_file_stays_well_behaved(index: int, value: Any) -> None:
    lines = list(FULL)
    key, sep, _ = lines[index].partition(":")
    if sep:
        lines[index] = f"{key}: {json.dumps(value)}"
    _check("\n".join(lines) + "\n")
