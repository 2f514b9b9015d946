"""Model to page Markdown, through Jinja templates that a site can override.

Pure functions: given a KB, produce every generated page as (path, Markdown).
The MkDocs plugin only hands these to MkDocs; tests can call them directly.
"""

from __future__ import annotations

import functools
import json
import posixpath
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..data import dnsrecords, facts, personal
from ..data.kb import KB, Entry
from ..data.markup import one_line
from ..data.model import Block, Category, Client, ComparisonBlock, Endpoint, PlainText
from ..data.urls import (
    APPLE_PROFILE_PATHS,
    DNS_ZONE_PATH,
    PERSONAL_PROFILES_PATH,
    card_uri,
    category_uri,
    entry_uri,
    page_url,
)
from . import listing, search, shared_partials
from .reader import month_text, support_view
from .text import DEFAULT_ESCAPES, as_text, keep_whole, markdown_html, plain


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


def environment(overrides: Path | None = None,
                escapes: frozenset[str] = DEFAULT_ESCAPES) -> Environment:
    loaders: list[BaseLoader] = []
    if overrides is not None and overrides.is_dir():
        loaders.append(FileSystemLoader(str(overrides)))
    loaders.append(PackageLoader("kbgen.content", "templates"))
    def finalize(value: object) -> object:
        # Every plain-text field a template prints, however it prints it: text, never
        # Markdown or HTML (``| plain`` gives the backslash form for a Markdown line).
        return as_text(value, escapes) if isinstance(value, PlainText) else value

    env = Environment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      extensions=["jinja2.ext.do"], finalize=finalize)
    env.filters["plain"] = functools.partial(plain, escapes=escapes)
    # Front matter's title and description: one line, as everywhere else.
    env.filters["tojson_text"] = lambda s: Markup(json.dumps(one_line(s), ensure_ascii=False))
    env.filters["month"] = month_text  # a guide's checked: month, as reader dates name months
    return env


class Renderer:
    """Renders every page of a KB; one instance per build."""

    def __init__(self, kb: KB, env: Environment) -> None:
        self.kb = kb
        self.env = env
        self.values = facts.placeholders(kb)
        self.whole = self._whole()
        # The copy macros see this renderer as ``r``, as every template does (r.me).
        self._copy_macros: Any = env.get_template("_copy.html.j2").make_module({"r": self})
        self._partials: dict[tuple[str, Hashable], Markup] = {}  # include(): rendered once each
        self._page_blocks: dict[str, bool] = {}  # block template -> reads the page's own values?
        self._card_uri = card_uri(kb)  # depends on the categories only (shared by every page)

    # partials rendered once --------------------------------------------
    def include(self, name: str, **context: Any) -> Markup:
        """Template ``name`` rendered with exactly ``context`` (and kb, provider, facts, r).

        Those are all it sees, so equal inputs give equal text: it is rendered once
        per build for each distinct ``context`` and reused on every page that asks.
        """
        key = (name, shared_partials.freeze(context))
        text = self._partials.get(key)
        if text is None:
            text = self._partials[key] = self._first_include(key, name, context)
        self._included(key)
        return text

    def _first_include(self, key: tuple[str, Hashable], name: str, context: dict[str, Any]) -> Markup:
        """The one render of a shared partial (the preview notes what it reads)."""
        return self._partial(name, context)

    def _included(self, key: tuple[str, Hashable]) -> None:
        """A page used the partial ``key`` (the preview notes it on the page)."""

    def _partial(self, name: str, context: dict[str, Any]) -> Markup:
        text = self.env.get_template(name).render(
            kb=self.kb, provider=self.kb.provider, facts=facts, r=self, **context)
        # Without its final newline: the line ``{{ r.include(...) }}`` stands on gives it back.
        return Markup(text[:-1] if text.endswith("\n") else text)

    def block(self, block: Block, uri: str, entry: Entry) -> Markup:
        """An article's body block: shared between pages unless its template reads the page."""
        name = f"blocks/{block.type}.md.j2"
        reads_page = self._page_blocks.get(name)
        if reads_page is None:
            reads_page = self._page_blocks[name] = shared_partials.reads_page(self.env, name)
        if reads_page:
            return self._partial(name, {"block": block, "uri": uri, "entry": entry,
                                        "crumbs": self.kb.ancestors(entry.category)})
        return self.include(name, block=block)

    # helpers exposed to templates -------------------------------------
    def md(self, text: str | None, inline: bool = False) -> str:
        if not text:
            return ""
        return keep_whole(markdown_html(text, self.values, inline=inline, copy=self._copy), self.whole)

    def _copy(self, kind: str, value: str, pattern: str | None, code: bool) -> str:
        """A value to copy in a Markdown field, as the settings table shows it (_copy.html.j2)."""
        return str(self._copy_macros.in_text(kind, value, pattern, code))

    def _whole(self) -> dict[str, str]:
        """Host names and the example username as markup that wraps only after a
        dot (the ``whole`` macro of _copy.html.j2), for code in running text."""
        macro = self.env.get_template("_copy.html.j2").module.whole  # type: ignore[attr-defined]
        p = self.kb.provider
        values = {facts.settings_row(self.kb, pid).host for pid in facts.offered(p)}
        values.add(facts.username_example(p))
        return {v: str(macro(v)) for v in values if "." in v}

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

    def apple_profile_url(self, from_uri: str, incoming: str = "imap") -> str | None:
        """Link to the configuration profile, when the provider's data allows one."""
        if not facts.apple_profile_possible(self.kb, incoming):
            return None
        return _dir_url(from_uri, APPLE_PROFILE_PATHS[incoming], page=False)

    def apple_profiles(self, from_uri: str, protocols: list[str]) -> list[dict[str, str]]:
        """The profiles a guide offers: one per incoming protocol it covers, IMAP first."""
        out = []
        for pid in APPLE_PROFILE_PATHS:
            url = self.apple_profile_url(from_uri, pid) if not protocols or pid in protocols else None
            if url is not None:
                out.append({"protocol": pid, "name": self.kb.protocols[pid].name, "url": url})
        return out

    def dns_records(self, *types: str) -> list[dnsrecords.Record]:
        """The records for a customer's domain (of the given types), as the zone file has them."""
        found = dnsrecords.records(self.kb)
        return [rec for rec in found if not types or rec.type in types]

    def dns_host(self, target: str) -> str:
        return dnsrecords.shown_host(target, "<your domain>")

    def dmarc_policy(self) -> str:
        dns = self.kb.provider.dns
        return dnsrecords.dmarc_policy(dns.dmarc) if dns and dns.dmarc else ""

    def dns_zone_url(self, from_uri: str) -> str:
        return _dir_url(from_uri, DNS_ZONE_PATH, page=False)

    def support(self) -> dict[str, str | None]:
        """Who to contact and how (the same view as the site's "Still need help?")."""
        return support_view(self.kb.provider)

    def settings(self, protocol_id: str) -> facts.SettingsRow:
        return facts.settings_row(self.kb, protocol_id)

    def offered(self, protocol_ids: Iterable[str] = facts.PROTOCOLS) -> list[str]:
        """The protocols of a block that the provider offers: blocks adapt to the provider."""
        return facts.offered(self.kb.provider, protocol_ids)

    def incoming(self, protocol_ids: Iterable[str] | None = None) -> list[str]:
        """Incoming protocols to show: those listed (all, if none are) that the provider offers."""
        return facts.incoming(self.kb.provider, protocol_ids or facts.INCOMING)

    def securities(self, protocol_ids: Iterable[str]) -> set[str]:
        return facts.securities(self.kb, protocol_ids)

    def customer_domain(self, protocol_ids: Iterable[str]) -> bool:
        """Whether a host shown for these protocols holds the customer's domain (mail.{domain})."""
        return any("{domain}" in srv.host for pid in self.offered(protocol_ids)
                   if (srv := facts.server(self.kb.provider, pid)) is not None)

    def names(self, protocol_ids: Iterable[str], joiner: str = "and") -> str:
        """IMAP / IMAP and SMTP / IMAP, POP3 and SMTP: names from data, so plain text too."""
        return PlainText(facts.word_list([self.kb.protocols[pid].name for pid in protocol_ids], joiner))

    def comparison_entry(self, protocol_ids: Iterable[str], exclude: str) -> Entry | None:
        """A listed article comparing all these protocols, to link "what is the difference?".

        Found by what the article holds, never by its id.
        """
        wanted = set(protocol_ids)
        found = [e for e in self.kb.with_block("comparison") if e.id != exclude and any(
                     isinstance(b, ComparisonBlock) and wanted <= set(self.offered(b.protocols))
                     for b in e.body)]
        return min(found, key=lambda e: (e.order, e.title.casefold(), e.id), default=None)

    # listings (home and category pages) --------------------------------
    def card(self, category: Category) -> listing.Card:
        return listing.card(self.kb, category)

    def cards(self, top: Category) -> list[listing.Card]:
        return listing.cards(self.kb, top)

    def featured(self) -> list[Entry]:
        return listing.featured(self.kb)

    def messages(self, problem_id: str) -> list[tuple[Client, str]]:
        return listing.messages(self.kb, problem_id)

    @staticmethod
    def search_boost(entry: Entry) -> float:
        return search.entry_boost(entry)

    def auth_label(self, entry: Client) -> str:
        """What this app calls the provider's sign-in method; "" if the data names none."""
        labels = entry.labels.authentication if entry.labels else {}
        return labels.get(self.kb.provider.authentication, "")

    @staticmethod
    def index_settings_table(entry: Entry) -> bool:
        return search.index_settings_table(entry)

    listing_boost = search.LISTING_BOOST

    @staticmethod
    def is_legacy(entry: Entry) -> bool:
        return listing.is_legacy(entry)

    @staticmethod
    def current_first(entries: list[Entry]) -> list[Entry]:
        return listing.current_first(entries)

    # the reader's own address (kbgen/data/personal.py, docs/assets/kbgen-me.js) --------
    def me(self, pattern: str | None) -> Markup:
        """` data-kb-me="pattern"` for an element showing a value the reader's address changes."""
        return Markup(' data-kb-me="{}"').format(pattern) if pattern else Markup("")

    def me_host(self, protocol_id: str) -> str | None:
        """A host's pattern when it holds the customer's domain (mail.{domain}); None for a fixed host."""
        return personal.host_pattern(self.kb.provider, protocol_id)

    def me_username(self) -> str:
        return personal.username_pattern(self.kb.provider)

    def me_hosts(self) -> bool:
        """Whether the reader's address changes any server name (mail.{domain} hosts)."""
        return any(personal.host_pattern(self.kb.provider, pid) for pid in facts.offered(self.kb.provider))

    def me_profiles(self, protocols: list[str]) -> list[dict[str, str]]:
        """The profiles a reader's browser can make for them in a guide for these protocols."""
        return [{"protocol": pid, "name": self.kb.protocols[pid].name}
                for pid in APPLE_PROFILE_PATHS if (not protocols or pid in protocols)
                and facts.personal_profile_possible(self.kb, pid)]

    def me_form(self, uri: str, profiles: list[dict[str, str]] | None = None, device: str = "") -> Markup:
        """The "your own settings" form (_me.html.j2), rendered once for each distinct context."""
        return self.include("_me.html.j2", me_profiles=profiles or [], me_device=device,
                            profiles_url=self.me_profiles_url(uri) if profiles else None,
                            card_url=None if uri == self._card_uri else self.me_card_url(uri))

    def me_profiles_url(self, from_uri: str) -> str:
        return _dir_url(from_uri, PERSONAL_PROFILES_PATH, page=False)

    def me_card_uri(self) -> str:
        return self._card_uri

    def me_card_url(self, from_uri: str) -> str:
        return _dir_url(from_uri, self._card_uri)

    def _render(self, template: str, uri: str, **context: object) -> str:
        return self.env.get_template(template).render(
            kb=self.kb, provider=self.kb.provider, facts=facts, r=self, uri=uri, **context)

    # pages ------------------------------------------------------------
    def pages(self) -> list[GeneratedPage]:
        return [replace(page, markdown=self.markdown(page)) for page in self.plan()]

    def plan(self) -> list[GeneratedPage]:
        """Every page to generate, in order, without its Markdown (``markdown`` is "")."""
        out = [GeneratedPage("index.md", "", "Home"),
               # The reader's settings on one page (kbgen-me.js).
               GeneratedPage(self._card_uri, "", "Your email settings")]
        for cat in self.kb.categories.values():
            out.append(GeneratedPage(category_uri(self.kb, cat.id), "", cat.title, category_id=cat.id))
        for entry in self.kb.published():
            out.append(GeneratedPage(entry_uri(self.kb, entry), "", entry.title, entry_id=entry.id,
                                     category_id=entry.category, source=self.kb.sources.get(entry.id)))
        return out

    def markdown(self, page: GeneratedPage) -> str:
        """The Markdown of one page of ``plan()``."""
        uri = page.src_uri
        if page.entry_id is not None:
            entry = self.kb.entries[page.entry_id]
            template = "client.md.j2" if isinstance(entry, Client) else "article.md.j2"
            return self._render(template, uri, entry=entry, crumbs=self.kb.ancestors(entry.category))
        if page.category_id is not None:
            return self.category(self.kb.categories[page.category_id], uri)
        if uri == "index.md":
            return self._render("home.md.j2", uri)
        return self._render("settings-card.md.j2", uri)

    def category(self, cat: Category, uri: str) -> str:
        return self._render("category.md.j2", uri, category=cat,
                            crumbs=self.kb.ancestors(cat.id)[:-1])


def render_pages(kb: KB, overrides: Path | None = None,
                 escapes: frozenset[str] = DEFAULT_ESCAPES) -> list[GeneratedPage]:
    """Every generated page; ``escapes`` are the Markdown escapes of the site's extensions."""
    return Renderer(kb, environment(overrides, escapes)).pages()


def category_links(kb: KB, base: str = "/") -> list[dict[str, object]]:
    """The category tree with absolute URLs (for the 404 page): title, description, url, children."""

    def walk(parent: str | None) -> list[dict[str, object]]:
        return [{"title": cat.title, "description": cat.description,
                 "url": page_url(category_uri(kb, cat.id), base), "children": walk(cat.id)}
                for cat in kb.children(parent)]

    return walk(None)
