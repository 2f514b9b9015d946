"""The pages' Markdown rendered in a worker process while MkDocs converts the pages before.

A full ``mkdocs build`` reads each page's Markdown in turn, converts it and
moves on. kbgen used to render all of it up front, on the one core MkDocs
uses. Here a forked worker renders the pages in the order MkDocs will ask for
them and sends each one as it is done; MkDocs reads a page from the worker
when it gets to it (``StreamedFile``), by which time it is usually waiting.
The Markdown is the same a render in process gives (tests/test_render_process.py).

A template that fails in the worker is rendered again in process, so the
author sees exactly the error a render in process raises.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File


class RenderFailed(Exception):
    """The worker stopped before sending every page."""


class RenderProcess:
    """Pages' Markdown, by URI, from a forked worker running ``render`` (which yields them)."""

    def __init__(self, render: Callable[[], Iterator[tuple[str, str]]]) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe(duplex=False)
        self._process = context.Process(target=_work, args=(render, child), daemon=True,
                                        name="kbgen-render")
        self._process.start()
        child.close()
        self._ready: dict[str, str] = {}
        self._done = False
        self.error = ""  # what the worker reported, if it failed

    def markdown(self, uri: str) -> str:
        """The page's Markdown (each page is handed out once: MkDocs keeps it from then on)."""
        while uri not in self._ready:
            if self._done:
                raise RenderFailed(self.error or f"the render worker sent no page {uri}")
            self._receive()
        return self._ready.pop(uri)

    def _receive(self) -> None:
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            self._finish(f"the render worker ended early (exit code {self._process.exitcode})")
            return
        if kind == "page":
            uri, text = value
            self._ready[uri] = text
        else:
            self._finish(value if kind == "error" else "")

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


def _work(render: Callable[[], Iterator[tuple[str, str]]], conn: Connection) -> None:
    try:
        for uri, text in render():
            conn.send(("page", (uri, text)))
        conn.send(("done", None))
    except BrokenPipeError:
        return  # the build stopped
    except Exception as err:  # rendered again in process, where it is raised as usual
        conn.send(("error", f"{type(err).__name__}: {err}"))
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
