"""Is an imported article about something kbgen already generates?

kbgen writes client setup guides (``data/clients/``), the server-settings page and
the POP/IMAP comparison from the provider's data. An old article on the same
subject is a stale copy of one of them: its old address should lead to the
generated page instead. We decide from the title only, and only when one
page is a clear match; anything less certain is imported, with the near
matches named in the report so an author can decide.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..data.kb import KB
from ..data.model import Article, Client, ComparisonBlock, OverviewBlock, SettingsBlock, TroublesBlock

# Words that say nothing about which app a guide is for.
GENERIC = {"email", "e", "mail", "app", "apps", "for", "and", "the", "in", "on", "of", "your", "set",
           "up", "setup", "microsoft", "apple", "google", "mozilla", "mobile", "desktop", "legacy",
           "new", "classic", "calendar", "to", "a", "an", "with", "client"}
SETUP = re.compile(r"\b(set\s*-?\s*up|setting\s+up|setup|configur\w*|install\w*|add(ing)?\b|"
                   r"connect\w*|settings?)\b", re.I)
SETTINGS_TOPIC = re.compile(
    r"\b(server|e-?mail|mail)\s+(server\s+)?settings\b|\bports?\b|\bincoming\b.*\boutgoing\b|"
    r"\boutgoing\b.*\bincoming\b", re.I)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Duplicate:
    entry_id: str
    reason: str


@dataclass(frozen=True)
class Verdict:
    duplicate: Duplicate | None
    maybe: tuple[str, ...] = ()  # near matches, for the report


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _says(words: list[str], name: tuple[str, ...]) -> bool:
    """Whether ``words`` hold ``name``'s words, in order and together."""
    return any(tuple(words[i:i + len(name)]) == name for i in range(len(words) - len(name) + 1))


def _client_tokens(client: Client) -> set[str]:
    tokens = {*client.id.split("-"), *client.tags, *_words(client.app), client.id}
    return {t for t in tokens if t not in GENERIC}


class Matcher:
    """Built once from the knowledge base; ``verdict(title)`` for each imported article."""

    def __init__(self, kb: KB) -> None:
        clients = [e for e in kb.entries.values() if isinstance(e, Client) and not e.draft]
        self.tokens = {c.id: _client_tokens(c) for c in clients}
        counts = Counter(t for tokens in self.tokens.values() for t in tokens)
        self.weight = {t: 1 / n for t, n in counts.items()}
        self.apps = {c.id: c.app for c in clients}
        # A name the data gives the app, said in the title: as sure as the app's own id.
        self.names = {c.id: [tuple(_words(name)) for name in c.also_known_as if _words(name)]
                      for c in clients}
        articles = sorted((e for e in kb.entries.values() if isinstance(e, Article) and not e.draft),
                          key=lambda a: (a.order, a.id))
        self.comparison = next((a.id for a in articles if any(
            isinstance(b, (ComparisonBlock, OverviewBlock)) and {"pop3", "imap"} <= set(b.protocols)
            for b in a.body)), None)
        settings = [a for a in articles if any(isinstance(b, SettingsBlock) for b in a.body)]
        # A troubleshooting page may show the settings too; the settings page is the one without.
        settings.sort(key=lambda a: any(isinstance(b, TroublesBlock) for b in a.body))
        self.settings = settings[0].id if settings else None
        self.sources = dict(kb.sources)

    def verdict(self, title: str) -> Verdict:
        words = _words(title)
        phrase = set(words) | {f"{a}-{b}" for a, b in zip(words, words[1:], strict=False)}
        scores = {cid: sum(self.weight[t] for t in tokens & phrase)
                  + sum(1.0 for name in self.names[cid] if _says(words, name))
                  for cid, tokens in self.tokens.items()}
        ranked = sorted(((s, cid) for cid, s in scores.items() if s > 0), key=lambda x: (-x[0], x[1]))
        maybe = tuple(cid for _s, cid in ranked[:3])
        if ranked and SETUP.search(title):
            best, cid = ranked[0]
            runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
            if best >= 1 and best > runner_up:
                return Verdict(Duplicate(cid, f"a setup guide for {self.apps[cid]}, which "
                                              f"{self.sources.get(cid, cid)} generates"))
        if self.comparison and ({"pop", "pop3"} & set(words)) and "imap" in words:
            return Verdict(Duplicate(self.comparison, "compares POP and IMAP, as "
                                     f"{self.sources.get(self.comparison)} does from the data"))
        if self.settings and not ranked and SETTINGS_TOPIC.search(title):
            return Verdict(Duplicate(self.settings, "lists server settings or ports, which "
                                     f"{self.sources.get(self.settings)} generates from the data"))
        return Verdict(None, maybe)
