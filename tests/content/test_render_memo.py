"""Partials rendered once per build: shared only when nothing they read differs between pages.

The ports table, the settings table and the "your own settings" form are rendered
once for each distinct input and reused; these tests check that a site's override
that reads the page (its ``uri``, its ``entry``) or picks a template at render time
is still rendered for each page, and that sharing changes no page at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from kbgen.content import shared_partials
from kbgen.content.render import Renderer, environment, render_pages
from kbgen.data.data_folder import load_kb
from kbgen.data.model import PortsBlock

from ..conftest import ROOT, copy_provider, provider_names


def _pages(root: Path, overrides: Path | None = None) -> dict[str, str]:
    return {p.src_uri: p.markdown for p in render_pages(load_kb(root, "data"), overrides)}


def _articles_with(pages: dict[str, str], text: str) -> list[str]:
    return [uri for uri, markdown in pages.items() if text in markdown]


def test_a_block_override_that_reads_the_page_is_rendered_for_each_page(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides"
    (overrides / "blocks").mkdir(parents=True)
    (overrides / "blocks" / "ports.md.j2").write_text("PORTS ON {{ uri }} FOR {{ entry.id }}\n")
    pages = _pages(ROOT, overrides)
    shown = _articles_with(pages, "PORTS ON ")
    assert len(shown) >= 2  # the example has several articles with a ports table
    for uri in shown:
        entry_id = uri.rsplit("/", 1)[-1].removesuffix(".md")
        assert f"PORTS ON {uri} FOR {entry_id}\n" in pages[uri]


def test_a_block_override_that_picks_a_template_at_render_time_is_not_shared(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides"
    (overrides / "blocks").mkdir(parents=True)
    (overrides / "blocks" / "ports.md.j2").write_text('{% include "who-" ~ "am-i.j2" %}\n')
    (overrides / "who-am-i.j2").write_text("I AM {{ uri }}\n")
    pages = _pages(ROOT, overrides)
    for uri in _articles_with(pages, "I AM "):
        assert f"I AM {uri}\n" in pages[uri]


def test_which_templates_read_the_page() -> None:
    env = environment()
    assert not shared_partials.reads_page(env, "blocks/ports.md.j2")  # shared: the provider's ports only
    assert not shared_partials.reads_page(env, "blocks/text.md.j2")
    assert shared_partials.reads_page(env, "blocks/settings.md.j2")  # the page's entry decides search
    assert shared_partials.reads_page(env, "blocks/dns-records.md.j2")  # links from this page


def test_equal_blocks_share_a_key_and_different_ones_do_not() -> None:
    a = PortsBlock.model_validate({"type": "ports", "protocols": ["imap", "smtp"]})
    b = PortsBlock.model_validate({"type": "ports", "protocols": ["imap", "smtp"]})
    c = PortsBlock.model_validate({"type": "ports", "protocols": ["imap", "smtp"], "heading": "Ports"})
    assert shared_partials.freeze({"block": a}) == shared_partials.freeze({"block": b})
    assert shared_partials.freeze({"block": a}) != shared_partials.freeze({"block": c})
    assert shared_partials.freeze({"x": [1, 2]}) != shared_partials.freeze({"x": [2, 1]})
    with pytest.raises(TypeError, match="hashable"):
        shared_partials.freeze({"x": object.__new__(type("Unhashable", (), {"__hash__": None}))})


class _Unshared(Renderer):
    """Renders every partial afresh on every page: what sharing must not change."""

    def include(self, name: str, **context: Any) -> Markup:
        return self._partial(name, context)


@pytest.mark.parametrize("name", provider_names())
def test_sharing_changes_no_page(name: str, tmp_path: Path) -> None:
    kb = load_kb(copy_provider(name, tmp_path), "data")
    shared = {p.src_uri: p.markdown for p in render_pages(kb)}
    alone = {p.src_uri: p.markdown for p in _Unshared(kb, environment()).pages()}
    assert shared == alone
    assert any('class="kb-ports' in m for m in shared.values())  # a shared partial was used
