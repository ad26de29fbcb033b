"""Property-based: a valid site file broken in one random way, fed to `mpr apply`.

Each mutation below is invalid by construction (an unknown key, a value outside an enum, a
value of the wrong type, a number out of range, a duplicate event name or key, a missing
site id, a pasted key). Whatever hypothesis draws, `mpr apply --auto-approve` must exit 1
naming the field at a real `file:line:col` (the line holds the key or the value), and the
emulator must not hear a single request.
"""

from __future__ import annotations

import copy
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reconciler.cli import exitcodes
from reconciler.config.documents import SiteDoc
from reconciler.config.validate import allowed_keys
from reconciler.emulator import Emulator
from reconciler.model import enums
from tests.badinput.conftest import Mpr

BASE: dict[str, Any] = {
    "version": 1,
    "site": {"id": "cccccccc-0000-4000-8000-000000000001", "name": "Crumb", "labels": {"a": "b"}},
    "settings": {
        "marketingPlanGoal": {"goalKey": "BOOST_SALES"},
        "marketingTools": ["SOCIAL_MARKETING", "BLOGS"],
        "socialChannels": ["FACEBOOK", "INSTAGRAM"],
        "toneOfVoice": "warm",
        "pointOfView": "FIRST_PERSON",
        "frequency": {"interval": "WEEK", "count": 3},
    },
    "events": [
        {"name": "Black Friday Sale", "date": "2026-11-27T09:00:00Z"},
        {
            "name": "Fresh Bread Friday",
            "recurringRule": {"frequency": "WEEKLY", "startDate": "2026-11-06T08:00:00Z"},
        },
    ],
    "policy": {
        "pruneEvents": False,
        "wait": {"timeout": "15m"},
        "schedule": {"enabled": True, "horizonDays": 14},
    },
}
MAPPINGS = [
    (),
    ("site",),
    ("settings",),
    ("settings", "frequency"),
    ("settings", "marketingPlanGoal"),
    ("events", 0),
    ("events", 1, "recurringRule"),
    ("policy",),
    ("policy", "wait"),
    ("policy", "schedule"),
]
ENUMS: dict[tuple[str | int, ...], tuple[str, ...]] = {
    ("settings", "marketingPlanGoal", "goalKey"): enums.PLAN_GOALS,
    ("settings", "marketingTools", 1): enums.MARKETING_TOOLS,
    ("settings", "socialChannels", 0): enums.SOCIAL_CHANNELS,
    ("settings", "pointOfView"): enums.POINTS_OF_VIEW,
    ("settings", "frequency", "interval"): enums.FREQUENCY_INTERVALS,
    ("events", 1, "recurringRule", "frequency"): enums.RECURRENCE_FREQUENCIES,
}
SCALARS = [
    ("site", "name"),
    ("settings", "toneOfVoice"),
    ("settings", "frequency", "count"),
    ("events", 0, "name"),
    ("events", 0, "date"),
    ("policy", "pruneEvents"),
    ("policy", "schedule", "horizonDays"),
    ("events", 1, "recurringRule", "startDate"),
]
RANGES = {
    ("settings", "frequency", "count"): st.integers(max_value=0) | st.integers(min_value=31),
    ("policy", "schedule", "horizonDays"): st.integers(max_value=0) | st.integers(min_value=63),
    ("events", 1, "recurringRule", "interval"): st.integers(max_value=0),
    ("policy", "wait", "maxAttempts"): st.integers(max_value=0) | st.integers(min_value=6),
}
WORD = st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=16)
TEXT = st.text(string.ascii_letters + string.digits + "_- ", min_size=1, max_size=20)
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Broken:
    """A document broken at `path`; `marker` is text the reported line must hold."""

    document: dict[str, Any]
    path: Path_
    marker: str
    text: str | None = None
    """The file's text, when the break cannot be expressed as data (a duplicate key)."""


def _get(document: Any, path: Path_) -> Any:
    for part in path:
        document = document[part]
    return document


def _put(document: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    result = copy.deepcopy(document)
    parent = _get(result, path[:-1])
    parent[path[-1]] = value
    return result


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@st.composite
def unknown_key(draw: st.DrawFn) -> Broken:
    where = draw(st.sampled_from(MAPPINGS))
    known = {k.lower() for k in allowed_keys(SiteDoc, where)}
    key = draw(WORD.filter(lambda k: k.lower() not in known))
    return Broken(_put(BASE, (*where, key), "x"), (*where, key), key)


@st.composite
def outside_the_enum(draw: st.DrawFn) -> Broken:
    path, allowed = draw(st.sampled_from(sorted(ENUMS.items())))
    value = draw(TEXT.filter(lambda v: v.strip().upper() not in allowed and v.strip()))
    return Broken(_put(BASE, path, value), path, value.strip())


@st.composite
def wrong_type(draw: st.DrawFn) -> Broken:
    path = draw(st.sampled_from(SCALARS))
    value = draw(
        st.lists(st.integers(0, 9), min_size=1, max_size=3)
        | st.dictionaries(WORD, st.integers(0, 9), min_size=1, max_size=2)
    )
    return Broken(_put(BASE, path, value), path, str(path[-1]))


@st.composite
def out_of_range(draw: st.DrawFn) -> Broken:
    path = draw(st.sampled_from(sorted(RANGES, key=str)))
    value = draw(RANGES[path])
    return Broken(_put(BASE, path, value), path, str(value))


@st.composite
def duplicate_event(draw: st.DrawFn) -> Broken:
    events = copy.deepcopy(BASE["events"])
    original = draw(st.sampled_from(events))
    events.append({**copy.deepcopy(original), "description": draw(TEXT)})
    path: Path_ = ("events", len(events) - 1, "name")
    return Broken(_put(BASE, ("events",), events), path, original["name"])


@st.composite
def duplicate_key(draw: st.DrawFn) -> Broken:
    lines = dump(BASE).splitlines()
    keyed = [
        i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("-")
    ]
    index = draw(st.sampled_from(keyed))
    key = lines[index].split(":")[0].strip()
    lines.insert(index + 1, lines[index])
    return Broken(BASE, (key,), key, "\n".join(lines) + "\n")


def missing_site_id() -> st.SearchStrategy[Broken]:
    document = copy.deepcopy(BASE)
    del document["site"]["id"]
    return st.just(Broken(document, ("site", "id"), "site"))


@st.composite
def pasted_key(draw: st.DrawFn) -> Broken:
    path = draw(
        st.sampled_from(
            [("settings", "toneOfVoice"), ("events", 0, "description"), ("site", "labels", "token")]
        )
    )
    token = "IST." + draw(st.text(string.ascii_letters + string.digits, min_size=24, max_size=40))
    return Broken(_put(BASE, path, f"key {token}"), path, token)


def dump(document: dict[str, Any]) -> str:
    """Block style, with collections of scalars in flow style: a value shares its key's line."""
    return yaml.safe_dump(document, sort_keys=False, width=1000, default_flow_style=None)


def field_of(match: re.Match[str]) -> str:
    """The field path a printed problem names ("" when it names none)."""
    rest = match.string[match.end() :]
    return rest.split(": ", 1)[0] if ": " in rest else ""


def names(match: re.Match[str], path: Path_) -> bool:
    """Whether a printed problem is about `path` (or, for a bare key, any field so named)."""
    field, wanted = field_of(match), dotted(path)
    return field == wanted or field.endswith("." + wanted)


def check(broken: Broken, mpr: Mpr, emulator: Emulator, folder: Path) -> None:
    path = folder / "site.yaml"
    text = broken.text if broken.text is not None else dump(broken.document)
    path.write_text(text, encoding="utf-8")
    emulator.clear_requests()
    result = mpr("apply", str(path), "--auto-approve")
    assert result.code == exitcodes.ERROR, (text, result.err, result.out)
    assert result.out == ""
    assert emulator.requests == []
    problems = result.problems()
    assert problems and len(problems) == len(result.err.splitlines()) - 1, result.err
    lines = text.splitlines()
    for match in problems:
        assert match["file"] == str(path)
        assert 1 <= int(match["line"]) <= len(lines), match.string
    named = [m for m in problems if names(m, broken.path)]
    assert named, (dotted(broken.path), result.err)
    assert any(broken.marker in lines[int(m["line"]) - 1] for m in named), (
        broken.marker,
        [lines[int(m["line"]) - 1] for m in named],
    )


BREAKERS: dict[str, Callable[[], st.SearchStrategy[Broken]]] = {
    "unknown key": unknown_key,
    "value outside the enum": outside_the_enum,
    "wrong type": wrong_type,
    "out of range": out_of_range,
    "duplicate event name": duplicate_event,
    "duplicate key": duplicate_key,
    "missing site id": missing_site_id,
    "pasted key": pasted_key,
}


def test_the_base_document_is_valid_and_planned(
    mpr: Mpr, open_emulator: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(dump(BASE), encoding="utf-8")
    result = mpr("plan", str(path))
    assert result.code == exitcodes.OK, result.err
    assert open_emulator.writes() == []


@SETTINGS
@given(broken=st.one_of(*(make() for make in BREAKERS.values())))
def test_any_single_break_is_located_and_nothing_is_sent(
    broken: Broken, mpr: Mpr, open_emulator: Emulator, tmp_path: Path
) -> None:
    check(broken, mpr, open_emulator, tmp_path)


@SETTINGS
@given(
    breaks=st.lists(st.sampled_from(sorted(BREAKERS)), min_size=2, max_size=4, unique=True),
    data=st.data(),
)
def test_several_breaks_in_one_file_are_all_reported(
    breaks: list[str], data: st.DataObject, mpr: Mpr, open_emulator: Emulator, tmp_path: Path
) -> None:
    document, paths = copy.deepcopy(BASE), list[Path_]()
    for name in breaks:
        broken = data.draw(BREAKERS[name]())
        if broken.text is not None or broken.path[0] == "events":
            continue
        if any(p[:2] == broken.path[:2] for p in paths):
            continue  # one break per area, so that no break hides another
        parent: Any = _get(broken.document, broken.path[:-1])
        last: Any = broken.path[-1]
        if isinstance(parent, list) or last in parent:
            document = _put(document, broken.path, parent[last])
        else:
            del _get(document, broken.path[:-1])[last]
        paths.append(broken.path)
    assume(paths)
    path = tmp_path / "site.yaml"
    path.write_text(dump(document), encoding="utf-8")
    open_emulator.clear_requests()
    result = mpr("apply", str(path), "--auto-approve")
    assert result.code == exitcodes.ERROR, result.err
    for broken_path in paths:
        assert any(names(m, broken_path) for m in result.problems()), (broken_path, result.err)
    assert open_emulator.requests == []
