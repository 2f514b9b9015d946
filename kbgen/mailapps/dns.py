"""A BIND zone-file snippet with the email records for a customer's domain.

The records come from ``kbgen.data.dnsrecords`` (the same list the article
shows). Names are relative and there is no ``$ORIGIN``, so the snippet pastes
into any domain's zone, or reads as a checklist for a DNS provider's form.
"""

from __future__ import annotations

import re

from ..data.dnsrecords import Record, records
from ..data.kb import KB

_GROUPS = (
    ("MX", "Where mail for the domain is delivered"),
    ("SPF", "SPF: the servers allowed to send mail as the domain"),
    ("DKIM", "DKIM: the key receiving servers check signatures with"),
    ("DMARC", "DMARC: what receivers do with mail that fails SPF and DKIM"),
    ("AUTO", "Automatic setup in mail apps (Thunderbird autoconfig, Outlook Autodiscover)"),
    ("SRV", "RFC 6186 / RFC 8314 service records; a target of \".\" means not offered"),
)


def _comment(text: str) -> str:
    # Data may hold any character; a line break here would start a zone directive.
    return "; " + re.sub(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+", " ", text)


def _group(record: Record) -> str:
    if record.type == "MX":
        return "MX"
    if record.name == "@" and record.type == "TXT":
        return "SPF"
    if record.name.endswith("._domainkey"):
        return "DKIM"
    if record.name == "_dmarc":
        return "DMARC"
    if record.type == "CNAME" or record.name == "_autodiscover._tcp":
        return "AUTO"
    return "SRV"


def _line(record: Record) -> str:
    return f"{record.name:<24} {record.ttl:<6} IN {record.type:<5} {record.rdata()}"


def zone_snippet(kb: KB) -> str | None:
    """The snippet, or None when data/provider.yml has no dns: section."""
    dns = kb.provider.dns
    if dns is None:
        return None
    found = records(kb)
    lines = [
        _comment(f"Email DNS records for a domain whose mail is hosted by {kb.provider.name}."),
        _comment("Names are relative to your domain (@ is the domain itself): paste these lines "
                 "into your zone, or type each one into your DNS provider's form."),
        _comment("Remove any other MX and SPF records first: a domain has one SPF record."),
    ]
    for key, title in _GROUPS:
        group = [r for r in found if _group(r) == key]
        if key == "DKIM" and dns.dkim is not None and not group:
            lines += ["", _comment(title),
                      _comment(f"{dns.dkim.selector}._domainkey {dns.ttl} IN TXT "
                               "\"v=DKIM1; k=rsa; p=<your domain's public key>\""),
                      _comment("The key is different for every domain: see the help center "
                               "article for where to find yours.")]
            continue
        if group:
            lines += ["", _comment(title), *(_line(r) for r in group)]
    return "\n".join(lines) + "\n"
