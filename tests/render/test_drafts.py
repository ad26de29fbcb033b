"""The drafts' words in the text and Markdown plans (render.drafts), and AI text made inert
(render.inert)."""

from __future__ import annotations

from reconciler.engine.plan import DraftPost, DraftStep
from reconciler.render import drafts, inert
from reconciler.render.describe import draft_lines


def post(i: int, text: str = "Fresh bread today", image: str = "") -> DraftPost:
    return DraftPost(f"d{i}", "FACEBOOK", f"2026-11-{10 + i}T09:00:00.000Z", text=text, image=image)


def test_the_text_plan_lists_ten_drafts_a_site_then_counts_the_rest() -> None:
    step = DraftStep(posts=tuple(post(i) for i in range(12)))
    lines = drafts.text_lines(step, width=60)
    assert len(lines) == 11
    assert lines[0] == "FACEBOOK Tue 10 Nov 09:00 UTC: “Fresh bread today”"
    assert lines[-1] == "…and 2 more (mpr calendar / --format json)"


def test_a_long_text_is_cut_to_the_width_and_times_show_in_the_policy_zone() -> None:
    step = DraftStep(posts=(post(1, "word " * 40),), time_zone="Europe/Lisbon")
    (line,) = drafts.text_lines(step, width=60)
    assert len(line) == 60 and line.endswith("…”")
    assert line.startswith("FACEBOOK Wed 11 Nov 09:00 WET: “word word")


def test_terminal_controls_and_bidi_overrides_are_spelled_out() -> None:
    said = inert.one_line("\x1b[2J\x1b]0;title\x07ok\u202eevil\u2066\r\nnext\x00")
    assert said == "\\x1b[2J\\x1b]0;title\\x07ok\\u202eevil\\u2066 ⏎ next\\x00"


def test_markdown_escapes_markup_and_links_only_web_images() -> None:
    assert inert.markdown("*a* <b> [c](d) @e\n\n# f") == (
        "\\*a\\* \\<b\\> \\[c\\]\\(d\\) @\u2060e<br>\n\\# f"
    )
    assert (
        drafts.markdown_link("https://x.test/a b.jpg")
        == "image: https\\://x\\.test/a b\\.jpg (not a web link)"
    )
    assert (
        drafts.markdown_link("javascript:alert(1)")
        == "image: javascript\\:alert\\(1\\) (not a web link)"
    )
    assert drafts.markdown_link("https://x.test/a(1).jpg") == "[image](https://x.test/a%281%29.jpg)"
    block = drafts.markdown_block(
        DraftStep(posts=(post(1, "<b>hi</b>", "https://x.test/i.jpg"),)), "A & B"
    )
    assert block.startswith("<details><summary>A &amp; B: the words of 1 draft(s) to schedule")
    assert "  > \\<b\\>hi\\</b\\>" in block and "[image](https://x.test/i.jpg)" in block


def test_the_plan_counts_one_activity_and_one_draft_in_the_singular() -> None:
    one = DraftStep(generate_posts_for=("a1",), schedule={"FACEBOOK": ("d1",)})
    assert draft_lines(one) == [
        "generate posts for 1 activity without posts",
        "schedule 1 draft (FACEBOOK 1)",
    ]
    two = DraftStep(generate_posts_for=("a1", "a2"), schedule={"FACEBOOK": ("d1", "d2")})
    assert draft_lines(two) == [
        "generate posts for 2 activities without posts",
        "schedule 2 drafts (FACEBOOK 2)",
    ]
