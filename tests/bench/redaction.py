"""Redaction cost per audit line in a 1,000-site run: `python -m tests.bench.redaction`.

A Wix-app fleet's run knows one token per site (plus the app secret) and redacts every audit
line and message with all of them (#12, #23). This times `Redactor.redact` on audit lines
shaped like the real ones: most hold no secret, some a line break, a few an echoed token.
`--redactor FILE` times the `Redactor` of another copy of `wix/auth.py` (an older commit's,
from `git show REV:reconciler/wix/auth.py`), for a before/after figure.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reconciler.wix import auth


def tokens(sites: int) -> list[str]:
    """Tokens shaped like the emulator's (and Wix's) access tokens, one per site."""
    return [
        f"OauthNG.JWS.eyJraWQiOiJQb3pIX2FDMiIsImFsZyI6IlJTMjU2In0.site-{n:05d}"
        for n in range(sites)
    ]


def audit_lines(count: int, secrets: Sequence[str]) -> list[str]:
    """`count` audit lines; every tenth holds a line break, every hundredth an echoed token."""
    lines = []
    for n in range(count):
        detail = "ok"
        if n % 10 == 5:
            detail = "HTTP 400: the event date\nmust be in the future"
        if n % 100 == 7:
            detail = f"HTTP 400: bad key Bearer {secrets[n % len(secrets)]}"
        entry = {
            "time": "2026-11-23T09:30:02Z",
            "site": f"11111111-2222-4333-8444-{n:012d}",
            "siteName": f"Crumb & Co Bakery {n}",
            "action": "settings.upsert",
            "target": "settings.toneOfVoice",
            "before": "warm and playful",
            "after": "dry and precise, with a wink",
            "result": "ok" if detail == "ok" else "failed",
            "detail": detail,
            "commit": "3f9c2a81d0e4b5a6c7d8e9f0a1b2c3d4e5f6a7b8",
            "actor": "octocat",
            "run": "9001/1",
            "identity": "wix-app",
        }
        lines.append(json.dumps(entry, ensure_ascii=False))
    return lines


def load_redactor(path: str | None) -> Callable[[Sequence[str]], Any]:
    if path is None:
        return auth.Redactor
    spec = importlib.util.spec_from_file_location("mpr_bench_auth", Path(path))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Redactor  # type: ignore[no-any-return]


def measure(sites: int, lines: int, redactor_file: str | None = None) -> dict[str, float]:
    """Seconds to learn the secrets, µs per line redacted, and how many lines were masked."""
    secrets = tokens(sites)
    make = load_redactor(redactor_file)
    started = time.perf_counter()
    redactor = make([*secrets, "emulator-app-secret-0f3b9d27c1e84a56"])
    learnt = time.perf_counter() - started
    sample = audit_lines(lines, secrets)
    started = time.perf_counter()
    masked = sum(redactor.redact(line) != line for line in sample)
    per_line = (time.perf_counter() - started) / lines
    return {"learn_s": learnt, "per_line_us": per_line * 1e6, "masked": masked}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.redaction", description=__doc__)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--redactor", help="a copy of wix/auth.py to time instead")
    args = parser.parse_args(argv)
    figures = measure(args.sites, args.lines, args.redactor)
    print("| sites (tokens) | lines | learning the tokens | per audit line | lines masked |")
    print("|---|---|---|---|---|")
    print(
        f"| {args.sites} | {args.lines} | {figures['learn_s']:.2f} s "
        f"| {figures['per_line_us']:.1f} µs | {figures['masked']:g} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
