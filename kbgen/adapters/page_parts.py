"""kbgen's additions to an article page, as HTML, from the theme's templates.

An article page carries Open Graph tags and JSON-LD in its head, a print-only
header and a print button above the text, and below it the article's metadata,
Also Read, "Was this answer helpful?" and "Still need help?". Their templates
are the site's (``overrides/partials/kbgen/article-{head,top,bottom}.html``),
rendered with the theme's own Jinja environment, so its ``url`` filter and
icons work in them. They are rendered here, for one page at a time, rather
than inside Material's page template: a full build renders them in the worker
process that renders the pages' Markdown (render_process.py), and
``overrides/main.html`` only prints the result.

The partials see ``config``, ``page`` (its ``url`` only), ``base_url``,
``kbgen`` (the reader's values for the page, ``content/reader.py``) and
``kb_article`` (``kbgen.article``), besides the environment's globals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils import get_relative_url

PARTS = {
    "head": "partials/kbgen/article-head.html",
    "top": "partials/kbgen/article-top.html",
    "bottom": "partials/kbgen/article-bottom.html",
}


@dataclass(frozen=True)
class PageStub:
    """What the theme's ``url`` filter reads of a page: its URL."""

    url: str


class PageParts:
    """Renders the parts of article pages with one theme environment."""

    def __init__(self, env: Any, config: MkDocsConfig) -> None:
        self.config = config
        try:
            self.templates = {name: env.get_template(path) for name, path in PARTS.items()}
        except jinja2.TemplateNotFound:
            # A site made before these partials: its main.html includes the pieces itself
            # from the reader's values, which every article page still gets.
            self.templates = {}

    def render(self, context: dict[str, Any], page_url: str) -> dict[str, str] | None:
        """The parts of the page at ``page_url``; None off article pages."""
        article = context.get("article")
        if article is None or not self.templates:
            return None
        values = {"config": self.config, "page": PageStub(page_url),
                  "base_url": get_relative_url(".", page_url), "kbgen": context, "kb_article": article}
        return {name: template.render(values) for name, template in self.templates.items()}


class LazyParts:
    """A page's parts, rendered when a template first shows them. The preview server
    compares what the plugin gives each page (its repr) before rendering it again:
    the parts follow from the reader's values beside them and the page's address."""

    def __init__(self, parts: PageParts, context: dict[str, Any], page_url: str) -> None:
        self._parts = parts
        self._context = context
        self._url = page_url
        self._rendered: dict[str, str] | None = None

    def __getattr__(self, name: str) -> str:
        if name not in PARTS:
            raise AttributeError(name)
        if self._rendered is None:
            self._rendered = self._parts.render(self._context, self._url) or {}
        return self._rendered.get(name, "")

    def __bool__(self) -> bool:
        return self._context.get("article") is not None

    def __repr__(self) -> str:
        return f"LazyParts({self._url!r})"


def canonical_url(site_url: str | None, page_url: str) -> str | None:
    """``Page.canonical_url`` as MkDocs 1.6 sets it, from the site's URL and the page's."""
    if not site_url:
        return None
    base = site_url if site_url.endswith("/") else site_url + "/"
    return urljoin(base, page_url)
