"""Model to page Markdown, through Jinja templates that a site can override.

Pure functions: given a KB, produce every generated page as (path, Markdown).
The MkDocs plugin only hands these to MkDocs; tests can call them directly.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from markupsafe import Markup

from . import facts
from .kb import KB, Entry
from .model import Category, Client, Endpoint
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


def category_uri(kb: KB, category_id: str) -> str:
    parts = [c.id for c in kb.ancestors(category_id)]
    return "/".join(parts) + "/index.md"


def entry_uri(kb: KB, entry: Entry) -> str:
    """Articles live under their top-level category: /email/pop-vs-imap/."""
    top = kb.ancestors(entry.category)[0].id
    return f"{top}/{entry.id}.md"


def page_url(uri: str, base: str = "/") -> str:
    """A page's URL from its docs URI, as built with ``use_directory_urls`` (a/b.md -> /a/b/)."""
    if uri == "index.md":
        return base
    if uri.endswith("/index.md"):
        return base + uri[: -len("index.md")]
    return base + uri[: -len(".md")] + "/"


def _dir_url(from_uri: str, to: str, *, page: bool = True) -> str:
    """Relative URL from one page to a page (or, with page=False, a file) of the built site."""
    here = page_url(from_uri)
    target = page_url(to) if page else "/" + to
    rel = posixpath.relpath(target, here)
    return rel + "/" if page and not rel.endswith("/") else rel


def environment(overrides: Path | None = None) -> Environment:
    loaders: list[BaseLoader] = []
    if overrides is not None and overrides.is_dir():
        loaders.append(FileSystemLoader(str(overrides)))
    loaders.append(PackageLoader("kbgen", "templates"))
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
        return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")

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
        from .autoconfig import APPLE_PROFILE_PATH, apple_profile

        if apple_profile(self.kb) is None:
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
