"""WYSIWYG HTML from an old help desk → Markdown that kbgen renders and sanitises.

markdownify (over BeautifulSoup) does the conversion; this module decides what
survives it. Scripts, styles, frames and forms are removed with their content;
inline styles and classes are dropped; headings are shifted so the article's
own title stays the only ``<h1>``, and the body is cut into sections at its
highest headings (kbgen's text blocks carry a heading; the sanitiser keeps no
heading tags inside Markdown), lower headings becoming bold lines; tables stay tables; ``<br>`` stays a line
break; pictures become links to where they are (the site's policy allows no
image from another origin, and the importer cannot fetch them), and every one
is listed. Text that looks like HTML or a ``{{ placeholder }}`` is escaped, so
what the old page showed is what the new page shows. Links are handed to a
callback, which rewrites old knowledge-base links to the new pages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from bs4 import BeautifulSoup, Comment
from bs4.element import NavigableString, Tag
from markdownify import MarkdownConverter

REMOVED_WITH_CONTENT = ("script", "style", "noscript", "iframe", "frame", "object", "embed",
                        "template", "form", "input", "button", "select", "textarea", "svg", "math",
                        "link", "meta", "base")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
# End tags HTML lets an author leave out; their absence is not a repair worth reporting.
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option",
                "colgroup", "caption", "html", "head", "body"}
# What no data file may hold (C0/C1 controls, YAML's hidden line breaks, non-characters) and
# the invisible characters that make plain text pass for other text; private-use marks too
# (this module's own markers). ZWJ, ZWNJ and direction marks stay: scripts need them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u200b\u202a-\u202e"
                      "\u2060-\u2064\u2066-\u2069\u180e\ufeff\ufdd0-\ufdef\ufffe\uffff"
                      "\ud800-\udfff\ue000-\uf8ff]")
_SENTENCE = re.compile(r"(.+?[.!?])(?=\s|\Z)", re.S)
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
# Text is text: what would start a link, an image, code or raw HTML anywhere, and a heading,
# quote, list or rule at the start of a line (of the text node: it may start one) is escaped.
_INLINE_SYNTAX = re.compile(r"([\\`\[\]*_])")
_LINE_START = re.compile(r"((?:^|\n)[ \t]*)(#{1,6}(?=\s|\Z)|>|[-+](?=\s|\Z)|-{2,}|\d{1,9}[.)](?=\s|\Z))")
# What a link target written as <…> may not hold: Python-Markdown would end the target at
# '>', read '\' as an escape and '`' as code; spaces and controls are not URL characters.
_TARGET_UNSAFE = re.compile(r"[\x00-\x20<>\\`\"\x7f]")
SUMMARY_MAX = 200
BLOCKS = ("p", "div", "br", "li", "ul", "ol", "table", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5",
          "h6", "blockquote", "pre", "hr", "dl", "dt", "dd", "section", "article")
_SECTION = "\ue000section\ue000"  # private-use marks, never in cleaned input
_BLOCK = "\ue001"
_HEADING = re.compile(r"\Ah[1-6]\Z")  # BeautifulSoup searches tag names with it
# Converters walk the tree recursively (markdownify's and Python-Markdown's alike), so
# elements nested deeper than this keep their words as plain text, and the report says so.
# Real WYSIWYG bodies stay far shallower; hostile ones nest thousands deep.
MAX_DEPTH = 40

LinkRewriter = Callable[[str], "str | None"]


@dataclass
class Picture:
    src: str
    alt: str


@dataclass
class Converted:
    """One article body, converted, with everything the report should say about it."""

    markdown: str  # the whole body, headings included, for a person to read
    summary: str
    text_length: int
    sections: list[tuple[str | None, str]] = field(default_factory=list)  # (heading, markdown)
    pictures: list[Picture] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # tag names removed with their content
    repairs: list[str] = field(default_factory=list)  # what the HTML parser had to guess
    dropped_links: list[str] = field(default_factory=list)  # links kept as text only
    flattened: int = 0  # elements nested deeper than MAX_DEPTH, kept as their text


def clean_text(text: str) -> str:
    """A one-line plain text: entities decoded, control characters dropped, spaces collapsed;
    ``{{``/``}}`` spaced apart, as kbgen fills placeholders in titles and summaries too."""
    text = html.unescape(text)
    text = _CONTROL.sub("", text)
    text = text.replace("{{", "{ {").replace("}}", "} }")
    return " ".join(text.split())


def convert(source: str, rewrite_link: LinkRewriter) -> Converted:
    """Convert one article's HTML; ``rewrite_link(href)`` returns the new href or None to drop it."""
    source = _CONTROL.sub("", source.replace("\r\n", "\n").replace("\r", "\n"))
    repairs = _repairs(source)
    soup = BeautifulSoup(source, "html.parser")
    removed: list[str] = []
    for tag in soup.find_all(REMOVED_WITH_CONTENT):
        removed.append(tag.name)
        tag.decompose()
    flattened = _flatten_deep(soup)
    _shift_headings(soup)
    plain = " ".join(_plain(soup, headings=True).replace(_BLOCK, " ").split())
    # The summary is the first sentence of the first paragraph, not of a heading above it,
    # nor a run through the list or table that the paragraph introduces.
    prose = next((b for b in _plain(soup, headings=False).split(_BLOCK) if b.strip()), "")
    result = Converted("", _summary(prose or plain), len(plain), removed=removed, repairs=repairs,
                       flattened=flattened)
    converter = _Converter(result, rewrite_link)
    markdown = converter.convert_soup(soup)
    pieces = markdown.split(_SECTION)
    sections: list[tuple[str | None, str]] = [(None, _tidy(pieces[0]))]
    for piece in pieces[1:]:
        heading, _, text = piece.partition("\n")
        sections.append((heading.strip() or None, _tidy(text)))
    result.sections = _merge_empty(_without_lead(sections, result.summary))
    result.markdown = "\n".join(
        (f"## {h}\n\n" if h else "") + text for h, text in result.sections).strip("\n") + "\n"
    return result


def _flatten_deep(soup: BeautifulSoup) -> int:
    """Replace each element at ``MAX_DEPTH`` by its text; returns how many were replaced.
    An explicit stack, not recursion: the tree may be arbitrarily deep."""
    deep: list[Tag] = []
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        for child in node.children:
            if isinstance(child, Tag):
                if depth + 1 >= MAX_DEPTH:
                    deep.append(child)
                else:
                    stack.append((child, depth + 1))
    for tag in deep:
        tag.replace_with(NavigableString(" ".join(tag.get_text(" ").split())))
    return len(deep)


def escape_text(text: str, *, table: bool = False) -> str:
    """Plain text as Markdown that shows exactly that text (no link, code, HTML or placeholder)."""
    if not text:
        return ""
    text = _INLINE_SYNTAX.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: m.group(1) + "".join("\\" + c if c in "#>-+.)" else c
                                                          for c in m.group(2)), text)
    # Text that looks like a tag, an entity or a placeholder is shown, not interpreted.
    text = _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")
    text = text.replace("{{", "\\{\\{").replace("}}", "\\}\\}")
    return text.replace("|", "\\|") if table else text


def link_target(href: str) -> str:
    """A URL as a Markdown link target: ``<…>``, so that ``(``, ``)`` and quotes stay in it,
    with what could end or change the target percent-encoded."""
    return "<" + _TARGET_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", href) + ">"


def _plain(soup: BeautifulSoup, *, headings: bool) -> str:
    """The text as a reader sees it, blocks apart (``_BLOCK``), inline words together
    ("click <b>Save</b>." stays "click Save.")."""
    copy = BeautifulSoup(str(soup), "html.parser")
    for comment in copy.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    if not headings:
        for tag in copy.find_all(_HEADING):
            tag.decompose()
    for tag in copy.find_all(BLOCKS):
        tag.insert_before(_BLOCK)
        tag.insert_after(_BLOCK)
    return _BLOCK.join(" ".join(block.split()) for block in copy.get_text("").split(_BLOCK))


def _without_lead(sections: list[tuple[str | None, str]], summary: str) -> list[tuple[str | None, str]]:
    """The page shows the summary above the body: the body need not start with it again."""
    heading, text = sections[0]
    if heading is None and summary and not summary.endswith("…") and text.startswith(summary):
        rest = text[len(summary):].lstrip(" ")
        if rest.strip() and not rest.startswith(("<br>", "\n-", "\n1.")):
            return [(None, rest.lstrip("\n")), *sections[1:]]
    return sections


def _merge_empty(sections: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """A heading with nothing under it becomes a bold line at the top of the next section."""
    out: list[tuple[str | None, str]] = []
    carry = ""
    for heading, text in sections:
        if not text:
            if heading:
                carry += f"**{heading}**\n\n"
            continue
        if carry:
            text, carry = carry + text, ""
        out.append((heading, text))
    if carry:
        out.append((None, carry.rstrip("\n") + "\n"))
    return out


def _summary(plain: str) -> str:
    match = _SENTENCE.match(plain)
    sentence = match.group(1) if match else plain
    if sentence.endswith(":"):  # "Set these nameservers:" introduced a list
        sentence = sentence[:-1].rstrip() + "."
    if len(sentence) <= SUMMARY_MAX:
        return sentence
    cut = sentence[:SUMMARY_MAX].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _shift_headings(soup: BeautifulSoup) -> None:
    """The page title is the only h1: the body's highest heading becomes h2."""
    levels = [int(t.name[1]) for t in soup.find_all(_HEADING)]
    if not levels:
        return
    shift = 2 - min(levels)
    for tag in soup.find_all(_HEADING):
        tag.name = f"h{min(6, max(2, int(tag.name[1]) + shift))}"


def _tidy(markdown: str) -> str:
    lines = [line.rstrip() for line in markdown.replace("\xa0", " ").split("\n")]
    text = "\n".join(lines).strip("\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text + "\n" if text else ""


class _Converter(MarkdownConverter):
    def __init__(self, result: Converted, rewrite_link: LinkRewriter) -> None:
        super().__init__(heading_style="atx", bullets="-", strong_em_symbol="*",
                         table_infer_header=True, escape_misc=False, autolinks=False)
        self.result = result
        self.rewrite_link = rewrite_link

    def escape(self, text: str, parent_tags: Any) -> str:
        return escape_text(text, table="td" in parent_tags or "th" in parent_tags)

    def convert_hN(self, n: int, el: Any, text: str, parent_tags: Any) -> str:  # noqa: N802
        if "_inline" in parent_tags:
            return text
        title = clean_text(el.get_text(" "))
        if not title:
            return ""
        if n <= 2:
            return f"\n\n{_SECTION}{title}\n\n"
        return f"\n\n**{text.strip()}**\n\n"

    def convert_br(self, el: Any, text: str, parent_tags: Any) -> str:
        # Python-Markdown has no backslash break, and trailing spaces do not survive
        # editors (or YAML block scalars): an explicit <br> does, through the sanitiser.
        if "_inline" in parent_tags or "td" in parent_tags or "th" in parent_tags:
            return "<br>" + text
        return "<br>\n" + text

    def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
        src = str(el.attrs.get("src") or "").strip()
        alt = clean_text(str(el.attrs.get("alt") or el.attrs.get("title") or ""))
        if not src:
            return ""
        self.result.pictures.append(Picture(src, alt))
        label = f"Picture: {alt}" if alt else "Picture"
        href = self.rewrite_link(src)
        label = escape_text(label)
        if href is None:
            self.result.dropped_links.append(src)
        return f"[{label}]({link_target(href)})" if href else f"*{label}*"

    def convert_a(self, el: Any, text: str, parent_tags: Any) -> str:
        href = str(el.get("href") or "").strip()
        if "_noformat" in parent_tags or not text.strip():
            return text
        new = self.rewrite_link(href) if href else None
        if new is None:
            if href:
                self.result.dropped_links.append(href)
            return text
        prefix, suffix = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        return f"{prefix}[{text.strip()}]({link_target(new)}){suffix}"

    def convert_li(self, el: Any, text: str, parent_tags: Any) -> str:
        # Python-Markdown needs four spaces before a nested list (markdownify uses the
        # bullet's width, which Python-Markdown reads as a continuation of the item).
        text = (text or "").strip()
        if not text:
            return "\n"
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = int(parent["start"]) if str(parent.get("start") or "").isdigit() else 1
            bullet = f"{start + len(el.find_previous_siblings('li'))}."
        else:
            bullet = "-"
        lines = text.split("\n")
        body = "\n".join(("    " + line) if line.strip() else "" for line in lines[1:])
        return f"{bullet} {lines[0]}" + (f"\n{body}" if body else "") + "\n"


class _RepairFinder(HTMLParser):
    """What a browser would have to guess: end tags without a start, elements never closed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if tag not in self.stack:
            self.found.append(f"</{tag}> without <{tag}>")
            return
        while self.stack:
            top = self.stack.pop()
            if top == tag:
                break
            if top not in OPTIONAL_END:
                self.found.append(f"<{top}> not closed before </{tag}>")

    def close(self) -> None:
        super().close()
        for tag in self.stack:
            if tag not in OPTIONAL_END:
                self.found.append(f"<{tag}> never closed")


def _repairs(source: str) -> list[str]:
    finder = _RepairFinder()
    finder.feed(source)
    finder.close()
    return list(dict.fromkeys(finder.found))
