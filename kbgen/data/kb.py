"""The validated knowledge base: every data file's model, and the queries pages need.

``kbgen.data.data_folder.load_kb`` builds one; nothing downstream ever sees invalid data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .errors import Problem
from .model import (
    Article,
    Categories,
    Category,
    Client,
    KnownProblem,
    Protocol,
    Provider,
    Strict,
    Troubleshooting,
)
from .yaml_reader import Document

Entry = Article | Client
_T = TypeVar("_T")

# Where each kind of file lives under data/; one file, or one folder of files.
SINGLE_FILES: dict[str, tuple[str, type[Strict]]] = {
    "provider.yml": ("provider", Provider),
    "categories.yml": ("categories", Categories),
    "troubleshooting.yml": ("troubleshooting", Troubleshooting),
}
FOLDERS: dict[str, tuple[str, type[Strict]]] = {
    "protocols": ("protocol", Protocol),
    "articles": ("article", Article),
    "clients": ("client", Client),
}


@dataclass
class KB:
    """The validated knowledge base; the only thing renderers ever read."""

    root: Path
    provider: Provider
    protocols: dict[str, Protocol]
    categories: dict[str, Category]
    troubles: dict[str, KnownProblem]
    entries: dict[str, Entry]
    documents: dict[str, Document] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    # The language of the texts, and the pages (entry and category ids) whose texts are all
    # in it: every page for the source; kbgen.data.translations.translated gives the others.
    language: str = "en"
    translated_pages: frozenset[str] = frozenset()
    # A translated client guide's app labels that no source confirms: the guide says so.
    unchecked: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def in_language(self, page_id: str) -> bool:
        """Whether the page (an entry or category id) is published in this KB's language."""
        return page_id in self.translated_pages

    def children(self, category_id: str | None) -> list[Category]:
        return list(self._tree()[0].get(category_id, ()))

    def _derived(self, name: str, source: dict[str, Any], make: Callable[[], _T]) -> _T:
        """``make()``, kept while ``source`` is the same dict of the same size.

        Every page's URL, breadcrumbs, nav entry and lists ask the same questions of
        the categories and entries (96,000 ancestor walks for 1,000 articles; a
        quadratic "what is the difference?" lookup). Once loaded, those dicts are
        replaced, never changed in place, and while one is built entries are only
        added: the same dict of the same size holds the same things.
        """
        cached = self.__dict__.get(name)
        if cached is not None and cached[0] is source and cached[1] == len(source):
            return cached[2]  # type: ignore[no-any-return]
        value = make()
        self.__dict__[name] = (source, len(source), value)
        return value

    def _tree(self) -> tuple[dict[str | None, list[Category]], dict[str, list[Category]]]:
        """Every category's children, in order, and its ancestors, top first."""
        return self._derived("_tree_cache", self.categories, self._make_tree)

    def _make_tree(self) -> tuple[dict[str | None, list[Category]], dict[str, list[Category]]]:
        children: dict[str | None, list[Category]] = {}
        for cat in self.categories.values():
            children.setdefault(cat.parent, []).append(cat)
        for siblings in children.values():
            siblings.sort(key=lambda c: (c.order, c.title.lower()))
        ancestors: dict[str, list[Category]] = {}
        for cid in self.categories:
            chain: list[Category] = []
            current: str | None = cid
            while current is not None and current in self.categories and len(chain) <= len(self.categories):
                chain.insert(0, self.categories[current])
                current = self.categories[current].parent
            ancestors[cid] = chain
        return children, ancestors

    def listed(self, category_id: str) -> list[Entry]:
        """Articles shown in a category: drafts and hidden ones are left out."""
        return list(self._derived("_listings_cache", self.entries, self._make_listings)
                    .get(category_id, ()))

    def _make_listings(self) -> dict[str, list[Entry]]:
        listings: dict[str, list[Entry]] = {}
        for e in self.entries.values():
            if not e.hidden and not e.draft:
                listings.setdefault(e.category, []).append(e)
        for entries in listings.values():
            entries.sort(key=lambda e: (e.order, e.title.lower()))
        return listings

    def subtree(self, category_id: str) -> list[Entry]:
        out = list(self.listed(category_id))
        for child in self.children(category_id):
            out.extend(self.subtree(child.id))
        return out

    def ancestors(self, category_id: str) -> list[Category]:
        return list(self._tree()[1].get(category_id, ()))

    def published(self) -> list[Entry]:
        return [e for e in self.entries.values() if not e.draft]

    def with_block(self, block_type: str) -> list[Article]:
        """Published, listed articles holding a block of ``block_type`` (e.g. ``comparison``):
        how pages find a page by what it holds, never by its id."""
        return list(self._derived(f"_blocks_cache_{block_type}", self.entries, lambda: [
            e for e in self.entries.values() if isinstance(e, Article) and not e.draft
            and not e.hidden and any(b.type == block_type for b in e.body)]))
