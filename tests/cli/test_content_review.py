"""Content review (#25): the words a client's pages will carry are in the plan, the review
covers them, and policy.schedule's content rules hold a draft back (it stays a draft, the plan
and apply say which rule and which words). Everything is observed through `mpr` and the
emulator's request log and state."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.cli.conftest import SITE, write_site
from tests.conftest import TODAY, Mpr

OTHER = "99999999-2222-4333-8444-555555555555"
CHANNELS = ["FACEBOOK", "LINKEDIN"]
LATER = TODAY + timedelta(days=30)


def body(rules: str = "", channels: list[str] = CHANNELS) -> str:
    listed = ", ".join(channels)
    return (
        f"settings:\n  socialChannels: [{listed}]\npolicy:\n  schedule:\n"
        f"    channels: [{listed}]\n    horizonDays: 7\n    generateMissingPosts: false\n"
        + "".join(f"    {line}\n" for line in rules.strip().splitlines())
    )


def seed(emulator: Emulator, *sites: str, channels: list[str] = CHANNELS, **settings: Any) -> None:
    """Sites with an ACTIVE plan, `channels` connected and chosen, and `settings` besides."""
    emulator.load_fixtures(
        {
            "sites": [
                {
                    "id": site,
                    "connectedChannels": channels,
                    "settings": {"socialChannels": channels, **settings},
                    "plan": {"status": "ACTIVE"},
                }
                for site in sites
            ]
        }
    )


def dated(emulator: Emulator, site: str, *dates: datetime) -> list[dict[str, str]]:
    """Date the site's first activities with drafts at `dates` (the others a month out);
    returns each one's draft id per channel."""
    activities = [a for a in emulator.site(site).plan.activities.values() if a.items]
    assert len(activities) >= len(dates), "the emulator's plan has too few drafts"
    found = []
    for activity, date in zip(activities, dates, strict=False):
        activity.date = date
        found.append({i["channel"]["name"]: i["id"] for i in activity.items if i["type"] == "POST"})
    for activity in activities[len(dates) :]:
        activity.date = LATER
    return found


def caption(emulator: Emulator, site: str, draft: str, text: str) -> None:
    emulator.edit_draft(site, draft, {"caption": text})


def sent(emulator: Emulator, site: str | None = None) -> list[str]:
    """Every draft id sent to ScheduleDrafts."""
    return [
        i
        for r in emulator.writes(site)
        if r.operation == "ScheduleDrafts"
        for i in r.body["draftIds"]
    ]


def statuses(emulator: Emulator, site: str) -> dict[str, str]:
    return {
        item["id"]: item["status"]
        for activity in emulator.snapshot(site)["plan"]["marketingActivities"]
        for item in activity["items"]
    }


def test_drafts_with_blocked_words_stay_drafts_across_a_fleet_and_each_hold_names_its_word(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # a wide terminal: whole lines
    seed(emulator, SITE, OTHER)
    first, second = dated(emulator, SITE, TODAY + timedelta(days=1), TODAY + timedelta(days=2))
    caption(emulator, SITE, first["FACEBOOK"], "Whiter teeth, results GUARANTEED!")
    caption(emulator, SITE, first["LINKEDIN"], "Guaranteedly gentle: not a whole-word match")
    caption(emulator, SITE, second["FACEBOOK"], "Hoje: um CAFÉ\n grátis com cada pão")
    (other,) = dated(emulator, OTHER, TODAY + timedelta(days=1))
    caption(emulator, OTHER, other["FACEBOOK"], "Die STRASSE ist heute offen, guaranteed")
    rules = "blockWords: [guaranteed, café grátis, straße]"
    write_site(tmp_path, body=body(rules))
    write_site(tmp_path, "other.yaml", body=body(rules), site_id=OTHER)

    plan = mpr("plan", str(tmp_path))
    assert plan.code == exitcodes.OK, plan.err
    assert (
        "! held FACEBOOK Tue 24 Nov 09:00 UTC: policy.schedule.blockWords: contains “guaranteed” "
        "— “Whiter teeth, results GUARANTEED!”" in plan.out
    )
    assert "contains “café grátis” — “Hoje: um CAFÉ ⏎ grátis com cada pão”" in plan.out
    assert "contains “guaranteed”, “straße” — “Die STRASSE ist heute offen, guaranteed”" in (
        plan.out
    )
    assert "LINKEDIN Tue 24 Nov 09:00 UTC: “Guaranteedly gentle: not a whole-word match”" in (
        plan.out
    )

    applied = mpr("apply", str(tmp_path), "--auto-approve")
    assert applied.code == exitcodes.OK, applied.out + applied.err
    blocked = {first["FACEBOOK"], second["FACEBOOK"], other["FACEBOOK"]}
    scheduled = set(sent(emulator))
    assert not blocked & scheduled
    assert {first["LINKEDIN"], second["LINKEDIN"], other["LINKEDIN"]} <= scheduled
    assert statuses(emulator, SITE)[first["FACEBOOK"]] == "DRAFT"
    assert statuses(emulator, OTHER)[other["FACEBOOK"]] == "DRAFT"
    assert statuses(emulator, SITE)[first["LINKEDIN"]] == "SCHEDULED"
    assert (
        "not done: held 1 draft(s) (FACEBOOK 2026-11-24 09:00): policy.schedule.blockWords: "
        "contains “guaranteed”\n" in applied.out
    )
    assert "policy.schedule.blockWords: contains “guaranteed”, “straße”\n" in applied.out


def test_quiet_days_and_max_per_day_count_the_days_of_the_policy_time_zone(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: Any
) -> None:
    """Tokyo is UTC+9: 15:00 UTC on a Saturday is already Sunday there, and two posts a UTC
    day apart can share a Tokyo day while two on one UTC day do not."""
    monkeypatch.setenv("COLUMNS", "300")
    seed(emulator, SITE, channels=["FACEBOOK"])
    saturday_night, sunday_start, wed_1am, wed_7pm, thu_0am = (
        d["FACEBOOK"]
        for d in dated(
            emulator,
            SITE,
            datetime.fromisoformat("2026-11-28T14:59:59+00:00"),
            datetime.fromisoformat("2026-11-28T15:00:00+00:00"),
            datetime.fromisoformat("2026-11-24T16:00:00+00:00"),
            datetime.fromisoformat("2026-11-25T10:00:00+00:00"),
            datetime.fromisoformat("2026-11-25T15:00:00+00:00"),
        )
    )
    rules = "quietDays: [SUNDAY]\nmaxPerDay: 1\ntimeZone: Asia/Tokyo"
    write_site(tmp_path, body=body(rules, ["FACEBOOK"]))
    monkeypatch.chdir(tmp_path)

    shown = mpr("plan", "crumb.yaml")
    assert shown.code == exitcodes.OK, shown.err
    assert "FACEBOOK Sat 28 Nov 23:59 JST: “" in shown.out
    assert (
        "held FACEBOOK Sun 29 Nov 00:00 JST: policy.schedule.quietDays: 2026-11-29 is a SUNDAY "
        "in Asia/Tokyo" in shown.out
    )
    assert (
        "held FACEBOOK Wed 25 Nov 19:00 JST: policy.schedule.maxPerDay: FACEBOOK already has "
        "1 post(s) on 2026-11-25 in Asia/Tokyo (at most 1)" in shown.out
    )

    applied = mpr("apply", "crumb.yaml", "--auto-approve")
    assert applied.code == exitcodes.OK, applied.out + applied.err
    assert sorted(sent(emulator)) == sorted([saturday_night, wed_1am, thu_0am])
    status = statuses(emulator, SITE)
    assert (status[sunday_start], status[wed_7pm]) == ("DRAFT", "DRAFT")


def test_a_draft_edited_after_plan_out_is_not_scheduled_by_the_saved_plan(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: Any
) -> None:
    seed(emulator, SITE)
    first, second = dated(emulator, SITE, TODAY + timedelta(days=1), TODAY + timedelta(days=2))
    monkeypatch.chdir(tmp_path)
    write_site(tmp_path, body=body())
    saved = mpr("plan", "crumb.yaml", "--out", "plan.json")
    assert saved.code == exitcodes.OK, saved.err
    reviewed = json.loads(Path("plan.json").read_text(encoding="utf-8"))
    (site,) = reviewed["sites"]
    posts = {p["id"]: p for p in site["drafts"]["posts"]}
    assert posts[first["FACEBOOK"]]["content"]["caption"], "the JSON carries the content object"

    caption(emulator, SITE, first["FACEBOOK"], "Edited in the dashboard after the review")
    applied = mpr("apply", "plan.json")
    assert applied.code == exitcodes.OK, applied.out + applied.err
    scheduled = sent(emulator)
    assert first["FACEBOOK"] not in scheduled
    assert {first["LINKEDIN"], second["FACEBOOK"], second["LINKEDIN"]} <= set(scheduled)
    assert statuses(emulator, SITE)[first["FACEBOOK"]] == "DRAFT"
    # said twice: held in the plan apply shows first, then in what apply did
    assert applied.out.count("changed since review: its text or image changed on Wix") == 2


def digest_of(markdown: str) -> str:
    found = re.search(r"<!-- mpr-digest: (\w+) -->", markdown)
    assert found, markdown[:300]
    return found.group(1)


def test_the_review_digest_covers_the_words_and_a_merge_apply_refuses_changed_ones(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: Any
) -> None:
    seed(emulator, SITE)
    (first,) = dated(emulator, SITE, TODAY + timedelta(days=1))
    monkeypatch.chdir(tmp_path)
    write_site(tmp_path, body=body())
    before = digest_of(mpr("plan", "crumb.yaml", "--format", "markdown").out)
    assert before == digest_of(mpr("plan", "crumb.yaml", "--format", "markdown").out)

    caption(emulator, SITE, first["LINKEDIN"], "A different sentence")
    after = digest_of(mpr("plan", "crumb.yaml", "--format", "markdown").out)
    assert after != before

    refused = mpr("apply", "crumb.yaml", "--auto-approve", "--expect-digest", before)
    assert refused.code == exitcodes.REFUSED, refused.out + refused.err
    assert "drafts' words changed" in refused.err
    assert sent(emulator) == []
    accepted = mpr("apply", "crumb.yaml", "--auto-approve", "--expect-digest", after)
    assert accepted.code == exitcodes.OK, accepted.out + accepted.err
    assert sorted(sent(emulator)) == sorted([first["FACEBOOK"], first["LINKEDIN"]])


def test_after_generation_review_schedules_nothing_unseen_and_the_next_plan_shows_the_words(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: Any
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE, "connectedChannels": CHANNELS, "settings": {}}]})
    monkeypatch.chdir(tmp_path)
    write_site(
        tmp_path, body=body("afterGeneration: review").replace("horizonDays: 7", "horizonDays: 14")
    )
    plan = mpr("plan", "crumb.yaml")
    assert (
        "drafts: drafts made by this generation are not scheduled in this run "
        "(policy.schedule.afterGeneration: review)" in plan.out
    )
    applied = mpr("apply", "crumb.yaml", "--auto-approve")
    assert applied.code == exitcodes.OK, applied.out + applied.err
    assert sent(emulator) == []
    assert "policy.schedule.afterGeneration: generated in this run, so nobody has seen" in (
        applied.out
    )
    then = mpr("plan", "crumb.yaml")
    drafts = [
        line for line in then.out.splitlines() if re.match(r"\s+(FACEBOOK|LINKEDIN) \w{3} ", line)
    ]
    assert drafts and all("“" in line for line in drafts), then.out
    again = mpr("apply", "crumb.yaml", "--auto-approve")
    assert again.code == exitcodes.OK
    assert sent(emulator), "what the plan showed is scheduled by the next apply"


PAYLOAD = (
    "\x1b[31mRED\x1b[0m \u202egnp.exe \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 "
    "**bold** <script>alert(1)</script> [x](javascript:alert(1)) `code` # head\n"
    "@team |pipe| &amp;"
)


def test_a_caption_with_markdown_html_and_terminal_escapes_renders_inert_everywhere(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: Any
) -> None:
    seed(emulator, SITE)
    (first,) = dated(emulator, SITE, TODAY + timedelta(days=1))
    caption(emulator, SITE, first["FACEBOOK"], PAYLOAD)
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.chdir(tmp_path)
    write_site(tmp_path, body=body())

    outputs = {
        "text": mpr("plan", "crumb.yaml").out,
        "markdown": mpr("plan", "crumb.yaml", "--format", "markdown").out,
        "json": mpr("plan", "crumb.yaml", "--format", "json").out,
    }
    for fmt in ("text", "markdown", "html", "ics"):
        result = mpr("calendar", "crumb.yaml", "--weeks", "1", "--format", fmt)
        assert result.code == exitcodes.OK, result.err
        outputs[f"calendar {fmt}"] = result.out
    for name, out in outputs.items():
        assert "\x1b" not in out and "\x07" not in out, f"{name}: a live terminal escape"
        assert "\u202e" not in out, f"{name}: a live bidi override"
        assert "RED" in out or "\\u001b" in out, f"{name}: the caption is not shown"
    for name in ("text", "calendar text"):
        assert "\\x1b[31mRED\\x1b[0m" in outputs[name] and "\\u202egnp.exe" in outputs[name]
    for name in ("markdown", "calendar markdown"):
        assert "<script>" not in outputs[name], name
        assert "](javascript" not in outputs[name], f"{name}: a live link"
        assert "@team" not in outputs[name], f"{name}: a live @mention"
    assert "<script>" not in outputs["calendar html"]
    assert 'href="javascript' not in outputs["calendar html"]
    assert "\\*\\*bold\\*\\* \\<script\\>" in outputs["markdown"]
    assert "&lt;script&gt;" in outputs["calendar html"]
    assert "&amp;amp;" in outputs["calendar html"]
    (site,) = json.loads(outputs["json"])["sites"]
    (post,) = [p for p in site["drafts"]["posts"] if p["id"] == first["FACEBOOK"]]
    assert post["content"]["caption"] == PAYLOAD, "JSON keeps the words exactly (escaped)"


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_examples_plans_show_the_words_the_agency_reviews_before_they_go_out(
    mpr: Mpr, emulator: Emulator, monkeypatch: Any
) -> None:
    """The agency's clients hold what a generation makes for review (afterGeneration:
    review): after the first apply, the next plan, in text and Markdown, shows the words."""
    emulator.load_fixtures_file(EXAMPLES / "_emulator" / "sites.yaml")
    monkeypatch.setenv("COLUMNS", "120")
    applied = mpr("apply", str(EXAMPLES / "sites"), "--auto-approve")
    assert applied.code == exitcodes.OK, applied.out + applied.err
    assert "nobody has seen its words" in applied.out

    text = mpr("plan", str(EXAMPLES / "sites"))
    assert text.code == exitcodes.OK, text.err
    lines = [line for line in text.out.splitlines() if re.match(r"\s+(FACEBOOK|LINKEDIN) ", line)]
    assert lines and all("“" in line and len(line) <= 120 for line in lines), text.out
    markdown = mpr("plan", str(EXAMPLES / "sites"), "--format", "markdown")
    assert "<details><summary>Harbor Dental Studio: the words of " in markdown.out
    assert "[image](https://static.wixstatic.com/media/" in markdown.out
    assert re.search(r"^  > \S", markdown.out, re.MULTILINE), "each draft's words quoted"


def test_a_rule_holding_many_drafts_names_four_and_counts_the_rest(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator, SITE, channels=["FACEBOOK"], frequency={"interval": "WEEK", "count": 14})
    moments = [TODAY + timedelta(hours=12 + 10 * n) for n in range(11)]  # the last one clean
    drafts = [d["FACEBOOK"] for d in dated(emulator, SITE, *moments)]
    for draft in drafts[:6]:
        caption(emulator, SITE, draft, "Results guaranteed")
    for draft in drafts[6:10]:
        caption(emulator, SITE, draft, "A miracle cure")
    rules = body("blockWords: [guaranteed, miracle]", channels=["FACEBOOK"])
    write_site(
        tmp_path,
        body=rules.replace("\npolicy:", "\n  frequency: {interval: WEEK, count: 14}\npolicy:"),
    )

    applied = mpr("apply", str(tmp_path), "--auto-approve")

    assert applied.code == exitcodes.OK, applied.out + applied.err
    named = [m.strftime("FACEBOOK %Y-%m-%d %H:%M") for m in moments]
    held = [line.strip() for line in applied.out.splitlines() if "not done: held" in line]
    assert held == [
        f"not done: held 6 draft(s) ({', '.join(named[:4])}, … and 2 more): "
        "policy.schedule.blockWords: contains “guaranteed”",
        f"not done: held 4 draft(s) ({', '.join(named[6:10])}): "
        "policy.schedule.blockWords: contains “miracle”",
    ]
    assert sent(emulator) == [drafts[10]]


def test_the_json_plan_names_each_posts_activity_type_and_content_object(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """A pipeline reviewing the words needs to know where they sit: which activity, which
    kind of item (a post or an Instagram story), which content object of it."""
    channels = ["FACEBOOK", "INSTAGRAM"]
    seed(emulator, SITE, channels=channels)
    write_site(tmp_path, body=body(channels=channels).replace("horizonDays: 7", "horizonDays: 28"))
    owner = {
        item["id"]: (a["marketingActivityId"], item)
        for a in emulator.snapshot(SITE)["plan"]["marketingActivities"]
        for item in a["items"]
    }

    plan = mpr("plan", str(tmp_path), "--format", "json")

    (site,) = json.loads(plan.out)["sites"]
    posts = site["drafts"]["posts"]
    assert {p["type"] for p in posts} == {"POST", "STORY"}
    for post in posts:
        activity, item = owner[post["id"]]
        assert (post["activity_id"], post["type"]) == (activity, item["type"])
        assert post["content"] == item[post["content_key"]]


def test_a_draft_the_plan_held_and_showed_is_scheduled_once_its_rule_lets_it_go(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: Any
) -> None:
    """maxPerDay 1 holds the second post of a day; by the time the saved plan is applied the
    first one's hour has passed (it is no longer sent), so the second may go. The plan
    showed its words, so afterGeneration: review does not hold it as unseen."""
    seed(emulator, SITE, channels=["FACEBOOK"])
    first, second = dated(emulator, SITE, TODAY + timedelta(hours=1), TODAY + timedelta(hours=5))
    monkeypatch.chdir(tmp_path)
    rules = "maxPerDay: 1\nafterGeneration: review"
    write_site(tmp_path, body=body(rules, channels=["FACEBOOK"]))
    planned = mpr("plan", "crumb.yaml", "--out", "plan.json")
    assert planned.code == exitcodes.OK, planned.err
    assert "held FACEBOOK Mon 23 Nov 14:00 UTC: policy.schedule.maxPerDay" in planned.out

    emulator.clock.advance(2 * 3600)  # the first post's hour has passed
    applied = mpr("apply", "plan.json")

    assert applied.code == exitcodes.OK, applied.out + applied.err
    assert sent(emulator) == [second["FACEBOOK"]]
    assert statuses(emulator, SITE)[second["FACEBOOK"]] == "SCHEDULED"
    assert first["FACEBOOK"] not in sent(emulator)


def test_apply_holds_a_draft_that_mentions_an_excluded_topic_when_the_policy_says_so(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    """settings.topics.excluded as it will be after apply (the site file's): a draft that
    mentions one stays a draft, with the topic named; the others go."""
    seed(emulator, SITE, channels=["FACEBOOK"], topics={"excluded": ["crusty corp"]})
    first, second = dated(emulator, SITE, TODAY + timedelta(days=1), TODAY + timedelta(days=2))
    caption(emulator, SITE, first["FACEBOOK"], "Cheaper than Crusty Corp, every day")
    caption(emulator, SITE, second["FACEBOOK"], "Fresh sourdough every morning")
    site = body("holdExcludedTopics: true", channels=["FACEBOOK"]).replace(
        "policy:", "  topics: {excluded: [crusty corp]}\npolicy:"
    )
    write_site(tmp_path, body=site)

    applied = mpr("apply", str(tmp_path), "--auto-approve")

    assert applied.code == exitcodes.OK, applied.out + applied.err
    assert sent(emulator) == [second["FACEBOOK"]]
    assert (
        "not done: held 1 draft(s) (FACEBOOK 2026-11-24 09:00): settings.topics.excluded: "
        "mentions the excluded topic(s) “crusty corp”"
    ) in applied.out
