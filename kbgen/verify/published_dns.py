"""``kbgen verify --dns``: the records the DNS article tells customers to add, as a domain
publishes them.

The expected records are the article's own (``kbgen.data.dnsrecords.records``), asked of
the sample domain with dnspython, so what is checked is exactly what readers are told to
type. A name with no such record, or with a different one, is a problem at the fact in
data/provider.yml it comes from; a resolver that does not answer is "unreachable", not a
mistake in the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver

from ..data.dnsrecords import Record, records
from ..data.errors import Problem
from ..data.kb import KB
from ..data.yaml_reader import Document, PathKey
from .net import Deadline, Unreachable
from .probe import Outcome
from .targets import provider_document


@dataclass(frozen=True)
class Nameserver:
    """Where to ask: an address and port (``--nameserver``); None asks the system's resolver."""

    address: str
    port: int = 53

    @classmethod
    def parse(cls, text: str) -> Nameserver:
        address, _, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
        address = address.strip("[]")
        if not address or (port and not (port.isdigit() and 1 <= int(port) <= 65535)):
            raise ValueError(f"--nameserver {text!r} is not ADDRESS or ADDRESS:PORT "
                             "(e.g. 192.0.2.53 or 127.0.0.1:5353)")
        return cls(address, int(port) if port else 53)


def _absolute(target: str, domain: str) -> str:
    """A record target from the article as DNS software writes it, lower case, final dot."""
    if target == "@":
        return f"{domain}."
    if target.endswith("."):
        return target.lower()
    return f"{target}.{domain}.".lower()


def _expected(record: Record, domain: str) -> str:
    if record.type == "MX":
        return f"{record.priority} {_absolute(record.target, domain)}"
    if record.type == "SRV":
        target = "." if record.target == "." else _absolute(record.target, domain)
        return f"{record.priority} {record.weight} {record.port} {target}"
    if record.type == "CNAME":
        return _absolute(record.target, domain)
    return record.text


def _path(record: Record, kb: KB, mx_index: int) -> PathKey:
    """The fact in data/provider.yml a record is made from."""
    if record.type == "MX":
        return ("dns", "mx", mx_index, "host")
    if record.name.endswith("._domainkey"):
        return ("dns", "dkim", "cname")
    if record.name == "_dmarc":
        return ("dns", "dmarc")
    if record.type == "TXT":
        return ("dns", "spf")
    if record.name == "autoconfig":
        return ("dns", "autoconfig")
    if record.name.startswith(("autodiscover", "_autodiscover.")):
        return ("dns", "autodiscover")
    for pid, protocol in kb.protocols.items():
        if record.name in protocol.srv.values():
            return ("servers", pid) if getattr(kb.provider.servers, pid, None) else ("dns",)
    return ("dns",)


def _groups(kb: KB) -> Iterator[tuple[str, str, list[tuple[Record, PathKey]]]]:
    """The article's records by (name, type), each with the fact it comes from."""
    grouped: dict[tuple[str, str], list[tuple[Record, PathKey]]] = {}
    mx_index = 0
    for record in records(kb):
        grouped.setdefault((record.name, record.type), []).append(
            (record, _path(record, kb, mx_index)))
        mx_index += record.type == "MX"
    for (name, rtype), items in grouped.items():
        yield name, rtype, items


def _resolver(nameserver: Nameserver | None, deadline: Deadline) -> dns.resolver.Resolver:
    if nameserver is None:
        try:
            resolver = dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            raise Unreachable("no DNS resolver is configured on this machine: "
                              "give one with --nameserver") from None
    else:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [nameserver.address]
        resolver.port = nameserver.port
    resolver.timeout = resolver.lifetime = deadline.per_connection
    return resolver


def _published(resolver: dns.resolver.Resolver, fqdn: str, rtype: str,
               deadline: Deadline) -> list[str]:
    """The records published at a name, in the form the article writes them; [] for none."""
    resolver.lifetime = deadline.wait()
    try:
        answer = resolver.resolve(fqdn, rtype, search=False, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return []
    except dns.resolver.NoNameservers as err:
        raise Unreachable(f"the DNS servers refused to answer for {fqdn} {rtype} "
                          f"({err.msg.splitlines()[0] if err.msg else 'SERVFAIL'})") from None
    except dns.exception.Timeout:
        raise Unreachable(f"no DNS answer for {fqdn} {rtype} within "
                          f"{deadline.per_connection:g} s") from None
    if answer.rrset is None:
        return []
    found = []
    for rdata in answer.rrset:
        if rtype == "TXT":
            found.append(b"".join(rdata.strings).decode("utf-8", "replace"))
        else:
            found.append(rdata.to_text().lower())
    return sorted(found)


def check_published(kb: KB, domain: str, nameserver: Nameserver | None,
                    deadline: Deadline) -> Outcome:
    """Every record of the DNS article as ``domain`` publishes it."""
    outcome = Outcome()
    doc = provider_document(kb)
    if kb.provider.dns is None or doc is None:
        return outcome
    try:
        resolver = _resolver(nameserver, deadline)
    except Unreachable as err:
        outcome.unreachable.append(doc.problem(("dns",), str(err)))
        return outcome
    for name, rtype, items in _groups(kb):
        fqdn = domain if name == "@" else f"{name}.{domain}"
        try:
            published = _published(resolver, fqdn, rtype, deadline)
        except Unreachable as err:
            # A resolver that failed once would make every later question wait as long.
            outcome.unreachable.append(doc.problem(
                items[0][1], f"{err}; the other DNS records were not asked for",
                "check --nameserver, or try again later"))
            break
        outcome.wrong.extend(_compare(doc, fqdn, rtype, items, published, domain))
    return outcome


def _compare(doc: Document, fqdn: str, rtype: str, items: list[tuple[Record, PathKey]],
             published: list[str], domain: str) -> list[Problem]:
    if rtype == "TXT":
        # Other TXT records (site verifications) may share the name; only the same kind counts.
        kind = "v=spf1" if items[0][0].name == "@" else "v=DMARC1"
        published = [text for text in published if text.split(" ", 1)[0].split(";")[0].strip()
                     .lower() == kind.lower()]
    shown = ", ".join(published) or "none"
    expected = {_expected(record, domain): path for record, path in items}
    fix = ("publish the record the DNS article shows, or correct the data if the published "
           "one is right")
    if rtype in ("TXT", "CNAME"):  # one value at the name: say what is there instead
        [(value, path)] = expected.items()
        if any(_same(rtype, text, value) for text in published):
            return []
        if rtype == "TXT" and items[0][0].name == "_dmarc" and published:
            return []  # a customer may tighten the starting policy: any DMARC record will do
        if published:
            return [doc.problem(path, f"{fqdn} publishes {rtype} {shown} where the DNS article "
                                f"says {value!r}", fix)]
        return [doc.problem(path, f"{fqdn} has no {rtype} record {value!r}", fix)]
    out = [doc.problem(path, f"{fqdn} has no {rtype} record {value!r}; it publishes {shown}", fix)
           for value, path in expected.items() if value.lower() not in published]
    extra = [text for text in published if text not in {v.lower() for v in expected}]
    if extra and rtype == "MX":  # mail would also go to a server the provider does not run
        out.append(doc.problem(items[0][1], f"{fqdn} also publishes MX {', '.join(extra)}, "
                               "which the DNS article does not list",
                               "remove it from the zone, or add it to the data"))
    return out


def _same(rtype: str, published: str, expected: str) -> bool:
    if rtype == "TXT":
        return " ".join(published.split()) == " ".join(expected.split())
    return published == expected.lower()
