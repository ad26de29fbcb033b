"""The words a message uses for what it found where a file or an answer held something
else: the same in the state file's, the audit log's and a saved plan's messages."""

from __future__ import annotations

import pytest

from reconciler.model.json_kind import json_kind


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "null"),
        (True, "true/false"),
        (False, "true/false"),
        (0, "a number"),
        (2.5, "a number"),
        ("x", "a string"),
        ([], "a list"),
        ({}, "an object"),
        (b"raw", "bytes"),
    ],
    ids=["null", "true", "false", "int", "float", "string", "list", "object", "not JSON"],
)
def test_each_json_value_is_named_in_the_words_messages_use(value: object, words: str) -> None:
    assert json_kind(value) == words
