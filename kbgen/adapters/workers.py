"""When a full build may hand work to forked worker processes (the CSP guard, the render)."""

from __future__ import annotations

import gc
import os
import threading
from multiprocessing.process import BaseProcess


def possible() -> bool:
    """A second core to run on, and a process that is safe to fork: one with a single
    thread. A preview server and test runners with threads get the in-process path,
    which gives the same site; so does ``KBGEN_WORKERS=0`` in the environment."""
    return (os.environ.get("KBGEN_WORKERS", "1") != "0" and hasattr(os, "fork")
            and (os.cpu_count() or 1) > 1 and threading.active_count() == 1)


def start(process: BaseProcess) -> None:
    """Fork ``process`` with the parent's objects frozen for the child's garbage collector.

    A forked child shares the parent's memory until one of them writes to it, and a
    collection that walks every object writes to all of them (their headers): the
    child would copy the whole build's memory, page by page, for nothing."""
    gc.freeze()
    try:
        process.start()
    finally:
        gc.unfreeze()
