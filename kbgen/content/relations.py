"""Also Read: the short list of related pages at the end of every article.

Pure functions over the validated entries. The author's own ``related`` list
comes first, in the author's order; the rest is filled up to ``LIMIT`` from the
same category, then from entries that share a client family, tags or
protocols; a legacy guide never fills a current entry's list. The same data
always gives the same list: every tie ends in the entry id, which is unique.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

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


_Key = tuple[int, int, int, str, str]
"""Where a candidate ranks in one entry's list: same category first, then more in
common, then order, title and id (unique, so two candidates never tie)."""

_Bound = tuple[int | str, ...]
# What a candidate's key must be below to get into a list it is not in (see _List).
_OPEN: _Bound = (2,)  # above every key: the list is short, any candidate gets in
_CLOSED: _Bound = (-1,)  # below every key: the author's own choices fill the list


def _key(entry: Entry, mine: _Traits, current: bool, other: Entry, theirs: _Traits) -> _Key | None:
    """Where ``other`` ranks in ``entry``'s list, or None when it may never fill it.

    ``current``: ``entry`` is not a legacy guide. Being ``entry`` itself or one of
    the author's own choices is the caller's to check.
    """
    # A guide for an app that is no longer supported never fills a current
    # guide's list (it stays listed, marked legacy, in its category).
    if not _readable(other) or (current and is_legacy(other)):
        return None
    same = other.category == entry.category
    score = _affinity(mine, theirs)
    if not same and score == 0:
        return None  # nothing in common: not related, however short the list
    return (0 if same else 1, -score, other.order, other.title.casefold(), other.id)


@dataclass(frozen=True)
class _List:
    """One entry's Also Read, and what another entry's key must be below to change it.

    ``bound`` is the worst key among the filled-in entries when they fill the list,
    ``_OPEN`` when there were fewer candidates than places, ``_CLOSED`` when the
    author's own choices fill it.
    """

    ids: tuple[str, ...]
    bound: _Bound


def _choose(entries: Mapping[str, Entry], entry_id: str, limit: int,
            traits: Mapping[str, _Traits],
            by_category: Mapping[str, list[Entry]] | None) -> _List:
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
            return _List(tuple(chosen), _CLOSED)

    need = limit - len(chosen)
    if need <= 0:  # a limit of 0 or less
        return _List(tuple(chosen), _CLOSED)
    mine, current = traits[entry_id], not is_legacy(entry)

    def keys(pool: Iterable[Entry]) -> list[_Key]:
        found = []
        for other in pool:
            if other.id != entry_id and other.id not in chosen:
                k = _key(entry, mine, current, other, traits[other.id])
                if k is not None:
                    found.append(k)
        return found

    candidates = keys(by_category.get(entry.category, [])) if by_category is not None else []
    # Same-category entries always rank first: when they are enough, nothing else can
    # make the list, and the other categories need not be scored.
    if len(candidates) < need:
        candidates = keys(entries.values())
    # Only the best few are kept; a full sort per article made big sites slow.
    best = heapq.nsmallest(need, candidates)
    chosen.extend(k[4] for k in best)
    return _List(tuple(chosen), best[-1] if len(best) == need else _OPEN)


def also_read(entries: Mapping[str, Entry], entry_id: str, limit: int = LIMIT,
              traits: Mapping[str, _Traits] | None = None,
              by_category: Mapping[str, list[Entry]] | None = None) -> list[str]:
    """Ids of the entries to suggest after ``entry_id``, best first, at most ``limit``."""
    if traits is None:
        traits = {eid: _Traits.of(e) for eid, e in entries.items()}
    return list(_choose(entries, entry_id, limit, traits, by_category).ids)


class _Inputs(NamedTuple):
    """Everything of one entry that Also Read depends on: nothing else changes a list."""

    category: str
    order: int
    title: str
    draft: bool
    hidden: bool
    related: tuple[str, ...]
    traits: _Traits
    legacy: bool

    @classmethod
    def of(cls, entry: Entry) -> _Inputs:
        return cls(entry.category, entry.order, entry.title, entry.draft, entry.hidden,
                   tuple(entry.related), _Traits.of(entry), is_legacy(entry))


@dataclass(frozen=True)
class _Memo:
    """The last result, for the preview server: one saved article changes few lists,
    and 10,000 lists take most of a second."""

    limit: int
    inputs: dict[str, _Inputs]
    lists: dict[str, _List]  # an entry for every entry but drafts


_last: _Memo | None = None


def also_read_all(entries: Mapping[str, Entry], limit: int = LIMIT) -> dict[str, tuple[str, ...]]:
    """Also Read for every entry that gets a page (drafts get none).

    Called again with the same entries but a few changed, only the lists those
    changes can reach are made again (``_reaches``); the result is the same.
    """
    global _last
    inputs = {eid: _Inputs.of(e) for eid, e in entries.items()}
    memo = _last
    if memo is None or memo.limit != limit or memo.inputs.keys() != inputs.keys():
        lists = _all_lists(entries, limit, {eid: i.traits for eid, i in inputs.items()})
    else:
        changed = [eid for eid, i in inputs.items() if memo.inputs[eid] != i]
        lists = _update(memo.lists, entries, limit, inputs, changed) if changed else memo.lists
    _last = _Memo(limit, inputs, lists)
    # Tuples: a caller cannot change a list the memo still holds.
    return {eid: lists[eid].ids for eid, e in entries.items() if not e.draft}


def _by_category(entries: Mapping[str, Entry]) -> dict[str, list[Entry]]:
    by_category: dict[str, list[Entry]] = {}
    for e in entries.values():
        by_category.setdefault(e.category, []).append(e)
    return by_category


def _all_lists(entries: Mapping[str, Entry], limit: int,
               traits: Mapping[str, _Traits]) -> dict[str, _List]:
    by_category = _by_category(entries)
    return {eid: _choose(entries, eid, limit, traits, by_category)
            for eid, e in entries.items() if not e.draft}


def _update(lists: Mapping[str, _List], entries: Mapping[str, Entry], limit: int,
            inputs: Mapping[str, _Inputs], changed: list[str]) -> dict[str, _List]:
    """``lists`` made for the same ids and ``limit``, after the entries ``changed`` changed."""
    stale = set(changed)
    stale.update(eid for eid, made in lists.items()
                 if eid not in stale and _reaches(changed, entries, inputs, eid, made))
    traits = {eid: i.traits for eid, i in inputs.items()}
    by_category = _by_category(entries)
    new = dict(lists)
    for eid in stale:
        if entries[eid].draft:
            new.pop(eid, None)
        else:
            new[eid] = _choose(entries, eid, limit, traits, by_category)
    return new


def _reaches(changed: list[str], entries: Mapping[str, Entry], inputs: Mapping[str, _Inputs],
             eid: str, made: _List) -> bool:
    """Whether a change of the entries ``changed`` can change ``eid``'s list ``made``.

    Never False when the list can change, given that ``eid`` itself did not change
    (nor the ids or the limit); True at times when it cannot (a related entry that
    stays unreadable). Why: the list is the author's choices R, then the ``need``
    smallest keys among the candidates (the same-category shortcut of ``_choose``
    picks the same ones). R depends on ``eid``'s ``related`` and on whether those
    entries are readable: the same unless a changed entry is in ``related``. An
    unchanged candidate keeps its key and whether it is one: that depends only on
    it and on ``eid`` (category, traits, legacy, order, title, readable). So only a
    changed entry c can move: if c was chosen it may drop out (c is in the list);
    if c was a candidate not chosen, the list was full and c's leaving changes
    nothing; if c is a candidate now, it gets in only when its key is below the
    worst chosen key of a full list (``bound``) or the list was short (``_OPEN``),
    never when R fills the list (``_CLOSED``). Otherwise the chosen keys are still
    the smallest.
    """
    entry, mine = entries[eid], inputs[eid]
    for c in changed:
        if c in made.ids or c in mine.related:
            return True
        k = _key(entry, mine.traits, not mine.legacy, entries[c], inputs[c].traits)
        if k is not None and k < made.bound:
            return True
    return False
