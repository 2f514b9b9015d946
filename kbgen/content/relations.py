"""Also Read: the short list of related pages at the end of every article.

Pure functions over the validated entries. The author's own ``related`` list
comes first, in the author's order; the rest is filled up to ``LIMIT`` from the
same category, then from entries that share a client family, tags or
protocols; a legacy guide never fills a current entry's list. The same data
always gives the same list: every tie ends in the entry id, which is unique.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass

from ..data.model import Article, Client
from .listing import is_legacy

Entry = Article | Client

LIMIT = 5
"""How many entries an Also Read list holds at most."""

# How much each shared trait counts when filling the list. A tag is chosen by an
# author for exactly this kind of grouping; a protocol is shared by nearly every
# article, so it only breaks ties. Same family means the same vendor's apps.
FAMILY_WEIGHT = 3
TAG_WEIGHT = 2
PROTOCOL_WEIGHT = 1


def _family(entry: Entry) -> str | None:
    return entry.family if isinstance(entry, Client) else None


def _readable(entry: Entry) -> bool:
    """Drafts are not built and hidden pages are not listed: never suggest them."""
    return not entry.draft and not entry.hidden


@dataclass(frozen=True)
class _Traits:
    """What an entry is compared on, built once per entry instead of once per pair."""

    tags: frozenset[str]
    protocols: frozenset[str]
    family: str | None

    @classmethod
    def of(cls, entry: Entry) -> _Traits:
        return cls(frozenset(entry.tags), frozenset(entry.protocols), _family(entry))


def _affinity(a: _Traits, b: _Traits) -> int:
    score = TAG_WEIGHT * len(a.tags & b.tags) + PROTOCOL_WEIGHT * len(a.protocols & b.protocols)
    if a.family is not None and a.family == b.family:
        score += FAMILY_WEIGHT
    return score


def affinity(a: Entry, b: Entry) -> int:
    """How much two entries have in common, apart from their category."""
    return _affinity(_Traits.of(a), _Traits.of(b))


def also_read(entries: Mapping[str, Entry], entry_id: str, limit: int = LIMIT,
              traits: Mapping[str, _Traits] | None = None,
              by_category: Mapping[str, list[Entry]] | None = None) -> list[str]:
    """Ids of the entries to suggest after ``entry_id``, best first, at most ``limit``."""
    if traits is None:
        traits = {eid: _Traits.of(e) for eid, e in entries.items()}
    entry = entries[entry_id]
    chosen: list[str] = []
    for rid in entry.related:
        # checks.py reports unknown, self, duplicate and unpublished ids; here they are skipped
        # so that a site built despite a warning still never links to a missing page.
        other = entries.get(rid)
        if other is None or rid == entry_id or rid in chosen or not _readable(other):
            continue
        chosen.append(rid)
        if len(chosen) >= limit:
            return chosen

    mine = traits[entry_id]
    need = limit - len(chosen)

    def key(other: Entry, same_category: bool) -> tuple[int, int, int, str, str]:
        score = _affinity(mine, traits[other.id])
        return (0 if same_category else 1, -score, other.order, other.title.casefold(), other.id)

    current = not is_legacy(entry)

    def open_(other: Entry) -> bool:
        # A guide for an app that is no longer supported never fills a current
        # guide's list (it stays listed, marked legacy, in its category).
        return (other.id != entry_id and other.id not in chosen and _readable(other)
                and not (current and is_legacy(other)))

    if by_category is not None:
        siblings = [(key(o, True), o.id) for o in by_category.get(entry.category, []) if open_(o)]
        if len(siblings) >= need:
            # Same-category entries always rank first, so nothing else can make the list.
            chosen.extend(cid for _key, cid in heapq.nsmallest(need, siblings))
            return chosen
    candidates: list[tuple[tuple[int, int, int, str, str], str]] = []
    for other in entries.values():
        if not open_(other):
            continue
        k = key(other, other.category == entry.category)
        if k[0] == 1 and k[1] == 0:
            continue  # nothing in common: not related, however short the list
        candidates.append((k, other.id))
    # Only the best few are kept; a full sort per article made big sites slow.
    chosen.extend(cid for _key, cid in heapq.nsmallest(need, candidates))
    return chosen


def _inputs(entries: Mapping[str, Entry], limit: int) -> tuple[object, ...]:
    """Everything Also Read depends on: nothing else of an entry changes its lists."""
    return (limit, *((eid, e.category, e.order, e.title, e.draft, e.hidden, tuple(e.related),
                      _Traits.of(e)) for eid, e in entries.items()))


# The last result, for the preview server: saving an article's text (not its title,
# category, tags…) leaves every list as it was, and 10,000 lists take most of a second.
_last: tuple[tuple[object, ...], dict[str, list[str]]] | None = None


def also_read_all(entries: Mapping[str, Entry], limit: int = LIMIT) -> dict[str, list[str]]:
    """Also Read for every entry that gets a page (drafts get none)."""
    global _last
    inputs = _inputs(entries, limit)
    if _last is not None and _last[0] == inputs:
        return {eid: list(ids) for eid, ids in _last[1].items()}
    lists = _also_read_all(entries, limit)
    _last = (inputs, {eid: list(ids) for eid, ids in lists.items()})
    return lists


def _also_read_all(entries: Mapping[str, Entry], limit: int) -> dict[str, list[str]]:
    traits = {eid: _Traits.of(e) for eid, e in entries.items()}
    by_category: dict[str, list[Entry]] = {}
    for e in entries.values():
        by_category.setdefault(e.category, []).append(e)
    return {eid: also_read(entries, eid, limit, traits, by_category)
            for eid, e in entries.items() if not e.draft}
