"""Safe text: escaping plain fields and sanitising Markdown fields.

Python-Markdown passes raw HTML and ``javascript:`` links straight through,
and Material prints page titles unescaped, so every author-written string is
made safe here before it reaches a template's output.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

import markdown as md
import nh3
from markupsafe import Markup

from ..data.markup import MARKDOWN_EXTENSIONS
from ..data.model import PLACEHOLDER_RE

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "kbd", "a", "ul", "ol", "li",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "img", "hr", "del", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
                      "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


# One converter for the whole build: building a Markdown instance (and loading its
# extensions) for every field was a tenth of the build time of a large site.
_MARKDOWN = md.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")


def markdown_escapes(extensions: Sequence[Any] = (),
                     configs: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The characters a backslash escapes in Python-Markdown with these extensions.

    Escaping any other character leaves the backslash on the page (``\\~`` shows
    as ``\\~`` unless an extension such as pymdownx.tilde makes ``~`` special).
    An escaped space means a no-break space to pymdownx, so whitespace is left out."""
    converter = md.Markdown(extensions=list(extensions), extension_configs=dict(configs or {}))
    return frozenset(c for c in converter.ESCAPED_CHARS if not c.isspace())


DEFAULT_ESCAPES = markdown_escapes()
"""Python-Markdown's own escapes; the MkDocs plugin passes those of mkdocs.yml's extensions."""


def plain(text: object, escapes: frozenset[str] = DEFAULT_ESCAPES) -> Markup:
    """Plain text for a Markdown context: one line, HTML-escaped, Markdown syntax neutralised.

    Every character the Markdown instance treats as an escape is escaped, which also
    stops a line-start list marker (``1.``, ``-``, ``+``, ``*``) or heading (``#``)."""
    one_line = " ".join(str(text).split())  # a line break would end a heading or a list item
    # Quotes stay as they are: headings are not attributes, and Python-Markdown's
    # table of contents would show an entity such as &#39; literally.
    escaped = html.escape(one_line, quote=False)
    return Markup("".join("\\" + c if c in escapes else c for c in escaped))


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace {{ name }} placeholders; checks already refused unknown names."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def markdown_html(text: str, values: Mapping[str, str], *, inline: bool = False) -> Markup:
    """Render a Markdown field to sanitised HTML (no scripts, handlers or odd URLs)."""
    html = _MARKDOWN.reset().convert(fill(text, values))
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, link_rel="noopener")
    return Markup(clean)


_CODE = re.compile(r"<code>([^<]*)</code>")


def keep_whole(html_text: str, whole: Mapping[str, str]) -> Markup:
    """Inside ``<code>`` of sanitised HTML, replace each value of ``whole`` (a host
    name, the example username) by its markup from the templates (``whole`` in
    _copy.html.j2), so that a long host wraps only after a dot, never at a hyphen
    inside a label. The values are validated host names and addresses (letters,
    digits, dots, hyphens, @): the same escaped or not. A value inside a longer
    name (mail.example.com in webmail.example.com) is left alone."""
    if not whole:
        return Markup(html_text)
    alternatives = "|".join(re.escape(v) for v in sorted(whole, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.@-])(?:{alternatives})(?![\w-]|\.\w)")

    def code(match: re.Match[str]) -> str:
        inner = pattern.sub(lambda m: whole[m.group(0)], match.group(1))
        return match.group(0) if inner == match.group(1) else f"<code>{inner}</code>"

    return Markup(_CODE.sub(code, html_text))
