"""kbgen's rendering done in a worker process while MkDocs works on the pages before.

A full ``mkdocs build`` reads each page's Markdown in turn, converts it and
moves on, then renders each page's HTML in the same order. kbgen used to render
all its Markdown up front, on the one core MkDocs uses. Here a forked worker
renders the pages in the order MkDocs will ask for them and sends each one as it
is done; MkDocs reads a page from the worker when it gets to it
(``StreamedFile``), by which time it is usually waiting. After the Markdown the
worker sends what the plugin's ``_work`` makes next (the articles' dates, then
each article page's parts, page_parts.py), again in MkDocs' order. The result is
the same as in process (tests/adapters/test_render_process.py).

Anything that fails in the worker is done again in process, so the author sees
exactly the error a render in process raises.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from . import workers


class RenderFailed(Exception):
    """The worker stopped before sending every page."""


# What the worker yields, in order: ("page", uri, Markdown) for every page, then
# ("summary", "", value) once, then ("extra", uri, value) for pages that have more.
# MkDocs reads every page's Markdown before it builds any page, and builds them in
# the same order: sending the extras last, in that order, lets the pipe hold back a
# worker that gets ahead, so they never pile up in memory.
Item = tuple[str, str, Any]


class RenderProcess:
    """Pages' Markdown, a summary and per-page extras from a forked worker running ``render``."""

    def __init__(self, render: Callable[[], Iterator[Item]]) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe(duplex=False)
        _widen(child)
        self._process = context.Process(target=_work, args=(render, child), daemon=True,
                                        name="kbgen-render")
        workers.start(self._process)
        child.close()
        self._got: dict[tuple[str, str], Any] = {}
        self._done = False
        self.error = ""  # what the worker reported, if it failed

    def markdown(self, uri: str) -> str:
        """The page's Markdown (each page is handed out once: MkDocs keeps it from then on)."""
        found = self._take("page", uri)
        if found is _MISSING:
            raise RenderFailed(self.error or f"the render worker sent no page {uri}")
        assert isinstance(found, str)
        return found

    def summary(self) -> Any:
        """What the worker sent after the last page's Markdown (None if it failed)."""
        found = self._take("summary", "")
        return None if found is _MISSING else found

    def extra(self, uri: str) -> Any:
        """What the worker made for the page besides its Markdown (None if nothing or failed)."""
        found = self._take("extra", uri)
        return None if found is _MISSING else found

    def _take(self, kind: str, key: str) -> Any:
        while (kind, key) not in self._got:
            if self._done:
                return _MISSING
            self._receive()
        return self._got.pop((kind, key))

    def _receive(self) -> None:
        try:
            kind, key, value = self._conn.recv()
        except (EOFError, OSError):
            self._finish(f"the render worker ended early (exit code {self._process.exitcode})")
            return
        if kind == "done":
            self._finish("")
        elif kind == "error":
            self._finish(value)
        else:
            self._got[(kind, key)] = value

    def _finish(self, error: str) -> None:
        self._done = True
        self.error = error
        self._conn.close()
        self._process.join(timeout=10)

    def stop(self) -> None:
        if not self._done:
            self._done = True
            self._process.terminate()
            self._process.join(timeout=10)
            self._conn.close()


_MISSING = object()
PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged process


def _widen(conn: Connection) -> None:
    """Let the worker run up to a megabyte ahead (about a hundred pages) instead of the
    pipe's default 64 KB: a worker the system schedules late then rarely keeps MkDocs
    waiting. Where the system has no such setting, the default stays."""
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


def _work(render: Callable[[], Iterator[Item]], conn: Connection) -> None:
    try:
        for item in render():
            conn.send(item)
        conn.send(("done", "", None))
    except BrokenPipeError:
        return  # the build stopped
    except Exception as err:  # done again in process, where it is raised as usual
        conn.send(("error", "", f"{type(err).__name__}: {err}"))
    finally:
        conn.close()


class StreamedFile(File):
    """A generated page whose Markdown arrives from a ``RenderProcess`` when MkDocs reads it."""

    _fallback: Callable[[], str]

    @classmethod
    def streamed(cls, config: MkDocsConfig, uri: str, source: RenderProcess,
                 fallback: Callable[[], str]) -> StreamedFile:
        file = cls.generated(config, uri, content="")
        assert isinstance(file, StreamedFile)
        file._content = None
        file._source = source
        file._fallback = fallback
        return file

    @property
    def content_string(self) -> str:
        if self._content is None:
            try:
                self._content = self._source.markdown(self.src_uri)
            except RenderFailed:
                self._content = self._fallback()  # raises what a render in process raises
        assert isinstance(self._content, str)
        return self._content

    @content_string.setter
    def content_string(self, value: str) -> None:
        self._content = value
        self.abs_src_path = None

    @property
    def content_bytes(self) -> bytes:
        return self.content_string.encode("utf-8")

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        self._content = value
        self.abs_src_path = None

    _source: Any
