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
import os
import threading
from multiprocessing.connection import Connection
from typing import Any

from ..hosting.guard import Guard, ScriptPolicy

_DONE = None  # sent after the last page


class GuardFailed(Exception):
    """The worker could not check the pages (it died, or the guard raised)."""


class GuardProcess:
    """``Guard.check`` in a worker process; ``finish`` returns the guard with every result."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe(duplex=True)
        self._process = context.Process(target=_work, args=(guard, child), daemon=True,
                                        name="kbgen-csp-guard")
        self._process.start()
        child.close()
        self._finished = False

    @staticmethod
    def possible() -> bool:
        """Whether a worker can help: a second core, and a process safe to fork."""
        return (hasattr(os, "fork") and (os.cpu_count() or 1) > 1
                and threading.active_count() == 1)

    def check(self, page: str, text: str) -> None:
        try:
            self._conn.send((page, text))
        except (BrokenPipeError, ConnectionResetError, EOFError):
            raise GuardFailed(self._why()) from None

    def finish(self) -> Guard:
        """Wait for the worker's results, merge them into the guard, and stop the worker."""
        if self._finished:
            return self.guard
        self._finished = True
        try:
            self._conn.send(_DONE)
            outcome: tuple[str, Any] = self._conn.recv()
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
            self._conn.close()
            self._process.terminate()
            self._process.join(timeout=10)

    def _why(self) -> str:
        self._process.join(timeout=10)
        return f"the CSP guard's worker process ended early (exit code {self._process.exitcode})"


def _work(guard: Guard, conn: Connection) -> None:
    try:
        while (message := conn.recv()) is not _DONE:
            page, text = message
            guard.check(page, text)
        conn.send(("results", guard.results))
    except EOFError:
        return  # the build stopped: nobody is waiting for results
    except Exception as err:  # reported in the parent, which fails the build with it
        conn.send(("error", f"the CSP guard failed: {type(err).__name__}: {err}"))
    finally:
        conn.close()
