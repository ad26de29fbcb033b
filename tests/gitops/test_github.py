"""`mpr github comment|issue|reviewed` and the step outputs, against a fake GitHub API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.cli import exitcodes
from reconciler.cli.github_cmd import GitHubHooks
from reconciler.emulator import Emulator
from reconciler.gitops.github import hidden_value, pull_request_number, set_outputs
from reconciler.render.markdown import LIMIT, MARKER, size
from tests.conftest import Mpr
from tests.gitops.conftest import SITE, seed, site_file
from tests.gitops.fakegithub import FakeGitHub


@pytest.fixture
def fake() -> FakeGitHub:
    return FakeGitHub()


def hooks(fake: FakeGitHub, tmp_path: Path, **extra: str) -> GitHubHooks:
    outputs = tmp_path / "outputs.txt"
    outputs.touch()
    env = {
        "GITHUB_TOKEN": fake.token,
        "GITHUB_REPOSITORY": fake.repository,
        "GITHUB_API_URL": "https://api.github.test",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_SERVER_URL": "https://github.test",
        "GITHUB_RUN_ID": "77",
        **extra,
    }
    return GitHubHooks(env=env, transport=fake.transport())


def outputs(tmp_path: Path) -> dict[str, str]:
    text = (tmp_path / "outputs.txt").read_text()
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def comment_file(tmp_path: Path, result: str = "changes", body: str = "details") -> Path:
    path = tmp_path / "comment.md"
    path.write_text(f"{MARKER}\n<!-- mpr-result: {result} -->\n### mpr plan\n\n{body}\n")
    return path


def test_one_comment_updated_in_place(mpr: Mpr, fake: FakeGitHub, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    obj = hooks(fake, tmp_path, GITHUB_EVENT_PATH=str(event))
    for n in range(120):  # other people's comments: the marker is on the second page
        fake._comment({}, {"body": f"looks good {n}"}, "7")

    first = mpr("github", "comment", str(comment_file(tmp_path)), obj=obj)
    assert first.code == exitcodes.OK, first.err
    assert first.out.startswith("created the plan comment on pull request #7: https://")
    assert fake.labels[7] == ["mpr:changes"]

    second = mpr("github", "comment", str(comment_file(tmp_path, "destructive", "v2")), obj=obj)
    assert second.out.startswith("updated the plan comment on pull request #7")
    ours = [c for c in fake.comments_on(7) if c["body"].startswith(MARKER)]
    assert len(ours) == 1 and "v2" in ours[0]["body"]
    assert fake.labels[7] == ["mpr:destructive"], "the stale mpr: label is taken off"

    third = mpr("github", "comment", str(comment_file(tmp_path, "destructive", "v2")), obj=obj)
    assert third.out.startswith("unchanged the plan comment")
    assert outputs(tmp_path)["result"] == "destructive"
    assert fake.token not in first.out + first.err + second.out + third.out


def test_no_plan_file_posts_an_error_comment(mpr: Mpr, fake: FakeGitHub, tmp_path: Path) -> None:
    obj = hooks(fake, tmp_path, GITHUB_REF="refs/pull/9/merge")
    result = mpr("github", "comment", str(tmp_path / "never-written.md"), obj=obj)
    assert result.code == exitcodes.OK, result.err
    (posted,) = fake.comments_on(9)
    assert posted["body"].startswith(f"{MARKER}\n<!-- mpr-result: error -->\n")
    assert "[the job log](https://github.test/acme/sites/actions/runs/77)" in posted["body"]
    assert fake.labels[9] == ["mpr:error"]


def test_keys_keep_two_comments_apart_and_size_is_enforced(
    mpr: Mpr, fake: FakeGitHub, tmp_path: Path
) -> None:
    obj = hooks(fake, tmp_path)
    big = comment_file(tmp_path, body="y" * (LIMIT + 5000))
    assert mpr("github", "comment", str(big), "--pr", "3", "--no-labels", obj=obj).code == 0
    assert mpr("github", "comment", str(big), "--pr", "3", "--key", "eu", obj=obj).code == 0
    bodies = [c["body"] for c in fake.comments_on(3)]
    assert [b.splitlines()[0] for b in bodies] == [MARKER, "<!-- mpr-plan:eu -->"]
    assert all(size(b) <= LIMIT for b in bodies)
    assert all("truncated to stay under the comment limit" in b for b in bodies)


def test_a_read_only_token_warns(mpr: Mpr, fake: FakeGitHub, tmp_path: Path) -> None:
    fake.forbidden = {"POST comment"}
    result = mpr(
        "github", "comment", str(comment_file(tmp_path)), "--pr", "4", obj=hooks(fake, tmp_path)
    )
    assert result.code == exitcodes.OK
    assert "warning: cannot comment on pull request #4" in result.err
    assert "read-only token" in result.err
    # a bad token is not a permission problem: it fails, without showing the token
    wrong = "ghs_wrong_token_1234567890"
    elsewhere = hooks(FakeGitHub(), tmp_path, GITHUB_TOKEN=wrong)
    failed = mpr("github", "comment", str(comment_file(tmp_path)), "--pr", "4", obj=elsewhere)
    assert failed.code == exitcodes.ERROR
    assert "answered 401: Bad credentials" in failed.err
    assert wrong not in failed.out + failed.err


def test_missing_settings_are_usage_or_errors(mpr: Mpr, fake: FakeGitHub, tmp_path: Path) -> None:
    obj = hooks(fake, tmp_path)
    assert mpr("github", "comment", str(comment_file(tmp_path)), obj=obj).code == exitcodes.USAGE
    bare = GitHubHooks(env={}, transport=fake.transport())
    no_token = mpr("github", "comment", str(comment_file(tmp_path)), "--pr", "1", obj=bare)
    assert no_token.code == exitcodes.ERROR
    assert "GITHUB_TOKEN and GITHUB_REPOSITORY must be set" in no_token.err


def test_the_drift_issue_opens_updates_and_closes(
    mpr: Mpr, fake: FakeGitHub, tmp_path: Path
) -> None:
    obj = hooks(fake, tmp_path)
    drift = tmp_path / "drift.md"
    drift.write_text("<!-- mpr-drift -->\n<!-- mpr-result: changes -->\nCrumb drifted\n")
    opened = mpr("github", "issue", str(drift), obj=obj)
    assert opened.code == exitcodes.OK, opened.err
    (issue,) = fake.issues.values()
    assert issue["title"] == "mpr: the live sites drifted from the YAML"
    assert issue["labels"] == [{"name": "mpr-drift"}]

    drift.write_text("<!-- mpr-drift -->\n<!-- mpr-result: changes -->\nstill drifted\n")
    assert mpr("github", "issue", str(drift), obj=obj).out.startswith(
        "changes: updated drift issue"
    )
    assert len(fake.issues) == 1 and "still drifted" in issue["body"]

    drift.write_text("<!-- mpr-drift -->\n<!-- mpr-result: no-changes -->\nall good\n")
    closed = mpr("github", "issue", str(drift), obj=obj)
    assert closed.out.strip() == f"in sync: closed drift issue #{issue['number']}"
    assert issue["state"] == "closed"
    assert mpr("github", "issue", str(drift), obj=obj).out.strip() == (
        "in sync: no drift issue to close"
    )


def test_reviewed_digest_gates_the_merge(
    mpr: Mpr, fake: FakeGitHub, emulator: Emulator, tmp_path: Path
) -> None:
    seed(emulator, {"id": SITE})
    path = site_file(tmp_path / "sites", "crumb", SITE, "settings:\n  toneOfVoice: warm\n")
    # the pull request's preview
    assert mpr("plan", str(path), "--comment", "c.md").code == exitcodes.OK
    obj = hooks(fake, tmp_path, GITHUB_SHA="abc123")
    assert mpr("github", "comment", "c.md", "--pr", "5", obj=obj).code == exitcodes.OK
    digest = hidden_value(fake.comments_on(5)[0]["body"], "<!-- mpr-digest: ")
    assert digest and len(digest) == 16

    no_pr = mpr("github", "reviewed", obj=obj)
    assert no_pr.code == exitcodes.OK
    assert "no reviewed plan found for commit abc123 (it was pushed without" in no_pr.err
    assert mpr("github", "reviewed", "--require", obj=obj).code == exitcodes.REFUSED

    fake.pulls_by_sha["abc123"] = [5]
    assert mpr("plan", str(path), "--out", "merged.json").code == exitcodes.OK
    same = mpr("github", "reviewed", "--plan", "merged.json", obj=obj)
    assert same.code == exitcodes.OK, same.err
    assert same.out.splitlines()[0] == digest
    assert outputs(tmp_path)["digest"] == digest

    path.write_text(path.read_text().replace("warm", "cold"))  # the base moved: another write
    assert mpr("plan", str(path), "--out", "merged.json").code == exitcodes.OK
    other = mpr("github", "reviewed", "--plan", "merged.json", obj=obj)
    assert other.code == exitcodes.REFUSED
    assert "are not the ones reviewed" in other.err
    refused = mpr("apply", str(path), "--auto-approve", "--expect-digest", digest)
    assert refused.code == exitcodes.REFUSED
    assert emulator.writes() == []
    assert mpr("apply", str(path), "--auto-approve").code == exitcodes.OK
    rerun = mpr("apply", str(path), "--auto-approve", "--expect-digest", digest)
    assert rerun.code == exitcodes.OK, "nothing left to write: nothing unreviewed"


def test_outputs_and_the_pull_request_number(tmp_path: Path) -> None:
    target = tmp_path / "out"
    assert not set_outputs({}, {"a": "b"})
    assert set_outputs({"GITHUB_OUTPUT": str(target)}, {"one": "1", "many": "x\ny"})
    text = target.read_text()
    assert text.startswith("one=1\nmany<<MPR_")
    assert "\nx\ny\nMPR_" in text
    event = tmp_path / "e.json"
    event.write_text(json.dumps({"number": 12, "pull_request": {"number": 12}}))
    assert pull_request_number({"GITHUB_EVENT_PATH": str(event)}) == 12
    assert pull_request_number({"GITHUB_REF": "refs/pull/8/merge"}) == 8
    assert pull_request_number({"GITHUB_REF": "refs/heads/main"}) is None


def test_plan_github_outputs_and_summary(
    mpr: Mpr, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(emulator, {"id": SITE})
    path = site_file(tmp_path / "sites", "crumb", SITE, "settings:\n  toneOfVoice: warm\n")
    (tmp_path / "out.txt").touch()
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out.txt"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    assert mpr("plan", str(path)).code == exitcodes.OK
    assert (tmp_path / "out.txt").read_text() == "", "nothing without --github"
    assert mpr("plan", str(path), "--github").code == exitcodes.OK
    written = dict(line.split("=", 1) for line in (tmp_path / "out.txt").read_text().splitlines())
    assert written["result"] == "changes" and written["has-changes"] == "true"
    assert written["sites"] == "1" and len(written["digest"]) == 16
    assert (tmp_path / "summary.md").read_text().startswith(MARKER)

    assert mpr("apply", str(path), "--auto-approve", "--github").code == exitcodes.OK
    text = (tmp_path / "out.txt").read_text()
    assert "result=applied\nexit-code=0\n" in text
    assert "### mpr apply: applied" in (tmp_path / "summary.md").read_text()
