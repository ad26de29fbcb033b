"""`mpr doctor` and `--record`, as users run them: a subprocess against the emulator over a
real socket (#22). Doctor never writes; a renamed member is named and fails the site; a
recording holds no credential and no free text, loads back into the emulator, and a plan of
the recorded sites against it shows what a plan of the live sites showed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator, serve_in_thread
from tests.e2e.test_over_socket import APP_SECRET, EXAMPLES, SITE, app_env, mpr, server

pytestmark = pytest.mark.dated
__all__ = ["server"]  # the fixture, imported for its use here

RENAMED = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
INSTANCE = "9a3f6c1e-aaaa-4e2a-9b7c-5d8e0f1a2b3c"
READ_METHODS = (
    "CreateAccessToken",
    "GetMarketingSettings",
    "GetMarketingSettingsDefaults",
    "GetPlanGoalOptions",
    "GetPointOfViewOptions",
    "GetCalendarOptions",
    "GetSocialMarketingPlan",
    "QueryEvents",
    "QueryMarketingActivities",
)


def test_doctor_on_the_examples_is_ready_and_writes_nothing(
    server: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, base_url = server
    env = app_env(base_url)
    result = mpr("doctor", str(EXAMPLES / "sites"), env=env, cwd=tmp_path)
    assert result.returncode == exitcodes.OK, result.stdout + result.stderr
    assert "Doctor: 3 site(s): 3 ready, 0 not ready" in result.stdout
    assert result.stdout.count("verdict: ready: mpr can act on every answer") == 3
    assert result.stdout.count("signed in as wix-app: Wix app") == 3
    for method in READ_METHODS:
        assert re.search(rf"^  {method} +200 +\d+ ms  known: ", result.stdout, re.M), method
    assert "known: access_token, expires_in" in result.stdout
    assert emulator.writes() == []
    assert APP_SECRET not in result.stdout + result.stderr


def test_doctor_json_lists_every_method_with_its_members(
    server: tuple[Emulator, str], tmp_path: Path
) -> None:
    _, base_url = server
    result = mpr(
        "doctor", str(EXAMPLES / "sites"), "--format", "json", env=app_env(base_url), cwd=tmp_path
    )
    assert result.returncode == exitcodes.OK, result.stderr
    body = json.loads(result.stdout)
    assert body["ready"] is True
    site = next(s for s in body["sites"] if s["name"] == "Harbor Dental Studio")
    methods = {m["method"]: m for m in site["methods"]}
    assert set(READ_METHODS) | {"GetMarketingActivityPosts"} == set(methods)
    settings = methods["GetMarketingSettings"]
    assert settings["status"] == 200 and settings["missing"] == [] and settings["error"] is None
    assert "marketingSettings.settings" in settings["known"]
    assert site["identity"].startswith("wix-app: ")


def seed_renamed(base_url: str, method: str, body: dict[str, Any]) -> None:
    """A site (through the control plane) whose `method` answers `body`: what a Wix that
    renamed a member would send."""
    answers = {method: {"status": 200, "body": body}}
    document = {"sites": [{"id": RENAMED, "instanceId": INSTANCE, "answers": answers}]}
    answer = httpx.post(f"{base_url}/_emulator/sites", json=document, timeout=10)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    "method,body,named",
    [
        ("GetSocialMarketingPlan", {"planStatus": "ACTIVE"}, ["missing: status", "planStatus"]),
        (
            "QueryEvents",
            {"results": [{"id": "e1", "name": "x"}], "pagingMetadata": {"count": 1}},
            ["unknown: results, pagingMetadata", "a list of objects under 'results'"],
        ),
    ],
)
def test_a_renamed_member_is_named_and_fails_the_site(
    server: tuple[Emulator, str],
    tmp_path: Path,
    method: str,
    body: dict[str, Any],
    named: list[str],
) -> None:
    emulator, base_url = server
    seed_renamed(base_url, method, body)
    (tmp_path / "renamed.yaml").write_text(
        f"version: 1\nsite: {{id: {RENAMED}, name: Renamed}}\n"
        f"auth: {{wixApp: {{instanceId: {INSTANCE}}}}}\n",
        encoding="utf-8",
    )
    sites = [str(EXAMPLES / "sites" / "crumb-bakery.yaml"), "renamed.yaml"]
    result = mpr("doctor", *sites, env=app_env(base_url), cwd=tmp_path)
    assert result.returncode == exitcodes.ERROR, result.stdout + result.stderr
    assert "Doctor: 2 site(s): 1 ready, 1 not ready" in result.stdout
    renamed = result.stdout[result.stdout.index("Renamed") :]
    for words in named:
        assert words in renamed, renamed
    assert f"verdict: NOT READY: mpr cannot act on {method};" in renamed
    assert emulator.writes() == []


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def free_texts(emulator: Emulator, site_ids: list[str]) -> set[str]:
    """Every name, description, title, caption and settings text of the example sites, as
    declared and as live (the emulator's generated activities and drafts included)."""
    texts: set[str] = set()
    for path in (EXAMPLES / "sites").rglob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts.add(document.get("site", {}).get("name", ""))
        texts |= set(strings(document.get("settings", {})))
        texts |= set(strings(document.get("events", [])))
    for site_id in site_ids:
        state = emulator.snapshot(site_id)
        for activity in state["plan"]["marketingActivities"]:
            texts |= {activity.get("title", ""), activity.get("description", "")}
            for item in activity.get("items", []):
                for member, content in item.items():
                    if member.endswith(("Post", "Story", "Photo")):
                        texts |= set(strings(content))
    enums = re.compile(r"[A-Z][A-Z0-9_]*|\d{4}-\d\d-\d\dT.*|https?://\S+")
    return {t for t in texts if len(t) > 3 and not enums.fullmatch(t)}


def test_a_recording_masks_everything_and_replays_to_an_empty_plan(
    server: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, base_url = server
    sites, env = str(EXAMPLES / "sites"), {**app_env(base_url), "MPR_AUDIT_LOG": "off"}
    applied = mpr("apply", sites, "--auto-approve", env=env, cwd=tmp_path)
    assert applied.returncode == exitcodes.OK, applied.stdout + applied.stderr
    # The agency's drafts wait for review (afterGeneration: review): a plan shows them, the
    # next apply schedules them (as in test_over_socket).
    mpr("plan", sites, env=env, cwd=tmp_path)
    reviewed = mpr("apply", sites, "--auto-approve", env=env, cwd=tmp_path)
    assert reviewed.returncode == exitcodes.OK, reviewed.stdout + reviewed.stderr
    converged = mpr("plan", sites, "--detailed-exitcode", env=env, cwd=tmp_path)
    assert converged.returncode == exitcodes.OK, converged.stdout

    recorded = mpr("doctor", sites, "--record", "rec", env=env, cwd=tmp_path)
    assert recorded.returncode == exitcodes.OK, recorded.stdout + recorded.stderr
    assert "Recorded 3 site(s), masked, to rec; replay: mpr plan rec/sites" in recorded.stderr

    files = [tmp_path / "rec" / "fixture.json", *sorted((tmp_path / "rec" / "sites").iterdir())]
    assert len(files) == 4
    text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    secrets = {APP_SECRET, *emulator.backend.identities.tokens}
    secrets |= set(emulator.app_credentials()["instances"].values())
    assert [s for s in secrets if s in text] == []
    site_ids = sorted(emulator.backend.sites)
    leaked = [t for t in free_texts(emulator, site_ids) if t in text]
    assert leaked == [], leaked
    assert "masked-" in text

    replay = Emulator()
    replay.load_fixtures_file(tmp_path / "rec" / "fixture.json")  # as `mpr emulator serve`
    with serve_in_thread(replay) as replay_url:
        replay_env = {**app_env(replay_url), "WIX_API_KEY": "any-key", "MPR_AUDIT_LOG": "off"}
        again = mpr("plan", "rec/sites", "--detailed-exitcode", env=replay_env, cwd=tmp_path)
    assert again.returncode == exitcodes.OK, again.stdout + again.stderr
    assert replay.writes() == []
    assert {r.operation for r in replay.requests} >= {
        "GetMarketingSettings",
        "GetSocialMarketingPlan",
        "QueryEvents",
    }


def test_a_recording_replays_in_process_with_emulator(
    server: tuple[Emulator, str], tmp_path: Path
) -> None:
    """The same recording through `--emulator`: a plan of the sites as they were (not
    converged here) shows the same changes as the plan of the live sites."""
    _, base_url = server
    sites, env = str(EXAMPLES / "sites"), app_env(base_url)
    live = mpr("plan", sites, "--format", "json", env=env, cwd=tmp_path)
    recorded = mpr("doctor", sites, "--record", "rec", env=env, cwd=tmp_path)
    assert recorded.returncode == exitcodes.OK, recorded.stderr
    replay = mpr(
        "plan", "rec/sites", "--emulator", "rec/fixture.json", "--format", "json",
        env=env, cwd=tmp_path,
    )
    assert replay.returncode == exitcodes.OK, replay.stderr

    def shape(output: str) -> list[tuple[str, int, int, str]]:
        plan = json.loads(output)
        return sorted(
            (s["site_id"], len(s["settings"]), len(s["events"]), s["action"]["kind"])
            for s in plan["sites"]
        )

    assert shape(replay.stdout) == shape(live.stdout)


def test_doctor_by_site_id_signs_in_as_a_wix_user_with_the_token_command(
    server: tuple[Emulator, str], tmp_path: Path
) -> None:
    emulator, base_url = server
    site = "11111111-2222-4333-8444-555555555555"
    token = httpx.post(f"{base_url}/_emulator/user-tokens", json={"siteId": site}, timeout=10)
    command = f"echo {token.json()['token']}"
    result = mpr("doctor", site, "--token-command", command, env=app_env(base_url), cwd=tmp_path)
    assert result.returncode == exitcodes.OK, result.stdout + result.stderr
    assert "signed in as wix-user: Wix user token from the credential command" in result.stdout
    assert "no token request: the credential command printed the token" in result.stdout
    assert token.json()["token"] not in result.stdout + result.stderr
    assert emulator.writes() == []


def test_doctor_runs_against_the_in_process_emulator(tmp_path: Path) -> None:
    fixture = str(EXAMPLES / "_emulator" / "sites.yaml")
    env = {k: v for k, v in app_env("http://unused.invalid").items() if k != "WIX_API_BASE_URL"}
    result = mpr("doctor", str(EXAMPLES / "sites"), "--emulator", fixture, env=env, cwd=tmp_path)
    assert result.returncode == exitcodes.OK, result.stdout + result.stderr
    assert "Doctor: 3 site(s): 3 ready, 0 not ready" in result.stdout


def test_an_emulator_fault_that_renames_a_member_is_named(
    server: tuple[Emulator, str], tmp_path: Path
) -> None:
    """The emulator's reshaping fault (control plane): QueryEvents of the bakery answers its
    events under `results`; doctor names the member, the bakery is not ready, exit 1."""
    emulator, base_url = server
    fault = {"path": "/events/query", "siteId": SITE, "renameMember": "events=results"}
    answer = httpx.post(f"{base_url}/_emulator/faults", json={**fault, "times": None}, timeout=10)
    assert answer.status_code == 200, answer.text
    result = mpr("doctor", str(EXAMPLES / "sites"), env=app_env(base_url), cwd=tmp_path)
    assert result.returncode == exitcodes.ERROR, result.stdout + result.stderr
    assert "Doctor: 3 site(s): 2 ready, 1 not ready" in result.stdout
    bakery = result.stdout[result.stdout.index("Crumb & Co Bakery") :]
    assert re.search(r"^  QueryEvents +200 .*unknown: results$", bakery, re.M), bakery
    assert "found a list of objects under 'results'" in bakery
    assert "verdict: NOT READY: mpr cannot act on QueryEvents;" in bakery
    assert emulator.writes() == []
