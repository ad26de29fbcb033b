"""The run-wide Redactor: every form of every secret is masked, however many secrets a fleet
has, and text without one comes back as it was."""

from __future__ import annotations

import json
from urllib.parse import quote

from reconciler.wix.auth import MASK, Redactor, forms


def test_every_form_of_every_token_of_a_fleet_is_masked() -> None:
    tokens = [f"OauthNG.JWS.site-{n:04d}+payload/{n * 7919:x}=" for n in range(2_000)]
    redactor = Redactor(tokens)
    for token in (tokens[0], tokens[999], tokens[-1]):
        for form in forms(token):
            assert redactor.redact(f"before {form} after") == f"before {MASK} after"
    line = json.dumps({"header": f"Bearer {tokens[5]}", "url": f"?t={quote(tokens[6], safe='')}"})
    assert redactor.redact(line) == json.dumps({"header": f"Bearer {MASK}", "url": f"?t={MASK}"})


def test_text_without_a_secret_is_returned_unchanged() -> None:
    redactor = Redactor(["s3cr3t-value-1", "s3cr3t-value-2"])
    text = "s3cr3t-valu is not a secret, nor is s3cr3t-value- alone"
    assert redactor.redact(text) == text
    assert Redactor().redact("anything") == "anything"


def test_a_secret_holding_another_is_masked_whole_and_neighbours_each_once() -> None:
    redactor = Redactor(["abcdef-123", "abcdef-123456"])
    assert redactor.redact("abcdef-123456") == MASK
    assert redactor.redact("abcdef-123abcdef-123") == MASK + MASK
    assert redactor.redact("xabcdef-123456y abcdef-123") == f"x{MASK}y {MASK}"


def test_a_secret_learnt_later_is_masked_from_then_on() -> None:
    redactor = Redactor()
    assert redactor.redact("token-learnt-late") == "token-learnt-late"
    redactor.add("token-learnt-late")
    assert redactor.redact("token-learnt-late!") == f"{MASK}!"
