"""What a schema cannot say: references resolve, ids are unique, settings are plausible."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator
from typing import Any

from .checked import build_date, check_checked
from .dnscheck import check_dns
from .errors import Problem, Severity
from .facts import INCOMING, PROTOCOLS, SECURITY, incoming, offered, placeholders, standard_port
from .kb import KB
from .legacy import check_legacy
from .markup import image_sources, is_external
from .model import (
    PLACEHOLDER_RE,
    Article,
    Categories,
    Client,
    ComparisonBlock,
    DnsRecordsBlock,
    OverviewBlock,
    PortsBlock,
    Protocol,
    Provider,
    SettingsBlock,
    Strict,
    TroublesBlock,
)
from .oauth2 import thunderbird_knows
from .reuse import ByObject
from .yaml_reader import Document

WARN = Severity.WARNING


def check_kb(kb: KB, singles: dict[str, tuple[Strict, Document]],
             many: dict[str, list[tuple[Strict, Document]]],
             broken: frozenset[str] | set[str] = frozenset(),
             memo: ByObject[list[Problem]] | None = None,
             today: dt.date | None = None) -> list[Problem]:
    """Every cross-file check; ``broken`` are ids of entries whose files did not validate
    (references to them are not reported: the file's own errors already are).
    ``memo``: what walking each file's text found, reused for unchanged files (the
    preview; at 10,000 articles the walks took most of a second per saved file).
    ``today``: the build date guides' checks are aged against (default: ``build_date()``)."""
    problems: list[Problem] = []
    problems += _check_protocols(many["protocol"], kb.provider)
    problems += _check_categories(singles["categories"])
    if not any(p.severity is Severity.ERROR for p in problems):
        problems += _check_ports_resolve(kb, *singles["provider"])
    if any(p.severity is Severity.ERROR for p in problems):
        # Later checks assume protocols and categories are sound and every endpoint has a
        # port: the placeholders ({{ pop3.port }}) are read from the first one.
        return problems
    problems += _check_provider(kb, *singles["provider"])
    problems += _check_entries(kb, many["article"] + many["client"], broken, memo)
    problems += check_checked(kb.provider, many["client"], today or build_date())
    values = placeholders(kb)
    for kind in ("categories", "troubleshooting"):
        problems += _check_placeholders(singles[kind][1], values, kb.provider)
        problems += _check_protocol_names(kb, singles[kind][1])
    for model, doc in many["protocol"]:
        # The files of the protocols offered are shown; the others never are.
        if isinstance(model, Protocol) and model.id in offered(kb.provider):
            problems += _check_placeholders(doc, values, kb.provider)
            problems += _check_protocol_names(kb, doc)
    problems += _check_placeholders(singles["provider"][1], values, kb.provider, allowed=False)
    # Old-URL checks skip entries whose category does not resolve (reported above).
    problems += check_legacy(kb, many["article"] + many["client"], singles["categories"])
    return problems


def check_images(documents: Iterable[Document],
                 memo: ByObject[list[Problem]] | None = None) -> list[Problem]:
    """Images from other sites in any Markdown field: the CSP (img-src 'self') blocks them.
    ``memo``: what each file gave, reused for unchanged files (the preview)."""
    problems: list[Problem] = []
    if memo is not None:
        memo.begin()
    for doc in documents:
        problems += memo.get(doc, functools.partial(_images, doc)) if memo else _images(doc)
    return problems


def _images(doc: Document) -> list[Problem]:
    problems = []
    for path, text in _markdown_fields(doc.data):
        for src in image_sources(text):
            if is_external(src):
                offset = text.find(src)
                problems.append(doc.problem(
                    path, f"the image {src} is not part of the help center: the site's "
                    "Content-Security-Policy (img-src 'self') blocks it, so readers would "
                    "see a broken picture",
                    "save the picture under docs/images/ and refer to it by that path",
                    offset=offset if offset >= 0 else None))
    return problems


def _check_file_name(model_id: str, doc: Document) -> list[Problem]:
    """The id is the file name, so a reader of the folder finds what a URL names."""
    stem = doc.file.rsplit("/", 1)[-1].removesuffix(".yml")
    if model_id == stem:
        return []
    return [doc.problem(("id",), f"the id '{model_id}' does not match the file name '{stem}.yml'",
                        f"rename the file to {model_id}.yml")]


def _check_protocols(items: list[tuple[Strict, Document]], provider: Provider) -> list[Problem]:
    problems = []
    seen: dict[str, str] = {}
    for model, doc in items:
        assert isinstance(model, Protocol)
        problems += _check_file_name(model.id, doc)
        if model.id in seen:
            problems.append(doc.problem(("id",), f"protocol '{model.id}' is defined twice",
                                        f"it is also defined in {seen[model.id]}"))
        seen[model.id] = doc.file
    # A protocol the provider offers needs its standard file; one it does not offer may
    # keep its file (the standard files are left alone) or lose it.
    for missing in [pid for pid in offered(provider) if pid not in seen]:
        problems.append(Problem(f"data/protocols/{missing}.yml", 1, 1, "",
                                f"the {missing} protocol file is missing",
                                f"data/provider.yml offers {missing}: restore the standard "
                                f"file from kbgen's example data/protocols/{missing}.yml"))
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


def _check_ports_resolve(kb: KB, model: Strict, doc: Document) -> list[Problem]:
    """An endpoint without 'port:' takes its protocol's standard port for its security;
    the standard files name none for 'none' (there is no standard unencrypted POP3 port)."""
    assert isinstance(model, Provider)
    problems = []
    for pid in offered(model):
        protocol = kb.protocols[pid]
        for i, ep in enumerate(getattr(model.servers, pid).endpoints):
            if ep.port is None and standard_port(protocol, ep.security) is None:
                # A STARTTLS connection starts unencrypted, so its port is the likely one.
                plain = standard_port(protocol, "starttls") if ep.security == "none" else None
                problems.append(doc.problem(
                    ("servers", pid, "endpoints", i, "security"),
                    f"{protocol.name} has no standard port for security '{ep.security}'",
                    f"add the server's port to this endpoint: unencrypted {protocol.name} "
                    f"usually shares 'port: {plain}' with STARTTLS" if plain else
                    "add 'port: …' to this endpoint"))
    return problems


def _check_provider(kb: KB, model: Strict, doc: Document) -> list[Problem]:
    assert isinstance(model, Provider)
    problems = []
    well_known = {e.port: (p, e.security) for p in kb.protocols.values() for e in p.standard_ports}
    for i, domain in enumerate(model.domains):
        if model.domains.index(domain) != i:
            problems.append(doc.problem(("domains", i), f"'{domain}' is listed twice",
                                        "remove one"))
    for pid in offered(model):
        protocol = kb.protocols[pid]
        ports_seen: set[int] = set()
        for i, ep in enumerate(getattr(model.servers, pid).endpoints):
            path = ("servers", pid, "endpoints", i)
            standard = standard_port(protocol, ep.security)
            port = ep.port if ep.port is not None else standard
            if port is None:  # reported by _check_ports_resolve
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
            if owner == (protocol, "starttls") and ep.security == "none":
                owner = None  # STARTTLS starts unencrypted: the usual port for clear text
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
    problems += _check_oauth2(model, doc)
    problems += check_dns(model, doc)
    if model.dns is not None and model.dns.dkim is not None:  # the one Markdown field here
        standard_ports = {str(e.port) for p in kb.protocols.values() for e in p.standard_ports}
        problems += _check_ports_typed(doc, ("dns", "dkim", "key_source"), model.dns.dkim.key_source,
                                       standard_ports)
    return problems


def _check_oauth2(model: Provider, doc: Document) -> list[Problem]:
    """OAuth2 only where the apps reading our files can do it (see kbgen/data/oauth2.py).

    Thunderbird rejects the whole autoconfig file when it has no OAuth2 settings for
    a host, and an Apple profile cannot set up OAuth2 at all; writing a password
    method next to it would claim the server takes passwords, which the data does
    not say. So a host Thunderbird does not know is an error here, not a broken file.
    """
    if model.authentication != "oauth2":
        return []
    hosts = [srv.host for pid in ("imap", "pop3", "smtp")
             if (srv := getattr(model.servers, pid, None)) is not None]
    unknown = sorted({h for h in hosts if "{domain}" in h or not thunderbird_knows(h)})
    if not unknown:
        return []
    return [doc.problem(
        ("authentication",), f"mail apps cannot sign in to {', '.join(unknown)} with OAuth2: "
        "Thunderbird accepts OAuth2 only for the big providers it knows (Gmail, Microsoft 365, "
        "Yahoo, AOL, Fastmail …) and rejects the whole autoconfig file otherwise, and Apple "
        "profiles cannot carry OAuth2",
        "use 'password', which apps send inside TLS, or 'encrypted-password'")]


def _check_entries(kb: KB, items: list[tuple[Strict, Document]],
                   broken: frozenset[str] | set[str] = frozenset(),
                   memo: ByObject[list[Problem]] | None = None) -> list[Problem]:
    problems: list[Problem] = []
    values = placeholders(kb)
    standard_ports = {str(e.port) for p in kb.protocols.values() for e in p.standard_ports}
    if memo is not None:
        memo.begin((values, standard_ports, kb.provider))  # all a walk compares the text with

    def walk(doc: Document) -> list[Problem]:  # this file's text against the values alone
        return _text_problems(kb, doc, values, standard_ports)

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
        problems += _check_related(kb, model, doc, broken)
        problems += memo.get(doc, functools.partial(walk, doc)) if memo else walk(doc)
        if isinstance(model, Article):
            problems += _check_blocks(kb, model, doc)
        else:
            problems += _check_client(kb, model, doc, broken)
    return problems


def _text_problems(kb: KB, doc: Document, values: dict[str, str],
                   standard_ports: set[str]) -> list[Problem]:
    found = _check_placeholders(doc, values, kb.provider)
    for path, text in _markdown_fields(doc.data):
        found += _check_ports_typed(doc, path, text, standard_ports)
        found += _check_hosts_typed(doc, path, text, values)
    return found + _check_protocol_names(kb, doc)  # reads the provider alone of kb


def check_text(kb: KB, doc: Document) -> list[Problem]:
    """A file's text against the facts, as an article's is checked: placeholders that
    resolve, no port or server name typed by hand, no protocol the provider does not
    offer, no image from another site (a translation's file, data/translations/)."""
    standard_ports = {str(e.port) for p in kb.protocols.values() for e in p.standard_ports}
    return _text_problems(kb, doc, placeholders(kb), standard_ports) + _images(doc)


def _check_related(kb: KB, model: Article | Client, doc: Document,
                   broken: frozenset[str] | set[str]) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for i, rid in enumerate(model.related):
        path = ("related", i)
        if rid == model.id:
            problems.append(doc.problem(path, "an article cannot be related to itself",
                                        "remove this line"))
        elif rid in broken and rid not in kb.entries:
            pass  # its file has errors of its own, reported with it
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
            if isinstance(block, (OverviewBlock, PortsBlock)) and not offered(
                    kb.provider, block.protocols):
                problems.append(doc.problem(
                    ("body", i, "protocols"), "the provider offers none of these protocols, "
                    "so this block shows nothing", "list a protocol data/provider.yml has a "
                    "server for, or remove the block", severity=WARN))
        if isinstance(block, SettingsBlock) and block.incoming and not incoming(
                kb.provider, block.incoming):
            names = " or ".join(pid.upper() for pid in block.incoming)
            problems.append(doc.problem(
                ("body", i, "incoming"), f"data/provider.yml has no {names} server to show",
                "remove 'incoming:' to show every incoming protocol the provider offers"))
        if isinstance(block, TroublesBlock):
            for j, tid in enumerate(block.problems):
                if tid not in kb.troubles:
                    problems.append(doc.problem(("body", i, "problems", j),
                                                f"unknown problem '{tid}'",
                                                _choices(tid, kb.troubles)))
        if isinstance(block, DnsRecordsBlock) and kb.provider.dns is None:
            problems.append(doc.problem(("body", i, "type"), "the dns-records block shows dns: "
                                        "from data/provider.yml, which has none",
                                        "add dns: with at least mx: to data/provider.yml"))
        if isinstance(block, ComparisonBlock):
            for j, row in enumerate(block.rows):
                # Only the offered protocols are compared on the page (render adapts).
                for shown in offered(kb.provider, block.protocols):
                    if row.trait not in kb.protocols[shown].traits:
                        problems.append(doc.problem(
                            ("body", i, "rows", j, "trait"),
                            f"protocol '{shown}' has no trait '{row.trait}'",
                            f"add '{row.trait}: …' under traits in data/protocols/{shown}.yml"))
    return problems


def _check_client(kb: KB, model: Client, doc: Document,
                  broken: frozenset[str] | set[str]) -> list[Problem]:
    problems = []
    if model.protocols and not incoming(kb.provider, model.protocols):
        apps = " or ".join(kb.protocols[pid].name if pid in kb.protocols else pid.upper()
                           for pid in model.protocols)
        ours = " or ".join(kb.protocols[pid].name for pid in incoming(kb.provider))
        problems.append(doc.problem(("protocols",), f"this app reads mail with {apps} only, and "
                                    f"data/provider.yml offers {ours}",
                                    "list the protocols the app supports, or remove this guide"))
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
    if replacement and replacement not in kb.entries and replacement not in broken:
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


_BRACES = re.compile(r"\{\{|\}\}")


def _check_placeholders(doc: Document, values: dict[str, str], provider: Provider,
                        *, allowed: bool = True) -> list[Problem]:
    """Every {{ placeholder }} in any text a reader sees resolves; nothing like one is left over.

    Placeholders are filled in every text field (titles, headings, summaries, step
    titles, messages…), so a name that does not resolve, or braces that are not a
    placeholder, would be printed literally: both are errors. Where placeholders are
    not filled (``allowed=False``, data/provider.yml), any is an error.
    """
    problems = []
    for path, text in prose(doc.data):
        for match in PLACEHOLDER_RE.finditer(text):
            if not allowed:
                problems.append(doc.problem(
                    path, f"placeholders are not filled in this file ({match.group(0)})",
                    "write the value itself", offset=match.start()))
            elif match.group(1) not in values:
                message, hint = _placeholder_problem(match.group(1), values, provider)
                problems.append(doc.problem(path, message, hint, offset=match.start()))
        stray = _BRACES.search(PLACEHOLDER_RE.sub(lambda m: " " * len(m.group(0)), text))
        if stray:
            problems.append(doc.problem(
                path, f"'{stray.group(0)}' is not part of a placeholder and would be printed as it is",
                "write a placeholder as {{ name }}, with a lowercase name such as {{ imap.host }}",
                offset=stray.start()))
    return problems


def _check_ports_typed(doc: Document, path: tuple[Any, ...], text: str,
                       standard_ports: set[str]) -> list[Problem]:
    problems = []
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


def _placeholder_problem(name: str, values: dict[str, str], provider: Provider) -> tuple[str, str]:
    """Why a placeholder has no value: a typo, or a server or security this provider lacks."""
    shown = f"{{{{ {name} }}}}"
    pid, _, fact = name.partition(".")
    if pid in PROTOCOLS and pid not in offered(provider):
        return (f"{shown} names {pid.upper()}, which data/provider.yml does not offer",
                f"remove it, or add servers.{pid} to data/provider.yml")
    if pid in PROTOCOLS and fact in SECURITY:
        return (f"{shown}: data/provider.yml offers no {pid.upper()} endpoint with "
                f"{SECURITY[fact].long}", f"use {{{{ {pid}.port }}}} for the recommended port, "
                f"or {{{{ {pid}.ports }}}} for all of them")
    return f"unknown placeholder {shown}", _choices(name, values)


# Words naming a way in; a page of a provider that does not offer it must not name it.
_PROTOCOL_WORDS = {"imap": re.compile(r"\bIMAP4?\b"), "pop3": re.compile(r"\bPOP3?\b")}
_NOT_PROSE = {"id", "category", "related", "tags", "protocols", "problem", "problems", "type",
              "replacement", "src", "trait", "incoming", "legacy", "updated", "family", "platform"}


def prose(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            # data/troubleshooting.yml's 'problems' are texts; a block's are ids.
            texts = isinstance(value, list) and any(isinstance(v, dict) for v in value)
            if key not in _NOT_PROSE or texts:
                yield from prose(value, (*path, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from prose(item, (*path, i))
    elif isinstance(data, str):
        yield path, data


def _check_protocol_names(kb: KB, doc: Document) -> list[Problem]:
    """Text naming an incoming protocol the provider does not offer: wrong on every page it reaches."""
    missing = [pid for pid in INCOMING if pid not in offered(kb.provider)]
    problems = []
    for path, text in prose(doc.data):
        for pid in missing:
            found = _PROTOCOL_WORDS[pid].search(PLACEHOLDER_RE.sub(
                lambda m: " " * len(m.group(0)), text))
            if found:
                problems.append(doc.problem(
                    path, f"the text names {found.group(0)}, but data/provider.yml offers no "
                    f"{pid.upper()} server", "reword it for the protocols offered; an article "
                    f"about {found.group(0)} alone can go", offset=found.start(), severity=WARN))
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
