"""tests/MUTATION.md names the mutants that may survive, and the weekly mutation workflow lets
exactly those through. A name that no longer points at a function (renamed or moved since)
would let a new survivor of the same number through unexamined, so every name must still
name a function of the code."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

LIST = Path(__file__).with_name("MUTATION.md")
NAME = re.compile(r"reconciler\.[\w.]+\.xǁ?[\wǁ]+__mutmut_\d+")
"""As the workflow greps them (`.github/workflows/mutation.yml`)."""


def named_function(name: str) -> tuple[str, str | None, str]:
    """(module, class or None, function) of a mutmut name: `pkg.mod.x_f__mutmut_3` or
    `pkg.mod.xǁCǁf__mutmut_3`."""
    head, _, _ = name.rpartition("__mutmut_")
    module, _, mangled = head.rpartition(".x")
    if mangled.startswith("ǁ"):
        _, cls, function = mangled.split("ǁ")
        return module, cls, function
    return module, None, mangled.removeprefix("_")


NAMES = sorted(set(NAME.findall(LIST.read_text(encoding="utf-8"))))


def test_the_list_names_mutants() -> None:
    assert len(NAMES) > 20


@pytest.mark.parametrize("name", NAMES)
def test_each_listed_mutant_names_a_function_of_the_code(name: str) -> None:
    module, cls, function = named_function(name)
    owner: object = importlib.import_module(module)
    if cls is not None:
        owner = getattr(owner, cls, None)
        assert owner is not None, f"{name}: {module} has no class {cls}"
    assert callable(getattr(owner, function, None)), f"{name}: no function {function}"
