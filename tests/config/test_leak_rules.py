"""Each rule of the key-leak check on its own: `mpr validate` refuses a credential that only
that rule recognises, and accepts the same text one character short of it.

A Wix key made of a JWT (as real ones are) is caught by the JWT rule too, so it says
nothing about the `IST.` rule: here every credential is shaped so that no other rule
matches it (no `eyJ`, fewer than 40 token characters in a row, no digits scattered in
mixed case).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner

from reconciler.cli.validate_cmd import validate
from reconciler.config.leaks import MESSAGE
from tests.config.conftest import NOW, SIGNED_IN, site

CAUGHT = {
    "a Wix API key (IST. and 20 token characters)": "IST." + "wixkey" * 3 + "wi",
    "a JWT (eyJ, 8 characters, a dot, 8 more)": "eyJhbGciOiJ.eyJzdWIi",
    "a long hex string (40 digits)": "0123456789abcdef" * 2 + "01234567",
    "40 hex digits of six symbols (2.6 bits each)": "abc123" * 6 + "abc1",
    "40 hex digits of exactly 2.5 bits each": "ab" * 10 + "cdef" * 5,
    "a random-looking token (40 characters)": "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7d",
}
ONE_SHORT = {
    "IST. and 19 token characters": "IST." + "wixkey" * 3 + "w",
    "eyJ and 7 characters before the dot": "eyJhbGciOi.eyJzdWIi",
    "eyJ and 7 characters after the dot": "eyJhbGciOiJ.eyJzdWI",
    "39 hex digits": "0123456789abcdef" * 2 + "0123456",
    "40 hex digits of five symbols (2.3 bits each)": "abc12" * 8,
    "3,000 of one letter a to f": "d" * 3000,
    "a random-looking token of 39 characters": "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7",
}


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WIX_API_KEY", raising=False)
    with time_machine.travel(NOW, tick=False):
        yield tmp_path


def validated(tone: str) -> tuple[int, str, str]:
    document = site(f'settings:\n  toneOfVoice: "{tone}"\n') + SIGNED_IN
    Path("site.yaml").write_text(document, encoding="utf-8")
    result = CliRunner().invoke(validate, ["site.yaml"])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("credential", CAUGHT.values(), ids=CAUGHT.keys())
def test_a_credential_only_one_rule_knows_is_refused(credential: str) -> None:
    assert validated(credential) == (
        1,
        "",
        f"site.yaml:6:16: settings.toneOfVoice: {MESSAGE}\n1 error in 1 file\n",
    )


@pytest.mark.parametrize("text", ONE_SHORT.values(), ids=ONE_SHORT.keys())
def test_the_same_text_one_character_short_is_accepted(text: str) -> None:
    assert validated(text) == (0, "", "1 site file valid\n")
