"""What a schema cannot say: references resolve, ids are unique, settings are plausible."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .errors import Problem, Severity
from .facts import placeholders, standard_port
from .kb import KB
from .legacy import check_legacy
from .loader import Document
from .model import (
    PLACEHOLDER_RE,
    Article,
    Categories,
    Client,
    ComparisonBlock,
    OverviewBlock,
    PortsBlock,
    Protocol,
    Provider,
    Strict,
    TroublesBlock,
)

WARN = Severity.WARNING


def check_kb(kb: KB, singles: dict[str, tuple[Strict, Document]],
             many: dict[str, list[tuple[Strict, Document]]]) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_protocols(many["protocol"])
    problems += _check_categories(singles["categories"])
    if any(p.severity is Severity.ERROR for p in problems):
        return problems  # later checks assume protocols and categories are sound
    problems += _check_provider(kb, *singles["provider"])
    problems += _check_entries(kb, many["article"] + many["client"])
    if any(p.severity is Severity.ERROR for p in problems):
        return problems  # old-URL checks need every article's category to resolve
    problems += check_legacy(kb, many["article"] + many["client"], singles["categories"])
    return problems


def _check_file_name(model_id: str, doc: Document) -> list[Problem]:
    """The id is the file name, so a reader of the folder finds what a URL names."""
    stem = doc.file.rsplit("/", 1)[-1].removesuffix(".yml")
    if model_id == stem:
        return []
    return [doc.problem(("id",), f"the id '{model_id}' does not match the file name '{stem}.yml'",
                        f"rename the file to {model_id}.yml")]


def _check_protocols(items: list[tuple[Strict, Document]]) -> list[Problem]:
    problems = []
    seen: dict[str, str] = {}
    for model, doc in items:
        assert isinstance(model, Protocol)
        problems += _check_file_name(model.id, doc)
        if model.id in seen:
            problems.append(doc.problem(("id",), f"protocol '{model.id}' is defined twice",
                                        f"it is also defined in {seen[model.id]}"))
        seen[model.id] = doc.file
    for missing in sorted({"imap", "pop3", "smtp"} - set(seen)):
        problems.append(Problem(f"data/protocols/{missing}.yml", 1, 1, "",
                                f"the {missing} protocol file is missing",
                                "every provider page needs imap, pop3 and smtp"))
    return problems


def _check_categories(item: tuple[Strict, Document]) -> list[Problem]:
    model, doc = item
    assert isinstance(model, Categories)
    problems = []
    ids: dict[str, int] = {}
    for i, cat in enumerate(model.categories):
        if cat.id in ids:
            problems.append(doc.problem(("categories", i, "id"), f"duplicate category id "
                                        f"'{cat.id}'", f"categories[{ids[cat.id]}] has it too"))
        ids.setdefault(cat.id, i)
    parents = {c.id: c.parent for c in model.categories}
    for i, cat in enumerate(model.categories):
        if cat.parent is not None and cat.parent not in ids:
            problems.append(doc.problem(("categories", i, "parent"), f"unknown category "
                                        f"'{cat.parent}'", _choices(cat.parent, ids)))
            continue
        seen, current = {cat.id}, cat.parent
        while current is not None:
            if current in seen:
                problems.append(doc.problem(("categories", i, "parent"),
                                            "the categories' parents form a loop",
                                            "one category must sit at the top (no parent)"))
                break
            seen.add(current)
            current = parents.get(current)
    return problems


RELAY_PORT = 25  # RFC 5321 server-to-server relay; never right for a mail app's submission


def _check_provider(kb: KB, model: Strict, doc: Document) -> list[Problem]:
    assert isinstance(model, Provider)
    problems = []
    well_known = {e.port: (p, e.security) for p in kb.protocols.values() for e in p.standard_ports}
    for pid in ("imap", "pop3", "smtp"):
        protocol = kb.protocols[pid]
        ports_seen: set[int] = set()
        for i, ep in enumerate(getattr(model.servers, pid).endpoints):
            path = ("servers", pid, "endpoints", i)
            standard = standard_port(protocol, ep.security)
            port = ep.port if ep.port is not None else standard
            if port is None:
                problems.append(doc.problem((*path, "security"), f"{protocol.name} has no standard "
                                            f"port for security '{ep.security}'",
                                            "add 'port: …' to this endpoint"))
                continue
            if port in ports_seen:
                problems.append(doc.problem((*path, "port") if ep.port else path,
                                            f"port {port} is listed twice", "list each port once"))
            ports_seen.add(port)
            if ep.security == "none":
                problems.append(doc.problem(
                    (*path, "security"), f"{protocol.name} on port {port} without encryption "
                    "sends passwords in the clear", "offer tls or starttls instead", severity=WARN))
            if ep.port is None:
                continue
            owner = well_known.get(ep.port)
            if ep.port == standard:
                problems.append(doc.problem(
                    (*path, "port"), f"port {ep.port} is already {protocol.name}'s standard port "
                    f"for {ep.security}", f"leave 'port:' out so it follows "
                    f"data/protocols/{pid}.yml", severity=WARN))
            elif owner is not None:
                other, security = owner
                problems.append(doc.problem(
                    (*path, "port"), f"{protocol.name} with {ep.security} on port {ep.port} is "
                    f"unusual: {ep.port} is the standard port for {other.name} with {security}",
                    "check the port and security against the server's configuration",
                    severity=WARN))
            elif ep.port == RELAY_PORT and pid == "smtp":
                problems.append(doc.problem(
                    (*path, "port"), "port 25 is for servers relaying mail, and is blocked on "
                    "many networks", "offer the submission ports to mail apps", severity=WARN))
    return problems


def _check_entries(kb: KB, items: list[tuple[Strict, Document]]) -> list[Problem]:
    problems: list[Problem] = []
    values = placeholders(kb)
    standard_ports = {str(e.port) for p in kb.protocols.values() for e in p.standard_ports}
    owners: dict[str, str] = {}
    for model, doc in items:
        assert isinstance(model, (Article, Client))
        problems += _check_file_name(model.id, doc)
        if model.id in owners:
            problems.append(doc.problem(("id",), f"the id '{model.id}' is already used",
                                        f"{owners[model.id]} has it; ids must be unique"))
        owners.setdefault(model.id, doc.file)
        if model.id in kb.categories:
            problems.append(doc.problem(("id",), f"the id '{model.id}' is also a category id",
                                        "pick another id so their URLs cannot clash"))
        if model.category not in kb.categories:
            problems.append(doc.problem(("category",), f"unknown category '{model.category}'",
                                        _choices(model.category, kb.categories)))
        for i, pid in enumerate(model.protocols):
            if pid not in kb.protocols:
                problems.append(doc.problem(("protocols", i), f"unknown protocol '{pid}'", ""))
        problems += _check_related(kb, model, doc)
        for path, text in _markdown_fields(doc.data):
            problems += _check_markdown(doc, path, text, values, standard_ports)
            problems += _check_hosts_typed(doc, path, text, values)
        if isinstance(model, Article):
            problems += _check_blocks(kb, model, doc)
        else:
            problems += _check_client(kb, model, doc)
    return problems


def _check_related(kb: KB, model: Article | Client, doc: Document) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for i, rid in enumerate(model.related):
        path = ("related", i)
        if rid == model.id:
            problems.append(doc.problem(path, "an article cannot be related to itself",
                                        "remove this line"))
        elif rid not in kb.entries:
            problems.append(doc.problem(path, f"no article or client guide has the id '{rid}'",
                                        _choices(rid, kb.entries)))
        elif rid in seen:
            problems.append(doc.problem(path, f"'{rid}' is listed twice", "remove one"))
        elif kb.entries[rid].draft or kb.entries[rid].hidden:
            problems.append(doc.problem(path, f"'{rid}' is a draft or hidden article",
                                        "readers cannot open it; remove it or publish it",
                                        severity=WARN))
        seen.add(rid)
    return problems


def _check_blocks(kb: KB, model: Article, doc: Document) -> list[Problem]:
    problems = []
    for i, block in enumerate(model.body):
        if isinstance(block, (OverviewBlock, ComparisonBlock, PortsBlock)):
            for j, pid in enumerate(block.protocols):
                if block.protocols.index(pid) != j:
                    problems.append(doc.problem(("body", i, "protocols", j),
                                                f"'{pid}' is listed twice", "remove one"))
        if isinstance(block, TroublesBlock):
            for j, tid in enumerate(block.problems):
                if tid not in kb.troubles:
                    problems.append(doc.problem(("body", i, "problems", j),
                                                f"unknown problem '{tid}'",
                                                _choices(tid, kb.troubles)))
        if isinstance(block, ComparisonBlock):
            for j, row in enumerate(block.rows):
                for pid in block.protocols:
                    if row.trait not in kb.protocols[pid].traits:
                        problems.append(doc.problem(
                            ("body", i, "rows", j, "trait"),
                            f"protocol '{pid}' has no trait '{row.trait}'",
                            f"add '{row.trait}: …' under traits in data/protocols/{pid}.yml"))
    return problems


def _check_client(kb: KB, model: Client, doc: Document) -> list[Problem]:
    problems = []
    docs_dir = kb.root / "docs"
    for i, step in enumerate(model.steps):
        if step.image is not None and not (docs_dir / step.image.src).is_file():
            problems.append(doc.problem(("steps", i, "image", "src"),
                                        f"the image docs/{step.image.src} does not exist",
                                        "add the file under docs/ or fix the path"))
    if not any(step.settings for step in model.steps):
        problems.append(doc.problem(("steps",), "no step shows the server settings",
                                    "add 'settings: true' to the step where they are typed",
                                    severity=WARN))
    for i, trouble in enumerate(model.troubleshooting):
        if trouble.problem not in kb.troubles:
            problems.append(doc.problem(("troubleshooting", i, "problem"),
                                        f"unknown problem '{trouble.problem}'",
                                        _choices(trouble.problem, kb.troubles)))
    replacement = model.deprecated.replacement if model.deprecated else None
    if replacement and replacement not in kb.entries:
        problems.append(doc.problem(("deprecated", "replacement"),
                                    f"no article or client guide has the id '{replacement}'",
                                    _choices(replacement, kb.entries)))
    return problems


_MARKDOWN_KEYS = {"markdown", "how_it_works", "text", "fix", "notice", "cause"}
_PORT_IN_TEXT = re.compile(r"(?<![\w.{/:-])(\d{2,5})(?![\w.}-])")


def _markdown_fields(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _MARKDOWN_KEYS and isinstance(value, str):
                yield (*path, key), value
            elif key == "before_you_start" and isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        yield (*path, key, i), item
            else:
                yield from _markdown_fields(value, (*path, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _markdown_fields(item, (*path, i))


def _check_markdown(doc: Document, path: tuple[Any, ...], text: str, values: dict[str, str],
                    standard_ports: set[str]) -> list[Problem]:
    problems = []
    for match in PLACEHOLDER_RE.finditer(text):
        if match.group(1) not in values:
            problems.append(doc.problem(path, f"unknown placeholder {{{{ {match.group(1)} }}}}",
                                        _choices(match.group(1), values), offset=match.start()))
    # Blank out placeholders (keeping offsets) so only ports typed by hand are found.
    bare = PLACEHOLDER_RE.sub(lambda m: " " * len(m.group(0)), text)
    for match in _PORT_IN_TEXT.finditer(bare):
        if match.group(1) in standard_ports:
            problems.append(doc.problem(
                path, f"the port {match.group(1)} is typed into the text",
                "use a placeholder such as {{ imap.tls }} so the text follows the data",
                offset=match.start(1), severity=WARN))
            break
    return problems


def _choices(value: str, known: Any) -> str:
    import difflib

    names = sorted(known)
    close = difflib.get_close_matches(value, names, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
    return f"known: {shown}" if names else ""


def _check_hosts_typed(doc: Document, path: tuple[Any, ...], text: str,
                       values: dict[str, str]) -> list[Problem]:
    """A server name typed by hand (often pasted from an old article) stops following the data."""
    bare = PLACEHOLDER_RE.sub(lambda m: " " * len(m.group(0)), text)
    hosts: dict[str, str] = {}
    for pid in ("imap", "pop3", "smtp"):
        host = values.get(f"{pid}.host")
        if host:
            hosts.setdefault(host.lower(), f"{pid}.host")
    for host, name in hosts.items():
        match = re.search(rf"(?<![\w.-]){re.escape(host)}(?![\w-]|\.\w)", bare, re.I)
        if match:
            return [doc.problem(path, f"the server name {match.group(0)} is typed into the text",
                                f"use the placeholder {{{{ {name} }}}} so the text follows the data",
                                offset=match.start(), severity=WARN)]
    return []
