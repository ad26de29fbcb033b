"""The safe loader: positions of everything, duplicates, bounds, and YAML 1.2 scalars."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.config import yamlio
from reconciler.config.tree import Mark, Positions, YList, YMap
from reconciler.config.yamlio import (
    MAX_ALIAS_NODES,
    MAX_FILE_BYTES,
    dump_yaml,
    parse_yaml,
    read_yaml,
)
from reconciler.errors import Problem
from tests.config.conftest import Writer

DOC = """\
# a comment
version: 1
site:
  id: abc
  labels: {client: crumb}
events:
  - name: First
  - name: Second
"""


def test_every_key_value_and_item_has_its_line_and_column() -> None:
    tree = parse_yaml(DOC, "f.yaml").tree
    positions = Positions(tree, Mark("f.yaml", 1, 1))

    assert positions.key(("site", "id")) == Mark("f.yaml", 4, 3)
    assert positions.value(("site", "id")) == Mark("f.yaml", 4, 7)
    assert positions.value(("site", "labels", "client")) == Mark("f.yaml", 5, 20)
    assert positions.value(("events", 1)) == Mark("f.yaml", 8, 5)
    assert positions.value(("events", 1, "name")) == Mark("f.yaml", 8, 11)
    assert positions.value(()) == Mark("f.yaml", 2, 1)


def test_a_missing_path_falls_back_to_its_nearest_ancestor() -> None:
    positions = Positions(parse_yaml(DOC, "f.yaml").tree, Mark("f.yaml", 1, 1))
    assert positions.value(("site", "nope", "deeper")) == Mark("f.yaml", 4, 3)


def test_the_tree_is_plain_dicts_and_lists() -> None:
    tree = parse_yaml(DOC, "f.yaml").tree
    assert isinstance(tree, YMap) and isinstance(tree, dict)
    assert isinstance(tree["events"], YList) and isinstance(tree["events"], list)
    assert tree == {
        "version": 1,
        "site": {"id": "abc", "labels": {"client": "crumb"}},
        "events": [{"name": "First"}, {"name": "Second"}],
    }


def test_duplicate_keys_are_reported_at_the_second_occurrence_and_the_first_kept() -> None:
    parsed = parse_yaml("a: 1\nb:\n  c: 2\n  c: 3\na: 4\n", "f.yaml")
    assert parsed.tree == {"a": 1, "b": {"c": 2}}
    assert [str(p) for p in parsed.problems] == [
        "f.yaml:4:3: b.c: duplicate key 'c' (first at line 3); keep one",
        "f.yaml:5:1: a: duplicate key 'a' (first at line 1); keep one",
    ]


TABBED = "version: 1\nsettings:\n  toneOfVoice:\tdry\n"
"""A tab between a key and its value: YAML 1.2 allows it, libyaml reads it, PyYAML's
pure-Python scanner does not."""
needs_libyaml = pytest.mark.skipif(yamlio._FastLoader is None, reason="libyaml is not installed")


@needs_libyaml
def test_a_tab_after_a_key_is_read() -> None:
    parsed = parse_yaml(TABBED, "f.yaml")
    assert parsed.problems == []
    assert parsed.tree == {"version": 1, "settings": {"toneOfVoice": "dry"}}


@needs_libyaml
@pytest.mark.parametrize(
    ("more", "problem"),
    [
        (
            "version: 2\n",
            "f.yaml:4:1: version: duplicate key 'version' (first at line 1); keep one",
        ),
        ("? [a]\n: b\n", "f.yaml:4:3: keys must be plain strings"),
        (
            "notes: !!binary aGk=\n",
            "f.yaml:4:8: notes: unsupported YAML tag !!binary; quote the value if it is a string",
        ),
    ],
    ids=["duplicate-key", "complex-key", "refused-tag"],
)
def test_a_second_problem_is_told_alone_and_the_tab_stays_read(more: str, problem: str) -> None:
    """The problem a file has is the one told, never the tab that is fine on its own."""
    parsed = parse_yaml(TABBED + more, "f.yaml")
    assert [str(p) for p in parsed.problems] == [problem]


def test_only_true_and_false_are_booleans_and_timestamps_stay_strings() -> None:
    tree = parse_yaml("a: yes\nb: no\nc: on\nd: true\ne: False\nf: 2026-11-27T09:00:00Z\n", "f")
    assert tree.tree == {
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": True,
        "e": False,
        "f": "2026-11-27T09:00:00Z",
    }


def test_merge_keys_work_and_explicit_keys_win() -> None:
    tree = parse_yaml("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n", "f").tree
    assert tree["use"] == {"x": 1, "y": 3}


def test_a_billion_laughs_fails_fast_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """10**12 values if expanded; the loader stops after its alias budget. Counted in values
    built, not seconds: a wall-clock bound flakes on a busy machine."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 12):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    built = [0]
    value = yamlio._Walker.value

    def counted(self: Any, *args: Any) -> Any:
        built[0] += 1
        if built[0] > 3 * MAX_ALIAS_NODES:  # a few times the budget, never 10**12
            raise AssertionError("the aliases are being expanded past the budget")
        return value(self, *args)

    monkeypatch.setattr(yamlio._Walker, "value", counted)
    parsed = parse_yaml("\n".join(lines), "bomb.yaml")
    assert parsed.tree is None
    (problem,) = parsed.problems
    assert f"aliases expand to more than {MAX_ALIAS_NODES} values" in problem.message


def test_a_recursive_alias_is_an_error_not_a_hang() -> None:
    (problem,) = parse_yaml("a: &x [1, *x]\n", "f").problems
    assert problem == Problem("f", 1, 4, "a[1]", problem.message)  # at the anchored node
    assert "refers to itself" in problem.message


def test_deep_nesting_is_refused() -> None:
    parsed = parse_yaml("[" * 60 + "]" * 60, "f")
    assert parsed.tree is None
    assert "nested deeper than" in parsed.problems[0].message
    # So deep that the parser itself gives up: the same words, at the top of the file.
    (problem,) = parse_yaml("[" * 5000, "f").problems
    assert str(problem) == "f:1:1: invalid YAML: nested deeper than 50 levels"


def test_an_oversize_file_is_refused_unread(write: Writer) -> None:
    path = write("a: " + "x" * MAX_FILE_BYTES + "\n")
    parsed = read_yaml(path, "big.yaml")
    assert [str(p) for p in parsed.problems] == [
        "big.yaml:1:1: the file is larger than 1 MiB (1048576 bytes); a site file never is"
    ]


def test_a_file_of_exactly_the_limit_is_read(write: Writer) -> None:
    body = "a: x\n"
    path = write(body + "#" * (MAX_FILE_BYTES - len(body)))
    assert read_yaml(path, "f").tree == {"a": "x"}


def test_bytes_that_are_not_utf8_are_located(write: Writer, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"a: 1\nb: \xff\n")
    assert [str(p) for p in read_yaml(path, "bad.yaml").problems] == [
        "bad.yaml:2:4: the file is not valid UTF-8 text"
    ]


def test_an_unreadable_path_is_a_problem(tmp_path: Path) -> None:
    (problem,) = read_yaml(tmp_path, "dir.yaml").problems
    assert problem.message.startswith("cannot read the file")


def test_syntax_errors_carry_the_parser_position() -> None:
    (problem,) = parse_yaml("a: 1\nb: [1, 2\n", "f").problems
    assert (problem.line, problem.column) == (3, 1)
    assert problem.message.startswith("invalid YAML: ")


def test_control_characters_are_located() -> None:
    (problem,) = parse_yaml("a: 1\nb: x\x07\n", "f").problems
    assert str(problem) == "f:2:5: invalid YAML: special characters are not allowed (#x0007)"


def test_non_json_tags_and_complex_keys_are_refused() -> None:
    assert (
        parse_yaml("a: !!binary aGk=\n", "f")
        .problems[0]
        .message.startswith("unsupported YAML tag !!binary")
    )
    assert parse_yaml("a: !!set {x}\n", "f").problems[0].message == "unsupported YAML tag !!set"
    parsed = parse_yaml("? [a]\n: 1\nb: 2\n", "f")
    assert parsed.tree == {"b": 2}
    assert str(parsed.problems[0]) == "f:1:3: keys must be plain strings"
    nested = parse_yaml("a:\n  ? [x]\n  : 1\n", "f")
    assert [str(p) for p in nested.problems] == ["f:2:5: a: keys must be plain strings"]


def test_an_empty_document_is_flagged_as_empty() -> None:
    assert parse_yaml("# only a comment\n", "f").empty
    assert parse_yaml("a: =\n", "f").tree == {"a": "="}


def test_dump_writes_short_lists_of_scalars_on_one_line_and_the_rest_as_blocks() -> None:
    """What `mpr import` writes: a list of scalars of at most 80 characters (each counted with
    its ", ") on the key's line; a longer one, one with multi-line text or with mappings, one
    item a line."""
    data = {
        "fits": ["x" * 38, "y" * 38],
        "longer": ["x" * 38, "y" * 39],
        "scalars": [1, None, True, "t"],
        "multiline": ["one\ntwo", "x"],
        "mappings": [{"k": 1}],
    }
    assert dump_yaml(data) == (
        f"fits: [{'x' * 38}, {'y' * 38}]\n"
        f"longer:\n  - {'x' * 38}\n  - {'y' * 39}\n"
        "scalars: [1, null, true, t]\n"
        "multiline:\n  - |-\n    one\n    two\n  - x\n"
        "mappings:\n  - k: 1\n"
    )
    assert parse_yaml(dump_yaml(data), "f").tree == data


def test_dump_writes_text_on_one_line_as_is_and_multi_line_text_as_a_block() -> None:
    """A long line stays one line, accents stay letters; a text with a line break inside is a
    literal block, one that only ends with one is quoted; NEL (U+0085), which YAML reads as a
    line break unless escaped, is escaped."""
    data = {
        "long": "word " * 25 + "end",
        "accents": "crème brûlée ✓",
        "signed": "Thanks,\nX",
        "trailing": "one line\n",
        "nel": "a\x85b",
    }
    assert dump_yaml(data) == (
        f"long: {'word ' * 25}end\n"
        "accents: crème brûlée ✓\n"
        "signed: |-\n  Thanks,\n  X\n"
        "trailing: 'one line\n\n  '\n"
        'nel: "a\\Nb"\n'
    )
    assert parse_yaml(dump_yaml(data), "f").tree == data


def test_merge_takes_a_list_of_mappings_the_first_winning_and_counts_toward_the_depth() -> None:
    text = "b1: &b1 {x: 1, y: 1}\nb2: &b2 {y: 2, z: 2}\nuse:\n  <<: [*b1, *b2]\n  z: 3\n"
    assert parse_yaml(text, "f").tree["use"] == {"z": 3, "x": 1, "y": 1}
    nested = parse_yaml("a: " + "{<<: " * 30 + "{x: 1}" + "}" * 30, "f")
    assert (nested.tree, nested.problems) == ({"a": {"x": 1}}, [])
    too_deep = parse_yaml("a: " + "{<<: " * 60 + "{x: 1}" + "}" * 60, "f")
    assert [str(p) for p in too_deep.problems] == [
        "f:1:254: a: invalid YAML: nested deeper than 50 levels"
    ]
    (problem,) = parse_yaml("x: 1\na:\n  <<: [{k: 1}, 5]\n", "f").problems
    assert (
        str(problem) == "f:3:7: a: invalid YAML: << (merge) takes a mapping or a list of mappings"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: !!int three\n", "f:1:4: a: invalid YAML: 'three' is not a valid !!int"),
        ("a: [!!float x]\n", "f:1:5: a[0]: invalid YAML: 'x' is not a valid !!float"),
        ("a: !!bool maybe\n", "f:1:4: a: invalid YAML: 'maybe' is not a valid !!bool"),
        ("a: !!int\n", "f:1:4: a: invalid YAML: '' is not a valid !!int"),
        (  # a long value is cut to its first 40 characters
            "a: !!int " + "1234567890" * 5 + "x\n",
            "f:1:4: a: invalid YAML: '" + "1234567890" * 4 + "' is not a valid !!int",
        ),
    ],
)
def test_a_value_its_tag_does_not_fit_is_located(text: str, problem: str) -> None:
    parsed = parse_yaml(text, "f")
    assert (parsed.tree, [str(p) for p in parsed.problems]) == (None, [problem])
