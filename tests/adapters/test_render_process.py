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
from kbgen.data.data_folder import load_kb

from ..conftest import ROOT, copy_provider, provider_names

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _worker(renderer: Renderer) -> RenderProcess:
    plan = renderer.plan()
    return RenderProcess(lambda: (("page", p.src_uri, renderer.markdown(p)) for p in plan))


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


@pytest.mark.slow
def test_each_concurrency_writes_the_same_site(tmp_path: Path) -> None:
    """Byte for byte: every page, the search index, the sitemap, _headers and the rest."""
    import subprocess
    import sys

    from ..conftest import copy_project

    root = copy_project(tmp_path / "project")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert "\n  - kbgen\n" in config
    sites = {}
    for concurrency in (2, 1):
        (root / "mkdocs.yml").write_text(
            config.replace("\n  - kbgen\n", f"\n  - kbgen:\n      concurrency: {concurrency}\n"),
            encoding="utf-8")
        site = tmp_path / f"site-{concurrency}"
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--verbose",
                                 "-d", str(site)], cwd=root, capture_output=True, text=True,
                                env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=False)
        assert result.returncode == 0, result.stderr[-2000:]
        two_cores = (os.cpu_count() or 1) > 1
        assert ("CSP guard checks pages in a second process" in result.stderr) == (
            concurrency == 2 and two_cores)
        sites[concurrency] = {p.relative_to(site).as_posix(): p.read_bytes()
                              for p in sorted(site.rglob("*")) if p.is_file()}
    assert sites[1].keys() == sites[2].keys()
    assert [f for f in sites[1] if sites[1][f] != sites[2][f]] == []
    assert any(b'class="kb-also-read' in page for page in sites[1].values())


def test_a_concurrency_kbgen_does_not_have_is_refused(tmp_path: Path) -> None:
    import subprocess
    import sys

    from ..conftest import copy_project

    root = copy_project(tmp_path / "project")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("\n  - kbgen\n", "\n  - kbgen:\n      concurrency: 8\n"),
                                     encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "site")],
                            cwd=root, capture_output=True, text=True, check=False,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode != 0
    assert "concurrency" in result.stderr and "8" in result.stderr


@pytest.mark.slow
def test_a_site_whose_overrides_predate_the_page_parts_still_builds(tmp_path: Path) -> None:
    """A provider's copy of overrides/ from before partials/kbgen/article-*.html: its
    main.html includes the pieces itself, from the reader's values kbgen still gives."""
    import subprocess
    import sys

    from selectolax.lexbor import LexborHTMLParser

    from ..conftest import copy_project

    root = copy_project(tmp_path / "project")
    (root / "overrides" / "main.html").write_bytes(
        (ROOT / "tests" / "fixtures" / "main-before-parts.html").read_bytes())
    for name in ("head", "top", "bottom"):
        (root / "overrides" / "partials" / "kbgen" / f"article-{name}.html").unlink()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site"],
                            cwd=root, capture_output=True, text=True, check=False,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    page = LexborHTMLParser((root / "site" / "email" / "thunderbird" / "index.html").read_text())
    assert page.css_first('meta[property="og:title"]') is not None
    assert page.css_first(".kb-also-read__link") is not None
    assert page.css_first("form.kb-feedback__form") is not None
    assert page.css_first("#kb-support") is not None
