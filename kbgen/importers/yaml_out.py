"""Write data files the way an author would, and add to existing ones without disturbing them.

New files are dumped by PyYAML: Markdown as ``|`` blocks, short lists in
``[a, b]`` form, every string that YAML could misread (``no``, ``010``,
``2024-01-01``) quoted, no anchors. Existing files (``categories.yml``, a client
guide gaining an old id) are edited through ruamel.yaml's round trip, which
keeps comments, order and quoting; a file it cannot reproduce byte for byte is
not touched, and the import says what to add by hand.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .errors import ImportFailure


class Flow(list[Any]):
    """A list written on one line: ``[a, b]``."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # kbgen's loader refuses anchors and aliases

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # "body:\n  - type: text", as the project's files are written.
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


def _flow(dumper: yaml.SafeDumper, value: Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(value), flow_style=True)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Flow, _flow)


def dump(data: Mapping[str, Any], header: Iterable[str] = ()) -> str:
    """A new data file: comment lines, then the mapping in the order given."""
    body = yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=10**6, default_flow_style=False, indent=2)
    return "".join(f"# {line}\n" if line else "#\n" for line in header) + body


# ----------------------------------------------------------- editing in place


def _round_trip() -> YAML:
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 10**6
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def _flow_seq(items: Iterable[Any]) -> CommentedSeq:
    seq = CommentedSeq(list(items))
    seq.fa.set_flow_style()
    return seq


class Editor:
    """One existing YAML file, edited through ruamel.yaml; ``text()`` gives the result."""

    def __init__(self, file: str, text: str, what: str) -> None:
        self.file = file
        self.rt = _round_trip()
        self.data = self.rt.load(text)
        if self._dump() != text:
            raise ImportFailure(f"cannot add {what} to {file} without reformatting it",
                                "add it by hand, or format the file as `kbgen new` writes it", file)
        self.changed = False

    def _dump(self) -> str:
        out = io.StringIO()
        self.rt.dump(self.data, out)
        return out.getvalue()

    def text(self) -> str:
        return self._dump()

    # -------------------------------------------------------------- entries

    def add_entry_legacy(self, ids: Iterable[int], urls: Iterable[str]) -> list[str]:
        """Add old ids and URLs to an article or client guide; returns what was added."""
        added: list[str] = []
        legacy = self.data.get("legacy")
        if legacy is None:
            legacy = CommentedMap()
            keys = list(self.data)
            before = next((k for k in ("app", "body", "steps") if k in self.data), None)
            self.data.insert(keys.index(before) if before else len(keys), "legacy", legacy)
        for key, values in (("ids", list(ids)), ("urls", list(urls))):
            current = legacy.get(key)
            new = [v for v in values if current is None or v not in current]
            if not new:
                continue
            if current is None:
                legacy[key] = _flow_seq(new)
            else:
                current.extend(new)
            added += [f"{key}: {v}" for v in new]
        self.changed = self.changed or bool(added)
        return added

    # ----------------------------------------------------------- categories

    def category_ids(self) -> list[str]:
        return [str(c.get("id")) for c in self.data.get("categories") or []]

    def add_category_legacy(self, category_id: str, ids: Iterable[int], urls: Iterable[str]) -> list[str]:
        cat = next(c for c in self.data["categories"] if c.get("id") == category_id)
        added: list[str] = []
        for key, values in (("legacy_ids", list(ids)), ("legacy_urls", list(urls))):
            current = cat.get(key)
            new = [v for v in values if current is None or v not in current]
            if not new:
                continue
            if current is None:
                cat[key] = _flow_seq(new)
            else:
                current.extend(new)
            added += [f"{key}: {v}" for v in new]
        self.changed = self.changed or bool(added)
        return added

    def append_category(self, fields: Mapping[str, Any]) -> None:
        # Through PyYAML first, so a value YAML could misread ("no", "010") is quoted.
        text = dump({k: Flow(v) if isinstance(v, list) else v for k, v in fields.items()})
        self.data["categories"].append(self.rt.load(text))
        self.changed = True
