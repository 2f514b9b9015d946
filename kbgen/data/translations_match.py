"""Each text of a source file, and the translation's text for it (or none yet).

A translation names the source's parts by their stable keys: blocks and steps by
``key``, categories and problems by ``id``, comparison rows by ``trait``, a guide's
troubleshooting entries by ``problem`` (entries with the same problem match in
order). Matching gives every translatable text of the source as a ``Slot``, with
the translation's value or None, and a problem for every key the source does not
have, so a translator learns which keys exist.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import Problem
from .model import (
    Article,
    Categories,
    Client,
    ComparisonBlock,
    Protocol,
    Provider,
    TextBlock,
    Troubleshooting,
)
from .translations_models import (
    THUNDERBIRD_L10N,
    ArticleWords,
    CategoriesWords,
    ClientWords,
    ProtocolWords,
    ProviderWords,
    TroubleshootingWords,
)
from .yaml_reader import Document, PathKey

SITE = "site"
"""The group of the provider's texts every page shows (site name, support hours…)."""
DKIM = "dkim"
OVERVIEW = "overview"
"""The group of a protocol's texts a protocol-overview block shows."""


@dataclass(frozen=True)
class Slot:
    """One translatable text of a source file."""

    name: str  # as a translator finds it: steps.open-account-setup.text
    group: str  # what shows it: a page id, a problem id, SITE, OVERVIEW, traits.<trait>
    value: Any  # the translation's text, or None: not translated yet
    at: PathKey = ()  # where the translation's text is in its file (when there is one)
    source: PathKey = ()  # where the source's text is in the source file


def known(value: str, names: Iterable[str], source_file: str) -> str:
    """A hint naming the keys that exist, or the one ``value`` was probably meant to be."""
    listed = sorted(set(names))
    close = difflib.get_close_matches(value, listed, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    if not listed:
        return f"{source_file} has none"
    return f"{source_file} has: {', '.join(listed)}"


class _Matcher:
    def __init__(self, doc: Document | None, source_file: str) -> None:
        self.doc = doc
        self.source_file = source_file
        self.slots: list[Slot] = []
        self.problems: list[Problem] = []

    def need(self, name: str, group: str, value: Any, at: PathKey = (),
             source: PathKey = ()) -> None:
        self.slots.append(Slot(name, group, value, at, source or at))

    def error(self, path: PathKey, message: str, hint: str, *, key: bool = False) -> None:
        assert self.doc is not None  # only a translation that exists has errors
        self.problems.append(self.doc.problem(path, message, hint, key=key))

    def no_such(self, path: PathKey, what: str, given: Any) -> None:
        """A text the translation gives where the source has none."""
        if given not in (None, [], {}):
            self.error(path, f"{self.source_file} has no {what} to translate", "remove it here",
                       key=True)

    def same_length(self, path: PathKey, name: str, group: str, source: list[Any],
                    given: list[Any] | None) -> None:
        if not source:
            self.no_such(path, name, given)
            return
        if given is not None and len(given) != len(source):
            self.error(path, f"{self.source_file} has {len(source)} item(s) in {name}, the "
                       f"translation {len(given)}", "translate every item, in the source's order")
            given = None
        # An empty item (a starter's '-') is not translated yet: nor is the list.
        self.need(name, group, None if given is None or None in given else given, path)

    def unique(self, path: PathKey, value: str, seen: dict[str, int], index: int,
               what: str) -> bool:
        if value in seen:
            self.error(path, f"{what} '{value}' is translated twice", f"it is also at "
                       f"[{seen[value]}]; keep one")
            return False
        seen[value] = index
        return True


def match_provider(source: Provider, words: ProviderWords, doc: Document | None,
                   source_file: str) -> _Matcher:
    m = _Matcher(doc, source_file)
    # The site's name and footer have defaults made from the brand, so a language may
    # name them even where the source leaves them to the default.
    if source.site_name is not None or words.site_name is not None:
        m.need("site_name", SITE, words.site_name, ("site_name",))
    if source.copyright is not None or words.copyright is not None:
        m.need("copyright", SITE, words.copyright, ("copyright",))
    hours = words.support.hours if words.support else None
    if source.support.hours is not None:
        m.need("support.hours", SITE, hours, ("support", "hours"))
    else:
        m.no_such(("support", "hours"), "support.hours", hours)
    note = words.username.note if words.username else None
    if source.username.note is not None:
        m.need("username.note", SITE, note, ("username", "note"))
    else:
        m.no_such(("username", "note"), "username.note", note)
    key_source = words.dns.dkim.key_source if words.dns and words.dns.dkim else None
    if source.dns is not None and source.dns.dkim is not None:
        m.need("dns.dkim.key_source", DKIM, key_source, ("dns", "dkim", "key_source"))
    else:
        m.no_such(("dns", "dkim", "key_source"), "dns.dkim.key_source", key_source)
    return m


def _match_by_id(m: _Matcher, field: str, source: list[Any], words: list[Any],
                 texts: tuple[str, ...], noun: str) -> _Matcher:
    """Items of a list matched by ``id``: an unknown or repeated id is an error, and each
    source item needs every one of ``texts``."""
    ids = [item.id for item in source]
    given: dict[str, int] = {}
    for i, item in enumerate(words):
        if item.id not in ids:
            m.error((field, i, "id"), f"there is no {noun} '{item.id}'",
                    known(item.id, ids, m.source_file))
        else:
            m.unique((field, i, "id"), item.id, given, i, f"the {noun}")
    for i, item in enumerate(source):
        at = given.get(item.id)
        found = words[at] if at is not None else None
        for name in texts:
            m.need(f"{field}.{item.id}.{name}", item.id, found and getattr(found, name),
                   (field, at or 0, name), (field, i, name))
    return m


def match_categories(source: Categories, words: CategoriesWords, doc: Document | None,
                     source_file: str) -> _Matcher:
    return _match_by_id(_Matcher(doc, source_file), "categories", source.categories,
                        words.categories, ("title", "description"), "category")


def match_troubleshooting(source: Troubleshooting, words: TroubleshootingWords,
                          doc: Document | None, source_file: str) -> _Matcher:
    return _match_by_id(_Matcher(doc, source_file), "problems", source.problems, words.problems,
                        ("title", "cause", "fix"), "problem")


def match_protocol(source: Protocol, words: ProtocolWords, doc: Document | None,
                   source_file: str) -> _Matcher:
    m = _Matcher(doc, source_file)
    if words.id is not None and words.id != source.id:
        m.error(("id",), f"the id '{words.id}' is not this file's ('{source.id}')",
                "remove the line; the file name says which protocol it translates")
    for name in ("full_name", "summary", "how_it_works"):
        m.need(name, OVERVIEW, getattr(words, name), (name,))
    for name in ("strengths", "limits", "recommended_for"):
        m.same_length((name,), name, OVERVIEW, getattr(source, name), getattr(words, name))
    for trait, _text in words.traits.items():
        if trait not in source.traits:
            m.error(("traits", trait), f"there is no trait '{trait}'",
                    known(trait, source.traits, source_file), key=True)
    for trait in source.traits:
        m.need(f"traits.{trait}", f"traits.{trait}", words.traits.get(trait), ("traits", trait))
    return m


def _by_key(m: _Matcher, items: list[Any], path: str, keys: list[str | None],
            what: str) -> dict[str, int]:
    given: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.key not in keys:
            m.error((path, i, "key"), f"{m.source_file} has no {what} with the key '{item.key}'",
                    known(item.key, [k for k in keys if k], m.source_file))
        else:
            m.unique((path, i, "key"), item.key, given, i, f"the {what}")
    return given


def match_article(source: Article, words: ArticleWords, doc: Document | None,
                  source_file: str) -> _Matcher:
    m = _Matcher(doc, source_file)
    _check_id(m, source.id, words.id)
    m.need("title", source.id, words.title, ("title",))
    m.need("summary", source.id, words.summary, ("summary",))
    given = _by_key(m, words.body, "body", [b.key for b in source.body], "body block")
    for i, block in enumerate(source.body):
        j = given.get(block.key) if block.key else None
        found = words.body[j] if j is not None else None
        name = f"body.{block.key}" if block.key else f"body[{i}] (it needs a key: in {source_file})"
        if found is not None and j is not None:
            if block.heading is None:
                m.no_such(("body", j, "heading"), f"heading in block '{block.key}'", found.heading)
            if not isinstance(block, TextBlock) and found.markdown is not None:
                m.error(("body", j, "markdown"), f"block '{block.key}' of {source_file} is a "
                        f"{block.type} block, whose content comes from the data",
                        "remove 'markdown' here; only its heading is translated", key=True)
            if not isinstance(block, ComparisonBlock) and found.rows:
                m.error(("body", j, "rows"), f"block '{block.key}' of {source_file} is a "
                        f"{block.type} block, which has no rows", "remove 'rows' here", key=True)
        if block.heading is not None:
            m.need(f"{name}.heading", source.id, found and found.heading,
                   ("body", j or 0, "heading"), ("body", i, "heading"))
        if isinstance(block, TextBlock):
            m.need(f"{name}.markdown", source.id, found and found.markdown,
                   ("body", j or 0, "markdown"), ("body", i, "markdown"))
        if isinstance(block, ComparisonBlock):
            traits = [r.trait for r in block.rows]
            rows: dict[str, int] = {}
            for k, row in enumerate(found.rows if found is not None else []):
                if row.trait not in traits:
                    m.error(("body", j or 0, "rows", k, "trait"), f"block '{block.key}' of "
                            f"{source_file} has no row '{row.trait}'",
                            known(row.trait, traits, source_file))
                else:
                    m.unique(("body", j or 0, "rows", k, "trait"), row.trait, rows, k, "the row")
            for r, trait in enumerate(traits):
                label = found.rows[rows[trait]].label if found is not None and trait in rows else None
                m.need(f"{name}.rows.{trait}.label", source.id, label,
                       ("body", j or 0, "rows", rows.get(trait, 0), "label"),
                       ("body", i, "rows", r, "label"))
    return m


def match_client(source: Client, words: ClientWords, doc: Document | None,
                 source_file: str) -> _Matcher:
    m = _Matcher(doc, source_file)
    page = source.id
    _check_id(m, source.id, words.id)
    for name in ("title", "summary", "written_for"):
        m.need(name, page, getattr(words, name), (name,))
    m.same_length(("before_you_start",), "before_you_start", page, source.before_you_start,
                  words.before_you_start)
    notice = words.deprecated.notice if words.deprecated else None
    if source.deprecated is not None:
        m.need("deprecated.notice", page, notice, ("deprecated", "notice"))
    else:
        m.no_such(("deprecated", "notice"), "deprecated.notice", notice)
    ours = source.labels.authentication if source.labels else {}
    theirs = words.labels.authentication if words.labels else {}
    for method in theirs:
        if method not in ours:
            m.error(("labels", "authentication", method), f"{source_file} has no label for "
                    f"'{method}' to translate", known(method, ours, source_file), key=True)
    for method in ours:
        m.need(f"labels.authentication.{method}", page, theirs.get(method),
               ("labels", "authentication", method))
    given = _by_key(m, words.steps, "steps", [s.key for s in source.steps], "step")
    for i, step in enumerate(source.steps):
        j = given.get(step.key) if step.key else None
        found = words.steps[j] if j is not None else None
        name = f"steps.{step.key}" if step.key else f"steps[{i}] (it needs a key: in {source_file})"
        m.need(f"{name}.title", page, found and found.title, ("steps", j or 0, "title"),
               ("steps", i, "title"))
        if step.text is not None:
            m.need(f"{name}.text", page, found and found.text, ("steps", j or 0, "text"),
                   ("steps", i, "text"))
        elif found is not None:
            m.no_such(("steps", j or 0, "text"), f"text in step '{step.key}'", found.text)
        alt = found.image.alt if found is not None and found.image else None
        if step.image is not None:
            m.need(f"{name}.image.alt", page, alt, ("steps", j or 0, "image", "alt"),
                   ("steps", i, "image", "alt"))
        elif found is not None:
            m.no_such(("steps", j or 0, "image"), f"image in step '{step.key}'", alt)
    _match_troubles(m, source, words)
    _check_quoted(m, words)
    return m


def _match_troubles(m: _Matcher, source: Client, words: ClientWords) -> None:
    """Entries with the same problem id match in order: the n-th with the n-th."""
    counts: dict[str, int] = {}
    for t in source.troubleshooting:
        counts[t.problem] = counts.get(t.problem, 0) + 1
    seen: dict[str, int] = {}
    given: dict[tuple[str, int], int] = {}
    for i, item in enumerate(words.troubleshooting):
        n = seen.get(item.problem, 0)
        seen[item.problem] = n + 1
        count = counts.get(item.problem, 0)
        if not count:
            m.error(("troubleshooting", i, "problem"), f"{m.source_file} has no troubleshooting "
                    f"entry for '{item.problem}'", known(item.problem, counts, m.source_file))
        elif n >= count:
            m.error(("troubleshooting", i, "problem"), f"{m.source_file} has {count} "
                    f"troubleshooting entr{'y' if count == 1 else 'ies'} for '{item.problem}'; "
                    "this is one more", "remove it here")
        else:
            given[(item.problem, n)] = i
    seen = {}
    for k, t in enumerate(source.troubleshooting):
        n = seen.get(t.problem, 0)
        seen[t.problem] = n + 1
        at = given.get((t.problem, n))
        found = words.troubleshooting[at] if at is not None else None
        name = f"troubleshooting.{t.problem}" + (f"#{n + 1}" if counts[t.problem] > 1 else "")
        m.need(f"{name}.message", source.id, found and found.message,
               ("troubleshooting", at or 0, "message"), ("troubleshooting", k, "message"))
        if t.fix is not None:
            m.need(f"{name}.fix", source.id, found and found.fix,
                   ("troubleshooting", at or 0, "fix"), ("troubleshooting", k, "fix"))
        elif found is not None and at is not None:
            m.no_such(("troubleshooting", at, "fix"), f"fix for '{t.problem}'", found.fix)


def _check_quoted(m: _Matcher, words: ClientWords) -> None:
    for i, q in enumerate(words.quoted):
        if q.source == THUNDERBIRD_L10N:
            for name in ("file", "id"):
                if getattr(q, name) is None:
                    m.error(("quoted", i), f"the label '{q.label}' is quoted from "
                            f"{THUNDERBIRD_L10N} without '{name}'",
                            f"add '{name}: …': the l10n file and the message id that hold it")
        elif q.read is None:
            m.error(("quoted", i), f"the label '{q.label}' is quoted from a help page without "
                    "the day it was read", "add 'read: YYYY-MM-DD'")


def _check_id(m: _Matcher, source_id: str, given: str | None) -> None:
    if given is not None and given != source_id:
        m.error(("id",), f"the id '{given}' is not this file's ('{source_id}')",
                "remove the line; the file name says which page it translates")
