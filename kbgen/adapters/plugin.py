"""The MkDocs adapter: MkDocs events only, all real work lives in pure modules."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..content.incremental import PageCache
from ..content.reader import DateMemo, Reader, feedback_view, page_dates, support_view, url_lookup
from ..content.render import GeneratedPage, Renderer, category_links, environment, render_pages
from ..content.text import markdown_escapes
from ..data import facts
from ..data.data_folder import FileCache, load_kb
from ..data.errors import DataError, Severity, format_text
from ..data.kb import KB
from ..data.urls import OG_IMAGE_PATH, category_uri, edit_url
from ..data.yaml_reader import PARSER_NOTE
from ..hosting.guard import Guard
from ..hosting.netlify import NetlifyFilesError, is_preview, new_guard, write_netlify_files
from ..hosting.robots import write_robots
from ..mailapps.autoconfig import settings_url, write_machine_files
from ..mailapps.autodiscover import write_function
from . import a11y, memory_release, workers
from .guard_process import GuardFailed, GuardProcess
from .page_parts import LazyParts, PageParts, canonical_url
from .plugin_config import KbgenConfig
from .render_process import Item, RenderProcess, StreamedFile
from .sidebar import page_nav

log = logging.getLogger("mkdocs.plugins.kbgen")
GIVE_BACK_EVERY = 500  # pages written between returns of their freed memory to the system


class KbgenPlugin(BasePlugin[KbgenConfig]):
    """Loads data/, adds one generated page per article, category and the home page."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.kb: KB | None = None
        self.reader: Reader | None = None
        self.pages: dict[str, GeneratedPage] = {}
        self.root = Path.cwd()
        self.serving = False
        self.guard: Guard | None = None
        self.guard_process: GuardProcess | None = None  # a full build: the guard on another core
        self.render_process: RenderProcess | None = None  # a full build: the Markdown, likewise
        self.renderer: Renderer | None = None
        self.parts: PageParts | None = None  # kbgen's additions to article pages (page_parts.py)
        self._files: Files | None = None
        self._also_read = True  # whether self.reader has Also Read (not when a worker has it)
        self._html: dict[str, bytes] = {}  # a full build: pages' HTML until they are built
        self._written = 0  # a full build: generated pages written so far
        self.data_error: DataError | None = None  # the last load's, while the last good KB is kept
        self.file_cache: FileCache | None = None  # serving: files read once until they change
        self.page_cache: PageCache | None = None  # serving: pages rendered again when their data changes
        self.date_memo: DateMemo | None = None  # serving: git's dates until the next commit
        # Serving: the files for mail apps last written, and the site's files then (see on_post_build).
        self._listing: tuple[list[str], list[str]] | None = None
        # The site name, address and footer kbgen last put into the config: `kbgen serve`
        # hands the same config back after a data change, and they are not mkdocs.yml's.
        self.identity: dict[str, str] = {}
        self.forking = False  # this build's work is shared with forked workers (concurrency: 2)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup makes MkDocs keep this object across `mkdocs serve`
        # rebuilds, so a rebuild with broken data can fall back to the last good KB.
        self.serving = command == "serve"
        keep = self.serving and self.config.cache
        self.file_cache = FileCache() if keep else None
        self.page_cache = PageCache() if keep else None
        self.date_memo = DateMemo() if keep else None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        if PARSER_NOTE:
            log.info(f"kbgen: {PARSER_NOTE}")
        try:
            kb = load_kb(root, self.config.data_dir, self.file_cache)
        except DataError as err:
            if self.serving and self.kb is not None and self.kb.root == root:
                self.data_error = err
                return self._keep_last_good(config, err)
            raise PluginError("kbgen: the data has errors:\n" + format_text(err.problems)) from None
        self.root = root
        self.identity = _set_identity(config, kb, serving=self.serving, ours=self.identity)
        self.data_error = None
        if not self.serving:
            # Where every value stands, for messages about bad data: of no use once the data
            # is valid, and at 10,000 files more than 100 MiB held for the whole build.
            kb.documents.clear()
        for problem in kb.warnings:
            # Warnings are logged at WARNING so that `mkdocs build --strict` fails on them.
            log.warning(str(problem))
        self.kb = kb
        templates = self.root / self.config.templates_dir
        # Plain text is escaped for the Markdown MkDocs will run: mkdocs.yml's extensions.
        escapes = markdown_escapes(config.markdown_extensions, config.mdx_configs)
        self._stop_render_process()
        self.renderer = None
        self.forking = forking = self._workers()
        if self.page_cache is not None:
            pages = self.page_cache.render(kb, templates, escapes)
        elif forking:
            # The Markdown, and the parts kbgen adds to article pages, are rendered on the
            # other core as MkDocs reads and builds the pages (on_files, on_page_context).
            self.renderer = renderer = Renderer(kb, environment(templates, escapes))
            pages = renderer.plan()  # addresses and titles only: what the nav needs now
            self.render_process = RenderProcess(functools.partial(self._work, config, kb, pages))
        else:
            pages = render_pages(kb, templates, escapes)
        self.pages = {p.src_uri: p for p in pages}
        config.nav = self._nav(kb)
        return config

    def _workers(self) -> bool:
        """Whether this build hands work to forked workers (the ``concurrency`` option)."""
        if self.config.concurrency < 2:
            return False
        why = workers.unavailable()
        if why and not self.serving:
            log.info(f"kbgen: concurrency {self.config.concurrency} asked for, but {why}: "
                     "building in one process (the same site)")
        return not why

    def _keep_last_good(self, config: MkDocsConfig, err: DataError) -> MkDocsConfig:
        """Preview only: serve the last good pages and print what is wrong, never a blank page."""
        assert self.kb is not None
        self.identity = _set_identity(config, self.kb, serving=True, ours=self.identity)
        for problem in err.problems:
            if problem.severity is Severity.WARNING:
                log.warning(str(problem))
            else:
                log.error(str(problem))
        log.error("kbgen: the data has errors; the preview keeps showing the last good version "
                  "until they are fixed (`kbgen validate` lists them too)")
        config.nav = self._nav(self.kb)
        return config

    def _nav(self, kb: KB) -> list[Any]:
        """A nav nested by category, so Material can prune it (see DESIGN.md)."""

        uri_of = {p.entry_id: uri for uri, p in self.pages.items() if p.entry_id}

        def section(cat_id: str) -> dict[str, Any]:
            cat = kb.categories[cat_id]
            items: list[Any] = [category_uri(kb, cat_id)]
            items += [section(child.id) for child in kb.children(cat_id)]
            items += [uri_of[entry.id] for entry in kb.listed(cat_id)]
            return {_nav_title(cat.title): items}

        # "Home", not the page's heading: the drawer already shows the site name above it.
        return [{"Home": "index.md"}, *(section(top.id) for top in kb.children(None))]

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return files
        for uri, page in self.pages.items():
            existing = files.get_file_from_path(uri)
            if existing is not None and not existing.generated_by:
                raise PluginError(f"kbgen: docs/{uri} clashes with a generated page; "
                                  "rename or remove the hand-written file")
            if self.render_process is not None and self.renderer is not None:
                files.append(StreamedFile.streamed(config, uri, self.render_process,
                                                   functools.partial(self.renderer.markdown, page)))
            else:
                files.append(File.generated(config, uri, content=page.markdown))
        if files.get_file_from_path(OG_IMAGE_PATH) is None:  # the project's own picture wins
            files.append(File.generated(config, OG_IMAGE_PATH,
                                        content=(Path(__file__).parent / "assets/og-image.png").read_bytes()))
        if not self.serving:
            # MkDocs holds the Markdown from here on (the File's content, then the Page's); a
            # second reference would keep each page's text alive for the whole build.
            self.pages = {uri: replace(page, markdown="") for uri, page in self.pages.items()}
        return files

    def _work(self, config: MkDocsConfig, kb: KB, pages: list[GeneratedPage]) -> Iterator[Item]:
        """What the render worker does (render_process.py): each page's Markdown, the
        articles' dates, then each article page's reader values and parts, in build order."""
        assert self.renderer is not None
        for page in pages:
            yield "page", page.src_uri, self.renderer.markdown(page)
        urls = {p.src_uri: _page_url(config, p.src_uri) for p in pages}
        ids = {p.entry_id: p.src_uri for p in pages if p.entry_id}
        reader = Reader.build(kb, url_lookup(ids, urls.get), feedback_view(self.config.feedback),
                              config.site_url or kb.provider.site_url)
        yield "summary", "", reader.updated
        env = config.theme.get_env()
        _set_globals(env, reader, kb)
        parts = PageParts(env, config)
        for page in pages:
            if page.entry_id is not None:
                url = urls[page.src_uri]
                canonical = canonical_url(config.site_url, url)
                values = reader.page_context(page.entry_id, canonical, url)
                yield "extra", page.src_uri, (url, canonical, values, parts.render(values, url))

    def rendered(self) -> dict[str, str]:
        """Every generated page's Markdown by URI (for the benchmark's plain-Material copy)."""
        if self.renderer is not None:
            return {uri: self.renderer.markdown(page) for uri, page in self.pages.items()}
        return {uri: page.markdown for uri, page in self.pages.items()}

    # After every other plugin: the page's Markdown is of no further use once it is HTML.
    @event_priority(-100)
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str | None:
        if not self.serving and page.file.src_uri in self.pages:
            # Nothing reads a page's Markdown after this in a one-off build (neither MkDocs'
            # page rendering nor Material's templates or search), and at 10,000 pages the
            # generated text, held twice (the File's and the Page's), is the largest thing
            # kept to the end of the build. The preview keeps it: it compares it on edits.
            page.file.content_string = ""
            page.markdown = ""
            # MkDocs converts every page before it builds any, so all the HTML is held at
            # once: the largest thing in the build (140 MiB at 10,000 articles). Python keeps
            # a page's text at two bytes a character (it has characters beyond Latin-1), its
            # UTF-8 at about one; on_page_context gives the page its HTML back. Nothing reads
            # it in between: MkDocs' other steps read a page's title, address and anchors.
            self._html[page.file.src_uri] = html.encode("utf-8", "surrogatepass")
            return ""
        return html

    @event_priority(50)
    def on_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                        nav: Any) -> TemplateContext | None:
        held = self._html.pop(page.file.src_uri, None)
        if held is not None:  # first of all: Material's search, for one, reads it next
            page.content = held.decode("utf-8", "surrogatepass")
        if self.config.enabled:
            # The sidebar holds the path to the page and its own section, not the whole site.
            context["nav"] = page_nav(nav, page)
        generated = self.pages.get(page.file.src_uri)
        if generated is None or self.kb is None:
            return context
        # "Edit this page" opens the YAML the article comes from, not a Markdown file. It leads
        # authors to the repository, so it is shown on Netlify's deploy previews and branch
        # deploys, where a pull request is reviewed, and never to customers. A local preview
        # leaves it out: the author has the file open already, and `kbgen serve` must write
        # exactly what a build writes.
        page.edit_url = edit_url(self.kb.provider, generated.source) if is_preview() else None
        values: dict[str, Any] = {"entry_id": generated.entry_id, "source": generated.source}
        made = (self.render_process.extra(page.file.src_uri)
                if self.render_process is not None and generated.entry_id else None)
        if made is not None and made[:2] == (page.url, page.canonical_url):
            values.update(made[2], parts=made[3])  # the worker's, for this very address
        elif self.reader is not None and self.parts is not None:
            if generated.entry_id and not self._also_read and self._files is not None:
                # The worker failed: Also Read here after all.
                self.reader = self._reader(config, self._files, also_read=True)
            found = self.reader.page_context(generated.entry_id, page.canonical_url, page.url)
            values.update(found, parts=LazyParts(self.parts, found, page.url))
        context["kbgen"] = values  # type: ignore[typeddict-unknown-key]
        return context

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        # Once per build, when every page's URL is known: Also Read, dates, feedback form.
        if self.kb is not None:
            self._files = files
            # With a render worker, it has Also Read and the dates already.
            self._also_read = self.render_process is None
            self.reader = self._reader(config, files, also_read=self._also_read)
            # The sitemap's lastmod: each article's own date, not the day of the build.
            dates = page_dates(self.kb, self.reader.updated)
            for file in files.documentation_pages():
                if file.page is not None and file.src_uri in dates and file.src_uri in self.pages:
                    file.page.update_date = dates[file.src_uri].isoformat()
            _set_globals(env, self.reader, self.kb)
            self.parts = PageParts(env, config)
        return env

    def _reader(self, config: MkDocsConfig, files: Files, *, also_read: bool) -> Reader:
        assert self.kb is not None
        ids = {p.entry_id: uri for uri, p in self.pages.items() if p.entry_id}

        by_uri = files.src_uris  # not get_file_from_path: it parses each URI as a path

        def found(uri: str) -> str | None:
            file = by_uri.get(uri)
            return file.url if file is not None else None

        updated = self.render_process.summary() if self.render_process is not None else None
        self._also_read = also_read
        return Reader.build(self.kb, url_lookup(ids, found), feedback_view(self.config.feedback),
                            config.site_url or self.kb.provider.site_url, also_read=also_read,
                            updated=updated, dates=self.date_memo)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.config.enabled:
            server.watch(str(self.root / self.config.data_dir))
            templates = self.root / self.config.templates_dir
            if templates.is_dir():
                server.watch(str(templates))
        return server

    def on_template_context(self, context: TemplateContext, *, template_name: str,
                            config: MkDocsConfig) -> TemplateContext | None:
        if template_name == "404.html" and self.config.enabled and context.get("nav"):
            context["nav"] = page_nav(context["nav"], None)  # the top level only, as on the home page
        if template_name == "404.html" and self.kb is not None:
            # overrides/404.html lists the categories; links are absolute (any depth 404s).
            context["kbgen_categories"] = category_links(self.kb, site_base(config))  # type: ignore[typeddict-unknown-key]
        return context

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        # One CSP guard per build: it sees each page once, as MkDocs writes it.
        self.guard = new_guard(self._post_to()) if self.config.enabled else None
        self._listing = None  # a full build writes the site from scratch
        self._html.clear()
        self._written = 0
        self._stop_guard_process()
        if self.guard is not None and not self.serving and self.forking:
            self.guard_process = GuardProcess(self.guard)
            log.debug("kbgen: the CSP guard checks pages in a second process")

    def _check(self, page: str, text: str) -> None:
        if self.guard_process is not None:
            try:
                self.guard_process.check(page, text)
            except GuardFailed as err:
                raise PluginError(f"kbgen: {err}") from None
        elif self.guard is not None:
            self.guard.check(page, text)

    def _stop_guard_process(self) -> None:
        if self.guard_process is not None:
            self.guard_process.stop()
            self.guard_process = None

    def _stop_render_process(self) -> None:
        if self.render_process is not None:
            self.render_process.stop()
            self.render_process = None

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_guard_process()
        self._stop_render_process()

    # Last of all plugins: the guard must see the HTML exactly as it is written.
    @event_priority(-100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        output = a11y.repair(output)
        self._check(page.file.dest_uri, output)
        if not self.serving and page.file.src_uri in self.pages:
            # Written: nothing reads the page's HTML again (MkDocs' anchor check reads the
            # anchors it noted, Material's search indexed the page before its template ran),
            # and the search index made at the end of the build needs the room.
            page.content = ""
            self._written += 1
            if self._written % GIVE_BACK_EVERY == 0:
                memory_release.give_back()
        return output

    @event_priority(-100)
    def on_post_template(self, output_content: str, *, template_name: str,
                         config: MkDocsConfig) -> str | None:
        if not template_name.endswith(".html"):
            return output_content
        output = a11y.repair(output_content)
        self._check(template_name, output)  # 404.html: written under its own name
        return output

    def _post_to(self) -> str:
        feedback = self.config.feedback
        return feedback.endpoint if feedback.enabled else ""

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._stop_render_process()  # every page has been read by now
        if self.guard_process is not None:
            try:
                self.guard_process.finish()
            except GuardFailed as err:
                raise PluginError(f"kbgen: {err}") from None
            finally:
                self.guard_process = None
        if self.kb is None:
            return
        # The published address, also under `mkdocs serve` (whose site_url is the local server).
        site_url = self.kb.provider.site_url
        site_dir = Path(config.site_dir)
        machine = write_machine_files(self.kb, site_dir, settings_url(self.kb, site_url))
        listing = None
        if self._listing is not None:
            # The preview's update since a full build: MkDocs wrote the same pages again,
            # so only the mail apps' files can differ (no shared Apple profile once hosts
            # are written as mail.{domain}, for one). Those written last time and not now
            # go, as a clean build would not have them; while the list is the same, so
            # are the site's files, and the walk of the site (10,000 folders) is saved.
            before, known = self._listing
            for gone in set(before) - set(machine):
                (site_dir / gone).unlink(missing_ok=True)
            listing = known if before == machine else None
        write_function(self.kb, self.root)  # Outlook Autodiscover, deployed by Netlify
        write_robots(site_dir, site_url, preview=is_preview())
        try:
            files = write_netlify_files(self.kb, site_dir, site_base(config),
                                        post_to=self._post_to(), guard=self.guard, listing=listing,
                                        data_dir=self.config.data_dir)
        except NetlifyFilesError as err:
            raise PluginError("kbgen: the built site cannot be published:\n" + str(err)) from None
        if self.serving:
            self._listing = (machine, files)


def _set_globals(env: Any, reader: Reader, kb: KB) -> None:
    """What every template may show: the feedback form, the support block, links back."""
    env.globals["kbgen_feedback"] = reader.feedback
    env.globals["kbgen_support"] = support_view(kb.provider)
    env.globals["kbgen_back_links"] = reader.back_links()


def _page_url(config: MkDocsConfig, uri: str) -> str:
    """The URL MkDocs gives the page at ``uri`` (File.url)."""
    return File(uri, src_dir=None, dest_dir=config.site_dir,
                use_directory_urls=config.use_directory_urls).url


def _set_identity(config: MkDocsConfig, kb: KB, *, serving: bool,
                  ours: dict[str, str]) -> dict[str, str]:
    """The site's name, address and footer come from data/provider.yml, never from mkdocs.yml.

    MkDocs insists on a ``site_name`` line, so mkdocs.yml holds ``site_name: ""``;
    any other value there (or a site_url or copyright) would be a second source
    of the provider's identity, and is refused. A value equal to ``ours`` (what
    this function set last time, in a config the preview reuses) is kbgen's own.
    Material prints these values without escaping them (its autoescape is off):
    they are handed over escaped. Returns what it set.
    """
    provider = kb.provider
    derived = {
        "site_name": escape(facts.site_name(provider)),
        "site_url": provider.site_url if provider.site_url.endswith("/") else provider.site_url + "/",
        "copyright": escape(facts.copyright_line(provider)),
    }
    set_now = {}
    for key, value in derived.items():
        found = config[key]
        if key == "site_url" and serving and found and found != ours.get(key):
            continue  # `mkdocs serve` points site_url at the local server itself
        if found and found != value and found != ours.get(key):
            hint = 'write site_name: "" there' if key == "site_name" else f"remove {key} from it"
            raise PluginError(f"kbgen: mkdocs.yml sets {key} to {found!r}, but the provider's "
                              f"{key.replace('_', ' ')} comes from data/provider.yml only: {hint}")
        config[key] = set_now[key] = value
    return set_now


def _nav_title(title: str) -> str:
    # Material prints nav titles unescaped; titles are plain text.
    return str(escape(title))


def site_base(config: Any) -> str:
    """The path the site is served under, from ``site_url`` (``/`` when unset)."""
    path = urlsplit(config.site_url or "/").path or "/"
    return path if path.endswith("/") else path + "/"
