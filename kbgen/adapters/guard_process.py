"""The CSP guard in a second process, so that checking pages costs a build almost no time.

MkDocs renders pages one after the other on one core; parsing each finished
page for the guard (kbgen/hosting/guard.py) added about a tenth to a build.
Here the plugin hands each page to a worker process as it is written and goes
on with the next one; the worker parses and checks it on the other core, and
at the end of the build hands back what it found, page by page, exactly as the
guard would have in process (tests/site/test_guard_process.py).

The worker is forked: it starts at once, shares the parent's memory until
either writes, and needs nothing pickled but the pages and the results. A fork
is only safe from a process with one thread; anywhere else (a preview server,
a test runner with threads) and on a one-core machine the guard simply runs in
process, which gives the same result.
"""

from __future__ import annotations

import multiprocessing
import queue
from multiprocessing.connection import Connection
from typing import Any

from ..hosting.guard import Guard, ScriptPolicy
from . import workers

_DONE = None  # sent after the last page
QUEUED_PAGES = 64  # pages handed over and not checked yet, at most (a few MB)


class GuardFailed(Exception):
    """The worker could not check the pages (it died, or the guard raised)."""


class GuardProcess:
    """``Guard.check`` in a worker process; ``finish`` returns the guard with every result."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        context = multiprocessing.get_context("fork")
        # Pages go through a queue, whose thread writes them to the worker: a page
        # (50 KB) is bigger than a pipe's buffer, and writing it straight to the pipe
        # would wait for the worker to finish the page before. The queue is bounded: a
        # worker the system runs late holds MkDocs back rather than let the pages it has
        # not checked yet pile up in memory (670 MB at 10,000 pages on a busy machine).
        self._pages: multiprocessing.Queue[tuple[str, str] | None] = context.Queue(QUEUED_PAGES)
        self._conn, child = context.Pipe(duplex=False)  # the results, at the end
        self._process = context.Process(target=_work, args=(guard, self._pages, child), daemon=True,
                                        name="kbgen-csp-guard")
        workers.start(self._process)
        child.close()
        self._finished = False

    def check(self, page: str, text: str) -> None:
        self._put((page, text))

    def _put(self, item: tuple[str, str] | None) -> None:
        # A full queue waits for the worker, as long as there is one to wait for.
        while True:
            if not self._process.is_alive():
                self._pages.cancel_join_thread()
                raise GuardFailed(self._why())
            try:
                self._pages.put(item, timeout=1)
                return
            except queue.Full:
                continue

    def finish(self) -> Guard:
        """Wait for the worker's results, merge them into the guard, and stop the worker."""
        if self._finished:
            return self.guard
        self._finished = True
        try:
            self._put(_DONE)
            self._pages.close()
            outcome: tuple[str, Any] = self._conn.recv()  # EOFError: the worker died
        except (BrokenPipeError, ConnectionResetError, EOFError):
            raise GuardFailed(self._why()) from None
        finally:
            self._conn.close()
            self._process.join(timeout=10)
        kind, value = outcome
        if kind == "error":
            raise GuardFailed(value)
        results: dict[str, ScriptPolicy] = value
        self.guard.results.update(results)
        return self.guard

    def stop(self) -> None:
        """The build failed: end the worker without waiting for its results."""
        if not self._finished:
            self._finished = True
            self._process.terminate()
            self._process.join(timeout=10)
            self._pages.cancel_join_thread()  # pages nobody will read: do not wait to write them
            self._pages.close()
            self._conn.close()

    def _why(self) -> str:
        self._process.join(timeout=10)
        return f"the CSP guard's worker process ended early (exit code {self._process.exitcode})"


def _work(guard: Guard, pages: multiprocessing.Queue[tuple[str, str] | None],
          conn: Connection) -> None:
    try:
        while (message := pages.get()) is not _DONE:
            page, text = message
            guard.check(page, text)
        conn.send(("results", guard.results))
    except Exception as err:  # reported in the parent, which fails the build with it
        conn.send(("error", f"the CSP guard failed: {type(err).__name__}: {err}"))
    finally:
        conn.close()
