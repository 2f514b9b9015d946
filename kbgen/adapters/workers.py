"""When a full build may hand work to forked worker processes (the CSP guard, the render)."""

from __future__ import annotations

import os
import threading


def possible() -> bool:
    """A second core to run on, and a process that is safe to fork: one with a single
    thread. A preview server and test runners with threads get the in-process path,
    which gives the same site; so does ``KBGEN_WORKERS=0`` in the environment."""
    return (os.environ.get("KBGEN_WORKERS", "1") != "0" and hasattr(os, "fork")
            and (os.cpu_count() or 1) > 1 and threading.active_count() == 1)
