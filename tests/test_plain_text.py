"""Plain-text fields in page Markdown: shown exactly as written, never as Markdown, and never
with a stray backslash, whatever the site's Markdown extensions are."""

from __future__ import annotations

import html
import re
import string
from pathlib import Path

import markdown as md
import pytest
import yaml

from kbgen.content.text import markdown_escapes, plain

from .conftest import ROOT, build_or_fail, copy_project


def _site_extensions() -> list[str]:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]


EXTENSION_SETS = {
    "python-markdown": [],
    "mkdocs.yml": _site_extensions(),
    "pymdownx tilde/caret/mark": ["pymdownx.tilde", "pymdownx.caret", "pymdownx.mark",
                                  "attr_list", "tables"],
}
SAMPLES = [
    "POP ~ IMAP: x^2 = fast?",
    "1. Start here",
    "- not a list",
    "+ plus",
    "* star",
    "# not a heading",
    "> not a quote",
    "---",
    "==highlight== ~~struck~~ ^^ins^^ ~sub~ ^sup^",
    "a_b_c *em* **strong** `code` [link](x) ![img](y) {: .cls } <b>tag</b> &amp; \\ back\\slash",
    "Two\n\nparagraphs\n1. and a list",
    "| a | b |",
    string.punctuation,
]


def _shown(converted: str) -> str:
    inner = re.fullmatch(r"<p>(.*)</p>", converted, re.S)
    assert inner, converted  # one paragraph: no list, heading, quote, rule or table
    assert "<" not in inner.group(1).replace("&lt;", ""), converted  # no element at all
    return html.unescape(inner.group(1))


@pytest.mark.parametrize("extensions", EXTENSION_SETS.values(), ids=list(EXTENSION_SETS))
@pytest.mark.parametrize("text", SAMPLES)
def test_plain_text_shows_exactly_as_written(extensions: list[str], text: str) -> None:
    escapes = markdown_escapes(extensions)
    converter = md.Markdown(extensions=extensions)
    shown = _shown(converter.convert(str(plain(text, escapes))))
    assert shown == " ".join(text.split())


def test_only_what_the_extensions_make_special_is_escaped() -> None:
    assert str(plain("POP ~ IMAP: x^2 = fast?")) == "POP ~ IMAP: x^2 = fast?"
    tilde = markdown_escapes(["pymdownx.tilde", "pymdownx.caret", "pymdownx.mark"])
    assert str(plain("POP ~ IMAP: x^2 = fast?", tilde)) == "POP \\~ IMAP: x\\^2 \\= fast?"


@pytest.mark.slow
def test_a_built_page_shows_titles_and_descriptions_as_written(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    article = root / "data" / "articles" / "pop-vs-imap.yml"
    text = article.read_text(encoding="utf-8")
    title = "What is the difference between POP and IMAP?"
    article.write_text(text.replace(f"title: {title}", "title: 'POP ~ IMAP: x^2 = fast?'", 1),
                       encoding="utf-8")
    categories = root / "data" / "categories.yml"
    lines = categories.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("description:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}description: '1. Start with the settings; 2. then the apps'\n"
    categories.write_text("".join(lines), encoding="utf-8")
    site = build_or_fail(root, root / "site")
    page = (site / "email" / "pop-vs-imap" / "index.html").read_text(encoding="utf-8")
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert heading is not None
    shown = re.sub(r'<a class="headerlink".*?</a>|<[^>]+>', "", heading.group(1))
    assert html.unescape(shown).strip() == "POP ~ IMAP: x^2 = fast?"
    assert "\\~" not in page and "\\^" not in page and "\\=" not in page
    home = (site / "index.html").read_text(encoding="utf-8")
    # the home page shows the top category's description as a sentence, not a numbered list
    assert '<p class="kb-section-description">1. Start with the settings; 2. then the apps</p>' in home
