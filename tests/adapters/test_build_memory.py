"""A one-off ``mkdocs build`` lets go of each generated page's text as soon as nothing
needs it any more: at 10,000 articles the pages' Markdown and HTML are most of what a
build holds. ``kbgen serve`` updates pages in place and keeps them. Either way the site
is the same (tests/adapters/test_sitebuilder.py compares the preview's site with a clean build)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from kbgen.adapters import memory_release
from kbgen.adapters.plugin import KbgenPlugin

from ..conftest import copy_project


class _ReadSpy(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """For each page once all are read (none built yet): its HTML and what kbgen holds."""

    def __init__(self, kbgen: KbgenPlugin) -> None:
        self.kbgen = kbgen
        self.read: dict[str, tuple[str, bytes]] = {}

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        for file in files.documentation_pages():
            assert file.page is not None
            held = self.kbgen._html.get(file.src_uri, b"")
            self.read[file.src_uri] = (file.page.content or "", held)
        return env


def _built_pages(root: Path, site: Path,
                 command: Literal["build", "serve"]) -> tuple[KbgenPlugin, dict[str, Page], _ReadSpy]:
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site), strict=True)
    config.plugins.on_startup(command=command, dirty=False)
    plugin = config.plugins["kbgen"]
    assert isinstance(plugin, KbgenPlugin)
    spy = config.plugins["read-spy"] = _ReadSpy(plugin)
    build(config)
    assert plugin._files is not None
    pages = {f.src_uri: f.page for f in plugin._files.documentation_pages() if f.page is not None}
    return plugin, pages, spy


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("memory") / "project")


def test_a_build_keeps_no_generated_page_text_once_written(project: Path, tmp_path: Path) -> None:
    plugin, pages, spy = _built_pages(project, tmp_path / "site", "build")
    read = spy.read
    generated = [uri for uri in pages if uri in plugin.pages]
    # Read and not built yet: the HTML waits as UTF-8, half the size of Python's text of it.
    heading = '<h1 id="what-is-the-difference-between-pop-and-imap">'
    assert read["email/pop-vs-imap.md"][0] == ""
    assert heading.encode() in read["email/pop-vs-imap.md"][1]
    assert 'class="md-button"' in read["thanks.md"][0] and read["thanks.md"][1] == b""
    assert "email/pop-vs-imap.md" in generated and "thanks.md" not in generated
    assert {uri: (pages[uri].markdown, pages[uri].content) for uri in generated} == \
        {uri: ("", "") for uri in generated}
    assert plugin._html == {}  # every page had its HTML back, and let go of it
    # The pages were written with their HTML all the same; hand-written pages are left alone.
    assert heading in (tmp_path / "site" / "email" / "pop-vs-imap" / "index.html").read_text()
    assert 'class="md-button"' in (pages["thanks.md"].content or "")


def test_the_preview_keeps_the_pages_it_updates(project: Path, tmp_path: Path) -> None:
    _, pages, _ = _built_pages(project, tmp_path / "site", "serve")
    page = pages["email/pop-vs-imap.md"]
    assert page.markdown and "[Home](../index.md)" in page.markdown
    assert page.content and '<h1 id="what-is-the-difference-between-pop-and-imap">' in page.content


def _rss_kib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


def test_memory_freed_between_objects_still_held_goes_back_to_the_system() -> None:
    if memory_release._malloc_trim() is None or not Path("/proc/self/status").exists():
        pytest.skip("no glibc malloc_trim here: give_back does nothing")
    # Pages' worth of HTML, each followed by something kept, as in a build: the C heap
    # cannot simply shrink from its end when the pages are freed.
    pages, kept = [], []
    for i in range(6000):
        pages.append(b"p" * 8000 + i.to_bytes(4, "big"))
        kept.append(b"k" * 600 + i.to_bytes(4, "big"))
    del pages
    before = _rss_kib()
    memory_release.give_back()
    assert before - _rss_kib() > 16 * 1024  # of the 47 MiB freed
    assert len(kept) == 6000
