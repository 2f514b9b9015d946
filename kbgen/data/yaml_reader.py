"""YAML text to plain data, with the line and column of every key and value.

PyYAML's ``safe_load`` is too forgiving for a file that authors edit by hand:
it keeps the last of two duplicate keys, reads ``NO`` as false and ``010`` as
8, and hands alias bombs to whatever walks the data next. So we read the event
stream ourselves and build the data from it, refusing what has no place in a
help-center data file: duplicate keys, anchors and aliases, tags, directives,
several documents, and files that are too large or too deep.

Plain (unquoted) scalars are read the YAML 1.2 way, narrowed further:
decimal integers become ``int``, ``true``/``false`` become ``bool``,
``null``/``~``/nothing become ``None``; everything else, ``yes``, ``NO``,
``1.5`` and dates included, stays text. Numbers with a leading zero are
refused because an author cannot tell whether they meant 8 or "010".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .chars import describe, forbidden, raw_forbidden
from .errors import Problem

MAX_BYTES = 256 * 1024
MAX_DEPTH = 24

PathKey = tuple[str | int, ...]
Position = tuple[int, int]

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_AMBIGUOUS_NUMBER = re.compile(r"[-+]?(0[0-9_]+|0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*_[0-9_]*)")
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_NULL = {"", "~", "null", "Null", "NULL"}

# libyaml's C parser reads 1,000 data files about four times faster than PyYAML's
# pure-Python one (0.25 s against 1.06 s here), with the same marks. PyYAML's
# wheels include libyaml; a PyYAML built from source without it still works, but
# kbgen says so (PARSER_NOTE, printed by `kbgen validate` and the build) rather
# than slowing down silently.
_Parser: Any
if getattr(yaml, "__with_libyaml__", False) and hasattr(yaml, "CSafeLoader"):
    _Parser = yaml.CSafeLoader
    PARSER_NOTE = ""
else:  # pragma: no cover - tested by reloading with libyaml hidden
    _Parser = yaml.SafeLoader
    PARSER_NOTE = ("PyYAML was installed without libyaml, so kbgen reads YAML with the "
                   "pure-Python parser, about four times slower; reinstall PyYAML from its "
                   "wheel: pip install --force-reinstall --only-binary=:all: pyyaml")


@dataclass
class Document:
    """One data file: its plain data and where every piece of it stands."""

    file: str
    data: dict[str, Any]
    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)
    # Where the text of a literal block (|) or a one-line plain scalar starts,
    # so a problem inside a long Markdown field can point at its own line.
    text_starts: dict[PathKey, tuple[Position, bool]] = field(default_factory=dict)
    # The file's text while the positions above are not worked out yet. They are wanted
    # only for a problem, and rarely; kept for every file, they took 200 MiB at 10,000
    # files (a tuple key and a tuple value for every key and value), the text a tenth.
    text: str | None = field(default=None, repr=False, compare=False)

    def _marked(self) -> None:
        if self.text is not None:
            marked = _build(self.text, self.file, marks=True)
            self.values, self.keys, self.text_starts = marked.values, marked.keys, marked.text_starts
            self.text = None

    def where(self, path: PathKey, *, key: bool = False) -> Position:
        """Position of a value (or its key); falls back to the nearest ancestor."""
        self._marked()
        path = tuple(path)
        while True:
            table = (self.keys, self.values) if key else (self.values, self.keys)
            for marks in table:
                if path in marks:
                    return marks[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def problem(self, path: PathKey, message: str, hint: str = "", *, key: bool = False,
                offset: int | None = None, **kw: Any) -> Problem:
        """A problem at ``path``; ``offset`` is a character index into a text value."""
        line, col = self.where(path, key=key)  # works out the positions
        if offset is not None and path in self.text_starts:
            line, col = self._inside(path, offset)
        return Problem(self.file, line, col, dotted(path), message, hint, **kw)

    def _inside(self, path: PathKey, offset: int) -> Position:
        self._marked()
        (line, col), block = self.text_starts[path]
        value = self._value(path)
        before = value[:offset]
        if not block:
            return (line, col + offset)
        return (line + before.count("\n"), col + offset - (before.rfind("\n") + 1))

    def _value(self, path: PathKey) -> str:
        node: Any = self.data
        for part in path:
            node = node[part]
        return str(node)


def dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


class _Refused(Exception):
    def __init__(self, mark: Any, message: str, hint: str, path: PathKey = ()) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.hint = hint
        self.path = path


def _pos(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


def load_text(text: str, file: str) -> Document | Problem:
    """Parse one YAML document; return the Document or the first problem found.

    A YAML file that does not parse cannot be checked further, so one problem
    per broken file is all an author can act on anyway.
    """
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return Problem(file, 1, 1, "", "the file is empty",
                       "write the data as 'key: value' lines, or delete the file")
    raw = raw_forbidden(text)
    if raw is not None:
        before = text[: raw.start()]
        line = before.count("\n") + 1
        col = raw.start() - (before.rfind("\n") + 1) + 1
        char = raw.group()
        why = ("YAML reads it as a line break" if char in "\r\u2028\u2029" else
               "web pages and mail-app files cannot carry it")
        return Problem(file, line, col, "", f"the file holds the character {describe(char)}: {why}",
                       "delete it: it is usually pasted in by accident, and an editor may show "
                       "it as a box, a space or nothing")
    try:
        doc = _build(text, file, marks=False)
        doc.text = text
        return doc
    except _Refused as err:
        line, col = _pos(err.mark)
        return Problem(file, line, col, dotted(err.path), err.message, err.hint)
    except yaml.MarkedYAMLError as err:
        return _yaml_problem(err, text, file)
    except yaml.YAMLError as err:  # reader errors carry no mark
        return Problem(file, 1, 1, "", f"not valid YAML: {err}", "")


def load_file(path: Path, display: str) -> Document | Problem:
    """Read, decode and parse one data file, refusing oversize and non-UTF-8 files."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        return Problem(display, 1, 1, "", f"cannot read the file: {err.strerror}", "")
    if len(raw) > MAX_BYTES:
        return Problem(display, 1, 1, "", f"the file is {len(raw):,} bytes; the limit is "
                       f"{MAX_BYTES:,}", "split it into smaller files")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return Problem(display, line, col, "",
                       f"the file is not UTF-8 (byte 0x{raw[err.start]:02x} cannot be decoded)",
                       "save the file as UTF-8 in your editor")
    return load_text(text, display)


def _yaml_problem(err: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    if err.context_mark is not None and (err.context or "").startswith(
            ("while parsing a flow", "while scanning a quoted", "while scanning a block")):
        # The problem mark is often the end of the file; where the unclosed thing opened helps.
        mark = err.context_mark
    line, col = _pos(mark) if mark else (1, 1)
    source_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    problem = (err.problem or "").strip()
    if "\t" in source_line[: max(col, 1)] or "'\\t'" in problem:
        tab = source_line.find("\t")
        return Problem(file, line, tab + 1 if tab >= 0 else col, "",
                       "a tab character is used for indentation",
                       "YAML indents with spaces only: replace the tab with spaces")
    context = f" {err.context}" if err.context else ""
    if "escape" in problem:
        # A Windows path or a regex in double quotes: the backslash starts an escape there.
        return Problem(file, line, col, "", f"not valid YAML: {problem}{context}".rstrip(),
                       "in double quotes a backslash starts an escape such as \\n or \\u00e9: "
                       "write \\\\ for a backslash, or use single quotes, where a backslash is "
                       "just a backslash")
    return Problem(file, line, col, "", f"not valid YAML: {problem}{context}".rstrip(),
                   "check the indentation and that every 'key: value' has a space after the colon")


def _scalar(event: yaml.ScalarEvent) -> Any:
    value = event.value
    if event.style:  # quoted or block scalars are always text
        return value
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.fullmatch(value):
        return int(value)
    if _AMBIGUOUS_NUMBER.fullmatch(value):
        raise _Refused(event.start_mark, f"ambiguous number {value}",
                       f"write it without leading zeros or underscores, or quote it "
                       f"('{value}') if it is text")
    return value


def _note_text_start(doc: Document, path: PathKey, event: yaml.ScalarEvent, text: str) -> None:
    start, end = event.start_mark, event.end_mark
    if start is None or end is None:  # pragma: no cover - both parsers set marks
        return
    if event.style == "|":
        # Content starts on the line after the indicator, at the block's indentation.
        lines = text.splitlines()
        first = start.line + 1
        while first < len(lines) and not lines[first].strip():
            first += 1
        if first < len(lines):
            indent = len(lines[first]) - len(lines[first].lstrip(" "))
            doc.text_starts[path] = ((first + 1, indent + 1), True)
    elif not event.style and start.line == end.line:
        doc.text_starts[path] = (_pos(start), False)


def _refuse_characters(event: yaml.ScalarEvent, path: PathKey, what: str = "value") -> None:
    # The raw text was checked before parsing; what is left came from an escape such as "\x0b".
    found = forbidden(event.value)
    if found is not None:
        raise _Refused(event.start_mark, f"the {what} holds the character "
                       f"{describe(found.group())}, written as an escape: web pages and mail-app "
                       "files cannot carry it", "remove the escape sequence", path)


def _build(text: str, file: str, *, marks: bool) -> Document:
    """The file's data; with ``marks``, also where each key and value stands."""
    events = iter(yaml.parse(text, Loader=_Parser))
    doc = Document(file=file, data={})
    documents = 0
    root: Any = None

    def check(event: Any) -> None:
        if getattr(event, "anchor", None):
            raise _Refused(event.start_mark, f"anchors (&{event.anchor}) are not allowed",
                           "write the value out in full where it is needed")
        if getattr(event, "tag", None):
            tag = str(event.tag).replace("tag:yaml.org,2002:", "!!")
            raise _Refused(event.start_mark, f"tags ({tag}) are not allowed",
                           "remove the tag; values are typed by the schema")

    def node(event: Any, path: PathKey, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _Refused(event.start_mark, f"the data is nested more than {MAX_DEPTH} "
                           "levels deep", "flatten the structure")
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, f"aliases (*{event.anchor}) are not allowed",
                           "write the value out in full where it is needed")
        check(event)
        if marks:
            doc.values[path] = _pos(event.start_mark)
        if isinstance(event, yaml.ScalarEvent):
            _refuse_characters(event, path)
            if marks:
                _note_text_start(doc, path, event, text)
            return _scalar(event)
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            for item in events:
                if isinstance(item, yaml.SequenceEndEvent):
                    return items
                items.append(node(item, (*path, len(items)), depth + 1))
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[str, Any] = {}
            lines: dict[str, int] = {}  # key -> its line, to point at the first of two
            for key_event in events:
                if isinstance(key_event, yaml.MappingEndEvent):
                    return mapping
                if isinstance(key_event, yaml.AliasEvent):
                    raise _Refused(key_event.start_mark, "aliases are not allowed", "")
                check(key_event)
                if not isinstance(key_event, yaml.ScalarEvent):
                    raise _Refused(key_event.start_mark, "a key must be a plain name",
                                   "write 'name: value'")
                _refuse_characters(key_event, path, "key")
                key = key_event.value
                if key == "<<":
                    raise _Refused(key_event.start_mark, "merge keys (<<) are not allowed",
                                   "write the values out in full")
                if key in mapping:
                    raise _Refused(key_event.start_mark, f"duplicate key '{key}'",
                                   f"'{key}' is already set on line {lines[key]}; keep only one")
                lines[key] = _pos(key_event.start_mark)[0]
                sub = (*path, key)
                if marks:
                    doc.keys[sub] = _pos(key_event.start_mark)
                mapping[key] = node(next(events), sub, depth + 1)
        raise _Refused(event.start_mark, "unexpected YAML structure", "")  # pragma: no cover

    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if event.version or event.tags:
                raise _Refused(event.start_mark, "YAML directives (%YAML, %TAG) are not allowed",
                               "delete the line starting with %")
            if documents > 1:
                raise _Refused(event.start_mark, "the file holds more than one YAML document",
                               "keep one document per file; remove the '---' line")
            root_event = next(events)
            root = node(root_event, (), 1)
            if not isinstance(root, dict):
                kind = "a list" if isinstance(root, list) else "a single value"
                raise _Refused(root_event.start_mark,
                               f"the file holds {kind}; expected 'key: value' lines",
                               "start the file with fields like 'id: …', not '- …'")
    doc.data = root if isinstance(root, dict) else {}
    return doc
