"""A small runner for the mpr workflows' steps, close enough to GitHub Actions to trust them.

It reads a reusable workflow (`on: workflow_call`) and runs its jobs in order: job and step
`if:` conditions, `env:` at every level, `${{ }}` expressions over inputs, secrets, github,
matrix, strategy, needs, steps and runner, one-key matrices, step outputs through
$GITHUB_OUTPUT, job outputs, and each `run:` script with `bash --noprofile --norc -eo
pipefail` as the hosted runners do. `uses:` steps (checkout, setup-python, cache, artifacts)
and the "Install mpr" step are skipped: the tests provide the checkout and the installed mpr.
Anything else the workflows might use and this runner does not know fails loudly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.timeshift import carried

SKIPPED_RUN_STEPS = ("Install mpr",)
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!(),])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*))"
)


# --- expressions --------------------------------------------------------------------------


class Expression:
    """Parse and evaluate one GitHub Actions expression (the subset the workflows use)."""

    def __init__(self, text: str, context: dict[str, Any], status: dict[str, bool]) -> None:
        self.tokens = self._tokenize(text)
        self.at = 0
        self.context = context
        self.status = status

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens, at = [], 0
        while at < len(text):
            if text[at:].strip() == "":
                break
            match = _TOKEN.match(text, at)
            if match is None:
                raise ValueError(f"unsupported expression syntax at {text[at:]!r}")
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            at = match.end()
        return tokens

    def value(self) -> Any:
        result = self._or()
        if self.at != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.at]}")
        return result

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self, op: str) -> bool:
        if self._peek() == ("op", op):
            self.at += 1
            return True
        return False

    def _or(self) -> Any:
        left = self._and()
        while self._take("||"):
            right = self._and()
            left = left if truthy(left) else right
        return left

    def _and(self) -> Any:
        left = self._not()
        while self._take("&&"):
            right = self._not()
            left = right if truthy(left) else left
        return left

    def _not(self) -> Any:
        if self._take("!"):
            return not truthy(self._not())
        left = self._primary()
        if self._take("=="):
            return equal(left, self._primary())
        if self._take("!="):
            return not equal(left, self._primary())
        return left

    def _primary(self) -> Any:
        token = self._peek()
        if token is None:
            raise ValueError("unexpected end of expression")
        self.at += 1
        kind, text = token
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if (kind, text) == ("op", "("):
            inner = self._or()
            assert self._take(")"), "missing )"
            return inner
        if kind == "name" and self._take("("):
            args = []
            while not self._take(")"):
                args.append(self._or())
                self._take(",")
            return self._call(text, args)
        if kind == "name":
            return self._lookup(text)
        raise ValueError(f"unexpected {token}")

    def _call(self, name: str, args: list[Any]) -> Any:
        if name == "always":
            return True
        if name == "cancelled":
            return False
        if name == "success":
            return not self.status["failed"]
        if name == "failure":
            return self.status["failed"]
        if name == "fromJSON":
            return json.loads(str(args[0]))
        raise ValueError(f"unsupported function {name}()")

    def _lookup(self, dotted: str) -> Any:
        if dotted in ("true", "false"):
            return dotted == "true"
        if dotted == "null":
            return None
        node: Any = self.context
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, "")


def equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    return bool(left == right)


def spelled(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def evaluate(text: Any, context: dict[str, Any], status: dict[str, bool]) -> Any:
    """A value with `${{ }}` in it: the expression's value alone, or text with them filled in."""
    if not isinstance(text, str):
        return text
    whole = re.fullmatch(r"\s*\$\{\{((?:(?!\}\}).)*)\}\}\s*", text, re.S)
    if whole:
        return Expression(whole[1], context, status).value()
    return _EXPRESSION.sub(lambda m: spelled(Expression(m[1], context, status).value()), text)


def condition(text: Any, context: dict[str, Any], status: dict[str, bool]) -> bool:
    if text is None:
        return not status["failed"]
    raw = str(text).strip()
    if raw.startswith("${{"):
        return truthy(evaluate(raw, context, status))
    return truthy(Expression(raw, context, status).value())


# --- running ------------------------------------------------------------------------------


@dataclass
class StepResult:
    name: str
    id: str | None
    ran: bool
    code: int = 0
    out: str = ""
    err: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class JobResult:
    name: str
    failed: bool = False
    skipped: bool = False
    steps: list[StepResult] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    summary: str = ""

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.name == name or s.id == name)


@dataclass
class WorkflowResult:
    jobs: dict[str, list[JobResult]]
    outputs: dict[str, Any]

    def job(self, name: str, index: int = 0) -> JobResult:
        return self.jobs[name][index]

    @property
    def failed(self) -> bool:
        return any(j.failed for runs in self.jobs.values() for j in runs)


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    if True in document:
        document["on"] = document.pop(True)
    return dict(document)


def parse_outputs(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    lines = text.splitlines()
    at = 0
    while at < len(lines):
        line = lines[at]
        if "<<" in line and "=" not in line.split("<<")[0]:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, at + 1)
            found[name] = "\n".join(lines[at + 1 : end])
            at = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            found[name] = value
        at += 1
    return found


@dataclass
class Runner:
    """Runs one reusable workflow as a `workflow_call` from an event of the caller."""

    workspace: Path
    temp: Path
    github: dict[str, Any]
    environment: dict[str, str]

    def run(self, path: Path, inputs: dict[str, Any], secrets: dict[str, str]) -> WorkflowResult:
        workflow = load(path)
        call = workflow["on"]["workflow_call"]
        declared = call.get("inputs", {})
        unknown = set(inputs) - set(declared)
        assert not unknown, f"{path.name} has no inputs {unknown}"
        assert set(secrets) <= set(call.get("secrets", {})), f"{path.name}: unknown secrets"
        values = {k: spec.get("default") for k, spec in declared.items()}
        values.update(inputs)
        context: dict[str, Any] = {
            "inputs": values,
            "secrets": secrets,
            "github": self.github,
            "needs": {},
            "jobs": {},
        }
        results: dict[str, list[JobResult]] = {}
        for name, job in workflow["jobs"].items():
            needs = job.get("needs", [])
            needs = [needs] if isinstance(needs, str) else needs
            blocked = any(any(j.failed or j.skipped for j in results[n]) for n in needs)
            runs = self._matrix(job, context)
            results[name] = []
            for matrix, strategy in runs:
                job_context = {**context, "matrix": matrix, "strategy": strategy}
                job_context["needs"] = {
                    n: {"outputs": results[n][0].outputs, "result": "success"} for n in needs
                }
                if blocked or not condition(job.get("if"), job_context, {"failed": False}):
                    results[name].append(JobResult(name, skipped=True))
                    continue
                results[name].append(self._job(name, job, job_context))
            context["jobs"][name] = {"outputs": results[name][-1].outputs}
        outputs = {
            key: evaluate(spec.get("value"), context, {"failed": False})
            for key, spec in call.get("outputs", {}).items()
        }
        return WorkflowResult(results, outputs)

    def _matrix(
        self, job: dict[str, Any], context: dict[str, Any]
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        matrix = (job.get("strategy") or {}).get("matrix")
        if not matrix:
            return [({}, {"job-index": 0, "job-total": 1})]
        assert len(matrix) == 1, "one matrix key only"
        ((key, raw),) = matrix.items()
        items = evaluate(raw, context, {"failed": False})
        assert isinstance(items, list)
        return [
            ({key: item}, {"job-index": i, "job-total": len(items)}) for i, item in enumerate(items)
        ]

    def _job(self, name: str, job: dict[str, Any], context: dict[str, Any]) -> JobResult:
        result = JobResult(name)
        status = {"failed": False}
        steps: dict[str, Any] = {}
        context = {**context, "steps": steps, "runner": {"temp": str(self.temp), "os": "Linux"}}
        job_env_context = {k: v for k, v in context.items() if k not in ("steps", "runner")}
        env = {
            k: spelled(evaluate(v, job_env_context, status))
            for k, v in (job.get("env") or {}).items()
        }
        summary = self.temp / f"summary-{name}.md"
        summary.write_text("")
        for index, step in enumerate(job.get("steps", [])):
            label = step.get("name") or step.get("uses") or f"step {index}"
            if "uses" in step or label in SKIPPED_RUN_STEPS:
                result.steps.append(StepResult(label, step.get("id"), ran=False))
                continue
            assert set(step) <= {"name", "id", "if", "env", "run"}, f"unsupported keys {step}"
            if not condition(step.get("if"), context, status):
                result.steps.append(StepResult(label, step.get("id"), ran=False))
                continue
            script = step["run"]
            assert "${{" not in script, f"{label}: pass values through env:, not into scripts"
            step_env = {
                **env,
                **{
                    k: spelled(evaluate(v, context, status))
                    for k, v in (step.get("env") or {}).items()
                },
            }
            done = self._run(script, step_env, summary, index)
            done.name, done.id = label, step.get("id")
            result.steps.append(done)
            if done.id:
                steps[done.id] = {
                    "outputs": done.outputs,
                    "outcome": "failure" if done.code else "success",
                }
            if done.code:
                status["failed"] = True
        result.failed = status["failed"]
        result.summary = summary.read_text()
        result.outputs = {
            key: spelled(evaluate(value, context, status))
            for key, value in (job.get("outputs") or {}).items()
        }
        return result

    def _run(self, script: str, env: dict[str, str], summary: Path, index: int) -> StepResult:
        output = self.temp / f"output-{index}.txt"
        output.write_text("")
        full_env = {
            **self.environment,
            **env,
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_WORKSPACE": str(self.workspace),
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=self.workspace,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return StepResult(
            "",
            None,
            True,
            done.returncode,
            done.stdout,
            done.stderr,
            parse_outputs(output.read_text()),
        )


def base_environment(home: Path) -> dict[str, str]:
    """A clean process environment: the test's Python first on PATH, nothing from CI (but the
    clock shift of a shifted run, tests/timeshift, so that the steps' `mpr` runs as far ahead)."""
    path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"])
    clean = {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8", "PYTHONUTF8": "1"}
    return {**clean, **carried()}
