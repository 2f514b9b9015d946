"""Which keys a translation file may hold: its words, never the source's facts.

Walked before the model validates the file, so that a structural field (a port, a
host, an id, an order, the protocols, related pages…) is reported as what it is:
a fact that comes from the source file and has no place in a translation, rather
than as an unknown field.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from typing import Any

from pydantic import BaseModel

from .errors import Problem
from .model import Strict
from .validation import FIELD_NAMES, _models_in
from .yaml_reader import Document, PathKey


def _nested(cls: type[BaseModel], name: str) -> list[type[BaseModel]]:
    info = cls.model_fields.get(name)
    return _models_in(info.annotation) if info is not None else []


def _walk(doc: Document, data: Any, words: type[BaseModel], sources: list[type[BaseModel]],
          path: PathKey, source_file: str, problems: list[Problem]) -> Any:
    """``data`` without the keys that do not belong, each reported."""
    if isinstance(data, list):
        return [_walk(doc, item, words, sources, (*path, i), source_file, problems)
                for i, item in enumerate(data)]
    if not isinstance(data, dict):
        return data
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if key in words.model_fields:
            inner = _nested(words, key)
            if inner:
                below = [m for s in sources for m in _nested(s, key)]
                value = _walk(doc, value, inner[0], below, (*path, key), source_file, problems)
            kept[key] = value
        elif any(key in s.model_fields for s in sources):
            problems.append(doc.problem((*path, key), f"'{key}' is not translatable: it comes "
                                        f"from {source_file}", "remove it here", key=True))
        elif key in FIELD_NAMES:
            problems.append(doc.problem((*path, key), f"'{key}' is not translatable: facts come "
                                        "from data/, never from a translation", "remove it here",
                                        key=True))
        else:
            names = sorted(words.model_fields)
            close = difflib.get_close_matches(key, names, n=1)
            hint = (f"did you mean '{close[0]}'?" if close else
                    f"the translatable fields here are {', '.join(names)}")
            problems.append(doc.problem((*path, key), f"unknown field '{key}'", hint, key=True))
    return kept


def words_only(doc: Document, words: type[Strict], source: type[Strict],
               source_file: str) -> tuple[Document, list[Problem]]:
    """The document with only the keys ``words`` has, and a problem for every other key."""
    problems: list[Problem] = []
    data = _walk(doc, doc.data, words, [source], (), source_file, problems)
    if not problems:
        return doc, []
    return replace(doc, data=data), problems
