"""A small stand-in for the GitHub REST API: the calls the mpr workflows make, with state.

One backend, two doors: `transport()` (httpx.MockTransport, in-process) and `serve()` (a
real loopback HTTP server, for the workflow steps run as subprocesses).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx

Answer = tuple[int, Any]


@dataclass
class FakeGitHub:
    repository: str = "acme/sites"
    token: str = "ghs_fake_token_for_tests_only"
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    labels: dict[int, list[str]] = field(default_factory=dict)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    pulls_by_sha: dict[str, list[int]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    forbidden: set[str] = field(default_factory=set)
    """Methods+paths (e.g. "POST comments") that answer 403, as for a fork's read-only token."""
    _next: int = 1000

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["issue"] == number]

    def handle(self, method: str, path: str, query: dict[str, str], body: Any, auth: str) -> Answer:
        self.calls.append((method, path))
        if auth != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}
        prefix = f"/repos/{self.repository}"
        if not path.startswith(prefix):
            return 404, {"message": "Not Found"}
        rest = path[len(prefix) :]
        for pattern, verb, handler in self._routes():
            match = re.fullmatch(pattern, rest)
            if match and verb == method:
                kind = f"{method} {handler.__name__.lstrip('_')}"
                if kind in self.forbidden:
                    return 403, {"message": "Resource not accessible by integration"}
                return handler(query, body, *match.groups())
        return 404, {"message": "Not Found"}

    def _routes(self) -> list[tuple[str, str, Callable[..., Answer]]]:
        return [
            (r"/issues/(\d+)/comments", "GET", self._comments),
            (r"/issues/(\d+)/comments", "POST", self._comment),
            (r"/issues/comments/(\d+)", "PATCH", self._edit_comment),
            (r"/issues/(\d+)/labels", "GET", self._labels),
            (r"/issues/(\d+)/labels", "POST", self._add_labels),
            (r"/issues/(\d+)/labels/(.+)", "DELETE", self._remove_label),
            (r"/issues", "GET", self._list_issues),
            (r"/issues", "POST", self._create_issue),
            (r"/issues/(\d+)", "PATCH", self._edit_issue),
            (r"/commits/([0-9a-f]+)/pulls", "GET", self._pulls),
        ]

    def _new_id(self) -> int:
        self._next += 1
        return self._next

    def _comments(self, query: dict[str, str], body: Any, number: str) -> Answer:
        return 200, _page(self.comments_on(int(number)), query)

    def _comment(self, query: dict[str, str], body: Any, number: str) -> Answer:
        ident = self._new_id()
        url = f"https://github.test/{self.repository}/pull/{number}#issuecomment-{ident}"
        record = {"id": ident, "issue": int(number), "body": body["body"], "html_url": url}
        self.comments[ident] = record
        return 201, record

    def _edit_comment(self, query: dict[str, str], body: Any, ident: str) -> Answer:
        if int(ident) not in self.comments:
            return 404, {"message": "Not Found"}
        self.comments[int(ident)]["body"] = body["body"]
        return 200, self.comments[int(ident)]

    def _labels(self, query: dict[str, str], body: Any, number: str) -> Answer:
        return 200, _page([{"name": n} for n in self.labels.get(int(number), [])], query)

    def _add_labels(self, query: dict[str, str], body: Any, number: str) -> Answer:
        present = self.labels.setdefault(int(number), [])
        present += [label for label in body["labels"] if label not in present]
        return 200, [{"name": n} for n in present]

    def _remove_label(self, query: dict[str, str], body: Any, number: str, name: str) -> Answer:
        present = self.labels.get(int(number), [])
        if unquote(name) not in present:
            return 404, {"message": "Label does not exist"}
        present.remove(unquote(name))
        return 200, [{"name": n} for n in present]

    def _list_issues(self, query: dict[str, str], body: Any) -> Answer:
        state, label = query.get("state", "open"), query.get("labels")
        found = [
            i
            for i in self.issues.values()
            if (state == "all" or i["state"] == state)
            and (label is None or label in [x["name"] for x in i["labels"]])
        ]
        return 200, _page(found, query)

    def _create_issue(self, query: dict[str, str], body: Any) -> Answer:
        number = len(self.issues) + 100
        issue = {
            "number": number,
            "title": body["title"],
            "body": body["body"],
            "labels": [{"name": n} for n in body.get("labels", [])],
            "state": "open",
            "html_url": f"https://github.test/{self.repository}/issues/{number}",
        }
        self.issues[number] = issue
        return 201, issue

    def _edit_issue(self, query: dict[str, str], body: Any, number: str) -> Answer:
        issue = self.issues.get(int(number))
        if issue is None:
            return 404, {"message": "Not Found"}
        issue.update({k: v for k, v in body.items() if k in ("body", "state", "title")})
        return 200, issue

    def _pulls(self, query: dict[str, str], body: Any, sha: str) -> Answer:
        numbers = self.pulls_by_sha.get(sha, [])
        return 200, [{"number": n, "merged_at": "2026-11-23T09:00:00Z"} for n in numbers]

    # --- doors ---------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        def answer(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content) if request.content else None
            status, data = self.handle(
                request.method,
                request.url.path,
                dict(request.url.params),
                body,
                request.headers.get("Authorization", ""),
            )
            return httpx.Response(status, json=data)

        return httpx.MockTransport(answer)

    @contextmanager
    def serve(self) -> Iterator[str]:
        fake = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                with lock:
                    status, data = fake.handle(
                        self.command,
                        url.path,
                        dict(parse_qsl(url.query)),
                        json.loads(raw) if raw else None,
                        self.headers.get("Authorization", ""),
                    )
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_DELETE = _any

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)


def _page(items: list[Any], query: dict[str, str]) -> list[Any]:
    size = int(query.get("per_page", 30))
    page = int(query.get("page", 1))
    return items[(page - 1) * size : page * size]
