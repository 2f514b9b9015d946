"""Old (WHMCS-style) knowledge-base addresses and the 301 redirects they become.

An article or client guide lists where it used to live::

    legacy:
      ids: [12]                                   # WHMCS article ids
      urls: ["/knowledgebase/12/POP-or-IMAP.html", "/help/pop.php?x=1"]

and a category lists ``legacy_ids`` (WHMCS category ids) and ``legacy_urls``. From
these we make Netlify ``_redirects`` rules (``kbgen.hosting.redirects`` writes the file),
every one a 301 to the page's current URL:

* ``/knowledgebase/{id}/*`` — WHMCS's friendly URL ``/knowledgebase/{id}/{slug}.html``.
  The slug was made from the article's title *at the time*, which we may not
  know, so a splat matches every slug: the id alone identifies the article.
* ``/knowledgebase.php?action=displayarticle&id={id}`` — WHMCS without friendly URLs.
* ``/index.php?rp=/knowledgebase/{id}/{slug}.html`` — WHMCS's "basic" friendly URLs.
  A query value cannot hold a wildcard, so here we need the exact slug. We
  write one rule for each slug we can know or guess: slugs of any
  ``/knowledgebase/{id}/{slug}.html`` URL listed under ``legacy.urls`` (the
  reliable way: copy the old URL from the old site), the slug WHMCS would make
  from the current title, and the entry id.
* every listed old URL as it is; a query string in it becomes Netlify's
  ``key=value`` query matching.

A category's old id becomes ``/knowledgebase.php?action=displaycat&catid={id}``,
``/knowledgebase/{id}/{name}`` and ``/index.php?rp=/knowledgebase/{id}/{name}``.
Article and category ids are separate numbers in WHMCS, so category 3 and
article 3 can both exist: the category's path form is written with exact names
(the slug of a listed ``/knowledgebase/{id}/{name}`` URL, of the current title and
the id), never a splat, and ``_redirects`` lists exact rules before splats
(Netlify applies the first rule that matches). As long as the site has any old
address at all, the old knowledge-base root (``/knowledgebase.php``,
``/knowledgebase``, ``/index.php?rp=/knowledgebase``) leads to the home page.

A listed ``/knowledgebase/{id}/{slug}.html`` also claims that id. Two entries
(or categories) claiming the same old id or URL is an error at the line that
claims it second; so is an old URL that is a current page's address. Drafts
keep their claims but get no redirect (they have no page to go to).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from .errors import Problem
from .kb import KB
from .model import Article, Categories, Category, Client, Strict
from .urls import category_uri, entry_uri, page_url
from .yaml_reader import Document, PathKey

STATUS = 301
_KB_URL = re.compile(r"/knowledgebase/(\d+)/([^/?#]+)\.html")  # whole URLs: fullmatch
_KB_CATEGORY_URL = re.compile(r"/knowledgebase/(\d+)/([^/?#]+)")
# WHMCS's getModRewriteFriendlyString (its route code, WHMCS 7/8): a few characters
# become words, spaces become hyphens, and everything but word characters, '-' and
# '.' is dropped. Runs of hyphens are kept and case is kept.
_WHMCS_WORDS = (("#", "sharp"), ("&quot;", ""), ("/", "or"), ("&amp;", "and"), ("&", "and"),
                ("+", "plus"), ("=", "equals"), ("@", "at"), (" ", "-"))
_NOT_WHMCS_SLUG = re.compile(r"[^\w.-]")
# The knowledge base's own addresses in WHMCS (with and without friendly URLs).
ROOT_SOURCES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("/knowledgebase.php", ()),
    ("/knowledgebase", ()),
    ("/knowledgebase/", ()),
    ("/index.php", (("rp", "/knowledgebase"),)),
)


@dataclass(frozen=True, order=True)
class Redirect:
    """One Netlify redirect rule: ``source`` (plus ``query``) to ``target``."""

    source: str
    query: tuple[tuple[str, str], ...]
    target: str
    status: int = STATUS

    @property
    def key(self) -> tuple[str, frozenset[tuple[str, str]]]:
        """What a request must match; two rules with one key cannot both win. Netlify
        matches a path with or without its trailing slash, so ``/a`` and ``/a/`` are one."""
        return (self.source.rstrip("/") or "/", frozenset(self.query))

    def line(self) -> str:
        """The rule in ``_redirects`` syntax: ``from [key=value…] to status``."""
        query = "".join(f" {k}={v}" for k, v in self.query)
        return f"{self.source}{query} {self.target} {self.status}"

    def shown(self) -> str:
        """The old address as a person would type it."""
        if not self.query:
            return self.source
        return self.source + "?" + "&".join(f"{k}={v}" for k, v in self.query)


def whmcs_slug(title: str) -> str:
    """The slug WHMCS puts in an article's or category's friendly URL, made from its title.

    ``"POP & IMAP: which one?"`` → ``"POP-and-IMAP-which-one"``. WHMCS passes the
    title as stored (HTML-escaped in some versions, hence ``&amp;``); a title
    that leaves nothing becomes ``-``.
    """
    slug = title
    for old, new in _WHMCS_WORDS:
        slug = slug.replace(old, new)
    slug = _NOT_WHMCS_SLUG.sub("", slug)
    return slug if slug or not title else "-"


def split_url(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``/a.php?x=1&y=2`` → ``("/a.php", (("x", "1"), ("y", "2")))``."""
    parts = urlsplit(url)
    return parts.path or "/", tuple(parse_qsl(parts.query, keep_blank_values=True))


@dataclass(frozen=True)
class _Claim:
    rule: Redirect
    doc: Document
    path: PathKey  # where in doc the claim is written
    owner: str  # who claims it: an entry id, or "category 'x'"
    what: str  # "old id 12" or "old URL /x.html", for messages


def _entry_claims(entry: Article | Client, doc: Document, target: str) -> Iterator[_Claim]:
    ids: dict[int, PathKey] = {}
    slugs: dict[int, list[str]] = {}
    for i, old_id in enumerate(entry.legacy.ids):
        ids.setdefault(old_id, ("legacy", "ids", i))
    for i, url in enumerate(entry.legacy.urls):
        path: PathKey = ("legacy", "urls", i)
        source, query = split_url(url)
        match = _KB_URL.fullmatch(url)
        if match:
            ids.setdefault(int(match.group(1)), path)
            slugs.setdefault(int(match.group(1)), []).append(match.group(2))
        yield _Claim(Redirect(source, query, target), doc, path, entry.id, f"old URL {url}")
    for old_id, path in ids.items():
        guesses = [*slugs.get(old_id, []), whmcs_slug(entry.title), entry.id]
        rules = [
            Redirect(f"/knowledgebase/{old_id}/*", (), target),
            Redirect("/knowledgebase.php", (("action", "displayarticle"), ("id", str(old_id))), target),
            *(Redirect("/index.php", (("rp", f"/knowledgebase/{old_id}/{slug}.html"),), target)
              for slug in dict.fromkeys(s for s in guesses if s)),
        ]
        for rule in rules:
            yield _Claim(rule, doc, path, entry.id, f"old id {old_id}")


def _category_claims(kb: KB, categories: list[Category], doc: Document) -> Iterator[_Claim]:
    for i, cat in enumerate(categories):
        if cat.id not in kb.categories:
            continue
        target = page_url(category_uri(kb, cat.id))
        owner = f"category '{cat.id}'"
        ids: dict[int, PathKey] = {}
        slugs: dict[int, list[str]] = {}
        for j, old_id in enumerate(cat.legacy_ids):
            ids.setdefault(old_id, ("categories", i, "legacy_ids", j))
        for j, url in enumerate(cat.legacy_urls):
            path: PathKey = ("categories", i, "legacy_urls", j)
            source, query = split_url(url)
            match = _KB_CATEGORY_URL.fullmatch(url)
            if match and not _KB_URL.fullmatch(url):
                ids.setdefault(int(match.group(1)), path)
                slugs.setdefault(int(match.group(1)), []).append(match.group(2))
            yield _Claim(Redirect(source, query, target), doc, path, owner, f"old URL {url}")
        for old_id, path in ids.items():
            guesses = dict.fromkeys(s for s in [*slugs.get(old_id, []), whmcs_slug(cat.title), cat.id]
                                    if s)
            rules = [
                Redirect("/knowledgebase.php", (("action", "displaycat"), ("catid", str(old_id))),
                         target),
                *(Redirect(f"/knowledgebase/{old_id}/{slug}", (), target) for slug in guesses),
                *(Redirect("/index.php", (("rp", f"/knowledgebase/{old_id}/{slug}"),), target)
                  for slug in guesses),
            ]
            for rule in rules:
                yield _Claim(rule, doc, path, owner, f"old category id {old_id}")


def _all_claims(kb: KB, entries: Iterable[tuple[Strict, Document]], categories: list[Category],
                categories_doc: Document) -> Iterator[tuple[_Claim, bool]]:
    """Every claim, with whether it becomes a published redirect."""
    for model, doc in entries:
        assert isinstance(model, (Article, Client))
        if model.category not in kb.categories:
            continue  # reported by the entry checks; there is no URL to send readers to
        target = page_url(entry_uri(kb, model))
        for claim in _entry_claims(model, doc, target):
            yield claim, not model.draft
    for claim in _category_claims(kb, categories, categories_doc):
        yield claim, True


def _current_pages(kb: KB) -> set[str]:
    uris = ["index.md", *(category_uri(kb, c) for c in kb.categories),
            *(entry_uri(kb, e) for e in kb.published() if e.category in kb.categories)]
    out: set[str] = set()
    for uri in uris:
        url = page_url(uri)
        out |= {url, url + "index.html", url.rstrip("/") or "/"}
    return out


def check_legacy(kb: KB, entries: Iterable[tuple[Strict, Document]],
                 categories: tuple[Strict, Document]) -> list[Problem]:
    """Old ids and URLs claimed twice, or old URLs that are current pages."""
    problems: list[Problem] = []
    first: dict[tuple[str, frozenset[tuple[str, str]]], _Claim] = {}
    reported: set[tuple[str, PathKey]] = set()
    pages = _current_pages(kb)
    model, doc = categories
    assert isinstance(model, Categories)
    for claim, _published in _all_claims(kb, entries, model.categories, doc):
        where = (claim.doc.file, claim.path)
        if not claim.rule.query and claim.rule.source in pages and where not in reported:
            reported.add(where)
            problems.append(claim.doc.problem(
                claim.path, f"the {claim.what} is the address of a current page",
                "a redirect there would hide the page; remove this old URL"))
            continue
        seen = first.setdefault(claim.rule.key, claim)
        if seen.owner == claim.owner or where in reported:
            continue
        reported.add(where)
        line, col = seen.doc.where(seen.path)
        problems.append(claim.doc.problem(
            claim.path, f"the {claim.what} is already claimed by {seen.owner}",
            f"{seen.doc.file}:{line}:{col} claims it; an old address can lead to one page only"))
    return problems


def redirect_rules(kb: KB, base: str = "/") -> list[Redirect]:
    """Every published redirect, deduplicated, most specific first; targets start with ``base``."""
    rules: dict[tuple[str, frozenset[tuple[str, str]]], Redirect] = {}
    entries = [(e, _NO_DOC) for e in kb.entries.values()]
    for claim, published in _all_claims(kb, entries, list(kb.categories.values()), _NO_DOC):
        if published:
            rules.setdefault(claim.rule.key, claim.rule)
    if rules:
        # The site replaced an old knowledge base: its front page leads to ours. A listed
        # old URL that is the same address wins; a current page is never hidden.
        pages = _current_pages(kb)
        for source, query in ROOT_SOURCES:
            if query or source not in pages:
                rules.setdefault((source, frozenset(query)), Redirect(source, query, "/"))
    if base != "/":
        rules = {key: Redirect(r.source, r.query, base.rstrip("/") + r.target, r.status)
                 for key, r in rules.items()}
    return sorted(rules.values(), key=_precedence)


def _precedence(rule: Redirect) -> tuple[int, str, tuple[tuple[str, str], ...], str]:
    """Netlify applies the first rule that matches: exact paths with a query first (they
    are the narrowest), then exact paths, then splats and placeholders."""
    wild = "*" in rule.source or ":" in rule.source
    return (2 if wild else 0 if rule.query else 1, rule.source, rule.query, rule.target)


_NO_DOC = Document(file="", data={})
