"""Memory a build has let go of, handed back to the system so that the build's peak stays low."""

from __future__ import annotations

import ctypes
import functools
from typing import Any


@functools.cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def give_back() -> None:
    """Return the C heap's wholly free pages to the system; elsewhere than glibc, nothing.

    Python frees a large object (a page's HTML) to the C heap, which keeps the room
    for the C heap's own next allocations; the many small objects the rest of a build
    makes (the search index's entries) come from Python's own arenas instead. So the
    room a one-off build frees page by page would stay counted in its memory to the
    end, under everything the last step (the search index) adds. A call takes a few
    milliseconds at 10,000 pages' worth of heap."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
