"""Safe text: escaping plain fields and sanitising Markdown fields.

Python-Markdown passes raw HTML and ``javascript:`` links straight through,
and Material prints page titles unescaped, so every author-written string is
made safe here before it reaches a template's output.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping

import markdown as md
import nh3
from markupsafe import Markup

from ..data.model import PLACEHOLDER_RE

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~^=])")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "kbd", "a", "ul", "ol", "li",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "img", "hr", "del", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
                      "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


# One converter for the whole build: building a Markdown instance (and loading its
# extensions) for every field was a tenth of the build time of a large site.
_MARKDOWN = md.Markdown(extensions=["sane_lists", "tables"], output_format="html")


def plain(text: object) -> Markup:
    """Plain text for a Markdown context: HTML-escaped, Markdown syntax neutralised."""
    # Quotes stay as they are: headings are not attributes, and Python-Markdown's
    # table of contents would show an entity such as &#39; literally.
    escaped = html.escape(str(text), quote=False)
    return Markup(_MD_SPECIAL.sub(r"\\\1", escaped))


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace {{ name }} placeholders; checks already refused unknown names."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def markdown_html(text: str, values: Mapping[str, str], *, inline: bool = False) -> Markup:
    """Render a Markdown field to sanitised HTML (no scripts, handlers or odd URLs)."""
    return Markup(_sanitised_html(fill(text, values), inline))


# The same text gives the same HTML: shared texts (troubleshooting.yml's causes and
# fixes, on every client guide) are converted once per build. Small on purpose: most
# texts are converted once, and holding them all would add ~1 KB per text to the peak.
@functools.lru_cache(maxsize=4096)
def _sanitised_html(text: str, inline: bool) -> str:
    html = _MARKDOWN.reset().convert(text)
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    clean: str = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                           url_schemes=URL_SCHEMES, link_rel="noopener")
    return clean
