"""Images in Markdown fields must come from the help center itself: the CSP blocks the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.data.data_folder import load_kb
from kbgen.data.errors import DataError
from kbgen.data.markup import image_sources, is_external

from ..conftest import copy_project


@pytest.mark.parametrize(("text", "sources"), [
    ("![a](https://x.example/a.png)", ["https://x.example/a.png"]),
    ("see ![a][pic]\n\n[pic]: http://x.example/b.png", ["http://x.example/b.png"]),
    ('<img src="//x.example/c.png" alt="c">', ["//x.example/c.png"]),
    ("![a](data:image/png;base64,AAAA)", ["data:image/png;base64,AAAA"]),
    ("a [link](https://x.example/) and `![code](https://x.example/d.png)`", []),
])
def test_images_are_found_the_way_markdown_renders_them(text: str, sources: list[str]) -> None:
    assert image_sources(text) == sources
    assert all(is_external(s) for s in sources)


@pytest.mark.parametrize("src", ["images/a.png", "/images/a.png", "../img/a:b.png"])
def test_local_images_are_not_external(src: str) -> None:
    assert not is_external(src)


def test_external_images_are_refused_in_every_kind_of_file(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    trouble = root / "data" / "troubleshooting.yml"
    text = trouble.read_text(encoding="utf-8")
    trouble.write_text(text.replace("    cause: |\n", "    cause: |\n      ![x][p]\n\n"
                                    "      [p]: https://cdn.example.net/x.png\n", 1),
                       encoding="utf-8")
    imap = root / "data" / "protocols" / "imap.yml"
    imap.write_text(imap.read_text(encoding="utf-8").replace(
        "how_it_works: |\n", "how_it_works: |\n  ![y](http://cdn.example.net/y.png)\n", 1),
        encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_kb(root)
    found = sorted((p.file, p.line, p.col) for p in caught.value.problems
                   if "is not part of the help center" in p.message)
    assert found == [("data/protocols/imap.yml", 9, 8), ("data/troubleshooting.yml", 10, 12)]
