"""PageCache: after a data change, the pages are exactly what a fresh render gives, and only
the pages whose data changed were rendered again."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.content.incremental import PageCache
from kbgen.content.render import render_pages
from kbgen.data.data_folder import load_kb

from ..conftest import copy_project, edit


def _markdown(pages: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {p.src_uri: p.markdown for p in pages}


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def test_nothing_changed_nothing_rendered(root: Path) -> None:
    cache = PageCache()
    first = cache.render(load_kb(root))
    assert len(cache.rendered) == len(first)
    again = cache.render(load_kb(root))
    assert cache.rendered == [] and _markdown(again) == _markdown(first)


@pytest.mark.parametrize("file, pattern, new, rendered", [
    # A step only its own guide shows.
    ("data/clients/thunderbird.yml", r"Open the account setup$", "Open the account setup screen",
     {"email/thunderbird.md"}),
    # A title: its page, and the lists that show it (home, its category).
    ("data/articles/pop-vs-imap.yml", r"^title: .*$", "title: POP or IMAP, which one?",
     {"email/pop-vs-imap.md", "index.md", "email/protocols/index.md"}),
])
def test_only_the_pages_that_read_the_change_are_rendered(
        root: Path, file: str, pattern: str, new: str, rendered: set[str]) -> None:
    cache = PageCache()
    cache.render(load_kb(root))
    edit(root / file, pattern, new, pattern=True)
    kb = load_kb(root)
    pages = cache.render(kb)
    assert _markdown(pages) == _markdown(render_pages(kb))
    assert rendered <= set(cache.rendered), cache.rendered
    # Client guides link the POP/IMAP article by id only, never by title: not rendered again.
    assert "email/outlook-2013.md" not in cache.rendered


def test_shared_data_renders_every_page(root: Path) -> None:
    cache = PageCache()
    cache.render(load_kb(root))
    edit(root / "data/provider.yml", r"host: mail\.example\.com", "host: imap.example.com", pattern=True)
    kb = load_kb(root)
    pages = cache.render(kb)
    assert _markdown(pages) == _markdown(render_pages(kb))
    assert len(cache.rendered) == len(pages)


def test_a_replacement_guide_follows_the_title_of_its_replacement(root: Path) -> None:
    """A guide that names another entry (deprecated: replacement) read it by id."""
    cache = PageCache()
    kb = load_kb(root)
    cache.render(kb)
    deprecated = [e for e in kb.entries.values() if getattr(e, "deprecated", None)
                  and e.deprecated.replacement]
    assert deprecated, "the example data has no deprecated guide with a replacement"
    target = deprecated[0].deprecated.replacement
    edit(root / kb.sources[target], r"^title: .*$", "title: A new title for the replacement", pattern=True)
    kb = load_kb(root)
    pages = cache.render(kb)
    assert _markdown(pages) == _markdown(render_pages(kb))
    assert any(uri.endswith(f"{deprecated[0].id}.md") for uri in cache.rendered)


def test_a_shared_partial_that_reads_an_entry_is_noted_on_every_page_using_it(root: Path) -> None:
    """The ports table is rendered once and reused; an override that shows an entry's
    title there makes every page with a ports table depend on that entry."""
    overrides = root / "overrides" / "kbgen"
    (overrides / "blocks").mkdir(parents=True, exist_ok=True)
    (overrides / "blocks" / "ports.md.j2").write_text(
        'SEE ALSO {{ kb.entries["thunderbird"].title }}\n', encoding="utf-8")
    cache = PageCache()
    first = cache.render(load_kb(root), overrides)
    using = {uri for uri, text in _markdown(first).items() if "SEE ALSO" in text}
    assert len(using) >= 2, using
    edit(root / "data/clients/thunderbird.yml", r"^title: .*$", "title: Thunderbird, renamed", pattern=True)
    kb = load_kb(root)
    pages = cache.render(kb, overrides)
    assert _markdown(pages) == _markdown(render_pages(kb, overrides))
    assert using <= set(cache.rendered), cache.rendered
