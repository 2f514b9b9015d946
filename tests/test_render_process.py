"""The pages' Markdown rendered in a forked worker is the Markdown a render in process
gives, page for page, in any order it is asked for; a failing or dead worker leaves
the error, or the page, to the render in process."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import jinja2
import pytest
from mkdocs.config import load_config

from kbgen.adapters.render_process import RenderProcess, StreamedFile
from kbgen.content.render import Renderer, environment, render_pages
from kbgen.data.load import load_kb

from .conftest import ROOT, copy_provider, provider_names

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _worker(renderer: Renderer) -> RenderProcess:
    plan = renderer.plan()
    return RenderProcess(lambda: ((p.src_uri, renderer.markdown(p)) for p in plan))


@pytest.mark.parametrize("name", provider_names())
def test_the_worker_sends_what_a_render_in_process_gives(name: str, tmp_path: Path) -> None:
    kb = load_kb(copy_provider(name, tmp_path), "data")
    expected = {p.src_uri: p.markdown for p in render_pages(kb)}
    worker = _worker(Renderer(kb, environment()))
    # MkDocs asks in its own order; backwards is the hardest case for the stream.
    got = {uri: worker.markdown(uri) for uri in reversed(list(expected))}
    assert got == expected


def _streamed(renderer: Renderer, worker: RenderProcess) -> list[StreamedFile]:
    config = load_config(str(ROOT / "mkdocs.yml"))
    config.plugins._current_plugin = "kbgen"  # as while MkDocs runs the plugin's on_files
    return [StreamedFile.streamed(config, page.src_uri, worker,
                                  functools.partial(renderer.markdown, page))
            for page in renderer.plan()]


def test_a_template_error_in_the_worker_is_raised_as_in_process(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "home.md.j2").write_text("{{ no_such_value }}\n")
    renderer = Renderer(load_kb(ROOT, "data"), environment(overrides))
    home = next(f for f in _streamed(renderer, _worker(renderer)) if f.src_uri == "index.md")
    with pytest.raises(jinja2.UndefinedError, match="'no_such_value' is undefined"):
        home.content_string  # noqa: B018


def test_pages_are_rendered_in_process_when_the_worker_dies(tmp_path: Path) -> None:
    kb = load_kb(ROOT, "data")
    expected = {p.src_uri: p.markdown for p in render_pages(kb)}
    renderer = Renderer(kb, environment())
    worker = _worker(renderer)
    worker._process.kill()
    files = _streamed(renderer, worker)
    assert {f.src_uri: f.content_string for f in files} == expected
