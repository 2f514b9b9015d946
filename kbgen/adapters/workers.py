"""When a full build may hand work to forked worker processes (the CSP guard, the render)."""

from __future__ import annotations

import gc
import os
import threading
from multiprocessing.process import BaseProcess


def unavailable() -> str:
    """Why forked workers cannot be used here, or "" when they can: a second core to run
    on, and a process that is safe to fork (one with a single thread). A preview server
    and test runners with threads get the in-process path, which gives the same site."""
    if not hasattr(os, "fork"):
        return "this system cannot fork"
    if (os.cpu_count() or 1) < 2:
        return "there is one core"
    if threading.active_count() > 1:
        return "other threads are running"
    return ""


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
