"""Results carried from one load of the data to the next, object by object (the preview).

An unchanged file gives the same objects on the next load (the loader's file
cache, ``data_folder.FileCache``), so what was worked out for them last time can be
used again, as long as what it was worked out against is the same. Objects are
matched by identity, never by value: an equal object from an edited file is
worked out anew. Each load keeps only the objects it saw, so nothing outlives
the load after the one that last used it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")


class ByObject(Generic[_T]):
    """``make()``'s result for each object, kept from one load to the next."""

    def __init__(self) -> None:
        self._against: Any = None
        self._last: dict[int, tuple[object, _T]] = {}
        self._kept: dict[int, tuple[object, _T]] = {}

    def begin(self, against: Any = None) -> None:
        """A new load: last load's results count while ``against`` is equal to its."""
        self._last = self._kept if against == self._against else {}
        self._against, self._kept = against, {}

    def get(self, obj: object, make: Callable[[], _T]) -> _T:
        hit = self._last.get(id(obj))
        value = hit[1] if hit is not None and hit[0] is obj else make()
        self._kept[id(obj)] = (obj, value)
        return value
