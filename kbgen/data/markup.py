"""What a Markdown field turns into, as far as validation needs to know.

The one configuration of Python-Markdown that renders every Markdown field
(``kbgen.content.text`` uses it too), and the images a field would show, found
by rendering it: inline, reference-style and raw-HTML images alike.
"""

from __future__ import annotations

from html.parser import HTMLParser

import markdown as md

MARKDOWN_EXTENSIONS = ("sane_lists", "tables")

_MARKDOWN = md.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")


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
