"""What a Markdown field turns into, as far as validation needs to know, and how plain
text is written so that Markdown reads it as text.

The one configuration of Python-Markdown that renders every Markdown field
(``kbgen.content.text`` uses it too), and the images a field would show, found
by rendering it: inline, reference-style and raw-HTML images alike.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown as md
from markupsafe import escape

MARKDOWN_EXTENSIONS = ("sane_lists", "tables")

_MARKDOWN = md.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
# What a backslash escapes in a Markdown field (white space: a no-break space to pymdownx).
FIELD_ESCAPES = frozenset(c for c in _MARKDOWN.ESCAPED_CHARS if not c.isspace())


# What Markdown reads as white space, line breaks included; a no-break space is text.
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def one_line(text: object) -> str:
    """``text`` on one line: a line break in plain text would end a heading or a list
    item, and let the next line be Markdown of its own (``{: hidden }``, ``# …``)."""
    return _SPACES.sub(" ", str(text)).strip()


# Markup in a Markdown line only where it starts the line (a heading, a list, a quote) or
# after a character that is referenced anyway ("![", "](").
_LINE_START_ONLY = frozenset("#+-.!()>")
# Emphasis (and pymdownx's ~~, ^^, ==) needs an opening and a closing mark: one alone in a
# value stays as written, so "include:_spf.example.com" is not "include:&#95;spf…".
_PAIRED = frozenset("*_~^=")
# What makes a line a heading, a table row, a definition, a list item or a rule.
_BLOCK_START = re.compile(r"#|\||[:+*-](?= |\Z)|[=-]+\Z|\d+[.)](?= |\Z)")


def as_text(text: object, escapes: frozenset[str]) -> str:
    """Plain text for any place in Markdown (``escapes``: the characters its extensions
    escape), as HTML: shown as written there, never as Markdown or HTML syntax.

    Pages print plain-text fields with it (``kbgen.content.text.as_text``), and
    Markdown fields get a plain-text value of a placeholder (``{{ provider.name }}``)
    through it (``FIELD_ESCAPES``). Most stand in raw HTML (``<p>{{ x }}</p>``),
    where a backslash escape would show, so the characters Markdown or an extension
    could read (``{: hidden }`` for attr_list, ``*``, ``[``, a backtick) are written as
    character references, which read the same as HTML and as Markdown. One line, as
    ``plain``; quotes escaped too, as Jinja's autoescape does, for attribute values."""
    escaped = str(escape(one_line(text)))  # as Jinja's autoescape
    counts = {c: escaped.count(c) for c in _PAIRED & escapes}
    refer = {c for c in escapes - _LINE_START_ONLY if counts.get(c, 2) > 1}
    out = "".join(f"&#{ord(c)};" if c in refer else c for c in escaped)
    start = _BLOCK_START.match(out)  # as the first thing on a Markdown line
    if start:
        at = start.end() - 1
        out = f"{out[:at]}&#{ord(out[at])};{out[at + 1:]}"
    return out


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs).get("src") or "")


def image_sources(text: str) -> list[str]:
    """The ``src`` of every image the Markdown ``text`` shows, in order."""
    lowered = text.lower()
    if "![" not in text and "<img" not in lowered:
        return []  # most fields: no need to render
    parser = _Images()
    parser.feed(_MARKDOWN.reset().convert(text))
    parser.close()
    return parser.sources


def is_external(src: str) -> bool:
    """An image from another site (``https://…``, ``//host/…``) or a ``data:``/other-scheme URL."""
    head = src.strip().split("/", 1)[0]
    return src.strip().startswith("//") or ":" in head
