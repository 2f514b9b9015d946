"""Plain-text fields in page Markdown: shown exactly as written, never as Markdown, and never
with a stray backslash, whatever the site's Markdown extensions are, and never as
attributes or markup on a built page (issue 26)."""

from __future__ import annotations

import html
import re
import string
from pathlib import Path

import markdown as md
import pytest
import yaml
from markdown.extensions.toc import slugify

from kbgen.content.text import as_text, markdown_escapes, plain

from ..conftest import ROOT, build_or_fail, copy_project


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
    "Set up\n{: hidden }",
    "t {: onclick=alert(1) }",
    "x {: #evil }",
    "{: class=x data-y=z }",
    "[x](javascript:alert(1))",
    "include:_spf.example.com ~all",
    "3.5 GB, 2) and +1 555",
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


@pytest.mark.parametrize("extensions", EXTENSION_SETS.values(), ids=list(EXTENSION_SETS))
@pytest.mark.parametrize("text", SAMPLES)
def test_plain_text_reads_as_written_in_markdown_and_in_html(extensions: list[str], text: str) -> None:
    """as_text, the form every plain-text value takes in a template: the same text on a
    Markdown line, in raw HTML, and in raw HTML inside a markdown="1" element, where
    attr_list reads a trailing {: } on a <p> or an <h2>."""
    from selectolax.lexbor import LexborHTMLParser

    escapes = markdown_escapes(extensions)
    value = str(as_text(text, escapes))
    expected = " ".join(text.split())
    converter = md.Markdown(extensions=[*extensions, "md_in_html", "attr_list"])
    assert _shown(converter.reset().convert(value)) == expected
    for tag in ("p", "h2"):
        page = converter.reset().convert(
            f'<section markdown="1">\n\n<{tag} class="d">{value}</{tag}>\n\n</section>\n')
        node = LexborHTMLParser(page).css_first(tag)
        assert node is not None, page
        # toc gives a heading the id of its text; nothing else may add an attribute
        attributes = dict(node.attributes)
        if "id" in attributes and "toc" in extensions:
            assert attributes.pop("id") == slugify(html.unescape(value), "-"), page
        assert attributes == {"class": "d"}, page
        assert not list(node.iter()) and node.text() == expected, page
    assert LexborHTMLParser(f"<p>{value}</p>").css_first("p").text() == expected  # raw HTML


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
    from selectolax.lexbor import LexborHTMLParser

    home = LexborHTMLParser((site / "index.html").read_text(encoding="utf-8"))
    # the home page shows the top category's description as a sentence, not a numbered list
    description = home.css_first("p.kb-section-description")
    assert description is not None and not list(description.iter())
    assert description.text() == "1. Start with the settings; 2. then the apps"


# ---------------------------------------------------------------- hostile plain text, built

# Markdown and attr_list syntax, HTML and a link that would run code, with a line break
# before an attribute list: a page must show all of it as text, and carry no attribute of it.
HOSTILE_HEAD = "*x* _u_ `c` [x](javascript:alert(1)) <b>x</b> & "
HOSTILE_TAIL = '\n{: hidden class=x data-kbx="1" }'
STASH = ("\x02", "\x03", "klzzwxh")  # Python-Markdown's placeholders for stashed HTML
# Plain-text fields that cannot hold the hostile text because they are checked as
# something else too: DNS record values (kbgen/data/dnscheck.py).
NOT_FREE_TEXT = {("dns", "spf"), ("dns", "dmarc")}


def _is_plain(tp: object) -> bool:
    """Whether a model annotation is, or holds, the plain-text type (``Text``)."""
    from typing import get_args

    from pydantic.fields import FieldInfo

    from kbgen.data.chars import check_plain

    if isinstance(tp, FieldInfo):  # pydantic keeps a field's own Annotated metadata apart
        return _is_plain(tp.annotation) or any(getattr(m, "func", None) is check_plain for m in tp.metadata)
    if any(getattr(m, "func", None) is check_plain for m in getattr(tp, "__metadata__", ())):
        return True
    return any(_is_plain(arg) for arg in get_args(tp))


def _plain_paths(value: object, path: tuple[str | int, ...] = (), plain_: bool = False
                 ) -> list[tuple[str | int, ...]]:
    """Where a validated model holds plain text: the same keys as its YAML."""
    from pydantic import BaseModel

    if isinstance(value, str):
        return [path] if plain_ else []
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return [p for name, info in fields.items()
                for p in _plain_paths(getattr(value, name), (*path, name), _is_plain(info))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _plain_paths(item, (*path, i), plain_)]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _plain_paths(item, (*path, key), plain_)]
    return []


def _make_hostile(data_dir: Path) -> dict[str, str]:
    """Every plain-text field of every data file gets the hostile text around a marker
    of its own; returns marker -> where it was put (file and field)."""
    from kbgen.data.kb import FOLDERS, SINGLE_FILES

    kinds = {name: cls for name, (_kind, cls) in SINGLE_FILES.items()}
    kinds |= {f"{folder}/{p.name}": cls for folder, (_kind, cls) in FOLDERS.items()
              for p in (data_dir / folder).glob("*.yml")}
    markers: dict[str, str] = {}
    for rel, cls in sorted(kinds.items()):
        path = data_dir / rel
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for where in _plain_paths(cls.model_validate(data)):
            if where in NOT_FREE_TEXT:
                continue
            node = data
            for part in where[:-1]:
                node = node[part]
            marker = f"Q{len(markers)}Q"
            markers[marker] = f"{rel}: {where}"
            node[where[-1]] = f"{node[where[-1]]} {HOSTILE_HEAD}{marker}{HOSTILE_TAIL}"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return markers


@pytest.mark.slow
def test_hostile_text_in_every_plain_field_is_shown_as_written(tmp_path: Path) -> None:
    from selectolax.lexbor import LexborHTMLParser

    root = copy_project(tmp_path / "project")
    markers = _make_hostile(root / "data")
    site = build_or_fail(root, root / "site")
    shown: set[str] = set()
    shown_as = " ".join((HOSTILE_HEAD + "{m}" + HOSTILE_TAIL).split())  # one line
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(site).as_posix()
        assert not any(s in text for s in STASH), f"{where}: a Markdown placeholder leaked"
        tree = LexborHTMLParser(text)
        for node in tree.css("[data-kbx], .x"):
            pytest.fail(f"{where}: plain text became attributes: {node.html[:200]}")
        assert tree.css_first("body [onclick], a[href^='javascript']") is None, where
        # Each marker stands in the hostile text exactly as written, in text and attributes.
        # (a script's text is JSON-LD or code, another consumer: not shown)
        texts = [n.text(deep=False) for n in tree.root.traverse(include_text=True)
                 if n.tag == "-text" and n.parent is not None and n.parent.tag not in {"script", "style"}]
        texts += [v for n in tree.css("[alt], [title], [content], [aria-label]")
                  for k, v in n.attributes.items() if k in {"alt", "title", "content", "aria-label"} and v]
        for piece in texts:
            for m in re.finditer(r"Q\d+Q", piece):
                shown.add(m.group())
                expected = shown_as.replace("{m}", m.group())
                start = max(0, m.start() - len(HOSTILE_HEAD))
                around = " ".join(piece[start:m.end() + len(HOSTILE_TAIL) + 1].split())
                # a long description may be cut short (meta description, search); what is shown is exact
                assert expected.startswith(around) or around.startswith(expected) or expected in around, \
                    f"{where}: {markers[m.group()]} is shown as {piece!r}"
    # A few fields are shown by no page of the example (SMTP's strengths: no overview
    # block lists SMTP); the test must still see nearly all of them.
    unshown = sorted(markers[m] for m in set(markers) - shown)
    assert len(unshown) < len(markers) / 10, f"plain-text fields no page shows: {unshown}"


@pytest.mark.slow
def test_a_category_description_cannot_set_attributes_on_the_home_page(tmp_path: Path) -> None:
    """The audit's case: a description on two lines, the second an attr_list, in the
    home page's cards (md_in_html), the category's own page and its sub-categories' cards."""
    from selectolax.lexbor import LexborHTMLParser

    hostile = ["Set up\n{: hidden }", "{: class=x data-y=z }", "<b>x</b>", "[x](javascript:alert(1))",
               "*x*", "Two\n\n{: #kb-topics .x }"]
    root = copy_project(tmp_path / "project")
    categories = root / "data" / "categories.yml"
    data = yaml.safe_load(categories.read_text(encoding="utf-8"))
    assert len(data["categories"]) >= len(hostile)
    for category, text in zip(data["categories"], hostile, strict=False):
        category["description"] = text
    categories.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    site = build_or_fail(root, root / "site")
    pages = {"index.html": site / "index.html", "email/index.html": site / "email" / "index.html"}
    for where, path in pages.items():
        text = path.read_text(encoding="utf-8")
        assert not any(s in text for s in STASH), f"{where}: a Markdown placeholder leaked"
        tree = LexborHTMLParser(text)
        shown = [node for node in tree.css(".kb-section-description, .kb-card__description, .kb-summary")]
        assert shown, where
        for node in shown:
            assert set(node.attributes) == {"class"}, f"{where}: {node.html}"
            assert node.attributes["class"] in {"kb-section-description", "kb-card__description",
                                                "kb-summary"}, node.html
            assert not list(node.iter()), f"{where}: markup in a description: {node.html}"
        seen = {node.text() for node in shown}
        for text_ in hostile:
            assert " ".join(text_.split()) in seen, (where, text_, seen)
        assert len(tree.css("#kb-topics")) <= 1 and not tree.css("[data-y]"), where
