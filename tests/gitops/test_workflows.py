"""The workflows under .github/ run for real: their steps, against the emulator and a fake GitHub.

A pull request is previewed (one comment, updated in place), merged and applied (with the
review digest compared and an audit log kept), checked for drift nightly (an issue opened,
then closed once the drift is undone), and an older commit's late apply is refused.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.emulator import Emulator, EmulatorConfig, serve_in_thread
from reconciler.render.markdown import MARKER
from tests.gitops.actions import Runner, WorkflowResult, base_environment, load
from tests.gitops.conftest import SITE
from tests.gitops.fakegithub import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
EXAMPLE = ROOT / "examples" / "_github" / "workflows" / "mpr.yml"
APP_ID = "0b6c1a9e-5f4d-4e3c-8b2a-19f8e7d6c5b4"
APP_SECRET = "workflow-app-secret-that-never-leaks-77aa55cc"
INSTANCE = "9a3f6c1e-1111-4e2a-9b7c-5d8e0f1a2b3c"
SITE_FILE = """\
version: 1
site:
  id: 11111111-2222-4333-8444-555555555555
  name: Crumb & Co
auth:
  wixApp: {{instanceId: 9a3f6c1e-1111-4e2a-9b7c-5d8e0f1a2b3c}}
settings:
  toneOfVoice: {tone}
  socialChannels: [FACEBOOK]
events:
  - name: Black Friday Sale
    date: "{date}"
policy:
  schedule: {{enabled: false}}
"""


def in_a_month() -> str:
    """A date always ahead: the steps' `mpr` and the emulator read the real clock."""
    return (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT09:00:00Z")


@dataclass
class World:
    """The repository checkout, the emulated Wix, the fake GitHub, and how to run a workflow."""

    repo: Path
    temp: Path
    bare: Path
    emulator: Emulator
    wix_url: str
    github: FakeGitHub
    github_url: str
    runs: int = 0
    event_date: str = field(default_factory=in_a_month)

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", *args],
            cwd=self.repo,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def commit(self, tone: str) -> str:
        (self.repo / "sites").mkdir(exist_ok=True)
        text = SITE_FILE.format(tone=tone, date=self.event_date)
        (self.repo / "sites" / "crumb.yaml").write_text(text)
        self.git("add", "sites")
        self.git("commit", "-qm", f"tone: {tone}")
        self.git("push", "-q", "origin", "HEAD")
        return self.git("rev-parse", "HEAD")

    def remote(self, *args: str) -> str:
        """git in the bare repository the checkout was cloned from (GitHub's copy)."""
        done = subprocess.run(
            ["git", "-C", str(self.bare), *args], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    def run(
        self, workflow: str, event: str, sha: str, pr: int | None = None, **inputs: Any
    ) -> WorkflowResult:
        self.runs += 1
        payload = self.temp / f"event-{self.runs}.json"
        payload.write_text(json.dumps({"pull_request": {"number": pr}} if pr else {}))
        github = {
            "event_name": event,
            "sha": sha,
            "repository": self.github.repository,
            "run_id": str(9000 + self.runs),
            "run_attempt": "1",
            "actor": "octocat",
            "token": self.github.token,
            "ref": f"refs/pull/{pr}/merge" if pr else "refs/heads/main",
        }
        environment = {
            **base_environment(self.temp),
            "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": str(payload),
            "GITHUB_SHA": sha,
            "GITHUB_REPOSITORY": self.github.repository,
            "GITHUB_RUN_ID": github["run_id"],
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_ACTOR": "octocat",
            "GITHUB_REF": github["ref"],
            "GITHUB_API_URL": self.github_url,
            "GITHUB_SERVER_URL": "https://github.test",
            "GITHUB_ACTIONS": "true",
            "CI": "true",
        }
        runner = Runner(self.repo, self.temp, github, environment)
        values = {
            "sites": "sites",
            "mpr-install": "unused",
            "wix-api-base-url": self.wix_url,
            **inputs,
        }
        secrets = {"wix-app-id": APP_ID, "wix-app-secret": APP_SECRET}
        return runner.run(WORKFLOWS / workflow, values, secrets)

    def live_tone(self) -> str:
        settings = self.emulator.snapshot(SITE)["marketingSettings"]["settings"]
        return str(settings.get("toneOfVoice"))

    def audit(self) -> list[dict[str, Any]]:
        path = self.repo / ".mpr" / "audit.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    emulator = Emulator(
        EmulatorConfig(
            generation_seconds=0.3,
            posts_seconds=0.1,
            seed="e2e",
            app_id=APP_ID,
            app_secret=APP_SECRET,
        )
    )
    emulator.load_fixtures(
        {
            "sites": [
                {
                    "id": SITE,
                    "instanceId": INSTANCE,
                    "connectedChannels": ["FACEBOOK"],
                    "settings": {"toneOfVoice": "formal"},
                    "plan": {"status": "ACTIVE"},
                }
            ]
        }
    )
    fake = FakeGitHub()
    repo, temp, bare = tmp_path / "repo", tmp_path / "runner", tmp_path / "remote.git"
    repo.mkdir()
    temp.mkdir()
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    with serve_in_thread(emulator) as wix_url, fake.serve() as github_url:
        world = World(repo, temp, bare, emulator, wix_url, fake, github_url)
        world.git("init", "-q", "-b", "main")
        world.git("remote", "add", "origin", str(bare))
        yield world


def test_pull_request_merge_drift_and_order(world: World) -> None:
    base = world.commit("formal")
    world.git("checkout", "-qb", "warmer")
    reviewed = world.commit("warm and playful")

    # --- a pull request: validate, plan, ONE comment (updated in place on the next push)
    preview = world.run("mpr-preview.yml", "pull_request", reviewed, pr=7)
    job = preview.job("preview")
    assert not job.failed, [(s.name, s.code, s.err) for s in job.steps]
    assert job.step("plan").outputs["exit-code"] == "2"
    assert job.step("plan").outputs["result"] == "changes"
    assert preview.outputs["result"] == "changes"
    assert "Crumb & Co (11111111" in job.step("plan").out, "the full text plan is in the log"
    (comment,) = world.github.comments_on(7)
    assert comment["body"].startswith(MARKER)
    assert "| **Crumb & Co** | ✏️ changes |" in comment["body"]
    assert world.github.labels[7] == ["mpr:changes"]
    assert job.summary.startswith(MARKER), "the check summary carries the plan too"

    again = world.run("mpr-preview.yml", "pull_request", reviewed, pr=7)
    assert not again.failed
    assert len(world.github.comments_on(7)) == 1
    assert world.emulator.writes() == [], "previews never write"

    # --- the merge: apply exactly what was reviewed, with an audit trail
    world.git("checkout", "-q", "main")
    world.git("merge", "-q", "--ff-only", "warmer")
    world.git("push", "-q", "origin", "main")
    world.github.pulls_by_sha[reviewed] = [7]
    merged = world.run("mpr-apply.yml", "push", reviewed)
    review, apply = merged.job("review"), merged.job("apply")
    assert not review.failed, [(s.name, s.code, s.out, s.err) for s in review.steps]
    assert (
        review.step("reviewed")
        .out.splitlines()[-1]
        .endswith("makes the writes reviewed in pull request #7")
    )
    assert not apply.failed, [(s.name, s.code, s.out, s.err) for s in apply.steps]
    assert apply.step("apply").outputs["result"] == "applied"
    assert "### mpr apply: applied" in apply.summary
    assert world.live_tone() == "warm and playful"
    lines = world.audit()
    assert {line["commit"] for line in lines} == {reviewed}
    assert {line["actor"] for line in lines} == {"octocat"}
    assert [line["action"] for line in lines if line["result"] == "ok"][:2] == [
        "settings.upsert",
        "event.create",
    ]
    assert lines[-1]["action"] == "apply" and lines[-1]["result"] == "applied"
    audit = (world.repo / ".mpr" / "audit.jsonl").read_text()
    assert APP_SECRET not in audit
    assert {line["identity"] for line in lines} == {"wix-app"}
    notes = world.remote("notes", "--ref", "mpr", "show", reviewed)
    assert [json.loads(line) for line in notes.splitlines()] == lines, "the trail is in Git"
    assert world.remote("ls-tree", "--name-only", "refs/mpr/state") == "state.json"
    objects = subprocess.run(
        ["git", "-C", str(world.bare), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout
    assert APP_SECRET.encode() not in objects and world.github.token.encode() not in objects

    # --- nightly: in sync, then drifted (someone edits the tone in the dashboard)
    quiet = world.run("mpr-drift.yml", "schedule", reviewed)
    assert not quiet.failed and world.github.issues == {}
    assert quiet.job("drift").step("drift").outputs["exit-code"] == "0"
    httpx.post(
        f"{world.wix_url}/promote/marketing-plan-service/v1/marketing-settings",
        headers={"Authorization": world.emulator.issue_user_token(SITE), "wix-site-id": SITE},
        json={
            "marketingSettings": {"settings": {"toneOfVoice": "SHOUTY"}},
            "fieldMask": "settings.toneOfVoice",
        },
    ).raise_for_status()
    drift_inputs: dict[str, Any] = {"on-drift": "both"}
    drifted = world.run("mpr-drift.yml", "schedule", reviewed, **drift_inputs)
    job = drifted.job("drift")
    assert job.step("drift").outputs["exit-code"] == "2"
    assert job.step("Fail on drift").code == 1
    assert "::error title=mpr drift::" in job.step("Fail on drift").out
    (issue,) = world.github.issues.values()
    assert issue["state"] == "open" and "settings.toneOfVoice" in issue["body"]

    # the merge's review no longer matches the live state: a plain re-run is refused...
    rerun = world.run("mpr-apply.yml", "push", reviewed)
    assert rerun.job("review").step("reviewed").code == 4
    assert rerun.job("apply").skipped
    assert world.live_tone() == "SHOUTY"
    # ...a manual run re-applies the files as they are
    manual = world.run(
        "mpr-apply.yml", "workflow_dispatch", reviewed, **{"compare-with-review": False}
    )
    assert not manual.failed, [(s.name, s.err) for s in manual.job("apply").steps]
    assert world.live_tone() == "warm and playful"
    healed = world.run("mpr-drift.yml", "schedule", reviewed)
    assert not healed.failed
    assert issue["state"] == "closed"

    # --- an older commit's late (or re-run) apply is refused by the ordering guard, on a
    # runner that has nothing on its disk: the last applied commit comes from Git
    assert base != reviewed
    shutil.rmtree(world.repo / ".mpr")
    world.git("update-ref", "-d", "refs/notes/mpr")
    world.git("update-ref", "-d", "refs/mpr-remote/notes/mpr")
    late = world.run("mpr-apply.yml", "workflow_dispatch", base, **{"compare-with-review": False})
    step = late.job("apply").step("apply")
    assert step.code == 4, step.err
    assert f"refusing to apply commit {base[:12]}: it is older than" in step.err
    assert world.live_tone() == "warm and playful"


def test_a_preview_that_cannot_plan_still_updates_its_comment(world: World) -> None:
    sha = world.commit("formal")
    (world.repo / "sites" / "crumb.yaml").write_text("version: 1\nsite: {id: nope}\n")
    result = world.run("mpr-preview.yml", "pull_request", sha, pr=3)
    job = result.job("preview")
    assert job.failed
    assert job.step("Validate the site files").code == 1
    assert "::error file=sites/crumb.yaml" in job.step("Validate the site files").out
    assert not job.step("plan").ran
    (comment,) = world.github.comments_on(3)
    assert "<!-- mpr-result: error -->" in comment["body"]
    assert world.github.labels[3] == ["mpr:error"]
    assert result.outputs["result"] == "error"


def test_the_example_calls_the_workflows_with_inputs_they_have() -> None:
    example = load(EXAMPLE)
    for name, job in example["jobs"].items():
        target = WORKFLOWS / job["uses"].split("/.github/workflows/")[1].split("@")[0]
        called = load(target)["on"]["workflow_call"]
        assert set(job.get("with", {})) <= set(called["inputs"]), name
        assert set(job.get("secrets", {})) <= set(called["secrets"]), name
        required = {k for k, v in called["secrets"].items() if v.get("required")}
        assert required <= set(job.get("secrets", {})), name
    assert example["jobs"]["apply"]["concurrency"] == {
        "group": "mpr-apply-${{ github.repository }}",
        "cancel-in-progress": False,
    }


def test_every_workflow_keeps_scripts_free_of_expressions() -> None:
    for path in sorted(WORKFLOWS.glob("mpr-*.yml")):
        for job in load(path)["jobs"].values():
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), (path.name, step.get("name"))
    apply = load(WORKFLOWS / "mpr-apply.yml")["jobs"]["apply"]
    assert apply["concurrency"]["cancel-in-progress"] is False
    checkout = apply["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0, "the ordering guard needs the history"
    assert apply["permissions"] == {"contents": "write"}, "the git store pushes its refs"
    assert apply["env"]["MPR_STORE"] == "git"
    uses = [step.get("uses", "") for step in apply["steps"]]
    assert not [u for u in uses if u.startswith("actions/cache")], "nothing that matters in it"
