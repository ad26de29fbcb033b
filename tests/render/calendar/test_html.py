"""`mpr calendar --format html`: one self-contained, accessible page (issue #14).

Checked twice: structurally with the standard library's parser (real table semantics, no
external asset, marks in words), and laid out by a real headless browser at a desktop and a
phone width, compared by the boxes of its elements rather than by pixels. The browser test
is marked `browser` and skipped when Debian's `chromium` is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TypedDict

import pytest

from reconciler.cli import exitcodes
from reconciler.emulator import Emulator
from tests.conftest import Mpr
from tests.render.calendar.conftest import SITE

URL = re.compile(r"(https?:)?//|url\(|@import", re.IGNORECASE)


@dataclass
class Page(HTMLParser):
    """What the checks need from a page: tags with their attributes, and the text."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def page_of(mpr: Mpr, crumb: str) -> tuple[str, Page]:
    result = mpr("calendar", crumb, "--weeks", "2", "--format", "html", "--out", "c.html")
    assert result.code == exitcodes.OK, result.err
    html = Path("c.html").read_text(encoding="utf-8")
    page = Page()
    page.feed(html)
    return html, page


def test_the_page_is_a_self_contained_accessible_document(mpr: Mpr, crumb: str) -> None:
    html, page = page_of(mpr, crumb)
    assert page.named("html") == [{"lang": "en"}]
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in page.named(
        "meta"
    )
    # The posts' images are links a reader may follow (#25); nothing is loaded from outside.
    outside = re.sub(r'<a href="https://static\.wixstatic\.com/[^"]*">image</a>', "", html)
    assert not URL.search(outside), "no external asset, link or import"
    images = [a["href"] for a in page.named("a")]
    assert images and all(str(h).startswith("https://static.wixstatic.com/") for h in images)
    assert not page.named("script") and not page.named("img") and not page.named("link")
    assert len(page.named("table")) == 2 and len(page.named("caption")) == 2
    scopes = [attrs.get("scope") for attrs in page.named("th")]
    assert scopes == (["col"] * 3 + ["row"] * 7) * 2
    text = "".join(page.text)
    assert "Week 48: Mon 2026-11-23 – Sun 2026-11-29" in text
    assert "FACEBOOK, INSTAGRAM posts: draft ★ apply schedules them" in text
    assert "policy horizon ends Mon 2026-11-30 09:02: apply schedules no draft after it" in text
    assert "00:00 ○ Portugal public holiday" in text
    assert "@media (max-width: 40em)" in html and "@media print" in html


# Injected into a copy of the page (the page itself has no script): every table's, header's
# and cell's box, and whether the page scrolls sideways, written where --dump-dom shows it.
MEASURE = """<script>
addEventListener("load", () => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return {x: r.left, y: r.top, w: r.width, h: r.height}; };
  const rows = [...document.querySelectorAll("tbody tr:not(.horizon)")].map((tr) => ({
    head: box(tr.querySelector("th")), cells: [...tr.querySelectorAll("td")].map(box)}));
  const out = document.createElement("pre");
  out.id = "boxes";
  out.textContent = JSON.stringify({viewport: innerWidth,
    scroll: document.documentElement.scrollWidth, rows: rows});
  document.body.append(out);
});
</script>"""


class Box(TypedDict):
    x: float
    y: float
    w: float
    h: float


class Row(TypedDict):
    head: Box
    cells: list[Box]


class Layout(TypedDict):
    """What MEASURE writes: the window's width, the page's, and each day row's boxes."""

    viewport: float
    scroll: float
    rows: list[Row]


def boxes(page: Path, width: int) -> Layout:
    done = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--window-size={width},900",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = re.search(r'<pre id="boxes">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found, done.stderr[-2000:]
    measured: Layout = json.loads(found.group(1).replace("&amp;", "&"))
    return measured


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_a_browser_lays_it_out_as_a_grid_on_a_desktop_and_as_stacked_days_on_a_phone(
    mpr: Mpr, crumb: str
) -> None:
    html, _ = page_of(mpr, crumb)
    measured = Path("measured.html")
    measured.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    # 500 px: the narrowest window headless chromium opens, still under the 40em breakpoint.
    wide, phone = boxes(measured, 1000), boxes(measured, 500)
    for layout in (wide, phone):
        assert layout["scroll"] == layout["viewport"], "no sideways scrolling"
        assert len(layout["rows"]) == 14
    for row in wide["rows"]:
        head, own, connected = row["head"], *row["cells"]
        assert head["y"] == own["y"] == connected["y"], "a day is one row of three columns"
        assert head["x"] + head["w"] <= own["x"] and own["x"] + own["w"] <= connected["x"]
    shown = [(row["head"], c) for row in phone["rows"] for c in row["cells"] if c["h"]]
    assert len(shown) == 9, "the 9 busy cells; an empty cell is not shown on a phone"
    for head, cell in shown:
        assert cell["y"] >= head["y"] + head["h"], "on a phone a day's cells stack under it"
        assert cell["w"] > 0.9 * phone["viewport"] - 40, "and take the width of the screen"


def test_a_note_naming_a_command_shows_it_as_code_not_backticks(
    mpr: Mpr, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.load_fixtures({"sites": [{"id": SITE, "connectedChannels": ["FACEBOOK"]}]})
    (tmp_path / "new.yaml").write_text(
        f"version: 1\nsite: {{id: {SITE}, name: Crumb <&> Co}}\n"
        "settings: {marketingTools: [SOCIAL_MARKETING]}\n"
    )
    out = tmp_path / "n.html"
    result = mpr("calendar", str(tmp_path / "new.yaml"), "--format", "html", "--out", str(out))
    assert result.code == exitcodes.OK, result.err
    html = out.read_text(encoding="utf-8")
    assert "apply first runs <code>generate</code> (" in html
    assert "`" not in html
    assert "Crumb &lt;&amp;&gt; Co" in html
