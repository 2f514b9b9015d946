"""Checks of ``dns:`` in data/provider.yml: records a customer can paste without breaking mail.

The schema knows only that SPF and DMARC are text; these checks read them the way
receiving mail servers do (RFC 7208 for SPF, RFC 7489 for DMARC) far enough to
catch what an author gets wrong, at the exact character, with a fix.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import Problem, Severity
from .model import Dns, Provider
from .yaml_reader import Document, PathKey

WARN = Severity.WARNING

# Every pattern here guards a whole value, so it is used with fullmatch: with match or
# search, "$" also matches before a final newline, and a record with a line break in it
# passed the checks and broke the zone file.
# RFC 7208 section 4.6.1: mechanisms with an optional qualifier, and name=value modifiers.
_SPF_MECHANISM = re.compile(
    r"[-~?+]?(all|include:\S+|exists:\S+|ptr(:\S+)?|ip4:[0-9.]+(/\d{1,2})?|ip6:[0-9a-f:.]+(/\d{1,3})?"
    r"|(a|mx)(:[^/\s]+)?(/\d{1,2})?(//\d{1,3})?)", re.I)
_SPF_MODIFIER = re.compile(r"[a-z][a-z0-9_.-]*=\S*", re.I)
# Visible ASCII without the characters a TXT record or a web page would have to escape.
_PLAIN_CHAR = re.compile(r"[!#-\[\]-~ ]")
_DMARC_VERSION = re.compile(r"v=DMARC1\s*(;.*)?", re.S)
_DMARC_URI = re.compile(r"mailto:[^@\s,]+@[^@\s,]+\.[^@\s,!]+(![0-9]+[kmgt]?)?")

_DMARC_POLICIES = ("none", "quarantine", "reject")
_DMARC_TAGS = {"v", "p", "sp", "np", "rua", "ruf", "pct", "adkim", "aspf", "fo", "rf", "ri", "psd", "t"}
_DMARC_VALUES = {
    "p": _DMARC_POLICIES, "sp": _DMARC_POLICIES, "np": _DMARC_POLICIES,
    "adkim": ("r", "s"), "aspf": ("r", "s"),
}


def check_dns(model: Provider, doc: Document) -> list[Problem]:
    dns = model.dns
    if dns is None:
        return []
    problems: list[Problem] = []
    problems += _check_hosts(model, dns, doc)
    if dns.spf is not None:
        problems += _check_spf(dns.spf, doc)
    if dns.dmarc is not None:
        problems += _check_dmarc(dns.dmarc, doc)
    seen: dict[str, int] = {}
    for i, mx in enumerate(dns.mx):
        if mx.host in seen:
            problems.append(doc.problem(("dns", "mx", i, "host"), f"{mx.host} is listed twice",
                                        f"dns.mx[{seen[mx.host]}] has it already"))
        seen.setdefault(mx.host, i)
    return problems


def _check_hosts(model: Provider, dns: Dns, doc: Document) -> list[Problem]:
    """A record is written once for every customer: {domain} may only end a host name."""
    hosts: list[tuple[tuple[Any, ...], str]] = [
        (("servers", pid, "host"), srv.host) for pid in ("imap", "pop3", "smtp")
        if (srv := getattr(model.servers, pid, None)) is not None]
    hosts += [(("dns", "mx", i, "host"), mx.host) for i, mx in enumerate(dns.mx)]
    for key in ("autoconfig", "autodiscover"):
        if getattr(dns, key) is not None:
            hosts.append((("dns", key), getattr(dns, key)))
    if dns.dkim is not None and dns.dkim.cname is not None:
        hosts.append((("dns", "dkim", "cname"), dns.dkim.cname))
    problems = []
    for path, host in hosts:
        inner = host.removesuffix(".{domain}") if host != "{domain}" else ""
        if "{domain}" in inner:
            problems.append(doc.problem(
                path, f"{host} cannot be written as a DNS record for every customer's domain",
                "put {domain} at the end, as in mail.{domain}, or use a fixed host name"))
    for key in ("autoconfig", "autodiscover"):
        # The record is <key>.<domain> CNAME <this host> (dnsrecords.records): its own name
        # would make a CNAME to itself, and BIND refuses the SRV record that points at it.
        if getattr(dns, key) == f"{key}.{{domain}}":
            problems.append(doc.problem(
                ("dns", key), f"{key}.{{domain}} is the name of the record itself: the CNAME "
                "would point to itself", f"give the host {key}.<domain> should point to, or "
                f"leave dns.{key} out when every customer's zone has that host already"))
    return problems


def _not_plain(value: str, kind: str, article: str, path: PathKey, doc: Document) -> Problem | None:
    """The first character a TXT record cannot hold as it is, reported at its place."""
    bad = next((i for i, c in enumerate(value) if not _PLAIN_CHAR.fullmatch(c)), None)
    if bad is None:
        return None
    if value[bad] in "\r\n":
        # In a zone file a line break ends the record, and what follows it is read as a
        # record of its own; a folded (>) or literal (|) YAML scalar ends in one.
        return doc.problem(path, f"{article} {kind} record is one line of text (found a line break)",
                           f"write the {kind} record on one line; a folded `>` scalar adds a "
                           "newline at its end, `>-` does not", offset=bad)
    return doc.problem(path, f"{article} {kind} record is plain ASCII without quotes or backslashes "
                             f"(found {value[bad]!r})", "remove the character", offset=bad)


def _check_spf(spf: str, doc: Document) -> list[Problem]:
    path = ("dns", "spf")
    if (refused := _not_plain(spf, "SPF", "an", path, doc)) is not None:
        return [refused]
    terms = [(m.start(), m.group()) for m in re.finditer(r"\S+", spf)]
    if not terms or terms[0][1].lower() != "v=spf1" or not spf.startswith("v=spf1"):
        return [doc.problem(path, "an SPF record starts with 'v=spf1'",
                            "write it as 'v=spf1 include:… ~all'")]
    problems = []
    mechanisms = []
    for start, term in terms[1:]:
        if _SPF_MECHANISM.fullmatch(term):
            mechanisms.append((start, term))
        elif not _SPF_MODIFIER.fullmatch(term):
            problems.append(doc.problem(path, f"'{term}' is not an SPF mechanism or modifier",
                                        "use all, include:, a, mx, ip4:, ip6:, exists: or "
                                        "redirect=", offset=start))
    if problems:
        return problems
    for i, (start, term) in enumerate(mechanisms):
        if term.lower().lstrip("-~?+") == "all" and i < len(mechanisms) - 1:
            return [doc.problem(path, f"receivers stop reading at '{term}', so the mechanisms "
                                "after it are never used", "move it to the end", offset=start)]
    redirect = any(t.lower().startswith("redirect=") for _, t in terms[1:])
    last = mechanisms[-1][1].lower().lstrip("-~?+") if mechanisms else ""
    if last != "all" and not redirect:
        return [doc.problem(path, "an SPF record ends with an 'all' mechanism",
                            "end it with ~all (mark mail from other servers) or -all (refuse it)",
                            offset=len(spf))]
    for start, term in mechanisms:
        if term.lower() in {"all", "+all"}:
            problems.append(doc.problem(
                path, f"'{term}' lets every server in the world send mail as the domain",
                "use ~all or -all", offset=start, severity=WARN))
    return problems


def _check_dmarc(dmarc: str, doc: Document) -> list[Problem]:
    path = ("dns", "dmarc")
    if (refused := _not_plain(dmarc, "DMARC", "a", path, doc)) is not None:
        return [refused]
    if not _DMARC_VERSION.fullmatch(dmarc):
        return [doc.problem(path, "a DMARC record starts with 'v=DMARC1'",
                            "write it as 'v=DMARC1; p=none; rua=mailto:…'")]
    tags: list[tuple[int, str, str]] = []
    offset = 0
    for part in dmarc.split(";"):
        text = part.strip()
        start = offset + (len(part) - len(part.lstrip()))
        offset += len(part) + 1
        if not text:
            continue
        name, eq, value = text.partition("=")
        if not eq:
            return [doc.problem(path, f"'{text}' is not a tag=value pair",
                                "separate tags with ';', as in 'v=DMARC1; p=none'", offset=start)]
        tags.append((start, name.strip(), value.strip()))
    if not tags or (tags[0][1], tags[0][2]) != ("v", "DMARC1"):
        return [doc.problem(path, "a DMARC record starts with 'v=DMARC1'",
                            "write it as 'v=DMARC1; p=none; rua=mailto:…'")]
    if len(tags) < 2 or tags[1][1] != "p":
        return [doc.problem(path, "the second tag of a DMARC record is the policy, p=",
                            "add 'p=none' (only report), 'p=quarantine' or 'p=reject' after "
                            "'v=DMARC1;'")]
    problems = []
    for start, name, value in tags[1:]:
        if name not in _DMARC_TAGS:
            problems.append(doc.problem(path, f"'{name}' is not a DMARC tag",
                                        f"known tags: {', '.join(sorted(_DMARC_TAGS - {'v'}))}",
                                        offset=start))
        elif name in _DMARC_VALUES and value not in _DMARC_VALUES[name]:
            problems.append(doc.problem(path, f"{name}={value} is not allowed",
                                        f"use one of: {', '.join(_DMARC_VALUES[name])}",
                                        offset=start))
        elif name in {"rua", "ruf"} and not all(
                _DMARC_URI.fullmatch(uri.strip())
                for uri in value.split(",")):
            problems.append(doc.problem(path, f"{name} lists where reports go as mailto: addresses",
                                        f"write {name}=mailto:dmarc@example.com", offset=start))
        elif name == "pct" and not (value.isdigit() and 0 <= int(value) <= 100):
            problems.append(doc.problem(path, f"pct={value} is not a percentage 0-100", "",
                                        offset=start))
    return problems
