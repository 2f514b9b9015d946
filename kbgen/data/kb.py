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
        return sorted(
            (c for c in self.categories.values() if c.parent == category_id),
            key=lambda c: (c.order, c.title.lower()),
        )

    def listed(self, category_id: str) -> list[Entry]:
        """Articles shown in a category: drafts and hidden ones are left out."""
        return sorted(
            (e for e in self.entries.values()
             if e.category == category_id and not e.hidden and not e.draft),
            key=lambda e: (e.order, e.title.lower()),
        )

    def subtree(self, category_id: str) -> list[Entry]:
        out = list(self.listed(category_id))
        for child in self.children(category_id):
            out.extend(self.subtree(child.id))
        return out

    def ancestors(self, category_id: str) -> list[Category]:
        chain: list[Category] = []
        current: str | None = category_id
        while current is not None and current in self.categories:
            chain.insert(0, self.categories[current])
            current = self.categories[current].parent
        return chain

    def published(self) -> list[Entry]:
        return [e for e in self.entries.values() if not e.draft]
