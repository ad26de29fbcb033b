"""What `mpr doctor` compares: an answer's members against what the parser looked up and
the wire model of what it returns (#22)."""

from __future__ import annotations

from typing import Any

from reconciler.wix.inspect import READ_METHODS, Looked, _returned, compare


def looked(data: dict[str, Any], *keys: str) -> Looked:
    body = Looked(data)
    for key in keys:
        body.get(key)
    return body


def test_a_wrapped_object_is_compared_with_its_model() -> None:
    body = looked(
        {"marketingSettings": {"settings": {}, "mystery": 1}, "extra": True}, "marketingSettings"
    )
    members = compare(body, _returned("get_marketing_settings"))
    assert members.known == ("marketingSettings", "marketingSettings.settings")
    assert members.unknown == ("extra", "marketingSettings.mystery")
    assert members.missing == ()


def test_list_entries_are_compared_with_the_entry_model_and_required_members_missed() -> None:
    body = looked(
        {
            "events": [
                {
                    "id": "e1",
                    "name": "A",
                    "recurringRule": {"startDate": "x", "every": 2},
                    "recurringOccurrences": [{"when": "x"}],
                }
            ]
        },
        "events",
        "calendarEvents",
    )
    members = compare(body, _returned("query_events"))
    assert "events[].recurringRule.startDate" in members.known
    assert members.unknown == (
        "events[].recurringRule.every",
        "events[].recurringOccurrences[].when",
    )
    assert members.missing == ("events[].recurringOccurrences[].date",)


def test_a_renamed_list_is_unknown_and_what_was_looked_for_is_not_known() -> None:
    body = looked({"results": [{"id": "e1"}], "pagingMetadata": {}}, "events", "calendarEvents")
    members = compare(body, _returned("query_events"))
    assert members.known == ()
    assert members.unknown == ("results", "pagingMetadata")


def test_an_unwrapped_answer_is_read_by_the_model_itself() -> None:
    members = compare(looked({"planStatus": "ACTIVE"}), _returned("get_social_marketing_plan"))
    assert members == type(members)(known=(), missing=("status",), unknown=("planStatus",))


def test_the_token_answer_counts_what_the_credential_looked_up() -> None:
    body = looked({"access_token": "t", "token_type": "Bearer"}, "access_token", "expires_in")
    members = compare(body, None)
    assert members.known == ("access_token",) and members.unknown == ("token_type",)


def test_doctor_asks_the_sign_in_first_and_only_reads() -> None:
    assert READ_METHODS[0] == "CreateAccessToken"
    assert not [
        m
        for m in READ_METHODS
        if m.startswith(("Create", "Update", "Delete", "Upsert")) and m != "CreateAccessToken"
    ]


def test_a_member_mpr_reads_is_known_even_when_it_holds_the_wrong_kind() -> None:
    """`options` as a string: the parser fails on it, and doctor still names it as the
    member mpr reads (the error says what it expected there)."""
    members = compare(looked({"options": "none"}, "options"), _returned("get_plan_goal_options"))
    assert "options" in members.known and "options" not in members.unknown


def test_a_list_where_mpr_reads_one_object_is_not_entered() -> None:
    body = looked(
        {"events": [{"id": "e1", "name": "A", "recurringRule": [{"every": 2}]}]}, "events"
    )
    members = compare(body, _returned("query_events"))
    assert members.known == ("events", "events[].id", "events[].name", "events[].recurringRule")
    assert members.unknown == members.missing == ()


def test_a_drafts_content_object_is_known_and_its_other_extras_unknown() -> None:
    """mpr reads a draft's one content object (`facebookPost`, `instagramStory`…: its text is
    what content review and the caption limits read), not other members it keeps as sent."""
    item = {"id": "d1", "facebookPost": {"text": "x"}, "draftInfo": {"a": 1}, "sharePost": "x"}
    body = looked(
        {
            "status": "ACTIVE",
            "marketingActivities": [{"marketingActivityId": "a1", "items": [item]}],
        },
        "status",
        "marketingActivities",
    )
    members = compare(body, _returned("get_social_marketing_plan"))
    assert "marketingActivities[].items[].facebookPost" in members.known
    assert members.unknown == (
        "marketingActivities[].items[].draftInfo",
        "marketingActivities[].items[].sharePost",
    )
