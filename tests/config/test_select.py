"""select_sites: ids, name globs, label selectors, union, and loud failure on no match."""

from __future__ import annotations

import pytest

from reconciler.config import select_sites
from reconciler.errors import SelectionEmpty
from reconciler.model.site import DesiredSite, SiteId

BAKERY = DesiredSite(
    SiteId("11111111-2222-4333-8444-555555555555"),
    "Crumb & Co Bakery",
    "a.yaml",
    labels={"client": "crumb", "region": "eu"},
)
DENTAL = DesiredSite(
    SiteId("22222222-3333-4444-8555-666666666666"),
    "Harbor Dental Studio",
    "b.yaml",
    labels={"client": "harbor-dental", "region": "us"},
)
PAPER = DesiredSite(
    SiteId("33333333-4444-4555-8666-777777777777"),
    "Inkwell Paper Goods",
    "c.yaml",
    labels={"client": "inkwell", "region": "eu"},
)
SITES = (BAKERY, DENTAL, PAPER)


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        ([], SITES),
        (["22222222-3333-4444-8555-666666666666"], (DENTAL,)),
        (["22222222-3333-4444-8555-666666666666".upper()], (DENTAL,)),
        (["crumb*"], (BAKERY,)),
        (["*DENTAL*"], (DENTAL,)),
        (["Inkwell Paper Goods"], (PAPER,)),
        (["region=eu"], (BAKERY, PAPER)),
        (["client=harbor-*"], (DENTAL,)),
        (["region=EU"], (BAKERY, PAPER)),
        (["region=us", "crumb*"], (BAKERY, DENTAL)),
        (["region=eu", "*paper*"], (BAKERY, PAPER)),
    ],
)
def test_selectors_pick_sites_in_their_original_order(
    selectors: list[str], expected: tuple[DesiredSite, ...]
) -> None:
    assert select_sites(SITES, selectors) == expected


def test_a_selector_matching_nothing_names_itself() -> None:
    with pytest.raises(SelectionEmpty) as raised:
        select_sites(SITES, ["crumb*", "nope*", "region=mars"])
    assert raised.value.selectors == ("nope*", "region=mars")
    assert "--site nope* region=mars matched no site" in str(raised.value)
    assert "Crumb & Co Bakery (11111111-2222-4333-8444-555555555555)" in str(raised.value)


def test_a_label_selector_never_matches_a_site_without_the_label() -> None:
    with pytest.raises(SelectionEmpty):
        select_sites(SITES, ["tier=*"])


def test_an_empty_selector_matches_nothing() -> None:
    with pytest.raises(SelectionEmpty):
        select_sites(SITES, [""])


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        (["!crumb*"], (DENTAL, PAPER)),
        (["!region=eu"], (DENTAL,)),
        (["!region=EU"], (DENTAL,)),
        (["region=eu", "!*paper*"], (BAKERY,)),
        (["!crumb*", "!client=inkwell"], (DENTAL,)),
        (["!22222222-3333-4444-8555-666666666666"], (BAKERY, PAPER)),
        ([" !crumb*"], (DENTAL, PAPER)),
    ],
)
def test_a_bang_selector_leaves_its_sites_out(
    selectors: list[str], expected: tuple[DesiredSite, ...]
) -> None:
    assert select_sites(SITES, selectors) == expected


def test_an_exclusion_matching_nothing_is_an_error_not_a_silent_no_op() -> None:
    with pytest.raises(SelectionEmpty) as raised:
        select_sites(SITES, ["!salon*"])
    assert "--site !salon* matched no site" in str(raised.value)


def test_a_selection_that_leaves_nothing_is_an_error() -> None:
    with pytest.raises(SelectionEmpty) as raised:
        select_sites(SITES, ["region=eu", "!region=eu"])
    assert "--site region=eu !region=eu leaves no site" in str(raised.value)


FLORIST = DesiredSite(
    SiteId("a1b2c3d4-2222-4333-8444-555555555555"),
    "Bloom Florist",
    "d.yaml",
    labels={"promo": "spring=yes"},
)


@pytest.mark.parametrize(
    "selector",
    [
        "a1b2c3d4-2222-4333-8444-555555555555",
        "A1B2C3D4-2222-4333-8444-555555555555",
        "promo=spring=yes",
    ],
)
def test_an_id_in_either_case_and_a_label_value_holding_equals_select_the_site(
    selector: str,
) -> None:
    assert select_sites((BAKERY, FLORIST), [selector]) == (FLORIST,)
