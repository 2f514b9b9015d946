"""WHMCS rows → the data files an import should leave behind, and what the report says.

Pure apart from reading the files it edits: ``build_plan`` takes the source's
rows and the current knowledge base and returns every file's intended text.
Writing, validating and moving are ``kbgen.importers.whmcs_import``'s job.

Identity is by old id. A category or article that some data file already
claims (``legacy_ids``, ``legacy.ids`` or an old URL) is that file's: a second
import finds its own articles again and changes nothing. A new category whose
id equals an existing category's is merged into it; an article about what
kbgen generates (a client guide, the settings page, POP vs IMAP) gives its old
id to the generated page instead of being published twice.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..data.kb import KB
from ..data.legacy import whmcs_slug
from ..data.urls import category_uri, entry_uri
from .duplicates import Matcher
from .errors import ImportFailure
from .html_markdown import MAX_DEPTH, clean_text, convert
from .whmcs_links import OldAddresses
from .whmcs_source import ARTICLES, CATEGORIES, LINKS, TAGS, Row, Source
from .yaml_out import Editor, Flow, dump

MARKER = re.compile(r"^# Imported from WHMCS article (\d+) by", re.M)
_KB_URL_ID = re.compile(r"^/knowledgebase/(\d+)/")
TRUE = {"on", "1", "yes", "true"}
ID_MAX = 64


@dataclass
class Options:
    keep_duplicates: bool = False
    force: bool = False
    whmcs_url: str | None = None  # the old WHMCS address, for relative links and pictures
    data_dir: str = "data"
    out_dir: str = "imports/whmcs"


@dataclass(frozen=True)
class Planned:
    """A file the import wants, with its whole text. ``owned``: written whole by the import
    (an existing, different one is kept unless --force); otherwise an edit that only adds."""

    path: str
    text: str
    owned: bool = True


@dataclass(frozen=True)
class Line:
    """One row of the report: a WHMCS row and what became of it."""

    kind: str  # "article" or "category"
    whmcs_id: int
    title: str
    outcome: str
    where: str = ""
    detail: str = ""


@dataclass
class Plan:
    files: list[Planned] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rows left out, each with its reason
    notes: list[str] = field(default_factory=list)  # conversions worth a look
    warnings: list[str] = field(default_factory=list)  # notes also said on stderr: text was lost
    pictures: list[tuple[str, str, str]] = field(default_factory=list)  # (file, src, alt)
    translations: int = 0
    imported_files: set[str] = field(default_factory=set)  # data files written or edited

    def warn(self, message: str) -> None:
        self.notes.append(message)
        self.warnings.append(message)

    def count(self, kind: str, *outcomes: str) -> int:
        return sum(1 for line in self.lines if line.kind == kind and line.outcome in outcomes)


def kb_slug(text: str) -> str:
    """An id kbgen accepts: lowercase ASCII letters, digits and single hyphens, ≤ 64 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > ID_MAX:
        slug = slug[:ID_MAX].rsplit("-", 1)[0] or slug[:ID_MAX]
    return slug.strip("-")


def _unique(slug: str, whmcs_id: int, taken: set[str]) -> str:
    if slug not in taken:
        return slug
    suffix = f"-{whmcs_id}"
    return (slug[: ID_MAX - len(suffix)].rstrip("-") + suffix).strip("-")


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in TRUE


def _check_unique_ids(rows: list[Row], table: str, label: str) -> None:
    seen: set[int] = set()
    for row in rows:
        if row["id"] in seen:
            raise ImportFailure(f"{table} has two rows with id {row['id']}",
                                "ids must be unique; remove the duplicate row in WHMCS", label)
        seen.add(row["id"])


def _claims(kb: KB) -> tuple[dict[int, str], dict[int, str]]:
    """Old WHMCS ids already claimed in the data: categories and articles (entries)."""
    categories: dict[int, str] = {}
    for cat in kb.categories.values():
        for old in cat.legacy_ids:
            categories.setdefault(old, cat.id)
        for url in cat.legacy_urls:
            match = _KB_URL_ID.match(url)
            if match and not url.endswith(".html"):
                categories.setdefault(int(match.group(1)), cat.id)
    entries: dict[int, str] = {}
    for entry in kb.entries.values():
        for old in entry.legacy.ids:
            entries.setdefault(old, entry.id)
        for url in entry.legacy.urls:
            match = _KB_URL_ID.match(url)
            if match and url.endswith(".html"):
                entries.setdefault(int(match.group(1)), entry.id)
    return categories, entries


@dataclass
class _Article:
    row: Row
    id: str
    title: str
    category: str
    uri: str
    path: str


class _Planner:
    def __init__(self, source: Source, kb: KB, options: Options) -> None:
        self.source = source
        self.kb = kb
        self.options = options
        self.plan = Plan()
        self.data = options.data_dir.strip("/")
        self.category_claims, self.entry_claims = _claims(kb)
        self.taken: set[str] = set(kb.categories) | set(kb.entries)
        self.parent: dict[str, str | None] = {c.id: c.parent for c in kb.categories.values()}
        self.cat_map: dict[int, str] = {}  # WHMCS category id → published kbgen category
        self.article_pages: dict[int, str] = {}  # WHMCS article id → docs URI of its page now
        self.articles: list[_Article] = []
        self.links = OldAddresses({}, {})  # filled once every page is known
        self.entry_legacy: dict[str, tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))

    # ------------------------------------------------------------ categories

    def categories(self) -> None:
        rows = self.source.tables[CATEGORIES]
        label = self.source.label
        _check_unique_ids(rows, CATEGORIES, label)
        originals = [r for r in rows if not r["catid"]]
        by_id = {r["id"]: r for r in originals}
        for row in rows:
            if row["catid"]:
                self._keep_translation("category", row, row["catid"], row["name"],
                                       {"description": row["description"]})
        order = self._parents_first(originals, by_id)
        hidden: set[int] = set()
        path = f"{self.data}/categories.yml"
        editor = Editor(path, (self.kb.root / path).read_text(encoding="utf-8"), "old category ids")
        for row in order:
            title = clean_text(row["name"])
            if _truthy(row["hidden"]) or row["parentid"] in hidden:
                hidden.add(row["id"])
                why = "hidden in WHMCS" if _truthy(row["hidden"]) else "inside a hidden category"
                self.plan.lines.append(Line("category", row["id"], title, "not published", "", why))
                self.plan.skipped.append(f"category {row['id']} '{title}': not published ({why}; "
                                         "WHMCS shows it only to logged-in clients)")
                continue
            old_url = f"/knowledgebase/{row['id']}/{whmcs_slug(row['name'])}"
            description = clean_text(row["description"])
            # The report describes where each row ends up, not what this run did, so that
            # a second run's report is the same file.
            note = "" if description else "no description in WHMCS: 'Articles about …' was written; write one"
            claimed = self.category_claims.get(row["id"])
            if claimed is not None:
                editor.add_category_legacy(claimed, [row["id"]], [old_url])
                self.cat_map[row["id"]] = claimed
                self.plan.lines.append(Line("category", row["id"], title, "published", claimed, note))
                continue
            slug = kb_slug(title)
            if not slug:
                raise ImportFailure(f"{CATEGORIES} id {row['id']}: the name {row['name']!r} has no "
                                    "letters or digits to make a category id from",
                                    "give the category a name in WHMCS", label)
            parent = self.cat_map.get(row["parentid"]) if row["parentid"] else None
            if slug in self.kb.categories:  # the same subject: one category, both addresses
                editor.add_category_legacy(slug, [row["id"]], [old_url])
                self.cat_map[row["id"]] = slug
                self.plan.lines.append(Line("category", row["id"], title, "published", slug, note))
                continue
            new_id = _unique(slug, row["id"], self.taken)
            self.taken.add(new_id)
            fields: dict[str, Any] = {"id": new_id}
            if parent:
                fields["parent"] = parent
            fields |= {"title": title, "description": description or f"Articles about {title}.",
                       "legacy_ids": [row["id"]], "legacy_urls": [old_url]}
            editor.append_category(fields)
            self.parent[new_id] = parent
            self.cat_map[row["id"]] = new_id
            self.plan.lines.append(Line("category", row["id"], title, "published", new_id, note))
        if editor.changed:
            self.plan.files.append(Planned(path, editor.text(), owned=False))
            self.plan.imported_files.add(path)

    def _parents_first(self, rows: list[Row], by_id: dict[int, Row]) -> list[Row]:
        out: list[Row] = []
        done: set[int] = set()
        for row in rows:
            chain: list[Row] = []
            current: Row | None = row
            while current is not None and current["id"] not in done:
                if current in chain:
                    raise ImportFailure(f"the parents of category {row['id']} form a loop",
                                        "fix parentid in tblknowledgebasecats", self.source.label)
                chain.append(current)
                parent_id = current["parentid"]
                if parent_id and parent_id not in by_id:
                    raise ImportFailure(
                        f"category {current['id']} '{clean_text(current['name'])}' has the parent "
                        f"{parent_id}, which is not in {CATEGORIES}",
                        "set its parent in WHMCS, or dump the whole table", self.source.label)
                current = by_id.get(parent_id) if parent_id else None
            for item in reversed(chain):
                done.add(item["id"])
                out.append(item)
        return out

    def _top(self, category_id: str) -> str:
        current = category_id
        while self.parent.get(current):
            current = str(self.parent[current])
        return current

    def _category_uri(self, category_id: str) -> str:
        if category_id in self.kb.categories:
            return category_uri(self.kb, category_id)
        chain = [category_id]
        while self.parent.get(chain[0]):
            chain.insert(0, str(self.parent[chain[0]]))
        return "/".join(chain) + "/index.md"

    # -------------------------------------------------------------- articles

    def articles_first_pass(self) -> None:
        label = self.source.label
        rows = self.source.tables[ARTICLES]
        _check_unique_ids(rows, ARTICLES, label)
        by_id = {r["id"]: r for r in rows}
        all_categories = {r["id"] for r in self.source.tables[CATEGORIES]}
        links: dict[int, list[int]] = defaultdict(list)
        for link in self.source.tables[LINKS]:
            if link["articleid"] not in by_id:
                self.plan.skipped.append(f"{LINKS} row (category {link['categoryid']}, article "
                                         f"{link['articleid']}): no such article")
                continue
            if link["categoryid"] not in all_categories:
                row = by_id[link["articleid"]]
                raise ImportFailure(
                    f"article {row['id']} '{clean_text(row['title'])}' is linked to category "
                    f"{link['categoryid']}, which is not in {CATEGORIES}",
                    f"move the article to a category in WHMCS, or delete that row of {LINKS}", label)
            links[link["articleid"]].append(link["categoryid"])
        matcher = Matcher(self.kb)
        for row in rows:
            self._first_pass(row, by_id, links, matcher)

    def _first_pass(self, row: Row, by_id: dict[int, Row], links: dict[int, list[int]],
                    matcher: Matcher) -> None:
        title = clean_text(row["title"])
        whmcs_id = row["id"]
        if row["parentid"] and row["language"].strip():
            self._keep_translation("article", row, row["parentid"], row["title"],
                                   {"article": row["article"]})
            if row["parentid"] not in by_id:
                self.plan.notes.append(f"translation {whmcs_id} is of article {row['parentid']}, "
                                       "which is not in the source")
            return

        def skip(outcome: str, why: str) -> None:
            self.plan.lines.append(Line("article", whmcs_id, title, outcome, "", why))
            self.plan.skipped.append(f"article {whmcs_id} '{title}': {outcome} ({why})")

        if _truthy(row["private"]):
            return skip("not published", "private: WHMCS shows it only to logged-in clients")
        in_categories = sorted(links.get(whmcs_id, []))
        if not in_categories:
            return skip("not imported", "in no category, so WHMCS lists it nowhere")
        published = [c for c in in_categories if c in self.cat_map]
        if not published:
            return skip("not published", "only in hidden categories")
        category = self.cat_map[published[0]]
        if len(published) > 1:
            others = ", ".join(self.cat_map[c] for c in published[1:])
            self.plan.notes.append(f"article {whmcs_id} '{title}' is in several categories: placed in "
                                   f"'{category}' (also in {others})")
        old_url = f"/knowledgebase/{whmcs_id}/{whmcs_slug(row['title'])}.html"
        owner = self.entry_claims.get(whmcs_id)
        ours = owner is not None and self._is_our_import(owner, whmcs_id)
        if owner is not None and not ours:
            self.article_pages[whmcs_id] = entry_uri(self.kb, self.kb.entries[owner])
            # The page has the old id; give it the exact old address too, which the
            # index.php?rp= form needs (its slug is the old title's).
            ids, urls = self.entry_legacy[owner]
            ids.append(whmcs_id)
            urls.append(old_url)
            verdict = matcher.verdict(title)
            if verdict.duplicate is not None and verdict.duplicate.entry_id == owner:
                # Said the same way as on the run that gave the id away: a second run's
                # report is the first one's.
                self.plan.lines.append(Line("article", whmcs_id, title, "duplicate",
                                            self.kb.sources.get(owner, owner), verdict.duplicate.reason))
                self._keep_duplicate(row, title)
            else:
                self.plan.lines.append(Line("article", whmcs_id, title, "already there",
                                            self.kb.sources.get(owner, owner),
                                            "its old id is already claimed there"))
            return
        if convert(row["article"], lambda href: href).text_length == 0:
            return skip("not imported", "its HTML holds no text")
        if owner is None and not self.options.keep_duplicates:
            verdict = matcher.verdict(title)
            if verdict.duplicate is not None:
                target = verdict.duplicate.entry_id
                ids, urls = self.entry_legacy[target]
                ids.append(whmcs_id)
                urls.append(old_url)
                self.article_pages[whmcs_id] = entry_uri(self.kb, self.kb.entries[target])
                self.plan.lines.append(Line("article", whmcs_id, title, "duplicate",
                                            self.kb.sources.get(target, target), verdict.duplicate.reason))
                self._keep_duplicate(row, title)
                return
            if verdict.maybe:
                self.plan.notes.append(f"article {whmcs_id} '{title}' might be about the same as "
                                       f"{', '.join(verdict.maybe)}; imported as its own article")
        if ours:
            assert owner is not None
            new_id, path = owner, self.kb.sources[owner]
        else:
            slug = kb_slug(title)
            if not slug:
                raise ImportFailure(f"{ARTICLES} id {whmcs_id}: the title {row['title']!r} has no "
                                    "letters or digits to make an id from",
                                    "give the article a title in WHMCS", self.source.label)
            new_id = _unique(slug, whmcs_id, self.taken)
            path = f"{self.data}/articles/{new_id}.yml"
        self.taken.add(new_id)
        uri = f"{self._top(category)}/{new_id}.md"
        self.article_pages[whmcs_id] = uri
        self.articles.append(_Article(row, new_id, title, category, uri, path))

    def _is_our_import(self, entry_id: str, whmcs_id: int) -> bool:
        source = self.kb.sources.get(entry_id, "")
        if not source.startswith(f"{self.data}/articles/"):
            return False
        text = (self.kb.root / source).read_text(encoding="utf-8")
        match = MARKER.search(text)
        return match is not None and int(match.group(1)) == whmcs_id

    def articles_second_pass(self) -> None:
        # Every page is known now: links between old articles can lead to the new ones.
        self.links = OldAddresses(
            dict(self.article_pages),
            {old: self._category_uri(new) for old, new in self.cat_map.items()},
            self.options.whmcs_url)
        tags: dict[int, list[str]] = defaultdict(list)
        for row in self.source.tables[TAGS]:
            tags[row["articleid"]].append(row["tag"])
        for article in self.articles:
            text = self._article_file(article, tags[article.row["id"]])
            self.plan.files.append(Planned(article.path, text))
            self.plan.imported_files.add(article.path)
            self.plan.lines.append(Line("article", article.row["id"], article.title, "published",
                                        article.path))
        for target, (ids, urls) in sorted(self.entry_legacy.items()):
            path = self.kb.sources[target]
            editor = Editor(path, (self.kb.root / path).read_text(encoding="utf-8"), "old article ids")
            if editor.add_entry_legacy(ids, urls):
                self.plan.files.append(Planned(path, editor.text(), owned=False))
                self.plan.imported_files.add(path)

    def _article_file(self, article: _Article, raw_tags: list[str]) -> str:
        row = article.row
        converted = convert(row["article"], functools.partial(self.links.rewrite, from_uri=article.uri))
        shown = article.path
        for picture in converted.pictures:
            self.plan.pictures.append((shown, picture.src, picture.alt))
        for name in sorted(set(converted.removed)):
            self.plan.notes.append(f"{shown}: removed <{name}> ({converted.removed.count(name)}×) "
                                   "from the HTML, with its content")
        if converted.flattened:
            self.plan.warn(f"{shown}: WHMCS article {row['id']}'s HTML nests more than {MAX_DEPTH} "
                           f"elements deep; {converted.flattened} element(s) below that were kept as "
                           "plain text (their lists, tables and formatting are lost): check the text")
        for repair in converted.repairs:
            self.plan.notes.append(f"{shown}: the HTML was broken ({repair}); check the converted text")
        for href in converted.dropped_links:
            self.plan.notes.append(f"{shown}: a link to {href!r} is kept as text only"
                                   + ("" if self.options.whmcs_url or href.startswith(("#", "javascript"))
                                      else " (give --whmcs-url to keep links into the old site)"))
        tag_ids: list[str] = []
        for tag in raw_tags:
            slug = kb_slug(clean_text(tag))
            if not slug:
                self.plan.skipped.append(f"tag {tag!r} of article {row['id']}: no letters or digits")
            elif slug not in tag_ids:
                tag_ids.append(slug)
        data: dict[str, Any] = {
            "id": article.id,
            "title": article.title,
            "summary": clean_text(converted.summary) or article.title,
            "category": article.category,
            "order": max(0, row["order"]),
        }
        if tag_ids:
            data["tags"] = Flow(tag_ids)
        data["legacy"] = {"ids": Flow([row["id"]]),
                          "urls": Flow([f"/knowledgebase/{row['id']}/{whmcs_slug(row['title'])}.html"])}
        data["history"] = {"views": max(0, row["views"]), "useful": max(0, row["useful"]),
                           "votes": max(0, row["votes"])}
        data["body"] = [{"type": "text", **({"heading": heading} if heading else {}), "markdown": text}
                        for heading, text in converted.sections]
        up = "../" * (self.data.count("/") + 2)
        header = [f"yaml-language-server: $schema={up}schemas/article.schema.json",
                  f"Imported from WHMCS article {row['id']} by `kbgen import whmcs`. Once you edit it,",
                  "a later import leaves this file as it is (unless run with --force)."]
        return dump(data, header)

    def _keep_duplicate(self, row: Row, title: str) -> None:
        converted = convert(row["article"], lambda href: href)
        path = f"{self.options.out_dir}/duplicates/{row['id']}.md"
        text = f"# {title}\n\n<!-- WHMCS article {row['id']}, not published: see import-report.md -->\n\n"
        self.plan.files.append(Planned(path, text + converted.markdown))

    def _keep_translation(self, kind: str, row: Row, of: int, title: str, extra: dict[str, str]) -> None:
        language = kb_slug(row["language"]) or "unknown"
        path = f"{self.options.out_dir}/translations/{language}/{kind}-{row['id']}.yml"
        data = {"whmcs_id": row["id"], "translation_of": of, "language": row["language"],
                "title": title, **extra}
        header = [f"WHMCS {kind} {row['id']}: the {row['language']} translation of {kind} {of}.",
                  "Kept as it was for the day the help center is multilingual; kbgen does not read it."]
        self.plan.files.append(Planned(path, dump(data, header)))
        self.plan.translations += 1
        self.plan.lines.append(Line(kind, row["id"], clean_text(title), "translation kept", path,
                                    f"{row['language']} translation of {kind} {of}"))


def build_plan(source: Source, kb: KB, options: Options) -> Plan:
    """Every file the import wants and every line of its report (nothing is written)."""
    planner = _Planner(source, kb, options)
    for message in source.warnings:
        planner.plan.warn(f"{source.label}: {message}")
    planner.categories()
    planner.articles_first_pass()
    planner.articles_second_pass()
    planner.plan.lines.sort(key=lambda line: (line.kind != "category", line.whmcs_id))
    return planner.plan
