"""Also Read: the short list of related pages at the end of every article.

Pure functions over the validated entries. The author's own ``related`` list
comes first, in the author's order; the rest is filled up to ``LIMIT`` from the
same category, then from entries that share a client family, tags or
protocols. The same data always gives the same list: every tie ends in the
entry id, which is unique.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import Article, Client

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


def affinity(a: Entry, b: Entry) -> int:
    """How much two entries have in common, apart from their category."""
    score = TAG_WEIGHT * len(set(a.tags) & set(b.tags))
    score += PROTOCOL_WEIGHT * len(set(a.protocols) & set(b.protocols))
    family = _family(a)
    if family is not None and family == _family(b):
        score += FAMILY_WEIGHT
    return score


def also_read(entries: Mapping[str, Entry], entry_id: str, limit: int = LIMIT) -> list[str]:
    """Ids of the entries to suggest after ``entry_id``, best first, at most ``limit``."""
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

    candidates: list[tuple[tuple[int, int, int, str, str], str]] = []
    for other in entries.values():
        if other.id == entry_id or other.id in chosen or not _readable(other):
            continue
        same_category = other.category == entry.category
        score = affinity(entry, other)
        if not same_category and score == 0:
            continue  # nothing in common: not related, however short the list
        key = (0 if same_category else 1, -score, other.order, other.title.casefold(), other.id)
        candidates.append((key, other.id))
    candidates.sort()
    chosen.extend(cid for _key, cid in candidates[: limit - len(chosen)])
    return chosen


def also_read_all(entries: Mapping[str, Entry], limit: int = LIMIT) -> dict[str, list[str]]:
    """Also Read for every entry that gets a page (drafts get none)."""
    return {eid: also_read(entries, eid, limit) for eid, e in entries.items() if not e.draft}
