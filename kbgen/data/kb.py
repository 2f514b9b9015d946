"""The validated knowledge base: every data file's model, and the queries pages need.

``kbgen.data.load.load_kb`` builds one; nothing downstream ever sees invalid data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem
from .loader import Document
from .model import (
    Article,
    Categories,
    Category,
    Client,
    Protocol,
    Provider,
    Strict,
    Troubleshooting,
)
from .model import Problem as TroubleProblem

Entry = Article | Client

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
    troubles: dict[str, TroubleProblem]
    entries: dict[str, Entry]
    documents: dict[str, Document] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def children(self, category_id: str | None) -> list[Category]:
        return list(self._tree()[0].get(category_id, ()))

    def _tree(self) -> tuple[dict[str | None, list[Category]], dict[str, list[Category]]]:
        # Every category's children and ancestors, made once for a given categories dict:
        # each page's URL, breadcrumbs and nav entry ask for them (96,000 times for
        # 1,000 articles), and walking or sorting the categories each time was a tenth
        # of the render time. The dict is replaced, never changed in place, once loaded.
        cached = self.__dict__.get("_tree_cache")
        if cached is not None and cached[0] is self.categories:
            return cached[1]  # type: ignore[no-any-return]
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
        tree = (children, ancestors)
        self.__dict__["_tree_cache"] = (self.categories, tree)
        return tree

    def listed(self, category_id: str) -> list[Entry]:
        """Articles shown in a category: drafts and hidden ones are left out."""
        return list(self._listings().get(category_id, ()))

    def _listings(self) -> dict[str, list[Entry]]:
        # Every category's list, made once for a given set of entries: the home page, each
        # category page and the nav ask for them, and scanning all entries for each ask
        # made a 10,000-article build spend 4 s here.
        # Kept for a given entries dict, which is replaced, never changed in place, once
        # loaded (its length: entries are only added while it is built): a key made of
        # every entry cost the preview's nav 4 million steps per save at 10,000 articles.
        key = (len(self.entries),)
        cached = self.__dict__.get("_listings_cache")
        if cached is not None and cached[0] is self.entries and cached[1] == key:
            return cached[2]  # type: ignore[no-any-return]
        listings: dict[str, list[Entry]] = {}
        for e in self.entries.values():
            if not e.hidden and not e.draft:
                listings.setdefault(e.category, []).append(e)
        for entries in listings.values():
            entries.sort(key=lambda e: (e.order, e.title.lower()))
        self.__dict__["_listings_cache"] = (self.entries, key, listings)
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
        # Every client guide asks (its "what is the difference?" link): scanning every
        # entry each time made this quadratic. Kept for a given entries dict, which is
        # replaced, never changed in place, once loaded.
        cached = self.__dict__.get("_blocks_cache")
        if cached is None or cached[0] is not self.entries:
            cached = (self.entries, {})
            self.__dict__["_blocks_cache"] = cached
        by_type: dict[str, list[Article]] = cached[1]
        found = by_type.get(block_type)
        if found is None:
            found = by_type[block_type] = [
                e for e in self.entries.values() if isinstance(e, Article) and not e.draft
                and not e.hidden and any(b.type == block_type for b in e.body)]
        return list(found)
