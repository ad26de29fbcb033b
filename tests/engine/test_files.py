"""Files mpr writes: folders made on the way, a plain file in the way named."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from reconciler.engine.files import make_folder, write_atomically


def test_folders_are_made_on_the_way_and_an_existing_one_is_fine(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.json"
    write_atomically(target, "one\n")
    write_atomically(target, "two\n")
    assert target.read_text(encoding="utf-8") == "two\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.json"], "no file left aside"


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_a_plain_file_in_the_way_is_named(tmp_path: Path, depth: int) -> None:
    (tmp_path / "plain").write_text("", encoding="utf-8")
    folder = Path(tmp_path / "plain", *["below"] * depth)
    with pytest.raises(NotADirectoryError) as refused:
        make_folder(folder)
    assert refused.value.errno == errno.ENOTDIR
    assert refused.value.strerror == f"{tmp_path / 'plain'} is a file, not a folder"


def test_a_link_to_nothing_keeps_the_systems_word(tmp_path: Path) -> None:
    """No plain file is in the way, so there is none to name."""
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileExistsError):
        make_folder(tmp_path / "gone")
