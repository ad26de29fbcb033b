"""GitHub glue for the workflows: step outputs, the job summary, and a small REST client.

The REST client does what the workflows need and no more: upsert the one pull-request
comment that carries a hidden marker, keep one `mpr:*` label in step with the plan, and
open, update or close the drift issue. It reads `GITHUB_TOKEN` (or `GH_TOKEN`),
`GITHUB_REPOSITORY` and `GITHUB_API_URL`; the token is sent in a header and never shown.
It talks to GitHub, not to Wix, so it lives in the GitOps room rather than in `reconciler.wix`.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO
from urllib.parse import quote

import httpx

from reconciler import __version__
from reconciler.engine import bounded
from reconciler.errors import ConfigError, MprError

DEFAULT_API_URL = "https://api.github.com"
_PER_PAGE = 100
_MAX_PAGES = 50


class GitHubError(MprError):
    """A GitHub API call failed; `status` is the HTTP status (None: no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# --- the runner's files: step outputs and the job summary ----------------------------------


RUNNER_FILES = ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")


def check_runner_files(env: Mapping[str, str]) -> None:
    """ConfigError unless the runner's files that --github appends to can be written.

    Checked before anything is read or sent (#23), so a run that could not report its
    result stops before it writes to Wix rather than after: nothing is half-applied.
    Opening for append creates a missing file (as the runner would) and writes nothing.
    """
    for name in RUNNER_FILES:
        if target := env.get(name):
            with _runner_file(name, target) as handle:
                handle.flush()


def set_outputs(env: Mapping[str, str], values: Mapping[str, str]) -> bool:
    """Append `values` to $GITHUB_OUTPUT; False when not in a workflow step."""
    target = env.get("GITHUB_OUTPUT")
    if not target:
        return False
    lines = ""
    for name, value in values.items():
        if "\n" in value:
            delimiter = f"MPR_{secrets.token_hex(8)}"
            lines += f"{name}<<{delimiter}\n{value}\n{delimiter}\n"
        else:
            lines += f"{name}={value}\n"
    with _runner_file("GITHUB_OUTPUT", target) as handle:
        handle.write(lines)
    return True


def add_summary(env: Mapping[str, str], markdown: str) -> bool:
    """Append `markdown` to $GITHUB_STEP_SUMMARY; False when not in a workflow step."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    with _runner_file("GITHUB_STEP_SUMMARY", target) as handle:
        handle.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return True


@contextlib.contextmanager
def _runner_file(name: str, target: str) -> Iterator[TextIO]:
    """`target` open for append; a ConfigError naming the variable when it cannot be."""
    try:
        with open(target, "a", encoding="utf-8") as handle:
            yield handle
    except OSError as exc:
        raise ConfigError(
            f"{name} names {target}, which mpr cannot write ({exc.strerror or exc}): make it "
            "writable, or run without --github"
        ) from None


def hidden_value(body: str, prefix: str) -> str | None:
    """The value of a hidden `<!-- name: value -->` line that starts with `prefix`."""
    for line in body.splitlines():
        if line.startswith(prefix) and line.rstrip().endswith("-->"):
            return line[len(prefix) :].rstrip()[:-3].strip() or None
    return None


def pull_request_number(env: Mapping[str, str]) -> int | None:
    """The pull request this run is for: from the event payload, else from GITHUB_REF."""
    event_path = env.get("GITHUB_EVENT_PATH")
    if event_path and Path(event_path).is_file():
        try:
            event = json.loads(bounded.read_text(event_path, bounded.GITHUB_EVENT))
        except (OSError, ValueError):
            event = {}
        for holder in (event.get("pull_request"), event.get("issue"), event):
            if isinstance(holder, dict) and isinstance(holder.get("number"), int):
                return int(holder["number"])
    match = re.fullmatch(r"refs/pull/(\d+)/(?:merge|head)", env.get("GITHUB_REF", ""))
    return int(match[1]) if match else None


# --- the REST client ----------------------------------------------------------------------


class GitHub:
    """The few GitHub REST calls the mpr workflows make, for one repository."""

    def __init__(
        self,
        *,
        token: str,
        repository: str,
        api_url: str = DEFAULT_API_URL,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.repository = repository
        self._http = httpx.Client(
            base_url=api_url.rstrip("/"),
            transport=transport,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": f"mpr/{__version__}",
            },
        )

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], transport: httpx.BaseTransport | None = None
    ) -> GitHub:
        """A client for $GITHUB_REPOSITORY with $GITHUB_TOKEN; a ConfigError without them."""
        token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
        repository = env.get("GITHUB_REPOSITORY")
        if not token or not repository:
            raise ConfigError(
                "GITHUB_TOKEN and GITHUB_REPOSITORY must be set (in a workflow step: "
                "env: GITHUB_TOKEN: ${{ github.token }})"
            )
        api_url = env.get("GITHUB_API_URL") or DEFAULT_API_URL
        return cls(token=token, repository=repository, api_url=api_url, transport=transport)

    def __repr__(self) -> str:
        return f"GitHub(repository={self.repository!r})"

    def __enter__(self) -> GitHub:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """One call; the decoded JSON answer (None when empty); GitHubError on failure."""
        try:
            response = self._http.request(method, path, json=body, params=params)
        except httpx.HTTPError as exc:
            raise GitHubError(f"GitHub API: {method} {path}: no answer ({exc})") from None
        if response.is_error:
            raise GitHubError(
                f"GitHub API: {method} {path} answered {response.status_code}: "
                f"{_message(response)}",
                response.status_code,
            )
        if not response.content:
            return None
        return response.json()

    def paged(self, path: str, params: Mapping[str, str | int] | None = None) -> Iterator[Any]:
        """Every item of a listed resource, page by page."""
        for page in range(1, _MAX_PAGES + 1):
            items = self.request(
                "GET", path, params={**(params or {}), "per_page": _PER_PAGE, "page": page}
            )
            if not isinstance(items, list):
                return
            yield from items
            if len(items) < _PER_PAGE:
                return

    # --- pull-request comments and labels --------------------------------------------------

    def find_comment(self, number: int, marker: str) -> dict[str, Any] | None:
        """The first comment of issue/PR `number` whose body starts with `marker`."""
        for comment in self.paged(f"/repos/{self.repository}/issues/{number}/comments"):
            if str(comment.get("body") or "").startswith(marker):
                return dict(comment)
        return None

    def upsert_comment(self, number: int, body: str, marker: str) -> tuple[str, str]:
        """Create the marked comment or update it in place.

        Returns ("created" | "updated" | "unchanged", the comment's URL).
        """
        found = self.find_comment(number, marker)
        if found is None:
            made = self.request(
                "POST", f"/repos/{self.repository}/issues/{number}/comments", body={"body": body}
            )
            return "created", str((made or {}).get("html_url", ""))
        if found.get("body") == body:
            return "unchanged", str(found.get("html_url", ""))
        self.request(
            "PATCH", f"/repos/{self.repository}/issues/comments/{found['id']}", body={"body": body}
        )
        return "updated", str(found.get("html_url", ""))

    def set_label(self, number: int, wanted: str, family: set[str]) -> None:
        """Put label `wanted` on issue/PR `number` and take off the other labels of `family`."""
        path = f"/repos/{self.repository}/issues/{number}/labels"
        present = {str(label.get("name")) for label in self.paged(path)}
        for stale in sorted((present & family) - {wanted}):
            self.request("DELETE", f"{path}/{_quote(stale)}")
        if wanted not in present:
            self.request("POST", path, body={"labels": [wanted]})

    # --- the drift issue ------------------------------------------------------------------

    def find_issue(self, marker: str, label: str) -> dict[str, Any] | None:
        """The open issue (not PR) labelled `label` whose body starts with `marker`."""
        params: dict[str, str | int] = {"state": "open", "labels": label}
        for issue in self.paged(f"/repos/{self.repository}/issues", params):
            body = str(issue.get("body") or "")
            if "pull_request" not in issue and body.startswith(marker):
                return dict(issue)
        return None

    def create_issue(self, title: str, body: str, labels: list[str]) -> dict[str, Any]:
        made = self.request(
            "POST",
            f"/repos/{self.repository}/issues",
            body={"title": title, "body": body, "labels": labels},
        )
        return dict(made or {})

    def update_issue(self, number: int, **fields: Any) -> None:
        self.request("PATCH", f"/repos/{self.repository}/issues/{number}", body=fields)

    def add_comment(self, number: int, body: str) -> None:
        self.request(
            "POST", f"/repos/{self.repository}/issues/{number}/comments", body={"body": body}
        )

    # --- the review of a merged commit --------------------------------------------------------

    def pulls_for_commit(self, sha: str) -> list[dict[str, Any]]:
        """The pull requests that contain commit `sha` (the merged one first)."""
        pulls = self.request("GET", f"/repos/{self.repository}/commits/{sha}/pulls") or []
        found = [dict(p) for p in pulls if isinstance(p, dict)]
        return sorted(found, key=lambda p: p.get("merged_at") is None)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return response.reason_phrase


def _quote(label: str) -> str:
    return quote(label, safe="")
