"""`mkdocs serve` with data that turns bad: keep the last good site, print the errors, recover.

A real `mkdocs serve` on a free loopback port, on a copy of the project. Every
wait is bounded, and the server is always stopped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kbgen.content.render import render_pages
from kbgen.data.data_folder import load_kb

from ..conftest import copy_project

START_TIMEOUT = 120.0
REBUILD_TIMEOUT = 60.0
ARTICLE = "server-settings"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body: bytes = response.read()
            return body.decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None


def _wait(what: str, condition: Callable[[], bool], timeout: float, server: Serve) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if server.process.poll() is not None:
            pytest.fail(f"mkdocs serve exited ({server.process.returncode}) while waiting for "
                        f"{what}:\n{server.output()}")
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}:\n{server.output()}")


@dataclass
class Serve:
    process: subprocess.Popen[str]
    base: str
    lines: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.lock:
                self.lines.append(line)

    def output(self, since: int = 0) -> str:
        with self.lock:
            return "".join(self.lines[since:])

    def mark(self) -> int:
        with self.lock:
            return len(self.lines)


def _mkdocs_serve(root: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "mkdocs", "serve", "-f", str(root / "mkdocs.yml"),
            "--dev-addr", f"127.0.0.1:{port}"]


def _start(root: Path, command: Callable[[Path, int], list[str]] = _mkdocs_serve
           ) -> tuple[Serve, threading.Thread]:
    """A preview server (``command(root, port)``) on a free port, its output collected."""
    port = _free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command(root, port),
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    server = Serve(process, f"http://127.0.0.1:{port}/")
    reader = threading.Thread(target=server.pump, daemon=True)
    reader.start()
    return server, reader


def _stop(server: Serve, reader: threading.Thread) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)
    reader.join(timeout=5)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Serve, Path]]:
    root = copy_project(tmp_path / "project")
    server, reader = _start(root)
    try:
        _wait("the first build", lambda: _fetch(server.base) is not None, START_TIMEOUT, server)
        yield server, root
    finally:
        _stop(server, reader)


def _article_url(root: Path) -> str:
    kb = load_kb(root)
    page = next(p for p in render_pages(kb) if p.entry_id == ARTICLE)
    return page.src_uri.removesuffix(".md").removesuffix("index") + "/"


@pytest.mark.slow
def test_serve_keeps_the_last_good_site_while_the_data_is_broken(
        served: tuple[Serve, Path]) -> None:
    server, root = served
    url = server.base + _article_url(root).lstrip("/")
    source = root / "data" / "articles" / f"{ARTICLE}.yml"
    good = source.read_text(encoding="utf-8")
    assert "\ntitle: Email server settings\n" in good
    first = _fetch(url)
    assert first is not None and "Email server settings" in first

    # Break it: a new title and a misspelt key in the same save.
    mark = server.mark()
    broken = good.replace("\ntitle: Email server settings\n", "\ntitle: Broken server settings\n")
    broken += "colour: blue\n"
    source.write_text(broken, encoding="utf-8")
    line = len(broken.splitlines())
    where = f"data/articles/{ARTICLE}.yml:{line}:1: colour: unknown field 'colour'"
    _wait("the rebuild to report the error",
          lambda: "the preview keeps showing the last good version" in server.output(mark),
          REBUILD_TIMEOUT, server)
    printed = server.output(mark)
    assert where in printed
    assert "Traceback" not in printed
    # "Reloading browsers" too: MkDocs drops a "Documentation built in N seconds" line that
    # repeats an earlier one word for word (its DuplicateFilter), as when two builds take as long.
    _wait("the rebuild to finish", lambda: "Documentation built" in server.output(mark)
          or "Reloading browsers" in server.output(mark), REBUILD_TIMEOUT, server)
    still = _fetch(url)
    assert still is not None, "the page must still be served"
    assert "Email server settings" in still and "Broken server settings" not in still

    # Fix it with another title: the new page is served.
    mark = server.mark()
    source.write_text(good.replace("\ntitle: Email server settings\n",
                                   "\ntitle: Mail server settings, fixed\n"), encoding="utf-8")
    _wait("the fixed page",
          lambda: "Mail server settings, fixed" in (_fetch(url) or ""), REBUILD_TIMEOUT, server)
    assert "Traceback" not in server.output()
    assert "unknown field" not in server.output(mark)


@pytest.mark.slow
def test_serve_with_broken_data_from_the_start_says_why_and_stops(tmp_path: Path) -> None:
    # No good version to fall back on: stop with the errors, not a traceback or an empty site.
    root = copy_project(tmp_path / "project")
    provider = root / "data" / "provider.yml"
    provider.write_text(provider.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    line = len(provider.read_text(encoding="utf-8").splitlines())
    server, reader = _start(root)
    try:
        server.process.wait(timeout=START_TIMEOUT)
        reader.join(timeout=5)
    except subprocess.TimeoutExpired:
        pytest.fail(f"mkdocs serve kept running on broken data:\n{server.output()}")
    finally:
        _stop(server, reader)
    assert server.process.returncode != 0
    output = server.output()
    assert f"data/provider.yml:{line}:1: colour: unknown field 'colour'" in output
    assert "Traceback" not in output
