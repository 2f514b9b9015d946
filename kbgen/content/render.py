"""Model to page Markdown, through Jinja templates that a site can override.

Pure functions: given a KB, produce every generated page as (path, Markdown).
The MkDocs plugin only hands these to MkDocs; tests can call them directly.
"""

from __future__ import annotations

import functools
import json
import posixpath
from dataclasses import dataclass
from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..data import facts
from ..data.kb import KB, Entry
from ..data.model import Category, Client, Endpoint
from ..data.urls import APPLE_PROFILE_PATH, category_uri, entry_uri, page_url
from .text import markdown_html, plain


@dataclass(frozen=True)
class GeneratedPage:
    """One page kbgen adds to the site."""

    src_uri: str
    markdown: str
    title: str
    entry_id: str | None = None
    category_id: str | None = None
    source: str | None = None  # the data file the page comes from, for "Edit this page"


@functools.lru_cache(maxsize=16384)
def _relpath(path: str, start: str) -> str:
    # Pages of one folder link the same categories and articles over and over.
    return posixpath.relpath(path, start)


def _dir_url(from_uri: str, to: str, *, page: bool = True) -> str:
    """Relative URL from one page to a page (or, with page=False, a file) of the built site."""
    here = page_url(from_uri)
    target = page_url(to) if page else "/" + to
    rel = _relpath(target, here)
    return rel + "/" if page and not rel.endswith("/") else rel


def environment(overrides: Path | None = None) -> Environment:
    loaders: list[BaseLoader] = []
    if overrides is not None and overrides.is_dir():
        loaders.append(FileSystemLoader(str(overrides)))
    loaders.append(PackageLoader("kbgen.content", "templates"))
    env = Environment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      extensions=["jinja2.ext.do"])
    env.filters["plain"] = plain
    env.filters["tojson_text"] = lambda s: Markup(json.dumps(str(s), ensure_ascii=False))
    return env


class Renderer:
    """Renders every page of a KB; one instance per build."""

    def __init__(self, kb: KB, env: Environment) -> None:
        self.kb = kb
        self.env = env
        self.values = facts.placeholders(kb)

    # helpers exposed to templates -------------------------------------
    def md(self, text: str | None, inline: bool = False) -> str:
        return markdown_html(text, self.values, inline=inline) if text else ""

    def link(self, from_uri: str, to_uri: str) -> str:
        return _relpath(to_uri, posixpath.dirname(from_uri) or ".")

    def category_link(self, from_uri: str, category_id: str) -> str:
        return self.link(from_uri, category_uri(self.kb, category_id))

    def entry_link(self, from_uri: str, entry: Entry) -> str:
        return self.link(from_uri, entry_uri(self.kb, entry))

    def nonstandard(self, protocol_id: str) -> list[Endpoint]:
        """Provider endpoints that are not a protocol standard (checks warn about them)."""
        protocol = self.kb.protocols[protocol_id]
        standard = {(e.port, e.security) for e in protocol.standard_ports}
        return [e for e in facts.endpoints(self.kb.provider, protocol)
                if (e.port, e.security) not in standard]

    def page_url(self, from_uri: str, entry: Entry) -> str:
        """A link usable in raw HTML: MkDocs rewrites only Markdown links."""
        return _dir_url(from_uri, entry_uri(self.kb, entry))

    def asset_url(self, from_uri: str, path: str) -> str:
        return _dir_url(from_uri, path, page=False)

    def apple_profile_url(self, from_uri: str) -> str | None:
        """Link to the configuration profile, when the provider's data allows one."""
        if not facts.apple_profile_possible(self.kb):
            return None
        return _dir_url(from_uri, APPLE_PROFILE_PATH, page=False)

    def settings(self, protocol_id: str) -> facts.SettingsRow:
        return facts.settings_row(self.kb, protocol_id)

    def _render(self, template: str, uri: str, **context: object) -> str:
        return self.env.get_template(template).render(
            kb=self.kb, provider=self.kb.provider, facts=facts, r=self, uri=uri, **context)

    # pages ------------------------------------------------------------
    def pages(self) -> list[GeneratedPage]:
        out = [GeneratedPage("index.md", self._render("home.md.j2", "index.md"), "Home")]
        for cat in self.kb.categories.values():
            uri = category_uri(self.kb, cat.id)
            out.append(GeneratedPage(uri, self.category(cat, uri), cat.title, category_id=cat.id))
        for entry in self.kb.published():
            uri = entry_uri(self.kb, entry)
            template = "client.md.j2" if isinstance(entry, Client) else "article.md.j2"
            text = self._render(template, uri, entry=entry,
                                crumbs=self.kb.ancestors(entry.category))
            out.append(GeneratedPage(uri, text, entry.title, entry_id=entry.id,
                                     category_id=entry.category,
                                     source=self.kb.sources.get(entry.id)))
        return out

    def category(self, cat: Category, uri: str) -> str:
        return self._render("category.md.j2", uri, category=cat,
                            crumbs=self.kb.ancestors(cat.id)[:-1])


def render_pages(kb: KB, overrides: Path | None = None) -> list[GeneratedPage]:
    return Renderer(kb, environment(overrides)).pages()


def category_links(kb: KB, base: str = "/") -> list[dict[str, object]]:
    """The category tree with absolute URLs (for the 404 page): title, description, url, children."""

    def walk(parent: str | None) -> list[dict[str, object]]:
        return [{"title": cat.title, "description": cat.description,
                 "url": page_url(category_uri(kb, cat.id), base), "children": walk(cat.id)}
                for cat in kb.children(parent)]

    return walk(None)
