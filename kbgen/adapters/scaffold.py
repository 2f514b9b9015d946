"""``kbgen new``: commented starter files that validate and build as they are.

An author runs ``kbgen new client thunderbird`` and gets a file to fill in,
not a blank page: every field is there with a comment saying what it is for,
the first line points the editor at the schema, and settings are written as
placeholders (``{{ imap.host }}``) so no port number is ever typed by hand.
Nothing is overwritten: an existing file is an author's work.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..data.chars import describe, forbidden, spoofing
from ..data.kb import FOLDERS, SINGLE_FILES
from ..data.model import SLUG_RE
from ..data.schema import SCHEMA_DIR
from ..data.yaml_reader import Document, load_file, load_text

# Kinds written one file per id, and the singletons (no id); "category" adds an
# entry to categories.yml.
PER_ID = {kind: folder for folder, (kind, _cls) in FOLDERS.items()}
SINGLETONS = {kind: name for name, (kind, _cls) in SINGLE_FILES.items()}
KINDS_NEW = sorted([*PER_ID, *SINGLETONS, "category", "translation"])

# Internet-standard facts for a new protocol file (RFC 8314, RFC 6186).
PROTOCOL_FACTS: dict[str, dict[str, str]] = {
    "imap": {"name": "IMAP", "full_name": "Internet Message Access Protocol", "rfc": "9051",
             "direction": "incoming", "tls_port": "993", "starttls_port": "143",
             "tls_srv": "_imaps._tcp", "starttls_srv": "_imap._tcp",
             "summary": "Keeps your mail on the server and shows the same mailbox everywhere."},
    "pop3": {"name": "POP3", "full_name": "Post Office Protocol, version 3", "rfc": "1939",
             "direction": "incoming", "tls_port": "995", "starttls_port": "110",
             "tls_srv": "_pop3s._tcp", "starttls_srv": "_pop3._tcp",
             "summary": "Downloads your mail to one device."},
    "smtp": {"name": "SMTP", "full_name": "Simple Mail Transfer Protocol (message submission)",
             "rfc": "6409", "direction": "outgoing", "tls_port": "465", "starttls_port": "587",
             "tls_srv": "_submissions._tcp", "starttls_srv": "_submission._tcp",
             "summary": "Sends your mail."},
}
DEFAULT_CATEGORY = {"client": "desktop-clients", "article": "email"}


class ScaffoldError(Exception):
    """A starter file cannot be written; the message says why and what to do."""


@dataclass(frozen=True)
class Written:
    path: Path
    created: bool  # False when an entry was added to an existing file


def template(name: str) -> str:
    return resources.files("kbgen.adapters").joinpath("starters", f"{name}.yml").read_text("utf-8")


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"__{key.upper()}__", value)
    leftover = re.search(r"__[A-Z_]+__", text)
    assert leftover is None, f"unfilled template token {leftover.group(0)}"
    return text


_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ,.'()&/+-]*")
_NUMBERISH = re.compile(r"[-+]?[0-9][0-9._]*")
# Words other YAML readers (YAML 1.1: editors, linters) take for booleans or null.
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}
# YAML's double-quoted escapes for the characters it would otherwise read as line breaks.
_YAML_ESCAPES = {"\u2028": "\\L", "\u2029": "\\P", "\x85": "\\N"}


def _reads_back(scalar: str, value: str) -> bool:
    """Does kbgen's own loader read ``key: <scalar>`` as exactly ``value``?"""
    loaded = load_text(f"key: {scalar}\n", "kbgen-new")
    return isinstance(loaded, Document) and loaded.data.get("key") == value


def yaml_text(value: str) -> str:
    """A YAML scalar for free text: plain when kbgen's loader reads it back as the same text
    (``0x1F``, ``yes`` and ``2021`` are not), else double-quoted with every escape needed."""
    if (_PLAIN.fullmatch(value) and not _NUMBERISH.fullmatch(value)
            and value.lower() not in _YAML_WORDS and not value.endswith(" ")
            and _reads_back(value, value)):
        return value
    quoted = json.dumps(value, ensure_ascii=False)
    for char, escape in _YAML_ESCAPES.items():
        quoted = quoted.replace(char, escape)
    return quoted


def check_text(what: str, value: str) -> str:
    """Refuse text the loader would refuse in the file: say so now, not at `kbgen validate`."""
    found = forbidden(value) or spoofing(value)
    if found is not None:
        raise ScaffoldError(f"the {what} holds the character {describe(found.group())}, which "
                            "a help center page cannot show as text; remove it")
    if not value.strip():
        raise ScaffoldError(f"the {what} is empty; write some words")
    return value


def _words(slug: str) -> str:
    return " ".join(part.capitalize() for part in slug.split("-"))


def _modeline(target: Path, root: Path, kind: str) -> str:
    schema = root / SCHEMA_DIR / f"{kind}.schema.json"
    rel = Path(os.path.relpath(schema, target.parent)).as_posix()
    return f"# yaml-language-server: $schema={rel}"


def _load(path: Path) -> Document | None:
    loaded = load_file(path, path.name) if path.is_file() else None
    return loaded if isinstance(loaded, Document) else None


def _category_ids(data: Path) -> list[str]:
    doc = _load(data / "categories.yml")
    if doc is None or not isinstance(doc.data.get("categories"), list):
        return []
    return [c["id"] for c in doc.data["categories"] if isinstance(c, dict) and isinstance(c.get("id"), str)]


def _pick_category(data: Path, kind: str, wanted: str | None) -> str:
    known = _category_ids(data)
    if wanted is not None:
        if known and wanted not in known:
            raise ScaffoldError(f"there is no category '{wanted}' in data/categories.yml; "
                                f"known: {', '.join(known)}")
        return wanted
    default = DEFAULT_CATEGORY[kind]
    if default in known or not known:
        return default
    return known[0]


def _check_id(kind: str, ident: str | None, data: Path) -> str:
    if ident is None:
        raise ScaffoldError(f"say which {kind} to create: kbgen new {kind} <id>, "
                            f"e.g. kbgen new {kind} {'smtp' if kind == 'protocol' else 'my-' + kind}")
    if kind == "protocol":
        if ident not in PROTOCOL_FACTS:
            raise ScaffoldError(f"'{ident}' is not a protocol kbgen knows; "
                                f"use one of {', '.join(PROTOCOL_FACTS)}")
        return ident
    if not re.fullmatch(SLUG_RE, ident) or len(ident) > 64:
        raise ScaffoldError(f"'{ident}' cannot be an id: use lowercase letters, digits and "
                            "hyphens, e.g. thunderbird or pop-vs-imap")
    if kind in ("article", "client"):
        _refuse_existing(data / PER_ID[kind] / f"{ident}.yml", data)
        for folder in ("articles", "clients"):
            other = data / folder / f"{ident}.yml"
            if folder != PER_ID[kind] and other.exists():
                raise ScaffoldError(f"{_show(other, data)} already uses the id '{ident}'; "
                                    "articles and client guides share one set of ids")
    if ident in _category_ids(data):
        raise ScaffoldError(f"'{ident}' is already a category id in data/categories.yml; "
                            "pick another id so the addresses cannot clash")
    return ident


def _show(path: Path, data: Path) -> str:
    return f"{data.name}/{path.relative_to(data).as_posix()}"


def _trait_ids(data: Path, skip: str) -> list[str]:
    """Trait ids the other protocols have, so comparison blocks keep working."""
    ids: list[str] = []
    for path in sorted((data / "protocols").glob("*.yml")):
        doc = _load(path)
        traits = doc.data.get("traits") if doc and path.stem != skip else None
        if isinstance(traits, dict):
            ids.extend(t for t in traits if isinstance(t, str) and t not in ids)
    return ids


def new(root: Path, kind: str, ident: str | None = None, *, data_dir: str = "data",
        title: str | None = None, category: str | None = None, parent: str | None = None) -> Written:
    """Write the starter file for ``kind`` (and ``ident``); raise ScaffoldError, never overwrite."""
    data = root / data_dir
    if kind not in KINDS_NEW:
        raise ScaffoldError(f"kbgen cannot create a '{kind}'; choose one of {', '.join(KINDS_NEW)}")
    if kind in SINGLETONS:
        if ident is not None:
            raise ScaffoldError(f"there is only one {SINGLETONS[kind]}; run `kbgen new {kind}` "
                                "without an id")
        target = data / SINGLETONS[kind]
        _refuse_existing(target, data)
        _write(target, _fill(template(kind), {"schema": _modeline(target, root, kind)}))
        return Written(target, True)
    ident = _check_id(kind, ident, data)
    if title is not None:
        check_text("title", title)
    if kind == "category":
        return _add_category(root, data, ident, title, parent)
    target = data / PER_ID[kind] / f"{ident}.yml"
    _refuse_existing(target, data)
    values = {"schema": _modeline(target, root, kind), "id": ident}
    if kind == "protocol":
        facts = PROTOCOL_FACTS[ident]
        values.update({k: yaml_text(v) if k in {"name", "full_name", "summary"} else v
                       for k, v in facts.items()})
        text = _fill(template(kind), values)
        traits = _trait_ids(data, ident)
        if traits:
            lines = "".join(f"  {t}: Describe how {facts['name']} handles this.\n" for t in traits)
            text = text.replace("traits: {}\n", "traits:\n" + lines)
    else:
        app = _words(ident)
        values.update({
            "app": yaml_text(app),
            "category": _pick_category(data, kind, category),
            "title": yaml_text(title or (f"Set up email in {app}" if kind == "client" else app)),
            "summary": yaml_text(f"How to add your mailbox to {app}, step by step."
                                 if kind == "client" else "One line that says what this article answers."),
        })
        text = _fill(template(kind), values)
    _write(target, text)
    return Written(target, True)


def _refuse_existing(target: Path, data: Path) -> None:
    if target.exists():
        raise ScaffoldError(f"{_show(target, data)} already exists; kbgen new never overwrites. "
                            "Edit it, or delete it first if you really want a fresh start")


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # "x": fail rather than overwrite if the file appeared since we looked.
    try:
        with target.open("x", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{target} already exists; kbgen new never overwrites") from None


def _add_category(root: Path, data: Path, ident: str, title: str | None,
                  parent: str | None) -> Written:
    target = data / "categories.yml"
    if not target.is_file():
        raise ScaffoldError("data/categories.yml does not exist yet; run `kbgen new categories` "
                            "first")
    known = _category_ids(data)
    if parent is not None and parent not in known:
        raise ScaffoldError(f"there is no category '{parent}' to put '{ident}' under; "
                            f"known: {', '.join(known)}")
    original = target.read_text(encoding="utf-8")
    found = re.search(r"^( *)- +id:", original, re.MULTILINE)
    indent = found.group(1) if found else "  "
    block = _fill(template("category"), {
        "id": ident,
        "title": yaml_text(title or _words(ident)),
        "description": yaml_text(f"Everything about {_words(ident).lower()}."),
        "parent": f"    parent: {parent}\n" if parent else "",
    })
    # The template is indented for a list two spaces in; follow the file's own indent.
    block = "".join(indent + line[2:] if line.strip() else line
                    for line in block.splitlines(keepends=True))
    updated = original + ("" if original.endswith("\n") else "\n") + block
    # Appending is only safe when the list is the last thing in the file; prove it.
    check = target.with_name(f".{target.name}.new")
    try:
        check.write_text(updated, encoding="utf-8")
        doc = _load(check)
    finally:
        check.unlink(missing_ok=True)
    cats = doc.data.get("categories") if doc else None
    if not (isinstance(cats, list) and cats and isinstance(cats[-1], dict)
            and cats[-1].get("id") == ident and len(cats) == len(known) + 1):
        raise ScaffoldError("could not add the category to data/categories.yml safely; "
                            "add these lines at the end of its list by hand:\n" + block)
    target.write_text(updated, encoding="utf-8")
    return Written(target, False)


def new_translation(root: Path, lang: str | None, page: str | None, *,
                    data_dir: str = "data") -> list[Written]:
    """Write the starter translation of ``page`` into ``lang`` (every file the language has
    not yet, when ``page`` is None): the source's texts as comments over empty fields."""
    from ..data.data_folder import TRANSLATIONS, load_kb
    from ..data.errors import DataError
    from ..data.translations import (
        language_problem,
        languages_of,
        translatable_files,
        translation_file,
    )
    from ..data.translations_starter import starter_text

    if lang is None:
        raise ScaffoldError("say which language and page: kbgen new translation <language> "
                            "<page>, e.g. kbgen new translation de clients/thunderbird")
    try:
        kb = load_kb(root, data_dir)
    except DataError:
        raise ScaffoldError("the data has errors; fix them (kbgen validate) before starting a "
                            "translation of it") from None
    default, languages = languages_of(kb)
    problem = language_problem(lang, languages, default, f"{data_dir}/{TRANSLATIONS}")
    if problem is not None:
        raise ScaffoldError(f"{problem.message}; {problem.hint}")
    files = translatable_files(kb)
    base = root / data_dir / TRANSLATIONS / lang
    if page is None:
        wanted = [rel for rel in files if not (base / rel).exists()]
        if not wanted:
            raise ScaffoldError(f"every file of {data_dir}/ has a translation into {lang} "
                                "already; `kbgen validate` says what is left in each")
    else:
        rel = translation_file(kb, page)
        if rel is None:
            raise ScaffoldError(f"there is no '{page}' to translate in {data_dir}/; name a file "
                                f"of it, e.g. {', '.join(list(files)[:4])}")
        _refuse_existing(base / rel, root / data_dir)
        wanted = [rel]
    written = []
    for rel in wanted:
        target = base / rel
        _write(target, starter_text(kb, lang, files[rel], rel, data_dir))
        written.append(Written(target, True))
    return written
