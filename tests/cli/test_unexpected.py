"""Issue #11: no path of mpr ends in a Python traceback. A bug (an error mpr did not foresee)
is one line that says how to report it, with every secret masked; the traceback shows only
with --debug (or MPR_DEBUG=1)."""

from __future__ import annotations

import re
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import REPORT, exitcodes
from reconciler.cli.app import Hooks
from reconciler.emulator import Emulator
from reconciler.engine import fleet
from reconciler.engine.apply import apply_site
from reconciler.engine.plan import SitePlan
from reconciler.engine.planning import build_site_plan
from reconciler.model.site import DesiredSite, LiveSite
from reconciler.wix import WixClient
from tests.cli.conftest import SITE, write_site
from tests.conftest import Mpr

SECRET = "IST.unexpected-error-secret-0123456789"
OTHER = "22222222-3333-4444-8555-666666666666"


def broken() -> AbstractAsyncContextManager[WixClient]:
    raise RuntimeError(f"the client fell over holding {SECRET}")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WIX_API_KEY", SECRET)
    monkeypatch.delenv("MPR_DEBUG", raising=False)
    return write_site(tmp_path)


def test_a_bug_is_one_line_saying_how_to_report_it(mpr: Mpr, site: Path) -> None:
    result = mpr("plan", str(site), obj=Hooks(client=broken))
    assert result.code == exitcodes.ERROR
    assert result.err == (
        "Error: unexpected error (RuntimeError: the client fell over holding ***). " + REPORT + "\n"
    )
    assert "mpr --debug" in REPORT


@pytest.mark.parametrize("how", ["option", "option after the command", "variable"])
def test_debug_shows_the_traceback_with_secrets_masked(
    mpr: Mpr, site: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    if how == "variable":
        monkeypatch.setenv("MPR_DEBUG", "1")
        argv = ["plan", str(site)]
    elif how == "option after the command":
        argv = ["plan", str(site), "--debug"]
    else:
        argv = ["--debug", "plan", str(site)]
    result = mpr(*argv, obj=Hooks(client=broken))
    assert result.code == exitcodes.ERROR
    assert result.err.startswith("Traceback (most recent call last):\n")
    assert "RuntimeError: the client fell over holding ***\n" in result.err
    assert SECRET not in result.err
    assert result.err.splitlines()[-1].startswith("Error: unexpected error (RuntimeError:")


def two_sites(emulator: Emulator, folder: Path, body: str) -> None:
    """SITE in a.yaml and OTHER in b.yaml, both with `body`, both on the emulator."""
    emulator.load_fixtures({"sites": [{"id": SITE}, {"id": OTHER}]})
    write_site(folder, "a.yaml", body)
    write_site(folder, "b.yaml", body, site_id=OTHER)


def test_a_bug_met_planning_one_site_fails_that_site_only(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One site's data meeting a bug in mpr: that site's plan says so, the others are made."""
    two_sites(emulator, tmp_path, "settings: {toneOfVoice: warm}\n")
    real = build_site_plan

    def buggy(desired: DesiredSite, live: LiveSite, **kwargs: Any) -> SitePlan:
        if desired.id == OTHER:
            raise KeyError("activities")
        return real(desired, live, **kwargs)

    monkeypatch.setattr(fleet, "build_site_plan", buggy)
    result = mpr("plan", str(tmp_path))
    assert result.code == exitcodes.ERROR, result.out + result.err
    assert (
        "  ! error: unexpected error (KeyError: 'activities'); the other sites were not "
        "affected. This is a bug in mpr: run the command again with `mpr --debug` and report "
        "what it prints\n"
    ) in result.out
    assert '+ settings.toneOfVoice: (unset) → "warm"' in result.out, "the other site: planned"
    assert "1 to change, 0 unchanged, 1 error(s)." in result.out
    assert "Traceback" not in result.err
    debugged = mpr("--debug", "plan", str(tmp_path))
    assert f"unexpected error planning {OTHER}\nTraceback" in debugged.err, "what to report"
    weeks = mpr("calendar", str(tmp_path))  # the other views of the fleet say it alike
    assert weeks.code == exitcodes.ERROR, weeks.out + weeks.err
    assert "  ! error: unexpected error (KeyError: 'activities'); the other sites" in weeks.out


def test_a_bug_met_applying_one_site_fails_that_site_only_and_debug_names_it(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_sites(emulator, tmp_path, "settings: {toneOfVoice: warm}\npolicy: {regenerate: never}\n")
    real = apply_site  # what fleet calls, until patched below

    async def buggy(rt: Any, site: Any, desired: DesiredSite, *args: Any) -> Any:
        if desired.id == OTHER:
            raise KeyError("drafts")
        return await real(rt, site, desired, *args)

    monkeypatch.setattr(fleet, "apply_site", buggy)
    result = mpr("--debug", "apply", str(tmp_path), "--auto-approve")
    assert result.code == exitcodes.ERROR, result.out + result.err
    assert re.search(
        rf"\nCrumb & Co \({OTHER}\): failed\n  ! error: unexpected error \(KeyError: 'drafts'\); "
        "the other sites",
        result.out,
    ), result.out
    assert f"({SITE}): applied" in result.out, "the other site: applied"
    assert f"unexpected error applying {OTHER}\nTraceback" in result.err
