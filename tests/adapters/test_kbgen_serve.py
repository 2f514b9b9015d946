"""`kbgen serve`: the production headers, a page updated in place after a save, bad data survived.

A real `kbgen serve` on a free loopback port, on a copy of the project. Every
wait is bounded, and the server is always stopped.
"""

from __future__ import annotations

import re
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kbgen.adapters.preview import headers_for, parse_headers

from ..conftest import copy_project
from .test_serve import REBUILD_TIMEOUT, START_TIMEOUT, Serve, _fetch, _start, _stop, _wait

pytestmark = pytest.mark.slow

ARTICLE = "email/pop-vs-imap/"
TITLE = "What is the difference between POP and IMAP?"


def _kbgen_serve(root: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "kbgen.adapters.cli", "--root", str(root), "serve", "--port", str(port)]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Serve, Path]]:
    root = copy_project(tmp_path / "project")
    server, reader = _start(root, _kbgen_serve)
    try:
        _wait("the first build", lambda: "kbgen serve: http://" in server.output(), START_TIMEOUT, server)
        yield server, root
    finally:
        _stop(server, reader)


def _retitle(root: Path, title: str) -> None:
    source = root / "data" / "articles" / "pop-vs-imap.yml"
    text = source.read_text(encoding="utf-8")
    source.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1), encoding="utf-8")


def test_pages_come_with_the_production_headers(served: tuple[Serve, Path], example_site: Path) -> None:
    server, _root = served
    with urllib.request.urlopen(server.base + ARTICLE, timeout=10) as response:
        body = response.read().decode("utf-8")
        sent = dict(response.headers)
    production = headers_for(parse_headers((example_site / "_headers").read_text(encoding="utf-8")),
                             "/" + ARTICLE)
    assert sent["Content-Security-Policy"] == production["Content-Security-Policy"]
    for name, value in production.items():
        assert sent[name] == value, name
    # The reload script is a file of the site's own origin: the policy lets it run.
    assert body.count('<script src="/.kbgen/reload.js"></script></body>') == 1
    with urllib.request.urlopen(server.base + ".kbgen/reload.js", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/javascript")
        assert b"location.reload()" in response.read()


def test_a_saved_title_reaches_the_page_and_its_lists(served: tuple[Serve, Path]) -> None:
    server, root = served
    mark = server.mark()
    started = time.monotonic()
    _retitle(root, "POP or IMAP, which one?")
    _wait("the updated article", lambda: "POP or IMAP, which one?" in (_fetch(server.base + ARTICLE) or ""),
          REBUILD_TIMEOUT, server)
    took = time.monotonic() - started
    home = _fetch(server.base) or ""
    assert "POP or IMAP, which one?" in home and TITLE not in home
    _wait("the report", lambda: re.search(r"kbgen serve: updated \d+ page\(s\) in [\d.]+ s",
                                          server.output(mark)) is not None, REBUILD_TIMEOUT, server)
    assert took < REBUILD_TIMEOUT


def test_bad_data_keeps_the_last_good_pages_and_says_where(served: tuple[Serve, Path]) -> None:
    server, root = served
    source = root / "data" / "articles" / "pop-vs-imap.yml"
    good = source.read_text(encoding="utf-8")
    mark = server.mark()
    source.write_text(good + "colour: blue\n", encoding="utf-8")
    line = len(good.splitlines()) + 1
    _wait("the error", lambda: "kbgen serve: the data has errors" in server.output(mark),
          REBUILD_TIMEOUT, server)
    printed = server.output(mark)
    assert f"data/articles/pop-vs-imap.yml:{line}:1: colour: unknown field 'colour'" in printed
    assert "Traceback" not in printed
    assert TITLE in (_fetch(server.base + ARTICLE) or "")
    source.write_text(good.replace(TITLE, "Fixed, POP or IMAP", 1), encoding="utf-8")
    _wait("the fixed page", lambda: "Fixed, POP or IMAP" in (_fetch(server.base + ARTICLE) or ""),
          REBUILD_TIMEOUT, server)


def _title(page: Any) -> str:
    try:
        return str(page.title())
    except Exception:  # the page is between two documents
        return ""


@pytest.mark.browser
def test_the_open_page_reloads_itself_under_the_policy(served: tuple[Serve, Path], browser: Any) -> None:
    from ..site.test_csp_browser import WATCH, Watched

    server, root = served
    context = browser.new_context()
    context.add_init_script(WATCH)
    try:
        watched = Watched(context.new_page())
        watched.page.goto(server.base + ARTICLE)
        assert TITLE in watched.page.title()
        watched.page.wait_for_timeout(300)  # the reload script has asked for the version
        _retitle(root, "POP or IMAP, reloaded")
        # Polled from here: wait_for_function evaluates a string, which the policy forbids.
        deadline = time.monotonic() + REBUILD_TIMEOUT
        while "POP or IMAP, reloaded" not in _title(watched.page):
            assert time.monotonic() < deadline, "the page did not reload with the new title"
            watched.page.wait_for_timeout(100)
        watched.page.wait_for_load_state()
        watched.assert_clean()  # no CSP violation, no script error, after the reload too
    finally:
        context.close()


def test_a_saved_provider_name_reaches_every_page(served: tuple[Serve, Path]) -> None:
    # The name is kbgen's, not mkdocs.yml's: the preview must not mistake its own value
    # for a second source (it did, and the page never updated until a restart).
    server, root = served
    provider = root / "data" / "provider.yml"
    text = provider.read_text(encoding="utf-8")
    provider.write_text(re.sub(r"(?m)^name: .*$", "name: Renamed Mail", text, count=1), encoding="utf-8")
    _wait("the renamed site", lambda: "Renamed Mail" in (_fetch(server.base + ARTICLE) or ""),
          REBUILD_TIMEOUT, server)
    assert "mkdocs.yml sets" not in server.output()
    assert "Renamed Mail" in (_fetch(server.base) or "")


def test_verify_checks_each_update_against_a_clean_build(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    server, reader = _start(root, lambda r, port: [*_kbgen_serve(r, port), "--verify"])
    try:
        _wait("the first build", lambda: "kbgen serve: http://" in server.output(), START_TIMEOUT, server)
        assert "warning:" not in server.output()  # the example's templates are all followed
        mark = server.mark()
        _retitle(root, "POP or IMAP, which one?")
        _wait("the check", lambda: "kbgen serve --verify:" in server.output(mark), 2 * REBUILD_TIMEOUT,
              server)
        assert "kbgen serve --verify: the update matches a clean build" in server.output(mark)
    finally:
        _stop(server, reader)
