"""Render again only the pages whose data changed (the preview server's updates).

A page's Markdown is a pure function of the knowledge base. While a page
renders, kbgen records what it reads of the entries: one entry by its id, the
entries of a category (``listed``, ``subtree``), or all of them. On the next
load a page is reused when its own entry, every entry it read and every
category it listed are unchanged. What is shared by every page (the provider,
protocols, categories, troubleshooting and the placeholders made from them) is
not tracked: when it changes, every page is rendered again.

Reads are recorded at the KB's doors (``kb.entries`` and the queries on it), so
a template, an override or a helper that reaches an entry any other way than
through the KB is not seen; the preview's byte-for-byte test against a clean
build (tests/adapters/test_sitebuilder.py) is what would show it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..data.kb import KB, Entry
from .render import GeneratedPage, Renderer, environment
from .text import DEFAULT_ESCAPES

# What every page may read without being tracked: when one of these changes, every
# page is rendered again (_same_shared).
SHARED = {"root", "provider", "protocols", "categories", "troubles"}


@dataclass
class Reads:
    """What one page read of the entries."""

    entries: set[str] = field(default_factory=set)
    categories: set[str | None] = field(default_factory=set)
    blocks: set[str] = field(default_factory=set)  # kinds of block it looked for (kb.with_block)
    everything: bool = False


class _Entries(Mapping[str, Entry]):
    """``kb.entries`` for one page: lookups by id are noted, walking all of it marks everything."""

    def __init__(self, entries: dict[str, Entry], reads: Reads) -> None:
        self._entries = entries
        self.reads = reads

    def __getitem__(self, key: str) -> Entry:
        self.reads.entries.add(key)
        return self._entries[key]

    def get(self, key: str, default: Any = None) -> Any:
        self.reads.entries.add(key)
        return self._entries.get(key, default)

    def __contains__(self, key: object) -> bool:
        self.reads.entries.add(str(key))
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        self.reads.everything = True
        return iter(self._entries)

    def __len__(self) -> int:
        self.reads.everything = True
        return len(self._entries)


class _TrackedKB:
    """The KB as one page sees it: the same data, every read of an entry noted."""

    def __init__(self, kb: KB, reads: Reads) -> None:
        self._kb = kb
        self._reads = reads
        self.entries = _Entries(kb.entries, reads)

    def __getattr__(self, name: str) -> Any:
        if name not in SHARED:  # a query or a field kbgen does not know: it may hold any entry
            self._reads.everything = True
        return getattr(self._kb, name)

    def note(self, reads: Reads) -> None:
        """What a shared partial read, for this page too."""
        self._reads.entries |= reads.entries
        self._reads.categories |= reads.categories
        self._reads.blocks |= reads.blocks
        self._reads.everything |= reads.everything

    # The queries on entries, by what they read.
    def listed(self, category_id: str) -> list[Entry]:
        self._reads.categories.add(category_id)
        return self._kb.listed(category_id)

    def subtree(self, category_id: str) -> list[Entry]:
        for cat in [category_id, *self._descendants(category_id)]:
            self._reads.categories.add(cat)
        return self._kb.subtree(category_id)

    def published(self) -> list[Entry]:
        self._reads.everything = True
        return self._kb.published()

    def with_block(self, block_type: str) -> list[Any]:
        self._reads.blocks.add(block_type)
        return self._kb.with_block(block_type)

    # Queries on categories only: shared data, not tracked.
    def children(self, category_id: str | None) -> list[Any]:
        return self._kb.children(category_id)

    def ancestors(self, category_id: str) -> list[Any]:
        return self._kb.ancestors(category_id)

    def _descendants(self, category_id: str) -> list[str]:
        out: list[str] = []
        for child in self._kb.children(category_id):
            out += [child.id, *self._descendants(child.id)]
        return out


@dataclass
class _Rendered:
    template: str
    own: str | None  # the page's own entry
    reads: Reads
    markdown: str


class PageCache:
    """Every page's Markdown and what it read, kept from one load of the data to the next."""

    def __init__(self) -> None:
        self.pages: dict[str, _Rendered] = {}
        self.kb: KB | None = None
        self.env: Any = None
        self.overrides: Path | None = None
        self.escapes: frozenset[str] = DEFAULT_ESCAPES
        self.rendered: list[str] = []  # pages rendered by the last call (the others were reused)

    def render(self, kb: KB, overrides: Path | None = None,
               escapes: frozenset[str] = DEFAULT_ESCAPES) -> list[GeneratedPage]:
        """Every page of ``kb``, as ``render.render_pages`` gives them."""
        old = self.kb
        if (old is None or overrides != self.overrides or escapes != self.escapes
                or not _same_shared(old, kb)):
            self.pages = {}
            self.env = environment(overrides, escapes)
            self.overrides = overrides
            self.escapes = escapes
            changed: set[str] = set()
        else:
            changed = {eid for eid in old.entries.keys() | kb.entries.keys()
                       if old.entries.get(eid) is not kb.entries.get(eid)
                       and old.entries.get(eid) != kb.entries.get(eid)}
        touched = {e.category for eid in changed for e in (old.entries.get(eid) if old else None,
                                                           kb.entries.get(eid)) if e is not None}
        self.kb = kb
        self.rendered = []
        blocks = {b.type for eid in changed for e in (old.entries.get(eid) if old else None,
                                                      kb.entries.get(eid))
                  for b in getattr(e, "body", [])}
        renderer = _CachingRenderer(kb, self.env, self, changed, touched, blocks)
        return renderer.pages()


def _same_shared(old: KB, new: KB) -> bool:
    return all(getattr(old, name) == getattr(new, name) for name in SHARED)


class _CachingRenderer(Renderer):
    def __init__(self, kb: KB, env: Any, cache: PageCache, changed: set[str],
                 touched: set[str], blocks: set[str]) -> None:
        super().__init__(kb, env)
        self.cache = cache
        self.changed = changed
        self.touched = touched
        self.blocks = blocks  # kinds of block held by a changed entry, before or after
        self._partial_reads: dict[tuple[str, Hashable], Reads] = {}

    def _render(self, template: str, uri: str, **context: object) -> str:
        entry = context.get("entry")
        own = getattr(entry, "id", None)
        before = self.cache.pages.get(uri)
        if before is not None and before.template == template and before.own == own \
                and not self._affected(before):
            return before.markdown
        reads = Reads()
        real = self.kb
        self.kb = _TrackedKB(real, reads)  # type: ignore[assignment]  # read through, noted
        try:
            markdown = super()._render(template, uri, **context)
        finally:
            self.kb = real
        self.cache.pages[uri] = _Rendered(template, own, reads, markdown)
        self.cache.rendered.append(uri)
        return markdown

    # A partial is rendered once and reused on other pages: what it read of the entries
    # is noted on every page that uses it, not only on the first.
    def _first_include(self, key: tuple[str, Hashable], name: str, context: dict[str, Any]) -> Markup:
        page_kb = self.kb
        reads = self._partial_reads[key] = Reads()
        if isinstance(page_kb, _TrackedKB):
            self.kb = _TrackedKB(page_kb._kb, reads)
        try:
            return super()._first_include(key, name, context)
        finally:
            self.kb = page_kb

    def _included(self, key: tuple[str, Hashable]) -> None:
        if isinstance(self.kb, _TrackedKB):
            self.kb.note(self._partial_reads[key])

    def _affected(self, page: _Rendered) -> bool:
        if not self.changed:
            return False
        reads = page.reads
        return (reads.everything or page.own in self.changed
                or not reads.entries.isdisjoint(self.changed)
                or not reads.categories.isdisjoint(self.touched)
                or not reads.blocks.isdisjoint(self.blocks))

