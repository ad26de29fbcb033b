"""Plans people read at a glance (#13): leaf-level diffs, sets as members, long text as a
word diff, colour only on a terminal, unchanged sites folded, changes counted by kind, and a
refusal that apply would make shown by `plan` in text, Markdown and JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.cli.conftest import SITE, write_site
from tests.conftest import Mpr

UNSEEN = (
    "drafts: drafts made by this generation will be scheduled without anyone seeing their "
    "words (policy.schedule.afterGeneration: schedule; set it to review to see them first)"
)


AUDIENCE = "Families and office workers who walk through the old town every morning"
LIVE = {
    "toneOfVoice": "warm",
    "socialChannels": ["FACEBOOK"],
    "topics": {"included": ["seasonal pastries", "sourdough"], "excluded": ["discounts"]},
    "businessProfile": {"targetAudience": AUDIENCE, "valueProposition": "Bread baked daily"},
}
DECLARED = f"""settings:
  toneOfVoice: warm
  socialChannels: [FACEBOOK, INSTAGRAM]
  topics: {{included: [sourdough, seasonal pastries, gingerbread], excluded: [discounts]}}
  businessProfile:
    targetAudience: {AUDIENCE.replace("office workers", "students")}
    valueProposition: Bread baked daily
"""
SUMMARY = (
    "Plan: 3 setting fields, events +0 ~0 -0, 1 plan action, 0 drafts to schedule; "
    "1 site(s): 1 to change, 0 unchanged, 0 error(s).\n"
)
ACTION = (
    "plan ACTIVE: regenerate the plan with keyword research "
    "(topics changed: regenerate with keyword research)"
)
LEAF_LEVEL = (
    "Crumb & Co (11111111-2222-4333-8444-555555555555) — crumb.yaml\n"
    "  ~ settings.businessProfile.targetAudience: Families and [-office workers-]{+students+} "
    "who walk through the old town every morning\n"
    "  ~ settings.socialChannels:\n"
    "      + INSTAGRAM\n"
    "  ~ settings.topics.included:\n"
    "      + gingerbread\n"
    "    (1 managed setting(s) unchanged)\n"
    f"  * {ACTION}\n"
    "    drafts: posts and scheduling are decided after the generation ends\n"
    f"  ! {UNSEEN}\n"
    "\n" + SUMMARY
)


@pytest.fixture
def one_word_changed(emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A site whose file changes one word of a long text, adds a channel and a topic."""
    emulator.load_fixtures(
        {"sites": [{"id": SITE, "settings": LIVE, "plan": {"status": "ACTIVE"}}]}
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    write_site(tmp_path, body=DECLARED)
    return "crumb.yaml"


def on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout says it is a terminal, as it does when a person runs mpr."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)


def test_a_nested_change_is_one_line_per_leaf(mpr: Mpr, one_word_changed: str) -> None:
    result = mpr("plan", one_word_changed)
    assert (result.code, result.out, result.err) == (exitcodes.OK, LEAF_LEVEL, "")


def test_a_terminal_gets_colour(
    mpr: Mpr, one_word_changed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_terminal(monkeypatch)
    result = mpr("plan", one_word_changed)
    bold, red, green, yellow, end = "\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[0m"
    assert result.out == (
        f"{bold}Crumb & Co (11111111-2222-4333-8444-555555555555) — crumb.yaml{end}\n"
        f"  {yellow}~{end} settings.businessProfile.targetAudience: Families and "
        f"{red}[-office workers-]{end}{green}{{+students+}}{end} "
        "who walk through the old town every morning\n"
        f"  {yellow}~{end} settings.socialChannels:\n"
        f"      {green}+ INSTAGRAM{end}\n"
        f"  {yellow}~{end} settings.topics.included:\n"
        f"      {green}+ gingerbread{end}\n"
        "    (1 managed setting(s) unchanged)\n"
        f"  * {ACTION}\n"
        "    drafts: posts and scheduling are decided after the generation ends\n"
        f"  {yellow}! {UNSEEN}{end}\n"
        "\n" + SUMMARY
    )


def test_no_colour_with_the_flag_with_no_color_or_through_a_pipe(
    mpr: Mpr, one_word_changed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert mpr("plan", one_word_changed).out == LEAF_LEVEL, "a pipe gets no colour"
    on_a_terminal(monkeypatch)
    assert mpr("--no-color", "plan", one_word_changed).out == LEAF_LEVEL
    after = mpr("plan", one_word_changed, "--no-color")
    assert (after.code, after.out) == (exitcodes.OK, LEAF_LEVEL), after.err
    monkeypatch.setenv("NO_COLOR", "1")
    assert mpr("plan", one_word_changed).out == LEAF_LEVEL
    assert mpr("plan", one_word_changed, "--format", "markdown").out.count("\x1b") == 0


def test_markdown_uses_a_diff_block_that_github_colours(mpr: Mpr, one_word_changed: str) -> None:
    result = mpr("plan", one_word_changed, "--format", "markdown")
    details = result.out[result.out.index("<details>") :]
    assert details == (
        "<details><summary>Crumb & Co</summary>\n"
        "\n"
        "```diff\n"
        "  Crumb & Co (11111111-2222-4333-8444-555555555555) — crumb.yaml\n"
        "! settings.businessProfile.targetAudience: Families and [-office workers-]{+students+} "
        "who walk through the old town every morning\n"
        "! settings.socialChannels:\n"
        "+     INSTAGRAM\n"
        "! settings.topics.included:\n"
        "+     gingerbread\n"
        "  (1 managed setting(s) unchanged)\n"
        f"! {ACTION}\n"
        "  drafts: posts and scheduling are decided after the generation ends\n"
        f"! {UNSEEN}\n"
        "```\n"
        "</details>\n"
    )


def converged_fleet(emulator: Emulator, folder: Path, count: int) -> None:
    """`count` sites whose live state already is what their files declare."""
    ids = [f"{n:08d}-2222-4333-8444-555555555555" for n in range(count)]
    live = {"toneOfVoice": "warm"}
    emulator.load_fixtures(
        {"sites": [{"id": i, "settings": live, "plan": {"status": "ACTIVE"}} for i in ids]}
    )
    for n, site_id in enumerate(ids):
        (folder / f"shop-{n:02d}.yaml").write_text(
            f"version: 1\nsite: {{id: {site_id}, name: Shop {n}}}\n"
            "settings: {toneOfVoice: warm}\n",
            encoding="utf-8",
        )


def test_unchanged_sites_fold_into_one_bounded_line(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    converged_fleet(emulator, tmp_path, 12)
    result = mpr("plan", str(tmp_path), "--detailed-exitcode")
    assert (result.code, result.err) == (exitcodes.OK, "")
    assert result.out == (
        "12 site(s) unchanged: Shop 0, Shop 1, Shop 2, Shop 3, Shop 4, Shop 5, Shop 6, Shop 7, "
        "… and 4 more\n"
        "\n"
        "Plan: 0 setting fields, events +0 ~0 -0, 0 plan actions, 0 drafts to schedule; "
        "12 site(s): 0 to change, 12 unchanged, 0 error(s).\n"
    )


OLD_EVENTS = [{"name": f"Old {i}", "date": f"2026-12-{10 + i}T09:00:00Z"} for i in range(4)]
GUARD = (
    "the plan deletes 4 of 4 events (100%), more than the 30% allowed by policy.deleteGuard; "
    f"review it and re-run with --force={SITE} to proceed"
)


@pytest.fixture
def too_many_deletes(emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A site whose file prunes every one of its 4 live events (the guard allows 30%)."""
    emulator.load_fixtures(
        {"sites": [{"id": SITE, "events": OLD_EVENTS, "plan": {"status": "ACTIVE"}}]}
    )
    monkeypatch.chdir(tmp_path)
    write_site(tmp_path, body="policy:\n  pruneEvents: true\n")
    return "crumb.yaml"


def test_the_plan_says_apply_will_refuse(mpr: Mpr, too_many_deletes: str) -> None:
    result = mpr("plan", too_many_deletes, "--detailed-exitcode")
    assert (result.code, result.err) == (exitcodes.CHANGES, "")
    deletes = "".join(
        f"  - event delete 'Old {i}' (2026-12-{10 + i}T09:00:00.000Z)\n" for i in range(4)
    )
    assert result.out == (
        "Crumb & Co (11111111-2222-4333-8444-555555555555) — crumb.yaml\n"
        + deletes
        + "  * plan ACTIVE: regenerate the plan (settings or events changed: regenerate)\n"
        "    drafts: posts and scheduling are decided after the generation ends\n"
        f"  ! {UNSEEN}\n"
        f"  ! apply will refuse: {GUARD}\n"
        "\n"
        "Plan: 0 setting fields, events +0 ~0 -4, 1 plan action, 0 drafts to schedule; "
        "1 site(s): 1 to change, 0 unchanged, 0 error(s).\n"
        "Apply will refuse 1 site(s) (exit 4) and apply the 0 other site(s) with changes; "
        "pass the guard with --force=SITE:\n"
        f"  Crumb & Co: {GUARD}\n"
    )


def test_the_pr_comment_blocks_on_the_refusal(mpr: Mpr, too_many_deletes: str) -> None:
    result = mpr("plan", too_many_deletes, "--format", "markdown")
    head = result.out[: result.out.index("| site |")]
    assert head.endswith(
        "### mpr plan: ⚠️ destructive\n"
        "\n"
        "> [!CAUTION]\n"
        "> **Apply will refuse 1 site(s) (exit 4) and apply the 0 other site(s) with changes; "
        "pass the guard with --force=SITE:**\n"
        f"> - Crumb & Co: {GUARD}\n"
        "\n"
        "Plan: 0 setting fields, events +0 ~0 -4, 1 plan action, 0 drafts to schedule; "
        "1 site(s): 1 to change, 0 unchanged, 0 error(s).\n\n"
    )
    assert "| **Crumb & Co** | ⚠️ destructive | ⛔ apply will refuse (see above); " in result.out


def test_the_json_carries_the_refusal_and_its_exit_code(
    mpr: Mpr, emulator: Emulator, too_many_deletes: str
) -> None:
    body = json.loads(mpr("plan", too_many_deletes, "--format", "json").out)
    assert body["refusal_exit_code"] == exitcodes.REFUSED
    assert body["sites"][0]["refusals"] == [GUARD]
    refused = mpr("apply", too_many_deletes, "--auto-approve")
    assert refused.code == body["refusal_exit_code"]
    assert emulator.writes() == []


def test_nothing_to_refuse_is_said_as_such_in_json(mpr: Mpr, one_word_changed: str) -> None:
    body = json.loads(mpr("plan", one_word_changed, "--format", "json").out)
    assert body["refusal_exit_code"] is None
    assert body["sites"][0]["refusals"] == []


def test_a_timed_out_site_that_wrote_its_settings_is_not_counted_as_unchanged(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE}]})
    site = write_site(
        tmp_path, body="settings:\n  toneOfVoice: warm\npolicy:\n  wait: {timeout: 30s}\n"
    )
    result = mpr("apply", str(site), "--auto-approve")
    assert result.code == exitcodes.TIMED_OUT, result.out
    assert result.out.endswith(
        "Apply: 1 site(s): 0 changed, 0 failed, 1 timed out, 0 unchanged; "
        "2 write(s) on 1 site(s).\n"
    )


def test_show_renders_a_saved_plan_as_plan_did(mpr: Mpr, one_word_changed: str) -> None:
    assert mpr("plan", one_word_changed, "--out", "plan.json").out == LEAF_LEVEL
    shown = mpr("show", "plan.json")
    assert (shown.code, shown.out, shown.err) == (exitcodes.OK, LEAF_LEVEL, "")
    as_json = mpr("show", "plan.json", "--format", "json")
    assert as_json.out == Path("plan.json").read_text(encoding="utf-8")
    as_markdown = mpr("show", "plan.json", "--format", "markdown")
    assert as_markdown.out == mpr("plan", one_word_changed, "--format", "markdown").out


def test_show_refuses_a_file_that_is_not_a_saved_plan(mpr: Mpr, one_word_changed: str) -> None:
    Path("cut.json").write_text('{"format_version": 1, "sites": [', encoding="utf-8")
    Path("other.json").write_text('{"name": "a package.json, say"}', encoding="utf-8")
    wrong = "is not a plan file written by `mpr plan --out`"
    cases = {
        "cut.json": f"cut.json:1:33: not valid JSON (Expecting value): the file {wrong}; "
        "make the plan again with `mpr plan PATH… --out cut.json`",
        "other.json": f"other.json {wrong}: it has no format_version, which every saved plan "
        "has; make the plan again with `mpr plan PATH… --out other.json`",
        one_word_changed: f"crumb.yaml:1:1: not valid JSON (Expecting value): the file {wrong}; "
        "make the plan again with `mpr plan PATH… --out plan.json`",
        "missing.json": "cannot read the saved plan missing.json: No such file or directory",
    }
    for path, message in cases.items():
        shown = mpr("show", path)
        assert (shown.code, shown.out, shown.err) == (exitcodes.ERROR, "", f"Error: {message}\n")


def test_an_event_update_shows_each_field_that_changed(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = "Thirty percent off every cake and pastry in the shop, all day long"
    live = {"name": "Sale", "description": said, "date": "2026-11-27T09:00:00Z"}
    emulator.load_fixtures(
        {"sites": [{"id": SITE, "events": [live], "plan": {"status": "ACTIVE"}}]}
    )
    monkeypatch.chdir(tmp_path)
    write_site(
        tmp_path,
        body="events:\n  - name: Sale\n"
        f"    description: {said.replace('Thirty', 'Forty')}\n"
        '    date: "2026-11-28T09:00:00Z"\n',
    )
    result = mpr("plan", "crumb.yaml")
    assert result.out.splitlines()[1:4] == [
        "  ~ event update 'Sale' (2026-11-28T09:00:00.000Z)",
        '      ~ date: "2026-11-27T09:00:00.000Z" → "2026-11-28T09:00:00.000Z"',
        "      ~ description: [-Thirty-]{+Forty+} percent off every cake and pastry in the shop, "
        "all day long",
    ]
