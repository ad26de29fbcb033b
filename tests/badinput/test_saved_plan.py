"""Issue #11, finding 4 (saved plans): `mpr apply PLAN.json` checks the whole file first.

Whatever the file holds, apply either applies exactly that plan or stops before the first
request with one message naming the file, the key (or line:col) and what to do.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.cli.conftest import SITE, write_site
from tests.conftest import Mpr

AGAIN = "make the plan again with `mpr plan PATH… --out {path}`"
WRONG = "is not a plan file written by `mpr plan --out`"
HEAD = {"format_version": 1, "created_at": "2026-11-23T09:00:00.000Z"}
TIME = "expected a time such as 2026-11-27T09:00:00.000Z within 1970-2100, got"


def _events(*events: object) -> bytes:
    site = {"site_id": SITE, "name": "n", "source": "s", "events": list(events)}
    return json.dumps({**HEAD, "sites": [site]}).encode()


def _problems(*problems: str) -> str:
    return "{path} " + WRONG + ": " + "; ".join(problems) + "; " + AGAIN


CASES: dict[str, tuple[bytes, str]] = {
    "a key missing": (
        json.dumps({"format_version": 1, "sites": []}).encode(),
        _problems("created_at: missing"),
    ),
    "five sites of numbers": (
        json.dumps({**HEAD, "sites": [1, 2, 3, 4, 5]}).encode(),
        _problems(*(f"sites[{i}]: expected an object" for i in range(5))),
    ),
    "six sites of numbers": (
        json.dumps({**HEAD, "sites": [1, 2, 3, 4, 5, 6]}).encode(),
        _problems(
            *(f"sites[{i}]: expected an object" for i in range(4)),
            "sites[4]: expected an object (and 1 more)",
        ),
    ),
    "event times that are not times": (
        _events(
            {
                "op": "update",
                "name": "A",
                "before": {"date": "2026-11-27T09:00:00.000Z"},
                "after": {"date": "soon"},
            },
            {
                "op": "create",
                "name": "B",
                "after": {
                    "date": 7,
                    "recurringRule": {
                        "frequency": "WEEKLY",
                        "startDate": "x" * 50,
                        "endDate": "2026-13-01",
                    },
                },
            },
            {"op": "create", "name": "C", "after": {"recurringRule": {"frequency": "WEEKLY"}}},
        ),
        _problems(
            f"sites[0].events[0].after.date: {TIME} a string 'soon'",
            f"sites[0].events[1].after.date: {TIME} a number",
            f"sites[0].events[1].after.recurringRule.startDate: {TIME} a string '{'x' * 40}'",
            f"sites[0].events[1].after.recurringRule.endDate: {TIME} a string '2026-13-01'",
            f"sites[0].events[2].after.recurringRule.startDate: {TIME} nothing",
        ),
    ),
    "six event dates that are not times": (
        _events(*({"op": "create", "name": f"E{i}", "after": {"date": "soon"}} for i in range(6))),
        _problems(
            *(f"sites[0].events[{i}].after.date: {TIME} a string 'soon'" for i in range(4)),
            f"sites[0].events[4].after.date: {TIME} a string 'soon' (and 1 more)",
        ),
    ),
    "a list": (b"[]", "{path} " + WRONG + ": expected a JSON object, got a list; " + AGAIN),
    "a string": (b'"x"', "{path} " + WRONG + ": expected a JSON object, got a string; " + AGAIN),
    "sites a string": (
        json.dumps({**HEAD, "sites": "x"}).encode(),
        "{path} " + WRONG + ": sites: expected a list; " + AGAIN,
    ),
    "sites of numbers": (
        json.dumps({**HEAD, "sites": [1, 2]}).encode(),
        "{path} "
        + WRONG
        + ": sites[0]: expected an object; sites[1]: expected an object; "
        + AGAIN,
    ),
    "an action of another kind": (
        json.dumps(
            {
                **HEAD,
                "sites": [
                    {
                        "site_id": SITE,
                        "name": "n",
                        "source": "s",
                        "action": {"kind": "explode", "reason": "r"},
                    }
                ],
            }
        ).encode(),
        "{path} " + WRONG + ": sites[0].action.kind: expected 'none', 'generate', 'regenerate', "
        "'regenerate_keywords' or 'wait'; " + AGAIN,
    ),
    "a shard out of range": (
        json.dumps({**HEAD, "sites": [], "sources": ["x"], "shard": "7/3"}).encode(),
        "{path} " + WRONG + ": shard: expected I/N with 1 ≤ I ≤ N, got '7/3'; " + AGAIN,
    ),
    "a shard misspelled": (
        json.dumps({**HEAD, "sites": [], "sources": ["x"], "shard": "1 of 3"}).encode(),
        "{path} " + WRONG + ": shard: expected I/N such as 1/4, got '1 of 3'; " + AGAIN,
    ),
    "truncated": (
        b'{"format_version": 1,\n "sites": [',
        "{path}:2:12: not valid JSON (Expecting value): the file " + WRONG + "; " + AGAIN,
    ),
    "binary": (b"\x89PNG\r\n\x1a\n", "{path} " + WRONG + " (byte 1 is not UTF-8 text); " + AGAIN),
    "nested too deeply": (
        b"[" * 100_000,
        "{path} " + WRONG + " (JSON nested too deeply); " + AGAIN,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_malformed_saved_plan_is_one_error_before_any_request(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, case: str
) -> None:
    content, message = CASES[case]
    plan = tmp_path / "plan.json"
    plan.write_bytes(content)
    result = mpr("apply", str(plan))
    assert result.code == exitcodes.ERROR, result.err
    assert result.err == "Error: " + message.format(path=plan) + "\n"
    assert result.out == ""
    assert emulator.requests == []


def test_a_plan_of_another_version_is_refused(mpr: Mpr, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": 2, "sites": 3}), encoding="utf-8")
    result = mpr("apply", str(plan))
    assert result.code == exitcodes.REFUSED
    assert "format_version 2; this mpr reads 1" in result.err


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_a_saved_plan_that_cannot_be_read_is_named(mpr: Mpr, tmp_path: Path, kind: str) -> None:
    plan = tmp_path / "plan.json"
    if kind == "folder":
        plan.mkdir()
    said = {
        "folder": f"{plan} is a folder: mpr reads a saved plan only from a regular file; "
        "pass the file `mpr plan --out` wrote",
        "missing": f"cannot read the saved plan {plan}: No such file or directory",
    }
    result = mpr("apply", str(plan))
    assert result.code == exitcodes.ERROR
    assert result.err == f"Error: {said[kind]}\n"


def test_a_saved_plan_round_trips_and_applies(mpr: Mpr, emulator: Emulator, tmp_path: Path) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    site = write_site(tmp_path, body="settings: {toneOfVoice: dry}\n")
    plan = tmp_path / "plan.json"
    assert mpr("plan", str(site), "--out", str(plan), "--shard", "1/1").code == exitcodes.OK
    assert emulator.writes() == []
    result = mpr("apply", str(plan))
    assert result.code == exitcodes.OK, result.err
    landed = [(r.operation, r.body, r.status) for r in emulator.writes()]
    assert landed == [
        (
            "UpsertMarketingSettings",
            {
                "marketingSettings": {"settings": {"toneOfVoice": "dry"}},
                "fieldMask": "settings.toneOfVoice",
            },
            200,
        ),
        ("GenerateMarketingPlan", {}, 200),
    ], "the writes the saved plan showed, and only those"
    live = emulator.snapshot(SITE)
    assert live["marketingSettings"]["settings"]["toneOfVoice"] == "dry"
    assert live["plan"]["status"] == "ACTIVE"
    assert "Apply: 1 site(s): 1 changed, 0 failed" in result.out
    again = mpr("plan", str(site), "--detailed-exitcode")
    assert again.code == exitcodes.OK, again.out
