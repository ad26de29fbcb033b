"""A credential that cannot travel in an HTTP header is refused before any request, with a
message that says which kind of character is wrong and where, never the value itself."""

from __future__ import annotations

import httpx
import pytest
import respx

from reconciler.errors import ConfigError
from reconciler.wix import WixClient

from .support import BASE, SITE, api_route

WHAT = "WIX_API_KEY"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            "IST.abc\x7fdef",
            "WIX_API_KEY holds a control character (code 127) at position 8, such as a line "
            "break: copy the value again without it",
        ),
        (
            "IST.abc\tdef",
            "WIX_API_KEY holds a control character (code 9) at position 8, such as a line "
            "break: copy the value again without it",
        ),
        (
            "IST.abc\u00e9def",
            "WIX_API_KEY holds a non-ASCII character (latin small letter e with acute) at "
            "position 8: a credential is plain ASCII; copy it again",
        ),
        (
            "IST.abc\ue000def",  # a private-use character has no name
            "WIX_API_KEY holds a non-ASCII character (a non-ascii character) at position 8: "
            "a credential is plain ASCII; copy it again",
        ),
        (
            "IST.abc\udcffdef",  # the environment held a byte that is not UTF-8
            "WIX_API_KEY holds a non-ASCII character (the byte 0xff, which is not UTF-8) at "
            "position 8: a credential is plain ASCII; copy it again",
        ),
        (
            "IST.abc\udc80def",  # the lowest such byte
            "WIX_API_KEY holds a non-ASCII character (the byte 0x80, which is not UTF-8) at "
            "position 8: a credential is plain ASCII; copy it again",
        ),
        (
            "IST.abc\udd00def",  # a lone surrogate no decoder made
            "WIX_API_KEY holds a non-ASCII character (a non-ascii character) at position 8: "
            "a credential is plain ASCII; copy it again",
        ),
        (
            "IST.abc\x80def",  # the first character past ASCII (a C1 control)
            "WIX_API_KEY holds a non-ASCII character (a non-ascii character) at position 8: "
            "a credential is plain ASCII; copy it again",
        ),
        (
            " IST.abcdef",
            "WIX_API_KEY has white space at its start or end: copy the value again without it",
        ),
    ],
    ids=[
        "DEL",
        "tab",
        "accented letter",
        "unnamed character",
        "undecodable byte",
        "lowest undecodable byte",
        "other surrogate",
        "first past ASCII",
        "leading space",
    ],
)
def test_a_key_that_cannot_be_a_header_is_refused_naming_the_character_and_place(
    key: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        WixClient(base_url="http://emulator.test", api_key=key)
    assert str(caught.value) == message
    assert key.strip() not in str(caught.value)


async def test_a_space_inside_a_key_is_a_valid_header_value(router: respx.MockRouter) -> None:
    """HTTP allows a space inside a header value: such a key is sent as it is."""
    route = api_route(router, "GET", "/marketing-plan").mock(
        return_value=httpx.Response(200, json={"status": "ACTIVE"})
    )
    async with WixClient(base_url=BASE, api_key="IST.abc def") as client:
        await client.site(SITE).get_social_marketing_plan()
    assert route.calls.last.request.headers["authorization"] == "IST.abc def"
