"""The README's site-file reference is generated from the models and cannot drift from them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.config.documents import SiteDoc
from reconciler.config.reference import (
    COMMAND,
    END,
    START,
    Row,
    _code,
    main,
    reference,
    replace_section,
    rows,
    table,
)
from reconciler.config.yamlio import parse_yaml

REPO = Path(__file__).resolve().parents[2]


def test_the_readme_reference_is_what_the_models_generate() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert replace_section(readme) == readme, (
        f"README.md's site-file reference differs from the models: run `{COMMAND}`"
    )


def test_every_key_is_described_and_every_value_has_an_example() -> None:
    found = rows(SiteDoc.model_json_schema(mode="validation"))
    keys = [row.key for row in found]
    for key in (
        "defaults",
        "overrides.blogs.frequency.count",
        "policy.deleteGuard.percent",
        "policy.wait.maxAttempts",
        "policy.schedule.channels",
        "auth.wixApp.instanceId",
        "events[].recurringRule.startDate",
    ):
        assert key in keys
    assert all(row.description for row in found)
    assert all(row.example for row in found if "object" not in row.kind)


def test_a_row_says_type_default_example_and_why() -> None:
    lines = reference().splitlines()
    assert (
        "| `policy.wait.maxAttempts` | integer (1-5) | `2` | `3` | "
        "Generation tries before giving up (1-5). |" in lines
    )
    assert (
        '| `policy.wait.timeout` | duration (seconds, or `90s`, `15m`, `1h30m`) | `900` | `"15m"` '
        '| Give up waiting after this long: seconds, or "90s", "15m", "1h", "1h30m". |' in lines
    )
    site_id = '| `site.id` | GUID | required | `"11111111-2222-4333-8444-555555555555"` | '
    assert any(line.startswith(site_id) for line in lines)


def test_the_check_fails_on_a_stale_readme_and_names_the_fix(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{START}\n| an old table |\n{END}\n\nmore\n", encoding="utf-8")
    assert main([str(readme)]) == f"{readme}: the site-file reference is stale: run `{COMMAND}`"
    assert main([str(readme), "--write"]) == 0
    assert main([str(readme)]) == 0
    written = readme.read_text(encoding="utf-8")
    assert written == f"# x\n\n{START}\n{reference()}{END}\n\nmore\n"


def test_the_module_runs_as_the_readme_says() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reconciler.config.reference", "README.md"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")


def test_markers_missing_is_an_error_naming_them() -> None:
    with pytest.raises(ValueError, match="site-reference:start"):
        replace_section("# a README without the markers\n")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("true", '"true"'),
        ("False", '"False"'),
        ("null", '"null"'),
        ("yes", '"yes"'),
        ("no", '"no"'),
        ("7", '"7"'),
        ("1.5", '"1.5"'),
        ("*anchor", '"*anchor"'),
        ("a: b", '"a: b"'),
        ("a #b", '"a #b"'),
        ("a{b", '"a{b"'),
        ("a}b", '"a}b"'),
        ("café: crème", '"café: crème"'),
        ("Xmas", "Xmas"),
        ("15m", '"15m"'),
    ],
)
def test_an_example_is_written_as_yaml_reads_it_back(value: str, shown: str) -> None:
    """The example column, in the README, quotes a text exactly when YAML (1.1 or 1.2) would
    read it as something else: what a user copies gives the value."""
    assert _code(value) == f"`{shown}`"
    assert _code([value]) == f"`[{shown}]`"
    assert parse_yaml(f"k: {shown}\nl: [{shown}]\n", "f").tree == {"k": value, "l": [value]}


def test_a_pipe_in_a_description_does_not_split_the_row() -> None:
    row = Row("k", "text", "", "`x`", "left | right")
    assert table([row]).splitlines()[-1] == "| `k` | text |  | `x` | left \\| right |"


def test_markers_at_the_very_start_of_the_file_are_found() -> None:
    text = f"{START}\n| an old table |\n{END}\n"
    assert replace_section(text) == f"{START}\n{reference()}{END}\n"
