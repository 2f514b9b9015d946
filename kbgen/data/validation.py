"""Turn pydantic's validation errors into problems an author can act on.

Pydantic reports a location like ``('body', 2, 'comparison', 'rows')`` and a
terse message. We map the location back onto the YAML (dropping the union tag
pydantic inserts), point at the key for unknown or missing fields and at the
value otherwise, and phrase the message as expected / found / how to fix.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from .chars import CharacterError
from .errors import Problem
from .model import KINDS, Strict
from .yaml_reader import Document, PathKey, dotted


def _all_field_names() -> set[str]:
    names: set[str] = set()
    seen: set[type] = set()

    def walk(cls: type[BaseModel]) -> None:
        if cls in seen:
            return
        seen.add(cls)
        for name, info in cls.model_fields.items():
            names.add(name)
            for sub in _models_in(info.annotation):
                walk(sub)

    for cls in KINDS.values():
        walk(cls)
    return names


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_models_in(arg))
    for meta in getattr(annotation, "__metadata__", ()) or ():
        found.extend(_models_in(meta))
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        found.extend(_models_in(origin))
    return found


FIELD_NAMES = _all_field_names()


def _data_path(data: Any, loc: tuple[Any, ...]) -> PathKey:
    """Follow pydantic's loc through the data, skipping the parts that are not keys."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and node.get("type") == part or _is_type_tag(part):
            continue  # a union tag such as 'comparison' or 'str': not in the data
        elif isinstance(node, dict) and isinstance(part, str):
            # A missing or unknown key: name it; there is nothing further to follow.
            path.append(part)
            node = None
    return tuple(path)


_TYPE_TAGS = {"str", "int", "bool", "list", "dict", "function-before", "constrained-str"}


def _is_type_tag(part: object) -> bool:
    return isinstance(part, str) and (
        part in _TYPE_TAGS or part.startswith(("function-", "lax-", "strict-", "list[", "dict[")))


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "'key: value' fields"
    return str(value)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({_shown(value)})"
    if isinstance(value, int):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "'key: value' fields"
    return "nothing"


def _message(err: dict[str, Any], name: str) -> tuple[str, str]:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"required field '{name}' is missing", f"add '{name}: …'"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(name, FIELD_NAMES, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "remove it; see the schema for the fields"
        return f"unknown field '{name}'", hint
    if name == "port" or (kind.startswith(("int", "greater", "less")) and "port" in name):
        hint = "remove the quotes" if isinstance(value, str) and value.strip().isdigit() else (
            "use a whole number from 1 to 65535")
        return f"port must be an integer 1-65535 (got {_shown(value)})", hint
    if kind in {"int_type", "int_parsing"}:
        hint = "remove the quotes" if isinstance(value, str) and value.strip().isdigit() else ""
        return f"expected a whole number, got {_kind_of(value)}", hint
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')} (got {_shown(value)})", ""
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')} (got {_shown(value)})", ""
    if kind == "string_type":
        hint = "put the value in quotes" if isinstance(value, (bool, int)) else ""
        if isinstance(value, dict):
            hint = "a ': ' inside text starts a new key; put the whole text in quotes"
        if value is None:
            return "expected text, got nothing", f"write a value after '{name}:' or remove the line"
        return f"expected text, got {_kind_of(value)}", hint
    if kind == "bool_type":
        return f"expected true or false, got {_kind_of(value)}", (
            "write true or false; yes/no/on/off are read as text")
    if kind == "literal_error":
        expected = ctx.get("expected", "").replace("'", "")
        hint = ""
        if name == "security" and str(value).lower() in {"ssl", "ssl/tls", "implicit"}:
            hint = "use tls for implicit TLS, which apps call SSL/TLS"
        if value == "smtp" and "smtp" not in expected:
            hint = "list the incoming protocols only; SMTP for sending is implied"
        return f"expected one of {expected} (got {_shown(value)})", hint
    if kind == "string_pattern_mismatch":
        what = {"domains": "domain"}.get(name, name)  # an item of a list is one of them
        return f"{_shown(value)} is not a valid {_NOUNS.get(what, what)}", _PATTERN_HINTS.get(what, "")
    if kind == "string_too_short":
        return "must not be empty", f"write a value after '{name}:'"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)", ""
    if kind == "too_short" and isinstance(value, str):
        return "must not be empty", f"write a value after '{name}:'"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)", "add items as '- …' lines"
    if kind in {"list_type"}:
        return f"expected a list, got {_kind_of(value)}", "write each item on its own '- …' line"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"expected 'key: value' fields, got {_kind_of(value)}", ""
    if kind == "union_tag_invalid":
        expected = ctx.get("expected_tags", "").replace("'", "")
        return f"unknown block type {ctx.get('tag')!r}; expected one of {expected}", ""
    if kind == "union_tag_not_found":
        return "the block has no 'type'", "add 'type: text' (or ports, comparison, …)"
    if kind in {"date_type", "date_from_datetime_parsing", "date_parsing"}:
        return f"expected a date like 2026-11-20, got {_kind_of(value)}", ""
    if kind == "no_incoming":
        return err["msg"], "add 'imap:' (or 'pop3:') with its host and endpoints, like 'smtp:'"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])), ""
    return f"{err['msg']} (got {_shown(value)})", ""


# What a field's value is called in a message, where its key is no noun ("urls" is a list).
_NOUNS = {"urls": "old URL", "legacy_urls": "old URL", "site_url": "URL", "webmail": "URL",
          "repo_url": "URL", "edit_branch": "git branch name", "src": "image path"}

_PATTERN_HINTS = {
    "urls": "an address of the old site starting with /, e.g. /knowledgebase/12/POP-or-IMAP.html, "
            "without spaces",
    "legacy_urls": "an address of the old site starting with /, e.g. "
                   "/knowledgebase.php?action=displaycat&catid=2, without spaces",
    "repo_url": "a full address starting with https://",
    "id": "use lowercase letters, digits and hyphens, e.g. pop-vs-imap",
    "category": "use a category id from data/categories.yml",
    "host": "a host name such as mail.example.com",
    "domain": "a domain name such as example.com",
    "email": "an address such as support@example.com",
    "url": "a full address starting with https://",
    "webmail": "a full address starting with https://",
    "site_url": "a full address starting with https://",
    "src": "a path under docs/ ending in .png, .jpg, .webp or .svg",
    "month": "the year and month as YYYY-MM, e.g. 2026-11",
    "edit_branch": "a git branch name such as main or docs/help-center: letters, digits, "
                   "'_', '+' and '-', in parts joined by single '.' or '/'",
}


def validate(doc: Document, cls: type[Strict]) -> tuple[Strict | None, list[Problem]]:
    """Validate one loaded document against its model."""
    try:
        return cls.model_validate(doc.data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            path = _data_path(doc.data, tuple(err["loc"]))
            name = next((p for p in reversed(path) if isinstance(p, str)), "")
            message, hint = _message(dict(err), name)
            if err["type"] == "missing":
                # Point at the mapping the field belongs in; name the missing field.
                line, col = doc.where(path[:-1])
                problems.append(Problem(doc.file, line, col, dotted(path), message, hint))
            else:
                if err["type"] == "union_tag_invalid":
                    path = (*path, "type")  # point at the unknown type, not the block
                # Our own validators' errors carry the fix, and a character's place in the text.
                error = (err.get("ctx") or {}).get("error")
                hint = getattr(error, "hint", None) or hint
                offset = error.offset if isinstance(error, CharacterError) else None
                # A mapping's key that is wrong ('[key]' in pydantic's loc): point at the key.
                on_key = err["type"] == "extra_forbidden" or "[key]" in err["loc"]
                problems.append(doc.problem(path, message, hint, offset=offset, key=on_key))
        return None, problems

