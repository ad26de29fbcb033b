"""Long text as a word diff: the changed words marked, long unchanged runs cut to `…`."""

from __future__ import annotations

from reconciler.render.paint import Role
from reconciler.render.words import is_long_text, word_diff

WORDS = " ".join(f"w{n}" for n in range(30))


def test_changed_words_are_marked_and_the_rest_kept() -> None:
    assert word_diff("Families and office workers", "Families and students") == (
        "Families and [-office workers-]{+students+}"
    )
    assert word_diff("a b", "a b c") == "a b{+ c+}"


def test_long_unchanged_runs_keep_six_words_next_to_each_change() -> None:
    assert word_diff(WORDS, WORDS.replace("w15", "NEW")) == (
        "… w9 w10 w11 w12 w13 w14 [-w15-]{+NEW+} w16 w17 w18 w19 w20 w21 …"
    )
    assert word_diff("x " + WORDS, WORDS + " y") == (
        "[-x -]w0 w1 w2 w3 w4 w5 … w24 w25 w26 w27 w28 w29{+ y+}"
    )


def test_a_painter_colours_the_marks() -> None:
    def tagged(text: str, role: Role) -> str:
        return f"<{role}>{text}</{role}>"

    assert word_diff("a b", "a c", tagged) == "a <remove>[-b-]</remove><add>{+c+}</add>"


def test_only_long_text_is_word_diffed() -> None:
    assert is_long_text("x" * 41, "y")
    assert not is_long_text("x" * 40, "y" * 40)
    assert not is_long_text("x" * 50, None)
    assert not is_long_text(["x" * 50], "y" * 50)
