"""The drafts a plan will schedule, with their words: lines for the terminal, a folded block
for Markdown. What they say is AI output: it goes through render.inert everywhere.

The text plan shows one line per draft, cut to the terminal's width, at most DRAFTS_SHOWN per
site; the Markdown plan (the pull-request comment) gives every draft's full text and image
link; `--format json` has each draft's whole content object.
"""

from __future__ import annotations

from datetime import datetime

from reconciler.engine.content import zone
from reconciler.engine.plan import DraftPost, DraftStep, HeldDraft
from reconciler.model.events import parse_wire_time
from reconciler.render import inert

DRAFTS_SHOWN = 10
"""How many drafts the text plan lists per site before it counts the rest."""
MORE_HINT = "mpr calendar / --format json"


def when(at: str, time_zone: str) -> str:
    """`Mon 07 Dec 09:00 WET`: the publishing time in the policy's time zone."""
    moment: datetime = parse_wire_time(at).astimezone(zone(time_zone))
    return moment.strftime("%a %d %b %H:%M ") + (moment.tzname() or time_zone)


def post_head(post: DraftPost | HeldDraft, time_zone: str) -> str:
    return f"{post.channel} {when(post.at, time_zone)}"


def post_line(post: DraftPost, time_zone: str, width: int | None) -> str:
    """`FACEBOOK Mon 07 Dec 09:00 UTC: “the caption…”`, cut to `width` characters."""
    head = f"{post_head(post, time_zone)}: "
    room = None if width is None else max(width - len(head) - 2, 10)
    return f"{head}“{inert.one_line(post.text or '(no text)', room)}”"


def held_line(held: HeldDraft, time_zone: str, width: int | None = None) -> str:
    """`held LINKEDIN Mon 07 Dec 09:00 UTC: policy.schedule.blockWords: contains “free” — “…”`."""
    head = f"held {post_head(held, time_zone)}: {held.rule}: {inert.one_line(held.detail)}"
    room = None if width is None else max(width - len(head) - 5, 40)
    return f"{head} — “{inert.one_line(held.text or '(no text)', room)}”"


def flag_lines(step: DraftStep) -> list[str]:
    """The content warnings of drafts that are scheduled anyway."""
    return [
        f"{post_head(post, step.time_zone)}: {inert.one_line(flag)}"
        for post in step.posts
        for flag in post.flags
    ]


def review_note(step: DraftStep) -> str | None:
    """What the plan says when a generation runs first: nobody sees those drafts' words."""
    if not step.after_generation:
        return None
    if step.after_generation_mode == "review":
        return (
            "drafts made by this generation are not scheduled in this run "
            "(policy.schedule.afterGeneration: review): the next plan shows their words"
        )
    return (
        "drafts made by this generation will be scheduled without anyone seeing their words "
        "(policy.schedule.afterGeneration: schedule; set it to review to see them first)"
    )


def text_lines(step: DraftStep, width: int | None) -> list[str]:
    """The drafts to schedule, one line each, at most DRAFTS_SHOWN, then how many more."""
    shown = [post_line(p, step.time_zone, width) for p in step.posts[:DRAFTS_SHOWN]]
    more = len(step.posts) - DRAFTS_SHOWN
    if more > 0:
        shown.append(f"…and {more} more ({MORE_HINT})")
    return shown


def markdown_block(step: DraftStep, title: str) -> str:
    """Every draft to schedule, with its full text and image link, in a folded block."""
    if not step.posts:
        return ""
    items = [_markdown_post(post, step.time_zone) for post in step.posts]
    summary = f"{inert.html_text(title)}: the words of {len(step.posts)} draft(s) to schedule"
    return f"<details><summary>{summary}</summary>\n\n" + "\n".join(items) + "\n</details>\n"


def _markdown_post(post: DraftPost, time_zone: str) -> str:
    head = f"- **{inert.markdown_label(post_head(post, time_zone))}**"
    text = inert.markdown(post.text) if post.text.strip() else "*(no text)*"
    body = "\n".join(f"  > {line}" for line in text.split("\n"))
    link = markdown_link(post.image)
    flags = "".join(f"\n  ⚠️ {inert.markdown(flag)}" for flag in post.flags)
    return f"{head}{(' — ' + link) if link else ''}\n\n{body}{flags}\n"


def markdown_link(url: str) -> str:
    """`[image](url)` for a web URL; anything else as inert text (or "" when none)."""
    if not url:
        return ""
    safe = inert.web_link(url)
    if safe is None:
        return f"image: {inert.markdown(url)} (not a web link)"
    return f"[image]({safe})"


def notes(step: DraftStep, width: int | None) -> list[tuple[str, str]]:
    """(sign, line) for what needs a reviewer's eye: the holds, the content warnings, and
    drafts a generation makes that nobody will have seen."""
    found = [("!", held_line(h, step.time_zone, width or HELD_WIDTH)) for h in step.held]
    found += [("!", f"warning: {line}") for line in flag_lines(step)]
    note = review_note(step)
    if note is not None:
        found.append(("!" if step.after_generation_mode != "review" else " ", f"drafts: {note}"))
    return found


HELD_WIDTH = 160
"""Where a held draft's line is cut when no terminal width applies (the Markdown diff)."""
