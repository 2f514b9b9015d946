"""Load the whole data folder into one validated knowledge base.

Every file is loaded and validated even after the first failure, so an author
sees every problem at once. Nothing downstream ever sees invalid data: either
``load_kb`` returns a complete KB, or it raises ``DataError`` with every error.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from stat import S_ISDIR
from typing import Any

from .checks import check_images, check_kb
from .errors import DataError, Problem, errors_only
from .facts import fill_placeholders
from .kb import FOLDERS, KB, SINGLE_FILES
from .model import Article, Categories, Client, Protocol, Provider, Strict, Troubleshooting
from .personal import markdown_values
from .reuse import ByObject
from .validation import validate
from .yaml_reader import Document, load_file

TRANSLATIONS = "translations"
"""The folder of data/ holding each language's words (kbgen.data.translations)."""


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _data_files(data_dir: Path) -> list[tuple[str, tuple[str, ...]]]:
    """Every .yml and .yaml file under ``data_dir`` (its path, and its parts below
    ``data_dir``), in path order.

    os.scandir, whose entries know their type, and no Path objects: at 10,000 files,
    Path.rglob and relative_to took half a second of each of the preview's loads, a
    Path and an isfile() per file another tenth.
    """
    found: list[tuple[tuple[str, ...], str]] = []
    folders: list[tuple[str, tuple[str, ...]]] = [(str(data_dir), ())]
    while folders:
        folder, base = folders.pop()
        try:
            listing = os.scandir(folder)
        except OSError:  # unreadable: skipped, as os.walk skips it
            continue
        with listing:
            for item in listing:
                if item.is_dir(follow_symlinks=False):  # as os.walk: never into a link
                    folders.append((item.path, (*base, item.name)))
                elif os.path.splitext(item.name)[1] in {".yml", ".yaml"} and item.is_file():
                    found.append(((*base, item.name), item.path))
    found.sort()  # as Paths sort: part by part
    return [(path, parts) for parts, path in found]


# A data file's (mtime, size, inode) -> what reading and validating it gave. The preview
# server passes the same dict to every load, so an edit reads again only the files
# that changed; the checks across files always run on the whole data.
class FileCache(dict[str, tuple[tuple[int, int, int], Document | Problem, Strict | None, list[Problem]]]):
    """The files read, and what was worked out from each file's objects alone
    (``reuse.ByObject``): filling their placeholders, and the checks of their text."""

    def __init__(self) -> None:
        super().__init__()
        self.fill: ByObject[Any] = ByObject()
        self.walks: ByObject[list[Problem]] = ByObject()  # checks.check_kb's of each entry
        self.images: ByObject[list[Problem]] = ByObject()  # checks.check_images'


def _stat_key(stat: os.stat_result) -> tuple[int, int, int]:
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def unchanged(cache: FileCache, path: str) -> bool:
    """Whether the file at ``path`` is the one the last load read (a folder: always).

    A file watcher can report one save twice, or a file only opened for reading; at
    10,000 files a load takes a second, so the preview does not start one for nothing.
    """
    try:
        stat = os.stat(path)
    except OSError:
        return False  # gone: the data changed
    if S_ISDIR(stat.st_mode):
        return True  # a file added or removed in it is reported on its own
    hit = cache.get(path)
    return hit is not None and hit[0] == _stat_key(stat)


def _read(path: str, shown: str, cls: type[Strict],
          cache: FileCache | None) -> tuple[Document | Problem, Strict | None, list[Problem]]:
    key = (0, 0, 0)
    if cache is not None:
        try:
            stat = os.stat(path)
        except OSError:  # gone since the folder was listed: load_file says so
            stat = None
        if stat is not None:
            key = _stat_key(stat)
            hit = cache.get(path)
            if hit is not None and hit[0] == key:
                return hit[1], hit[2], hit[3]
    loaded = load_file(Path(path), shown)
    model, found = validate(loaded, cls) if isinstance(loaded, Document) else (None, [])
    if cache is not None:
        cache[path] = (key, loaded, model, found)
    return loaded, model, found


def load_kb(root: Path, data_dir: str = "data", cache: FileCache | None = None,
            today: dt.date | None = None) -> KB:
    """Load, validate and cross-check ``root/data``; raise DataError on any error.

    ``cache``: reuse what earlier loads read from files that have not changed since.
    ``today``: the build date (default: ``SOURCE_DATE_EPOCH``, else the clock)."""
    data = root / data_dir
    problems: list[Problem] = []
    if not data.is_dir():
        raise DataError([Problem(data_dir, 1, 1, "", "the data folder does not exist",
                                 f"create {data_dir}/ with provider.yml and categories.yml")])
    singles: dict[str, tuple[Strict, Document]] = {}
    many: dict[str, list[tuple[Strict, Document]]] = {kind: [] for kind, _ in FOLDERS.values()}
    documents: dict[str, Document] = {}
    invalid: dict[str, list[Document]] = {}  # kind -> files that read but failed their model

    shown_dir = _display(data, root)
    for path, parts in _data_files(data):
        rel = "/".join(parts)
        shown = rel if shown_dir == "." else f"{shown_dir}/{rel}"  # as _display(path, root)
        if parts[0] == TRANSLATIONS and len(parts) > 1:
            continue  # words over this data, read by kbgen.data.translations against it
        if parts[-1].endswith(".yaml"):
            problems.append(Problem(shown, 1, 1, "", "data files end in .yml",
                                    f"rename it to {os.path.splitext(parts[-1])[0]}.yml"))
            continue
        target = SINGLE_FILES.get(rel) if len(parts) == 1 else (
            FOLDERS.get(parts[0]) if len(parts) == 2 else None)
        if target is None:
            known = ", ".join([*SINGLE_FILES, *(f"{d}/*.yml" for d in FOLDERS)])
            problems.append(Problem(shown, 1, 1, "", "kbgen does not know this file",
                                    f"data files are {known}"))
            continue
        kind, cls = target
        loaded, model, found = _read(path, shown, cls, cache)
        if isinstance(loaded, Problem):
            problems.append(loaded)
            continue
        documents[shown] = loaded
        problems.extend(found)
        if model is None:
            invalid.setdefault(kind, []).append(loaded)
            continue
        if len(parts) == 1:
            singles[kind] = (model, loaded)
        else:
            many[kind].append((model, loaded))

    for name, (kind, _cls) in SINGLE_FILES.items():
        if kind not in singles and not any(p.file.endswith(name) for p in problems):
            problems.append(Problem(f"{data_dir}/{name}", 1, 1, "", f"{name} is missing",
                                    f"create {data_dir}/{name}; `kbgen new {kind}` writes one"))

    # Needs only each file's data, so it is reported with the shape errors, in one run.
    problems.extend(check_images(documents.values(), cache.images if cache is not None else None))
    walks = cache.walks if cache is not None else None
    if errors_only(problems):
        # Still check the references between the files that did validate, so an author
        # sees both kinds of error in one run, when the files they hang on are sound.
        partial = _knowledge_base(root, singles, many, documents, invalid)
        if partial is not None:
            problems.extend(check_kb(partial, singles, many, broken=_broken_ids(invalid),
                                    memo=walks, today=today))
        raise DataError(problems)

    kb = _knowledge_base(root, singles, many, documents, invalid)
    assert kb is not None
    problems.extend(check_kb(kb, singles, many, memo=walks, today=today))
    if errors_only(problems):
        raise DataError(problems)
    fill_placeholders(kb, markdown_values(kb), cache.fill if cache is not None else None)
    kb.warnings = problems
    kb.translated_pages = frozenset([*kb.categories, *kb.entries])  # the source has them all
    return kb


def _broken_ids(invalid: dict[str, list[Document]]) -> set[str]:
    """Ids of articles and client guides whose files exist but did not validate: a
    reference to one of them is not reported as unknown."""
    ids: set[str] = set()
    for doc in invalid.get("article", []) + invalid.get("client", []):
        ids.add(doc.file.rsplit("/", 1)[-1].removesuffix(".yml"))
        if isinstance(doc.data.get("id"), str):
            ids.add(doc.data["id"])
    return ids


def _knowledge_base(root: Path, singles: dict[str, tuple[Strict, Document]],
                    many: dict[str, list[tuple[Strict, Document]]], documents: dict[str, Document],
                    invalid: dict[str, list[Document]]) -> KB | None:
    """The KB of the files that validated; None when a file everything refers to did not
    (the provider, categories, troubleshooting or a protocol)."""
    if any(kind not in singles for kind, _cls in SINGLE_FILES.values()) or invalid.get("protocol"):
        return None
    provider = singles["provider"][0]
    categories = singles["categories"][0]
    troubles = singles["troubleshooting"][0]
    assert isinstance(provider, Provider)
    assert isinstance(categories, Categories)
    assert isinstance(troubles, Troubleshooting)
    kb = KB(
        root=root,
        provider=provider,
        protocols={m.id: m for m, _ in many["protocol"] if isinstance(m, Protocol)},
        categories={c.id: c for c in categories.categories},
        troubles={p.id: p for p in troubles.problems},
        entries={},
        documents=documents,
    )
    for kind in ("article", "client"):
        for model, doc in many[kind]:
            assert isinstance(model, (Article, Client))
            kb.entries.setdefault(model.id, model)
            kb.sources.setdefault(model.id, doc.file)
    return kb
