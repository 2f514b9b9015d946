"""An in-process MkDocs build that keeps its state, so a data change re-renders only what it affects.

The preview server (``kbgen serve``) builds the site once with this builder and
keeps MkDocs' objects (config, files, nav, pages, the theme's environment) in
memory. When files under ``data/`` change, ``update`` reloads the data through
the kbgen plugin, gives MkDocs the new Markdown of the pages whose Markdown
changed, and renders again only the pages whose template inputs changed: their
content, title and metadata, the nav entries their sidebar shows, their
previous and next pages, and what the kbgen plugin adds to their context (Also
Read, dates, the edit link…). The search index, the 404 page and the files for
Netlify and mail apps are written again from the whole site, the sitemap when a
page's address or date changed. A change anywhere else (mkdocs.yml, docs/,
overrides/) or one that changes the structure of the site (a page added, removed
or moved, a category changed) rebuilds everything, in process. A data file the
watcher reports again unchanged (same mtime, size and inode) starts no load.

The result is the site a clean ``mkdocs build`` writes, byte for byte
(tests/adapters/test_sitebuilder.py checks it after each kind of change). The full build
mirrors ``mkdocs.commands.build.build`` of MkDocs 1.6.1, the last 1.x release,
and uses its page functions; ``mkdocs serve --dirty`` is no substitute, as it
leaves the nav and the search index of the other pages stale.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateNotFound, TemplateSyntaxError, nodes
from mkdocs import utils
from mkdocs.commands.build import _build_extra_template, _build_page, _build_theme_template, _populate_page
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files, InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import Navigation, Section, get_navigation
from mkdocs.structure.pages import Page

from ..data.data_folder import unchanged
from ..hosting.netlify import is_preview
from .plugin import KbgenPlugin

log = logging.getLogger("mkdocs.plugins.kbgen")

INCLUSION = InclusionLevel.is_included  # as `mkdocs build`: no drafts


@dataclass
class Result:
    """What one build or update did."""

    seconds: float
    full: bool
    rendered: list[str] = field(default_factory=list)  # pages rendered (site paths)
    error: str = ""  # the data has errors: the site was left as it was


class BuildError(Exception):
    """The site could not be built (MkDocs or a plugin failed)."""


class SiteBuilder:
    """Builds ``config_file``'s site into ``site_dir`` and keeps it up to date."""

    def __init__(self, config_file: Path, site_dir: Path) -> None:
        self.config_file = config_file.resolve()
        self.root = self.config_file.parent
        self.site_dir = site_dir.resolve()
        self._state: _State | None = None

    # ---------------------------------------------------------------- public

    def build(self) -> Result:
        """A full build, in process."""
        start = time.perf_counter()
        gc.unfreeze()  # the last build's objects (see below) can be collected again
        config = load_config(str(self.config_file), site_dir=str(self.site_dir))
        config.plugins.on_startup(command="serve", dirty=False)
        try:
            self._state = state = _State.full_build(config)
        except Exception as err:  # MkDocs and plugins raise many kinds; report, keep serving
            raise BuildError(str(err) or type(err).__name__) from err
        # The site's objects live as long as the preview: moved out of the cyclic garbage
        # collector's way, so that a collection during an update does not walk millions of
        # them (most of a second at 10,000 pages). Freed as usual when nothing refers to them.
        gc.collect()
        gc.freeze()
        return Result(time.perf_counter() - start, True, [p.file.dest_uri for p in state.pages()])

    def update(self, changed: Iterable[Path]) -> Result:
        """Bring the site up to date after ``changed`` files changed."""
        state = self._state
        data_dir = (self.root / state.kbgen.config.data_dir).resolve() if state else None
        paths = [Path(p).resolve() for p in changed]
        if (state is None or data_dir is None or not state.kbgen.config.cache
                or not all(p.is_relative_to(data_dir) for p in paths)):
            return self.build()
        start = time.perf_counter()
        cache = state.kbgen.file_cache
        if cache is not None and all(unchanged(cache, str(p)) for p in paths):
            return Result(time.perf_counter() - start, False, [])  # the same files as last time
        try:
            outcome = state.data_changed()
        except Exception as err:
            raise BuildError(str(err) or type(err).__name__) from err
        if outcome is None:  # the structure changed: build it all again
            return self.build()
        if isinstance(outcome, str):
            return Result(time.perf_counter() - start, False, [], outcome)
        return Result(time.perf_counter() - start, False, outcome)


    def limits(self) -> list[str]:
        """What this project's templates read that page-by-page updates do not follow."""
        return unmodelled_inputs(self._state.config) if self._state is not None else []

    def differences(self) -> list[str]:
        """The files of the site that differ from a clean build's, built into a temporary
        folder beside it: what ``kbgen serve --verify`` checks after each update."""
        with tempfile.TemporaryDirectory(prefix="kbgen-verify-") as clean:
            SiteBuilder(self.config_file, Path(clean)).build()
            ours, theirs = _site_files(self.site_dir), _site_files(Path(clean))
        return sorted(name for name in ours.keys() | theirs.keys() if ours.get(name) != theirs.get(name))


def _site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _digest(*parts: object) -> bytes:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass
class _State:
    """MkDocs' objects of the last build, and what each page was rendered from."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: Any
    kbgen: KbgenPlugin
    search: Any  # Material's search plugin, if enabled
    content: dict[str, str] = field(default_factory=dict)  # src_uri -> HTML before page_context
    inputs: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # src_uri -> template inputs
    entries: dict[str, list[Any]] = field(default_factory=dict)  # src_uri -> search entries
    # src_uri -> digest of its content: hashed when it is rendered to HTML, not on each update
    content_digests: dict[str, bytes] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # the theme's HTML templates' source
    readers_of: dict[str, set[str] | None] = field(default_factory=dict)  # see readers()
    contexts: dict[str, tuple[Any, bytes]] = field(default_factory=dict)  # see page_context()
    # The site's pages, as MkDocs lists them for each page it renders: the files do not
    # change until the next full build, and listing 10,000 of them took 10 ms a page.
    doc_files: list[Any] = field(default_factory=list)
    sitemap: tuple[Any, ...] | None = None  # what the sitemap was last written from
    sitemap_keys: dict[str, bool] = field(default_factory=dict)  # meta keys it names
    sitemap_source: str | None = None

    @classmethod
    def full_build(cls, config: MkDocsConfig) -> _State:
        # mkdocs.commands.build.build() of MkDocs 1.6.1, step by step.
        config = config.plugins.on_config(config)
        kbgen = next((p for p in config.plugins.values() if isinstance(p, KbgenPlugin)), None)
        if kbgen is None:
            raise BuildError("the kbgen plugin is not in mkdocs.yml")
        if kbgen.data_error is not None:
            raise BuildError("the data has errors")
        config.plugins.on_pre_build(config=config)
        utils.clean_directory(config.site_dir)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        search = next((p for name, p in config.plugins.items() if name.endswith("search")), None)
        state = cls(config, files, nav, env, kbgen, search)
        state.doc_files = list(files.documentation_pages(inclusion=INCLUSION))
        for page in state.pages(create=True):
            state.populate(page)
        state.env = config.plugins.on_env(env, config=config, files=files)
        files.copy_static_files(inclusion=INCLUSION)
        state.templates()
        sections, shared, common = state.sections(), state.shared(), state.reader_inputs()
        for page in state.pages():
            state.render(page, state.fingerprint(page, sections, shared, common))
        state.check_anchors(state.pages())
        config.plugins.on_post_build(config=config)
        return state

    # ------------------------------------------------------------- pieces

    def pages(self, create: bool = False) -> list[Page]:
        out = []
        for file in self.doc_files:
            if file.page is None and create and file.inclusion.is_not_in_nav():
                Page(None, file, self.config)
            assert file.page is not None
            out.append(file.page)
        return out

    def populate(self, page: Page) -> None:
        _populate_page(page, self.config, self.files)
        assert page.content is not None
        self.content[page.file.src_uri] = page.content
        self.content_digests[page.file.src_uri] = _digest(page.content)

    def templates(self) -> None:
        sitemap = self.sitemap_inputs()
        for template in self.config.theme.static_templates:
            if template == "sitemap.xml" and sitemap == self.sitemap:
                continue  # the same pages at the same addresses with the same dates
            _build_theme_template(template, self.env, self.files, self.config, self.nav)
        self.sitemap = sitemap
        for template in self.config.extra_templates:
            _build_extra_template(template, self.files, self.config, self.nav)

    def render(self, page: Page, inputs: tuple[Any, ...]) -> None:
        uri = page.file.src_uri
        self.inputs[uri] = inputs
        entries = self.search.search_index.entries if self.search else []
        before = len(entries)
        _build_page(page, self.config, self.doc_files, self.nav, self.env)
        self.entries[uri] = entries[before:]

    def sitemap_inputs(self) -> tuple[Any, ...]:
        """What a sitemap template reads of the pages (overrides/sitemap.xml, MkDocs' own
        and its .gz copy, whose timestamp is the newest page date): rendered again only
        when one changes. Everything else it reads (the config, the page list) changes
        only with a full build. Of the meta, only the keys the template names
        (``robots`` in kbgen's): a title edit changes its page's meta, not the sitemap."""
        if self.sitemap_source is None:  # once per build
            try:
                self.sitemap_source = str(self.env.loader.get_source(self.env, "sitemap.xml")[0])
            except TemplateNotFound:
                self.sitemap_source = ""
        source, named = self.sitemap_source, self.sitemap_keys

        def read(meta: Mapping[str, Any]) -> str:
            keys = [k for k in meta if named.setdefault(k, k in source)]
            return repr([(k, meta[k]) for k in keys])

        return tuple((p.canonical_url, p.abs_url, p.update_date, p.is_link, read(p.meta))
                     for p in self.pages())

    def check_anchors(self, pages: Iterable[Page]) -> None:
        level = self.config.validation.links.anchors
        for page in pages:
            page.validate_anchor_links(files=self.files, log_level=level)

    # -------------------------------------------------------- fingerprints

    def sections(self) -> dict[int, bytes]:
        """A digest of what each nav level shows of its items (titles, links, icons)."""

        def shown(items: list[Any]) -> bytes:
            return _digest([(type(i).__name__, i.title, getattr(i, "url", None),
                             _nav_meta(i)) for i in items])

        out = {id(self.nav): shown(self.nav.items)}
        stack = list(self.nav.items)
        while stack:
            item = stack.pop()
            if isinstance(item, Section):
                out[id(item)] = shown(item.children)
                stack.extend(item.children)
        return out

    def shared(self) -> dict[str, bytes]:
        """A digest of each value the kbgen plugin sets for every template (the support
        block, the feedback form, the thank-you page's links back to each article),
        whatever it is. Made once per update: the links back list every article."""
        return {k: _digest(repr(v)) for k, v in sorted(self.env.globals.items())
                if k.startswith("kbgen_")}

    def readers(self, name: str) -> set[str] | None:
        """The page templates that can read the global ``name``, or None: any page can.

        A global mentioned only in page templates (``template:`` in a page's meta) that no
        other template names (extends, includes) is read by the pages using those
        templates alone: the thank-you page's links to every article, whose titles would
        otherwise render every page again when one title changes. Anything else, a
        partial for instance, may be read by every page. Templates only change with a full
        build, so this is worked out once per build.
        """
        if name not in self.readers_of:
            sources = self.template_sources()
            mention = {t for t, text in sources.items() if name in text}
            named = {t for t in mention for other, text in sources.items()
                     if other != t and t in text}
            self.readers_of[name] = mention if mention and not named else None
        return self.readers_of[name]

    def template_sources(self) -> dict[str, str]:
        if not self.sources:
            loader = self.env.loader
            for name in loader.list_templates():
                if name.endswith(".html"):
                    self.sources[name] = loader.get_source(self.env, name)[0]
        return self.sources

    def reader_inputs(self) -> bytes:
        """What every article's kbgen context is made of besides its own entries (see
        ``page_context``): made once per update."""
        kbgen = self.kbgen
        reader, kb = kbgen.reader, kbgen.kb
        if reader is None or kb is None:
            return b""
        return _digest(repr(reader.feedback), reader.site_url, repr(kb.provider),
                       repr(list(kb.categories.values())), is_preview())

    def page_context(self, page: Page, common: bytes) -> bytes:
        """A digest of what the kbgen plugin adds to a page (Also Read, dates, edit link…).

        Asking the plugin for 10,000 pages' contexts took a second per update, so an
        article's is reused while what the Reader makes it from is the same: its entry,
        its Also Read entries and their addresses, its date, its address, and what all
        articles share (``reader_inputs``). Entries are compared as objects: an
        unchanged file's entries are the same objects from one load to the next.
        """
        kbgen, uri = self.kbgen, page.file.src_uri
        reader, generated = kbgen.reader, kbgen.pages.get(uri)
        key: tuple[Any, ...] | None = None
        if reader is not None and generated is not None and generated.entry_id:
            eid, entries = generated.entry_id, reader.kb.entries
            key = (common, generated.source, entries.get(eid), page.url, page.canonical_url,
                   reader.updated.get(eid),
                   [(r, entries.get(r), reader.url_of(r)) for r in reader.related.get(eid, [])])
            known = self.contexts.get(uri)
            if known is not None and known[0] == key:
                return known[1]
        context = kbgen.on_page_context({}, page=page, config=self.config,  # type: ignore[typeddict-item]
                                        nav=self.nav)
        extra = context.get("kbgen") if isinstance(context, dict) else None
        digest = _digest(extra, page.edit_url)
        if key is not None:
            self.contexts[uri] = (key, digest)
        return digest

    def fingerprint(self, page: Page, sections: dict[int, bytes], shared: dict[str, bytes],
                    common: bytes) -> tuple[Any, ...]:
        """Everything page templates read that can change with the data, as digests and
        immutable values: compared with the last one as it is, not hashed (10,000 pages'
        worth of hashing took half a second per update).

        The sidebar of a page shows the items of the top level, of every top-level
        section (navigation.sections) and of every section the page is in; other
        sections appear as their own title only. Over-counting costs a render,
        never a stale page.
        """
        levels = [sections[id(self.nav)]]
        levels += [sections[id(s)] for s in self.nav.items if isinstance(s, Section)]
        parent = page.parent
        while parent is not None:
            levels.append(sections[id(parent)])
            parent = parent.parent
        near = [(p.title, p.url) if p is not None else None
                for p in (page.previous_page, page.next_page)]
        extra = self.page_context(page, common)
        template = page.meta.get("template", "main.html")  # as mkdocs' _build_page
        read = [(k, v) for k, v in shared.items()
                if (found := self.readers(k)) is None or template in found]
        return (self.content_digests[page.file.src_uri], page.title, repr(page.meta), page.url,
                page.edit_url, getattr(page, "update_date", None), tuple(levels), tuple(near),
                extra, tuple(read))

    # --------------------------------------------------------------- update

    def data_changed(self) -> list[str] | str | None:
        """Reload the data and render what changed: the pages rendered, the data's errors
        (nothing changed), or None when the site's structure changed (build it all)."""
        kbgen, config = self.kbgen, self.config
        old_nav, old_uris, old_identity = config.nav, set(kbgen.pages), dict(kbgen.identity)
        kbgen.on_config(config)
        if kbgen.data_error is not None:
            return "the data has errors; the preview shows the last good version"
        # Every page shows the site's name and footer: a new one is a new site.
        if config.nav != old_nav or set(kbgen.pages) != old_uris or kbgen.identity != old_identity:
            return None
        changed: list[Page] = []
        for uri, generated in kbgen.pages.items():
            file = self.files.get_file_from_path(uri)
            if file is None or file.page is None:
                return None
            if file.content_string != generated.markdown:
                file.content_string = generated.markdown
                changed.append(file.page)
        for page in changed:
            self.populate(page)
        self.env = config.plugins.on_env(self.env, config=config, files=self.files)
        sections, shared, common = self.sections(), self.shared(), self.reader_inputs()
        todo: list[tuple[Page, tuple[Any, ...]]] = []
        for page in self.pages():
            inputs = self.fingerprint(page, sections, shared, common)
            if inputs != self.inputs.get(page.file.src_uri):
                todo.append((page, inputs))
        self.templates()  # sitemap, 404: cheap, and they list every page
        for page, inputs in todo:
            # Material's search strips its attributes from the content it indexed:
            # start again from the content as MkDocs rendered it.
            page.content = self.content[page.file.src_uri]
            self.render(page, inputs)
        self.check_anchors(page for page, _ in todo)
        if self.search is not None:
            self.search.search_index.entries = [e for page in self.pages()
                                                for e in self.entries.get(page.file.src_uri, [])]
        config.plugins.on_post_build(config=config)
        return [page.file.dest_uri for page, _ in todo]


def _nav_meta(item: Any) -> tuple[Any, ...]:
    meta = getattr(item, "meta", None) or {}
    return tuple(meta.get(k) for k in ("icon", "subtitle", "status"))



# What a page template can read that an update's fingerprints (``_State.fingerprint``) do
# not follow: a page renders again when its own inputs change, not when another page does.
UNMODELLED = {
    "pages": "every page of the site",
    "build_date_utc": "the time of the build",
}
NOT_PAGES = {"sitemap.xml", "404.html"}  # written again from every page on each update


def unmodelled_inputs(config: MkDocsConfig) -> list[str]:
    """The project's theme templates (``custom_dir``) that read what page-by-page updates
    do not follow, each as "overrides/x.html reads pages (every page of the site)"."""
    custom = config.theme.custom_dir
    if not custom or not Path(custom).is_dir():
        return []
    env = config.theme.get_env()
    root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
    found = []
    for path in sorted(Path(custom).rglob("*.html")):
        name = path.relative_to(custom).as_posix()
        if name in NOT_PAGES:
            continue
        try:
            tree = env.parse(path.read_text(encoding="utf-8"))
        except (TemplateSyntaxError, OSError, UnicodeDecodeError):
            continue  # the build itself reports a broken template
        names = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
        shown = path.resolve().relative_to(root).as_posix() if path.resolve().is_relative_to(root) \
            else str(path)
        found += [f"{shown} reads {var} ({what})" for var, what in UNMODELLED.items() if var in names]
    return found
