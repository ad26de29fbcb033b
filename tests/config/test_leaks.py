"""Secrets pasted inline are refused; references to them are fine."""

from __future__ import annotations

import secrets

import pytest

from reconciler.config import check_sites
from reconciler.config.leaks import MESSAGE, looks_secret
from tests.config.conftest import NOW, Writer, site

WIX_KEY = "IST.eyJraWQiOiJQb3pIX2FDMiIsImFsZyI6IlJTMjU2In0.eyJkYXRhIjoiZmFrZSJ9.c2ln"


@pytest.mark.parametrize(
    "text",
    [
        WIX_KEY,
        f"use {WIX_KEY} here",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
        "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7d",
        "0123456789abcdef0123456789abcdef01234567",
        "xK9mPqR2vLwZtYbNcHdFgJsAeUiOoQwErTyUiOpAsDfG",  # digits in two places only
        "QzrtVwkmNbx7yFghTrewQlkjHgfdSapoIuyTr4ExzMnb",  # two, among segments of 2.9 on average
        "Xkqwplmrt7Vbnzxqwe4Ytrmnbvcx9Plkjhgfdsaqwe",  # three, however long the segments
        "aB3dE5fGhJkLmNpQ" * 3,  # 16 characters equally often: entropy 4.0, the threshold
    ],
)
def test_credentials_are_recognised(text: str) -> None:
    assert looks_secret(text)


@pytest.mark.parametrize(
    "text",
    [
        "${WIX_API_KEY}",
        "warm and playful, never pushy",
        "sourdough-bread-and-seasonal-pastries-for-the-2026-holidays",
        "SlowFermentedSourdoughBreadBakedEveryMorning2026Edition",
        "https://static.wixstatic.com/media/abc123_DEF456ghi789JKL012mno345~mv2.jpg",
        "11111111-2222-4333-8444-555555555555",
        "spring-2026-menu-for-the-bakery-and-cafe-in-lisbon-v2-final",  # one case only
        "BuyOne2026GetOne2026FreeBuyOne2026GetOne2026Free",  # too repetitive for a token
        "Summer2026SaleEvery2ndLoafFreeAtTheBakery",  # two numbers among whole words
        "ourBestSellers2026AndEvery1OfThemIsVegan",
        "OurRyeBunFor2026HasFigJamAndOatBunTwo7DaysOff",  # words of 3 letters on average
    ],
)
def test_ordinary_text_is_not_a_credential(text: str) -> None:
    assert not looks_secret(text)


def test_random_tokens_are_almost_always_caught() -> None:
    caught = sum(looks_secret(secrets.token_urlsafe(32)) for _ in range(500))
    assert caught >= 475


def test_the_environment_key_value_is_caught_anywhere() -> None:
    assert looks_secret("prefix my-own-key-123 suffix", known="my-own-key-123")
    assert not looks_secret("short", known="short")  # too short to be a key worth matching
    assert looks_secret("prefix eight-ch suffix", known="eight-ch")  # 8 characters: long enough


def test_a_pasted_key_and_a_reference_to_it_are_both_errors(write: Writer) -> None:
    path = write(
        site(
            f"settings:\n  toneOfVoice: '{WIX_KEY}'\n  imageGuidelines: '${{WIX_API_KEY}}'\n"
            "  customContentGuidelines: 'see ${MY_COPY}'\n"
        )
    )
    env = {"WIX_API_KEY": "k" * 20, "MY_COPY": "k" * 20}
    result = check_sites([path], env=env, now=NOW)
    expanded = "would copy a secret into the site's settings and every plan output"
    found = sorted((p.path, p.message == MESSAGE, expanded in p.message) for p in result.problems)
    assert found == [
        ("settings.customContentGuidelines", False, True),
        ("settings.imageGuidelines", False, True),
        ("settings.toneOfVoice", True, False),
    ]
    assert WIX_KEY not in str(result.problems) and "k" * 20 not in str(result.problems)


def test_keys_in_a_defaults_file_are_caught_too(write: Writer) -> None:
    write(f"settings: {{toneOfVoice: '{WIX_KEY}'}}\n", "_defaults.yaml")
    path = write(site("defaults: _defaults.yaml\n"))
    result = check_sites([path.parent], env={}, now=NOW)
    assert [(p.file.endswith("_defaults.yaml"), p.path) for p in result.errors] == [
        (True, "settings.toneOfVoice")
    ]


def test_a_reference_does_not_join_the_text_around_it_into_a_token(write: Writer) -> None:
    """The text before a reference is 38 token characters, 2 short of a token: the reference
    is blanked out, not replaced by anything that would lengthen that run."""
    near = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC"
    path = write(site(f"settings:\n  toneOfVoice: '{near}${{SHOP}}'\n"))
    assert check_sites([path], env={"SHOP": "crumb"}, now=NOW).problems == ()


def test_the_api_key_of_the_environment_pasted_into_a_file_is_refused(write: Writer) -> None:
    """However plain it looks: 8 characters are enough to be matched."""
    path = write(site("settings:\n  toneOfVoice: 'say hunter22 twice'\n"))
    (problem,) = check_sites([path], env={"WIX_API_KEY": "hunter22"}, now=NOW).problems
    assert (problem.path, problem.message) == ("settings.toneOfVoice", MESSAGE)


def test_a_key_in_a_list_is_found_at_its_own_place(write: Writer) -> None:
    topics = f"  topics:\n    included:\n      - sourdough\n      - '{WIX_KEY}'\n"
    path = write(site("settings:\n" + topics))
    (problem,) = check_sites([path], env={}, now=NOW).problems
    assert (problem.line, problem.column, problem.path, problem.message) == (
        9,
        9,
        "settings.topics.included[1]",
        MESSAGE,
    )
