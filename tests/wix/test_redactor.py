"""The run-wide Redactor: every encoding of every secret is masked, however many secrets a
fleet has, and text without one comes back as it was.

The expected forms come from `tests/security/encodings.py`, built with the standard
library's encoders: never with the Redactor's own `forms`.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from reconciler.wix.auth import ENCODINGS, MASK, MIN_SECRET, Redactor
from tests.security.encodings import ENCODERS, encoded, stable_run

SECRETS = {
    "token": "OauthNG.JWS.eyJhbGciOi+JIUzI1NiJ9/abc=def_0123456789",
    "hex": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "quotes and markup": "app-secret \"quoted\" <b>&\\back\\slash</b> 'single' 42 X",
    "URL-special": "IST.k+y/with?query=1&and=2%20#frag;x,y:z@h[0]~'q'\"-3f9a7c1e",
    "non-ASCII": "geheim-schl\u00fcssel-\u043a\u043b\u044e\u0447-\u5bc6\u94a5-0123",
    "beyond the BMP": "emoji-\U0001f511-key-\U0001f510-0123456",
    # Non-ASCII with quotes and backslashes: Python's repr and JSON without ensure_ascii
    # each give a form no other encoding gives.
    "non-ASCII, quoted": 'schl\u00fcssel "geheim" \\pfad\\ 0123',
    # An environment variable whose bytes are not UTF-8 reaches Python as lone surrogates.
    "undecodable bytes": "app-secret-\udcff\udcfe-0123",
    # A token from a JSON answer can hold a lone surrogate ("\ud800" escaped).
    "lone surrogate": "OauthNG.JWS.\ud800-token-0123",
}


def test_the_independent_table_covers_every_encoding_the_redactor_knows() -> None:
    assert set(ENCODERS) == set(ENCODINGS)


@pytest.mark.parametrize("secret", SECRETS.values(), ids=SECRETS.keys())
def test_every_encoding_of_a_secret_is_masked(secret: str) -> None:
    redactor = Redactor([secret])
    for name, form in encoded(secret).items():
        said = redactor.redact(f"before {form} after")
        assert said == f"before {MASK} after", (name, form, said)


@pytest.mark.parametrize("secret", SECRETS.values(), ids=SECRETS.keys())
@pytest.mark.parametrize("offset", [0, 1, 2])
def test_a_secret_inside_a_longer_base64_text_is_masked_at_every_alignment(
    secret: str, offset: int
) -> None:
    before = b"Basic mpr-user:"[: 12 + offset]  # 12, 13, 14 bytes: the 3 alignments
    text, start, end = stable_run(secret, before, b"@wix-tail")
    redactor = Redactor([secret])
    assert redactor.redact(f"x {text} y") == f"x {text[:start]}{MASK}{text[end:]} y"
    urlsafe = text.replace("+", "-").replace("/", "_")
    assert redactor.redact(urlsafe) == f"{urlsafe[:start]}{MASK}{urlsafe[end:]}"


def test_every_form_of_every_token_of_a_fleet_is_masked() -> None:
    tokens = [f"OauthNG.JWS.site-{n:04d}+payload/{n * 7919:x}=" for n in range(2_000)]
    redactor = Redactor(tokens)
    for token in (tokens[0], tokens[999], tokens[-1]):
        for name, form in encoded(token).items():
            assert redactor.redact(f"before {form} after") == f"before {MASK} after", name
    line = json.dumps({"header": f"Bearer {tokens[5]}", "url": f"?t={quote(tokens[6], safe='')}"})
    assert redactor.redact(line) == json.dumps({"header": f"Bearer {MASK}", "url": f"?t={MASK}"})


def test_text_without_a_secret_is_returned_unchanged() -> None:
    redactor = Redactor(["s3cr3t-value-1", "s3cr3t-value-2"])
    text = "s3cr3t-valu is not a secret, nor is s3cr3t-value- alone,\nnor s3cr3t-\nvalue-3"
    assert redactor.redact(text) == text
    assert Redactor().redact("anything") == "anything"


def test_a_line_break_between_two_secrets_is_kept() -> None:
    redactor = Redactor(["first-secret-1", "second-secret-2"])
    said = redactor.redact("a first-secret-1\nsecond-secret-2 b\nfirst-sec\nret-1")
    assert said == f"a {MASK}\n{MASK} b\n{MASK}"


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
    assert redactor.redact(base64.b64encode(b"token-learnt-late").decode()) == MASK


def test_a_secret_shorter_than_the_floor_is_not_masked() -> None:
    short = "k" * (MIN_SECRET - 1)
    assert Redactor([short]).redact(f"the {short} key") == f"the {short} key"


@pytest.mark.parametrize(
    "brk",
    ["\n", "\r", "\r\n", "\\n", "\\r", "\\r\\n"],
    ids=["LF", "CR", "CRLF", "escaped LF", "escaped CR", "escaped CRLF"],
)
def test_a_secret_split_by_any_one_kind_of_line_break_is_masked(brk: str) -> None:
    """A carriage return alone (an old Mac's line end, a progress bar) or its JSON escape
    splits a secret as much as a newline does."""
    redactor = Redactor(["first-secret-1"])
    assert redactor.redact(f"a first-se{brk}cret-1 b") == f"a {MASK} b"


def test_a_split_secret_at_the_very_start_of_the_text_is_masked() -> None:
    assert Redactor(["first-secret-1"]).redact("first-se\ncret-1 tail") == f"{MASK} tail"


def test_several_split_secrets_in_one_text_are_each_masked_the_text_between_kept() -> None:
    redactor = Redactor(["first-secret-1", "second-secret-2"])
    said = redactor.redact("a first-se\ncret-1 and second-\\nsecret-2 b")
    assert said == f"a {MASK} and {MASK} b"


def test_a_secret_as_short_as_the_floor_is_masked_at_the_very_end_of_a_text() -> None:
    short = "k3y-Zq"
    assert len(short) == MIN_SECRET
    assert Redactor([short]).redact(f"key: {short}") == f"key: {MASK}"
    assert Redactor([short]).redact(short) == MASK


def test_letters_whose_lower_case_is_longer_do_not_shift_the_mask() -> None:
    """'İ' lower-cases to two characters: folding only ASCII letters keeps every position, so
    the mask covers the secret and nothing else, wherever such letters stand."""
    redactor = Redactor(["secret-value-1"])
    assert redactor.redact("İİİ secret-value-1 tail") == f"İİİ {MASK} tail"
    assert redactor.redact("İstanbul: SECRET-VALUE-1, İzmir") == f"İstanbul: {MASK}, İzmir"
