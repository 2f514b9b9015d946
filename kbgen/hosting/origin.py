"""Which data file and line made what the CSP guard refuses on a built page.

Authors edit ``data/``, not HTML: a refusal at ``index.html:913`` tells them
nothing. The guard notes what the refused element holds (the attribute's value,
its text, a script); the data value holding one of those is the field that made
it, and its line and column are where to look. When no value holds it (a site's
own template wrote it), the page's own data file is named: the article's or
client guide's file, or the category's entry in categories.yml.

This runs only when the guard refuses something, so it reads the data files
again for their positions: a build drops them once the data is valid
(``kbgen.adapters.plugin``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from ..data.kb import KB
from ..data.markup import one_line
from ..data.urls import category_uri, entry_uri, page_url
from ..data.yaml_reader import Document, PathKey, dotted, load_file
from .guard import Refusal

# A text value of a data file: (file, path in it, the value, the value on one line).
_Value = tuple[str, PathKey, str, str]
# A clue shorter than this ("x", "1") is in too many values to tell which one.
MIN_CLUE = 4


def _dest(uri: str) -> str:
    """The built file of a page's docs URI (``email/x.md`` -> ``email/x/index.html``)."""
    return page_url(uri, "").lstrip("/") + "index.html"


def page_sources(kb: KB, data_dir: str = "data") -> dict[str, tuple[str, PathKey]]:
    """Built page -> the data file it is made from, and where in that file."""
    out: dict[str, tuple[str, PathKey]] = {}
    categories = f"{PurePosixPath(data_dir).as_posix()}/categories.yml"
    for i, cid in enumerate(kb.categories):
        out[_dest(category_uri(kb, cid))] = (categories, ("categories", i))
    for entry in kb.published():
        source = kb.sources.get(entry.id)
        if source is not None:
            out[_dest(entry_uri(kb, entry))] = (source, ())
    return out


def _strings(node: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, i))


class Origins:
    """Names the data behind each refusal; the data files are read on the first one.

    A site template that writes an inline style on every page makes a refusal per
    page (10,000 of them): a clue's answer is kept, a value equal to a clue is found
    in a table, and only the first ``MAX_SEARCHES`` clues are looked for inside every
    value of every file; the rest name the page's own file.
    """

    MAX_SEARCHES = 20

    def __init__(self, kb: KB, data_dir: str = "data") -> None:
        self.kb = kb
        self.data_dir = PurePosixPath(data_dir).as_posix()  # "./data" -> "data", as the loader names files
        self.pages = page_sources(kb, self.data_dir)
        self._documents: dict[str, Document] | None = None
        self._values: dict[str, list[_Value]] = {}  # file -> its text values
        self._equal: dict[str, _Value] | None = None  # a value on one line -> the first to hold it
        self._found: dict[str, str | None] = {}  # clue -> where, once searched everywhere
        self._searches = 0

    def documents(self) -> dict[str, Document]:
        if self._documents is None:
            found: dict[str, Document] = {}
            root = self.kb.root
            for path in sorted((root / self.data_dir).rglob("*.yml")):
                shown = path.relative_to(root).as_posix()
                doc = load_file(path, shown)
                if isinstance(doc, Document):
                    found[shown] = doc
            self._documents = found
        return self._documents

    def _values_of(self, name: str) -> list[_Value]:
        values = self._values.get(name)
        if values is None:
            doc = self.documents().get(name)
            values = self._values[name] = [] if doc is None else [
                (name, path, value, one_line(value)) for path, value in _strings(doc.data)]
        return values

    def _at(self, holder: _Value, clue: str) -> str:
        name, path, raw, _flat = holder
        doc = self.documents()[name]
        offset = raw.find(clue.split(" ", 1)[0])
        problem = doc.problem(path, "", offset=max(offset, 0))
        return f"{problem.file}:{problem.line}:{problem.col}: {dotted(path)}"

    def _in(self, names: Iterable[str], clue: str) -> str | None:
        for name in names:
            for holder in self._values_of(name):
                if clue in holder[3]:
                    return self._at(holder, clue)
        return None

    def _anywhere(self, clue: str) -> str | None:
        if clue in self._found:
            return self._found[clue]
        if self._equal is None:
            self._equal = {}
            for name in self.documents():
                for holder in self._values_of(name):
                    self._equal.setdefault(holder[3], holder)
        equal = self._equal.get(clue)
        if equal is not None:
            found: str | None = self._at(equal, clue)
        elif self._searches < self.MAX_SEARCHES:
            self._searches += 1
            found = self._in(self.documents(), clue)
        else:
            return None  # not remembered: a later search may still be allowed
        self._found[clue] = found
        return found

    def where(self, refusal: Refusal) -> str | None:
        """``data/x.yml:line:col: field`` of the value that made it, or the page's own data."""
        own = self.pages.get(refusal.page)
        # In the guard's order: the refused attribute's value, then the element's text.
        for clue in dict.fromkeys(one_line(c) for c in refusal.clues):
            if len(clue) < MIN_CLUE:
                continue
            found = (self._in([own[0]], clue) if own else None) or self._anywhere(clue)
            if found:
                return found
        if own is None:
            return None
        name, path = own
        page_doc = self.documents().get(name)
        line, col = page_doc.where(path) if page_doc is not None else (1, 1)
        return f"{name}:{line}:{col}"

    def describe(self, refusal: Refusal) -> str:
        """The refusal as a message that starts where an author can fix it."""
        where = self.where(refusal)
        return f"{where}: {refusal}" if where else str(refusal)


def describe_all(kb: KB, refusals: list[Refusal], data_dir: str = "data") -> list[str]:
    """Every refusal, each starting with the data file and line that made it, if known."""
    if not refusals:
        return []
    origins = Origins(kb, data_dir)
    return [origins.describe(r) for r in refusals]

