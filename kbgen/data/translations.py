"""Translations are overlays, never copies: the words of a language over the source's facts.

``data/translations/<lang>/`` mirrors ``data/`` and holds only translatable text in
the same YAML shape (``translations_models``). ``load_translations`` reads and checks
every language against the loaded source KB; ``translated`` gives a new KB whose
texts are the language's wherever a page is complete in it, and which knows its
language and those pages; the source KB is never changed. A page is complete when
its translation file has every text the source has and every text it shows from
another file (a problem, a protocol's overview, the provider's support hours) is
translated too; a partly translated page is a warning, and stays English-only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .checks import check_text, prose
from .data_folder import TRANSLATIONS, _data_files
from .errors import DataError, Problem, Severity, errors_only
from .facts import fill, fill_placeholders, offered, placeholders
from .kb import KB, Entry
from .model import (
    KINDS,
    PLACEHOLDER_RE,
    Article,
    Categories,
    Category,
    Client,
    ComparisonBlock,
    DnsRecordsBlock,
    KnownProblem,
    OverviewBlock,
    Protocol,
    Provider,
    Strict,
    TextBlock,
    TroublesBlock,
    Troubleshooting,
)
from .personal import markdown_values
from .translations_fields import words_only
from .translations_match import (
    DKIM,
    OVERVIEW,
    SITE,
    Slot,
    known,
    match_article,
    match_categories,
    match_client,
    match_protocol,
    match_provider,
    match_troubleshooting,
)
from .translations_models import (
    WORDS,
    ArticleWords,
    CategoriesWords,
    ClientWords,
    ProtocolWords,
    ProviderWords,
    TroubleshootingWords,
)
from .validation import validate
from .yaml_reader import Document, load_file

WARN = Severity.WARNING
LANGUAGE_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
"""A BCP 47 code as Material names its languages: de, fr, pt-BR, zh-Hant."""

SINGLE = {"provider.yml": "provider", "categories.yml": "categories",
          "troubleshooting.yml": "troubleshooting"}
FOLDER = {"protocols": "protocol", "articles": "article", "clients": "client"}
_SHOWN_LIMIT = 12  # missing texts named in one warning; the rest are counted


@dataclass(frozen=True)
class Overlay:
    """One translation file: where it is, what it translates, and its words."""

    rel: str  # below data/translations/<lang>/, e.g. clients/thunderbird.yml
    kind: str
    words: Strict
    doc: Document


@dataclass(frozen=True)
class Translations:
    """Every language's translation files, checked against one source KB."""

    files: dict[str, dict[str, Overlay]]  # language -> rel -> overlay
    warnings: list[Problem] = field(default_factory=list)
    default: str = "en"

    @property
    def languages(self) -> list[str]:
        """The languages other than the default, in code order."""
        return sorted(self.files)


@dataclass(frozen=True)
class Gap:
    """A text a page needs in a language and has not: ``key`` in translation ``file``,
    or the whole file when ``key`` is empty."""

    file: str
    key: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.key}" if self.key else f"all of {self.file}"


# ---------------------------------------------------------------- loading


def _languages(kb: KB) -> list[str] | None:
    """The site's languages, default first, once data/provider.yml names them."""
    listed = getattr(kb.provider, "languages", None)
    return [lang.code for lang in listed] if listed else None


def _source_file(kb: KB, data_dir: str, rel: str) -> str:
    return f"{data_dir}/{rel}"


def load_translations(root: Path, kb: KB, data_dir: str = "data") -> Translations:
    """Read and check every file under ``root/<data_dir>/translations/`` against ``kb``.

    Raises DataError with every error (and the warnings); returns the translations with
    their warnings (partly translated pages, the brand typed by hand…) otherwise."""
    base = root / data_dir / TRANSLATIONS
    shown_base = f"{data_dir}/{TRANSLATIONS}"
    languages = _languages(kb)
    default = languages[0] if languages else kb.language
    files: dict[str, dict[str, Overlay]] = {}
    problems: list[Problem] = []
    if not base.is_dir():
        return Translations({}, [], default)
    refused: set[str] = set()
    for path, parts in _data_files(base):
        shown = f"{shown_base}/{'/'.join(parts)}"
        if len(parts) == 1:
            problems.append(Problem(shown, 1, 1, "", "a translation belongs in a language's "
                                    "folder", f"move it to {shown_base}/<language>/{parts[0]}"))
            continue
        lang, rel = parts[0], "/".join(parts[1:])
        problem = language_problem(lang, languages, default, shown_base)
        if problem is not None:
            if lang not in refused:
                problems.append(problem)
                refused.add(lang)
            continue
        files.setdefault(lang, {})
        overlay = _read(kb, Path(path), shown, rel, data_dir, problems)
        if overlay is not None:
            files[lang][rel] = overlay
    for lang in languages[1:] if languages else []:
        files.setdefault(lang, {})
    for lang, overlays in files.items():
        problems += _check_language(kb, lang, overlays, data_dir)
    if errors_only(problems):
        raise DataError(problems)
    return Translations(files, problems, default)


def language_problem(lang: str, languages: list[str] | None, default: str,
                     shown_base: str) -> Problem | None:
    """Why ``lang`` cannot have translations (at its folder under ``shown_base``), or None."""
    where = f"{shown_base}/{lang}"
    if lang == default:
        return Problem(where, 1, 1, "", f"'{lang}' is the default language, whose texts are "
                       "data/ itself", "move what is new here into data/, and remove the folder")
    if not LANGUAGE_RE.fullmatch(lang):
        return Problem(where, 1, 1, "", f"'{lang}' is not a language code",
                       "name the folder by the language's code, e.g. de, fr or pt-BR")
    if languages is not None and lang not in languages:
        return Problem(where, 1, 1, "", f"'{lang}' is not one of the site's languages "
                       f"({', '.join(languages)})",
                       "add it under languages: in data/provider.yml, or remove the folder")
    return None


def _read(kb: KB, path: Path, shown: str, rel: str, data_dir: str,
          problems: list[Problem]) -> Overlay | None:
    """One translation file, checked on its own; None when it cannot be used."""
    parts = rel.split("/")
    if parts[-1].endswith(".yaml"):
        problems.append(Problem(shown, 1, 1, "", "data files end in .yml",
                                f"rename it to {os.path.splitext(parts[-1])[0]}.yml"))
        return None
    kind = SINGLE.get(rel) if len(parts) == 1 else (FOLDER.get(parts[0]) if len(parts) == 2
                                                    else None)
    if kind is None:
        names = ", ".join([*SINGLE, *(f"{d}/<id>.yml" for d in FOLDER)])
        problems.append(Problem(shown, 1, 1, "", "kbgen does not know this file",
                                f"a translation mirrors a file of {data_dir}/: {names}"))
        return None
    problem = _no_source(kb, kind, rel, shown, data_dir)
    if problem is not None:
        problems.append(problem)
        return None
    loaded = load_file(path, shown)
    if isinstance(loaded, Problem):
        problems.append(loaded)
        return None
    doc, found = words_only(loaded, WORDS[kind], KINDS[kind], _source_file(kb, data_dir, rel))
    problems += found
    words, invalid = validate(doc, WORDS[kind])
    problems += invalid
    if words is None:
        return None
    return Overlay(rel, kind, words, loaded)


def _no_source(kb: KB, kind: str, rel: str, shown: str, data_dir: str) -> Problem | None:
    """A translation whose source page or protocol does not exist."""
    if kind in SINGLE.values():
        return None
    folder, name = rel.split("/")
    page_id = name.removesuffix(".yml")
    source_file = _source_file(kb, data_dir, rel)
    if kind == "protocol":
        if page_id in kb.protocols:
            return None
        return Problem(shown, 1, 1, "", f"there is no {source_file} to translate",
                       known(page_id, [f"{p}.yml" for p in kb.protocols], f"{data_dir}/protocols/"))
    entry = kb.entries.get(page_id)
    wanted = Article if kind == "article" else Client
    if isinstance(entry, wanted):
        return None
    if entry is not None:
        right = "articles" if isinstance(entry, Article) else "clients"
        return Problem(shown, 1, 1, "", f"'{page_id}' is {kb.sources.get(page_id, right)}",
                       f"move this file to {rel_to(shown, right, name)}")
    same = [eid for eid, e in kb.entries.items() if isinstance(e, wanted)]
    return Problem(shown, 1, 1, "", f"there is no {source_file} to translate",
                   known(page_id, same, f"{data_dir}/{folder}/"))


def rel_to(shown: str, folder: str, name: str) -> str:
    head = shown.rsplit("/", 2)[0]
    return f"{head}/{folder}/{name}"


def translatable_files(kb: KB) -> dict[str, str]:
    """Every source file a translation can translate: rel -> kind, in data/'s order."""
    return {rel: kind for rel, (kind, _model) in _sources(kb).items()}


def translation_file(kb: KB, page: str) -> str | None:
    """The file (rel) ``page`` names: clients/thunderbird(.yml), thunderbird, provider, imap…"""
    files = translatable_files(kb)
    name = page.removesuffix(".yml")
    if f"{name}.yml" in files:
        return f"{name}.yml"
    found = [rel for rel in files if rel.rsplit("/", 1)[-1] == f"{name}.yml"]
    return found[0] if len(found) == 1 else None


def languages_of(kb: KB) -> tuple[str, list[str] | None]:
    """The default language, and the site's languages once data/provider.yml names them."""
    languages = _languages(kb)
    return (languages[0] if languages else kb.language), languages


# ---------------------------------------------------------------- matching


def _empty(kind: str) -> Strict:
    return WORDS[kind]()


def _sources(kb: KB) -> dict[str, tuple[str, Strict]]:
    """Every translatable source file: rel -> (kind, model)."""
    out: dict[str, tuple[str, Strict]] = {
        "provider.yml": ("provider", kb.provider),
        "categories.yml": ("categories", Categories(categories=list(kb.categories.values()))),
        "troubleshooting.yml": ("troubleshooting",
                                Troubleshooting(problems=list(kb.troubles.values()))),
    }
    for pid, protocol in kb.protocols.items():
        out[f"protocols/{pid}.yml"] = ("protocol", protocol)
    for eid, entry in kb.entries.items():
        folder = "articles" if isinstance(entry, Article) else "clients"
        out[f"{folder}/{eid}.yml"] = ("article" if folder == "articles" else "client", entry)
    return out


_MATCH: dict[str, Callable[..., Any]] = {
    "provider": match_provider, "categories": match_categories,
    "troubleshooting": match_troubleshooting, "protocol": match_protocol,
    "article": match_article, "client": match_client,
}


def _slots(kb: KB, overlays: dict[str, Overlay], data_dir: str
           ) -> tuple[dict[str, list[Slot]], list[Problem]]:
    """Every source file's texts (rel -> slots), and the translation's keys that match nothing."""
    out: dict[str, list[Slot]] = {}
    problems: list[Problem] = []
    for rel, (kind, source) in _sources(kb).items():
        overlay = overlays.get(rel)
        words = overlay.words if overlay is not None else _empty(kind)
        matched = _MATCH[kind](source, words, overlay.doc if overlay else None,
                               _source_file(kb, data_dir, rel))
        out[rel] = matched.slots
        problems += matched.problems
    return out, problems


def _needs(kb: KB, page: str) -> list[tuple[str, str]]:
    """What a page shows, as (translation file, group): its own texts and other files'."""
    needs = [("provider.yml", SITE)]
    entry = kb.entries.get(page)
    if entry is None:  # a category
        return [*needs, ("categories.yml", page)]
    folder = "articles" if isinstance(entry, Article) else "clients"
    needs.append((f"{folder}/{page}.yml", page))
    if isinstance(entry, Client):
        needs += [("troubleshooting.yml", t.problem) for t in entry.troubleshooting]
        return needs
    for block in entry.body:
        if isinstance(block, OverviewBlock):
            needs += [(f"protocols/{pid}.yml", OVERVIEW) for pid in offered(kb.provider,
                                                                            block.protocols)]
        elif isinstance(block, ComparisonBlock):
            needs += [(f"protocols/{pid}.yml", f"traits.{row.trait}")
                      for pid in offered(kb.provider, block.protocols) for row in block.rows]
        elif isinstance(block, TroublesBlock):
            needs += [("troubleshooting.yml", pid) for pid in block.problems or kb.troubles]
        elif isinstance(block, DnsRecordsBlock):
            needs.append(("provider.yml", DKIM))
    return needs


def _pages(kb: KB) -> list[str]:
    return [*kb.categories, *kb.entries]


def _gaps(kb: KB, lang: str, overlays: dict[str, Overlay], slots: dict[str, list[Slot]],
          page: str, data_dir: str) -> list[Gap]:
    gaps: list[Gap] = []
    seen: set[tuple[str, str]] = set()
    for rel, group in _needs(kb, page):
        if (rel, group) in seen:
            continue
        seen.add((rel, group))
        shown = f"{data_dir}/{TRANSLATIONS}/{lang}/{rel}"
        wanted = [s for s in slots.get(rel, []) if s.group == group]
        if not wanted:
            continue
        if rel not in overlays:
            gap = Gap(shown)
            if gap not in gaps:
                gaps.append(gap)
            continue
        gaps += [Gap(shown, s.name) for s in wanted if s.value is None]
    return gaps


def _own_file(kb: KB, page: str) -> str:
    entry = kb.entries.get(page)
    if entry is None:
        return "categories.yml"
    return f"{'articles' if isinstance(entry, Article) else 'clients'}/{page}.yml"


def _check_language(kb: KB, lang: str, overlays: dict[str, Overlay],
                    data_dir: str) -> list[Problem]:
    slots, problems = _slots(kb, overlays, data_dir)
    for rel, overlay in overlays.items():
        problems += check_text(kb, overlay.doc)
        problems += _brand(kb, overlay.doc)
        source = kb.documents.get(_source_file(kb, data_dir, rel))
        if source is not None:
            problems += _placeholders_kept(kb, lang, overlay.doc, slots[rel], source)
    # A partly translated file: one warning naming its missing texts.
    for rel, overlay in overlays.items():
        absent = [s.name for s in slots[rel] if s.value is None]
        if absent:
            what = ("the page is not published in {lang} until it has them"
                    if overlay.kind in ("article", "client") else
                    "pages that show them are not published in {lang} until they are translated")
            problems.append(overlay.doc.problem(
                (), f"partly translated: no {lang} text yet for {_names(absent)}; "
                + what.format(lang=lang),
                f"translate them from {_source_file(kb, data_dir, rel)}", severity=WARN))
    if errors_only(problems):
        return problems  # a file that did not validate would be named as missing below
    # A page whose own file is complete but which shows other files' untranslated texts.
    for page in kb.entries:
        rel = _own_file(kb, page)
        own = overlays.get(rel)
        if own is None or any(s.value is None for s in slots[rel]):
            continue
        elsewhere = _gaps(kb, lang, overlays, slots, page, data_dir)
        if elsewhere:
            problems.append(own.doc.problem(
                (), f"not published in {lang}: the page also shows texts with no {lang} "
                f"translation yet: {_names([str(g) for g in elsewhere])}",
                "write them there", severity=WARN))
    return problems


def _value_at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _placeholder_names(value: Any) -> list[str]:
    texts = value if isinstance(value, list) else [value]
    found = [m.group(1) for t in texts if isinstance(t, str) for m in PLACEHOLDER_RE.finditer(t)]
    return list(dict.fromkeys(found))


def _placeholders_kept(kb: KB, lang: str, doc: Document, slots: list[Slot],
                       source: Document) -> list[Problem]:
    """A placeholder of the source text that its translation leaves out: a fact (a port, a
    host) the source's readers get and this language's do not."""
    problems = []
    for slot in slots:
        if slot.value is None or not slot.source:
            continue
        ours = _placeholder_names(slot.value)
        lost = [n for n in _placeholder_names(_value_at(source.data, slot.source)) if n not in ours]
        if lost:
            shown = ", ".join(f"{{{{ {n} }}}}" for n in lost)
            problems.append(doc.problem(
                slot.at, f"the {kb.language} text has {shown}, which this translation leaves out",
                f"keep every placeholder of {source.file}'s text, so {lang} readers get the "
                "same facts", severity=WARN))
    return problems


def _names(names: list[str]) -> str:
    """steps.a.title, steps.a.text, title as 'steps.a (title, text), title', the first few."""
    grouped: dict[str, list[str]] = {}
    for name in names:
        head, dot, last = name.rpartition(".")
        if dot and "." in head:  # a part of a keyed item: steps.<key>.text
            grouped.setdefault(head, []).append(last)
        else:
            grouped.setdefault(name, [])
    names = [f"{head} ({', '.join(parts)})" if parts else head for head, parts in grouped.items()]
    shown = ", ".join(names[:_SHOWN_LIMIT])
    more = len(names) - _SHOWN_LIMIT
    return shown + (f" and {more} more" if more > 0 else "")


def _brand(kb: KB, doc: Document) -> list[Problem]:
    """The brand typed into a translation stays behind when the brand changes."""
    brand = kb.provider.name
    pattern = re.compile(rf"(?<!\w){re.escape(brand)}(?!\w)")
    for path, text in prose(doc.data):
        if path and path[0] in ("quoted", "unchecked"):
            continue  # the app's own words
        found = pattern.search(PLACEHOLDER_RE.sub(lambda m: " " * len(m.group(0)), text))
        if found:
            return [doc.problem(path, f"the brand '{brand}' is written into the translation",
                                "write {{ provider.name }}, so the name comes from "
                                "data/provider.yml in every language", offset=found.start(),
                                severity=WARN)]
    return []


# ---------------------------------------------------------------- the API


def missing(kb: KB, translations: Translations, lang: str,
            data_dir: str = "data") -> dict[str, list[Gap]]:
    """Every page not complete in ``lang``, and what it lacks (a page with no file of its
    own lacks that file). The default language lacks nothing."""
    if lang == translations.default:
        return {}
    overlays = translations.files.get(lang, {})
    slots, _problems = _slots(kb, overlays, data_dir)
    out: dict[str, list[Gap]] = {}
    for page in _pages(kb):
        gaps = _gaps(kb, lang, overlays, slots, page, data_dir)
        if gaps:
            out[page] = gaps
    return out


def complete_pages(kb: KB, translations: Translations, lang: str,
                   data_dir: str = "data") -> frozenset[str]:
    """The pages (entry and category ids) whose every text is translated into ``lang``."""
    if lang == translations.default:
        return frozenset(_pages(kb))
    gaps = missing(kb, translations, lang, data_dir)
    return frozenset(p for p in _pages(kb) if p not in gaps)


def translated(kb: KB, translations: Translations, lang: str, data_dir: str = "data") -> KB:
    """A new KB in ``lang``: each complete page's texts, and every shared text (problems,
    protocols, the provider's prose) translated so far; ``kb`` is not changed. The default
    language's KB is ``kb`` itself."""
    if lang == translations.default or lang == kb.language:
        return kb
    if lang not in translations.files:
        raise KeyError(f"no translations for '{lang}'; known: {', '.join(translations.languages)}")
    overlays = translations.files[lang]
    pages = complete_pages(kb, translations, lang, data_dir)

    def words(rel: str) -> Any:
        overlay = overlays.get(rel)
        return overlay.words if overlay is not None else None

    entries: dict[str, Entry] = {}
    for eid, entry in kb.entries.items():
        given = words(_own_file(kb, eid))
        if eid not in pages or given is None:
            entries[eid] = entry
        elif isinstance(entry, Article):
            entries[eid] = _article(entry, given)
        else:
            entries[eid] = _client(entry, given)
    out = replace(
        kb, language=lang, translated_pages=pages, entries=entries,
        provider=_provider(kb, words("provider.yml")),
        categories=_categories(kb.categories, words("categories.yml"), pages),
        troubles=_troubles(kb.troubles, words("troubleshooting.yml")),
        protocols={pid: _protocol(p, words(f"protocols/{pid}.yml"))
                   for pid, p in kb.protocols.items()},
        unchecked={eid: tuple(words(_own_file(kb, eid)).unchecked) for eid, e in kb.entries.items()
                   if isinstance(e, Client) and eid in pages},
    )
    # The translation's {{ placeholders }} get the same values as the source's; texts
    # already filled (the source's) hold none and stay as they are.
    fill_placeholders(out, markdown_values(out))
    return out


def _set(model: Any, **texts: Any) -> Any:
    """``model`` with the texts given (None: the source's stays)."""
    update = {k: v for k, v in texts.items() if v is not None}
    return model.model_copy(update=update) if update else model


def _provider(kb: KB, words: ProviderWords | None) -> Provider:
    source = kb.provider
    if words is None:
        return source
    values = placeholders(kb)
    marked = markdown_values(kb)

    def filled(text: str | None, values: dict[str, str] = values) -> str | None:
        return type(text)(fill(text, values)) if text is not None else None

    support = _set(source.support, hours=filled(words.support.hours if words.support else None))
    username = _set(source.username,
                    note=filled(words.username.note if words.username else None))
    dns = source.dns
    if dns is not None and dns.dkim is not None and words.dns and words.dns.dkim:
        dns = _set(dns, dkim=_set(dns.dkim, key_source=filled(words.dns.dkim.key_source, marked)))
    return _set(source, site_name=filled(words.site_name), copyright=filled(words.copyright),  # type: ignore[no-any-return]
                support=support, username=username, dns=dns)


def _categories(source: dict[str, Category], words: CategoriesWords | None,
                pages: frozenset[str]) -> dict[str, Category]:
    if words is None:
        return source
    given = {c.id: c for c in words.categories}
    return {cid: _set(c, title=given[cid].title, description=given[cid].description)
            if cid in pages and cid in given else c for cid, c in source.items()}


def _troubles(source: dict[str, KnownProblem],
              words: TroubleshootingWords | None) -> dict[str, KnownProblem]:
    if words is None:
        return source
    given = {p.id: p for p in words.problems}
    return {pid: _set(p, title=given[pid].title, cause=given[pid].cause, fix=given[pid].fix)
            if pid in given else p for pid, p in source.items()}


def _protocol(source: Protocol, words: ProtocolWords | None) -> Protocol:
    if words is None:
        return source
    same = {name: value for name in ("strengths", "limits", "recommended_for")
            if (value := getattr(words, name)) is not None and None not in value
            and len(value) == len(getattr(source, name))}
    return _set(source, full_name=words.full_name, summary=words.summary,  # type: ignore[no-any-return]
                how_it_works=words.how_it_works, **same,
                traits={**source.traits, **{t: v for t, v in words.traits.items()
                                            if t in source.traits and v is not None}})


def _article(source: Article, words: ArticleWords) -> Article:
    given = {b.key: b for b in words.body}
    body = []
    for block in source.body:
        found = given.get(block.key) if block.key else None
        if found is None:
            body.append(block)
            continue
        update: dict[str, Any] = {"heading": found.heading}
        if isinstance(block, TextBlock):
            update["markdown"] = found.markdown
        if isinstance(block, ComparisonBlock):
            labels = {r.trait: r.label for r in found.rows}
            update["rows"] = [_set(r, label=labels.get(r.trait)) for r in block.rows]
        body.append(_set(block, **update))
    return _set(source, title=words.title, summary=words.summary, body=body)  # type: ignore[no-any-return]


def _client(source: Client, words: ClientWords) -> Client:
    steps = {s.key: s for s in words.steps}
    new_steps = []
    for step in source.steps:
        found = steps.get(step.key) if step.key else None
        if found is None:
            new_steps.append(step)
            continue
        image = step.image
        if image is not None and found.image is not None:
            image = _set(image, alt=found.image.alt)
        new_steps.append(_set(step, title=found.title, text=found.text, image=image))
    troubles = []
    seen: dict[str, int] = {}
    for t in source.troubleshooting:
        n = seen.get(t.problem, 0)
        seen[t.problem] = n + 1
        same = [w for w in words.troubleshooting if w.problem == t.problem]
        found_t = same[n] if n < len(same) else None
        troubles.append(_set(t, message=found_t and found_t.message, fix=found_t and found_t.fix))
    labels = source.labels
    if labels is not None and words.labels is not None:
        labels = _set(labels, authentication={**labels.authentication, **{
            k: v for k, v in words.labels.authentication.items()
            if k in labels.authentication and v is not None}})
    deprecated = source.deprecated
    if deprecated is not None and words.deprecated is not None:
        deprecated = _set(deprecated, notice=words.deprecated.notice)
    before = words.before_you_start
    return _set(source, title=words.title, summary=words.summary,  # type: ignore[no-any-return]
                written_for=words.written_for, steps=new_steps, troubleshooting=troubles,
                labels=labels, deprecated=deprecated,
                before_you_start=before if before is not None and None not in before
                and len(before) == len(source.before_you_start) else None)
