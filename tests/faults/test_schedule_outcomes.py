"""What apply says ScheduleDrafts did: every draft of every batch counted per channel, and the
drafts Wix silently left as drafts (a channel disconnected since the drafts were made)
listed with what to do."""

from __future__ import annotations

from collections import Counter

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import FaultRule
from tests.faults.conftest import SITE, Harness

CHANNELS = ["FACEBOOK", "INSTAGRAM"]
BODY = """settings:
  socialChannels: [FACEBOOK, INSTAGRAM]
policy:
  schedule: {enabled: true, channels: [FACEBOOK, INSTAGRAM], horizonDays: 30,
             generateMissingPosts: false}
"""


def seed(harness: Harness) -> None:
    harness.seed(
        connectedChannels=CHANNELS,
        premium={"postsHorizonDays": 62},
        plan={"status": "ACTIVE"},
        settings={"socialChannels": CHANNELS},
    )
    harness.site_file = harness.write(BODY)


def statuses(harness: Harness) -> Counter[tuple[str, str]]:
    return Counter(
        (item["channel"]["name"], item["status"])
        for activity in harness.emulator.snapshot(SITE)["plan"]["marketingActivities"]
        for item in activity["items"]
        if item["channel"]["name"] in CHANNELS
    )


def lines(text: str, prefix: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.startswith(f"  {prefix}: ")]


def test_drafts_scheduled_over_several_batches_are_all_counted_per_channel(
    harness: Harness,
) -> None:
    seed(harness)
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    sent = [
        r.body["draftIds"] for r in harness.emulator.writes() if r.operation == "ScheduleDrafts"
    ]
    total = sum(len(batch) for batch in sent)
    assert total > 20 and [len(batch) for batch in sent] == [20] * (total // 20) + [total % 20]
    per_channel = statuses(harness)
    facebook, instagram = (
        per_channel["FACEBOOK", "SCHEDULED"],
        per_channel["INSTAGRAM", "SCHEDULED"],
    )
    assert facebook + instagram == total
    assert lines(result.out, "done") == [
        f"done: drafts: scheduled {total} (FACEBOOK {facebook}, INSTAGRAM {instagram})"
    ]
    harness.assert_settled()


def test_drafts_wix_leaves_as_drafts_are_listed_with_what_to_do(harness: Harness) -> None:
    seed(harness)
    del harness.emulator.site(SITE).profile.connected_channels["INSTAGRAM"]
    del harness.emulator.site(SITE).profile.connected_channels["FACEBOOK"]
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    rounds = [r for r in harness.emulator.writes() if r.operation == "ScheduleDrafts"]
    assert len(rounds) == 4  # two batches, then once more for what stayed: never a third time
    asked = {i for r in rounds[:2] for i in r.body["draftIds"]}
    left = Counter(
        item["channel"]["name"]
        for activity in harness.emulator.snapshot(SITE)["plan"]["marketingActivities"]
        for item in activity["items"]
        if item["id"] in asked and item["status"] == "DRAFT"
    )
    assert sum(left.values()) == len(asked)
    assert lines(result.out, "done") == ["done: drafts: scheduled 0 (none)"] * 2
    assert lines(result.out, "not done") == [
        f"not done: {left['FACEBOOK']} FACEBOOK draft(s) stayed drafts after "
        "ScheduleDrafts: connect FACEBOOK in the site's dashboard (Marketing → Social Media "
        "Marketing), then apply again",
        f"not done: {left['INSTAGRAM']} INSTAGRAM draft(s) stayed drafts after "
        "ScheduleDrafts: connect INSTAGRAM in the site's dashboard (Marketing → Social Media "
        "Marketing), then apply again",
    ]


def test_drafts_wix_scheduled_but_left_out_of_its_answer_are_not_reported_as_drafts(
    harness: Harness,
) -> None:
    """ScheduleDrafts' answer lists none of the drafts it scheduled (a 200 may leave items
    out): apply reads those activities again, sees the drafts SCHEDULED, says so, and
    neither sends them again nor tells the user to connect a channel that is connected."""
    seed(harness)
    harness.emulator.add_fault(
        FaultRule(method="POST", path="schedule-drafts", drop_member="items", times=None)
    )
    result = harness.apply()
    assert result.code == exitcodes.OK, result.text
    sent = [
        i
        for r in harness.emulator.writes()
        if r.operation == "ScheduleDrafts"
        for i in r.body["draftIds"]
    ]
    assert sent and len(sent) == len(set(sent)), "no draft is sent twice"
    items = {
        item["id"]: item
        for activity in harness.emulator.snapshot(SITE)["plan"]["marketingActivities"]
        for item in activity["items"]
    }
    assert {items[i]["status"] for i in sent} == {"SCHEDULED"}
    per_channel = Counter(items[i]["channel"]["name"] for i in sent)
    assert lines(result.out, "done") == [
        "done: drafts: scheduled 0 (none)",  # what the answer said
        f"done: drafts: {len(sent)} more found scheduled when read again (FACEBOOK "
        f"{per_channel['FACEBOOK']}, INSTAGRAM {per_channel['INSTAGRAM']}; ScheduleDrafts' "
        "answer left them out)",
    ]
    assert "stayed drafts" not in result.out
    harness.assert_settled()


def test_drafts_are_scheduled_only_on_the_channels_settings_will_have(harness: Harness) -> None:
    """Live drafts for INSTAGRAM too, but the file drops it from settings.socialChannels:
    only FACEBOOK's drafts are to be scheduled (the regenerate that would drop the others is
    off)."""
    both = ["FACEBOOK", "INSTAGRAM"]
    harness.emulator.load_fixtures(
        {
            "sites": [
                {
                    "id": SITE,
                    "connectedChannels": both,
                    "settings": {"socialChannels": both},
                    "plan": {"status": "ACTIVE"},
                }
            ]
        }
    )
    activities = harness.emulator.snapshot(SITE)["plan"]["marketingActivities"]
    live = {item["channel"]["name"] for a in activities for item in a.get("items", [])}
    assert "INSTAGRAM" in live, "the live plan has INSTAGRAM drafts"
    body = "settings:\n  socialChannels: [FACEBOOK]\npolicy: {regenerate: never}\n"
    harness.site_file = harness.write(body)
    result = harness.plan()
    assert "  * drafts: schedule 6 drafts (FACEBOOK 6)" in result.out.splitlines()


def test_a_site_without_social_marketing_is_not_warned_that_its_plan_has_no_posts(
    harness: Harness,
) -> None:
    blogs = {"marketingTools": ["BLOGS"]}
    harness.emulator.load_fixtures(
        {"sites": [{"id": SITE, "settings": blogs, "plan": {"status": "ACTIVE"}}]}
    )
    activities = harness.emulator.snapshot(SITE)["plan"]["marketingActivities"]
    assert activities and not any(a.get("items") for a in activities), "a plan without posts"
    body = "settings:\n  marketingTools: [BLOGS]\npolicy: {schedule: {enabled: false}}\n"
    harness.site_file = harness.write(body)
    result = harness.plan()
    assert result.code == exitcodes.OK, result.text
    assert "has no posts" not in result.out


def test_plan_decides_drafts_with_the_file_s_zone_excluded_topics_and_no_regenerate(
    harness: Harness,
) -> None:
    """`mpr plan --no-regenerate` shows the regenerate skipped, so the drafts are decided now:
    in policy.schedule.timeZone, with the topics the file excludes flagged."""
    live = {"socialChannels": ["FACEBOOK"], "toneOfVoice": "dry", "topics": {"excluded": []}}
    harness.emulator.load_fixtures(
        {
            "sites": [
                {
                    "id": SITE,
                    "connectedChannels": ["FACEBOOK"],
                    "settings": live,
                    "plan": {"status": "ACTIVE"},
                }
            ]
        }
    )
    harness.site_file = harness.write(
        "settings:\n  toneOfVoice: warm\n  topics: {excluded: [customer]}\n"
        "policy:\n  schedule: {timeZone: Asia/Tokyo, channels: [FACEBOOK]}\n"
    )
    lines = harness.plan("--no-regenerate").out.splitlines()
    assert lines[4].endswith("; SKIPPED: --no-regenerate was given"), lines
    drafts = [line for line in lines if line.startswith("        FACEBOOK ")]
    assert len(drafts) == 6 and all(" JST: “" in line for line in drafts), drafts
    (flag,) = [line for line in lines if "excluded topic" in line]
    assert flag.endswith(
        "mentions the excluded topic(s) “customer” (settings.topics.excluded; "
        "policy.schedule.holdExcludedTopics: true holds such drafts)"
    )


@pytest.mark.parametrize(("tools", "warned"), [(["BLOGS"], True), (["SOCIAL_MARKETING"], False)])
def test_scheduling_on_a_site_without_social_marketing_is_warned_of_from_its_live_tools(
    harness: Harness, tools: list[str], warned: bool
) -> None:
    """The file leaves marketingTools unmanaged: the live value is the one that counts."""
    harness.emulator.load_fixtures(
        {
            "sites": [
                {"id": SITE, "settings": {"marketingTools": tools}, "plan": {"status": "ACTIVE"}}
            ]
        }
    )
    harness.site_file = harness.write(
        "settings:\n  toneOfVoice: dry\npolicy: {regenerate: never}\n"
    )
    out = harness.plan().out
    warning = (
        "  ! warning: settings.marketingTools lacks SOCIAL_MARKETING while policy.schedule is "
        "enabled: Wix will generate no social posts to schedule"
    )
    assert (warning in out.splitlines()) is warned, out
