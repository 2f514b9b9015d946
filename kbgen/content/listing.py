"""What the home and category pages list: category cards, popular articles, and
which guides are legacy.

Pure functions over the KB; the templates (home.md.j2, category.md.j2) only lay
the results out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data.kb import KB, Entry
from ..data.model import Category, Client

CARD_ENTRIES = 3
"""How many articles a category card shows before its "All N articles" link."""


def is_legacy(entry: Entry) -> bool:
    """A guide for an app that is no longer supported (``deprecated`` in its data)."""
    return isinstance(entry, Client) and entry.deprecated is not None


def current_first(entries: list[Entry]) -> list[Entry]:
    """The same entries, legacy guides moved to the end (the order is otherwise kept)."""
    return sorted(entries, key=is_legacy)


@dataclass(frozen=True)
class Card:
    """One category as a card: its first few articles and how many there are."""

    category: Category
    count: int
    first: list[Entry]


def card(kb: KB, category: Category, size: int = CARD_ENTRIES) -> Card:
    entries = current_first(kb.subtree(category.id))
    return Card(category, len(entries), entries[:size])


def cards(kb: KB, top: Category) -> list[Card]:
    """The cards under a top-level category on the home page: its sub-categories,
    preceded by the category itself when articles sit directly in it. A top-level
    category with neither is left out (nothing to show)."""
    out = [card(kb, child) for child in kb.children(top.id)]
    own = current_first(kb.listed(top.id))
    if own:
        out.insert(0, Card(top, len(own), own[:CARD_ENTRIES]))
    return [c for c in out if c.count]


def featured(kb: KB) -> list[Entry]:
    """Articles the author marked ``featured: true``, in the order of the site's
    navigation (category order, then the article's own order and title)."""
    position = {cat.id: i for i, cat in enumerate(_walk(kb, None))}
    chosen = [e for e in kb.published() if e.featured and not e.hidden]
    return sorted(chosen, key=lambda e: (position.get(e.category, len(position)), e.order,
                                         e.title.lower(), e.id))


def _walk(kb: KB, parent: str | None) -> list[Category]:
    out: list[Category] = []
    for cat in kb.children(parent):
        out.append(cat)
        out.extend(_walk(kb, cat.id))
    return out


def messages(kb: KB, problem_id: str) -> list[tuple[Client, str]]:
    """The exact error text each listed guide gives for a problem: a reader who types
    or pastes what the app said finds the explanation, and the guide with the fix.
    Current guides first, each in its category's listing order."""
    found: list[tuple[Client, str]] = []
    for cat in _walk(kb, None):
        for entry in current_first(kb.listed(cat.id)):
            if isinstance(entry, Client):
                found.extend((entry, t.message) for t in entry.troubleshooting
                             if t.problem == problem_id)
    return sorted(found, key=lambda pair: is_legacy(pair[0]))
