"""The DNS records a customer adds for email on their own domain, derived once.

The article (content) and the downloadable zone file (mailapps) both read
``records``, and the SRV ports come from the same endpoints as every settings
table, so a port changed in ``data/`` changes the page and the file together.

Names are relative to the customer's domain (``@`` is the domain itself), so one
list serves every customer. A host written ``mail.{domain}`` is the customer's
own ``mail`` name; any other host is written absolute, with its final dot.

SRV records follow RFC 6186 and RFC 8314: one per service label in the protocol
data (``srv:``), a ``.`` target where the provider does not offer the service
(RFC 2782: "decidedly not available"), implicit TLS preferred over STARTTLS and
IMAP over POP3 by priority — RFC 6186 section 3.4 lets a client compare the
priorities of different services.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import facts
from .kb import KB
from .model import Security

# Lower is preferred; apps compare these across services (RFC 6186 section 3.4).
SRV_PRIORITY = {
    ("imap", "tls"): 0, ("imap", "starttls"): 10,
    ("pop3", "tls"): 20, ("pop3", "starttls"): 30,
    ("smtp", "tls"): 0, ("smtp", "starttls"): 10,
}
SRV_ORDER: tuple[tuple[str, Security], ...] = (
    ("imap", "tls"), ("imap", "starttls"), ("pop3", "tls"), ("pop3", "starttls"),
    ("smtp", "tls"), ("smtp", "starttls"))
AUTODISCOVER_SRV = "_autodiscover._tcp"  # Microsoft's, not RFC 6186: Outlook looks it up


@dataclass(frozen=True)
class Record:
    """One resource record, with the words the article shows next to it."""

    name: str  # relative to the customer's domain; "@" is the domain itself
    type: str  # MX, TXT, CNAME or SRV
    ttl: int
    target: str = ""  # MX, CNAME and SRV: a host ("mail", "mx1.example.com.") or "."
    text: str = ""  # TXT
    priority: int | None = None  # MX and SRV
    weight: int | None = None  # SRV
    port: int | None = None  # SRV
    purpose: str = ""

    @property
    def offered(self) -> bool:
        return self.target != "."

    def rdata(self) -> str:
        """The record's data in zone-file (presentation) format."""
        if self.type == "MX":
            return f"{self.priority} {self.target}"
        if self.type == "SRV":
            return f"{self.priority} {self.weight} {self.port} {self.target}"
        if self.type == "TXT":
            # One TXT record may hold several strings of at most 255 bytes each (RFC 1035).
            data = self.text.encode()
            chunks = [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]
            return " ".join(f'"{_quoted(c)}"' for c in chunks)
        return self.target


def _quoted(data: bytes) -> str:
    # RFC 1035 section 5.1: in a quoted string \" and \\ stand for themselves and \DDD for
    # any byte. The checks keep quotes, backslashes and line breaks out of SPF and DMARC;
    # escaping anyway means no text can end the string early or start a record of its own.
    out = []
    for byte in data:
        if byte in b'"\\':
            out.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7f:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03d}")
    return "".join(out)


def zone_host(host: str) -> str:
    """A host name as a record target: relative for the customer's own names."""
    if host == "{domain}":
        return "@"
    if host.endswith(".{domain}"):
        return host.removesuffix(".{domain}")
    return host.rstrip(".") + "."


def shown_host(target: str, domain_label: str) -> str:
    """A record target as the article shows it: the customer's names spelled out."""
    if target == "@":
        return domain_label
    if target.endswith(".") or target == "":
        return target.rstrip(".") or "."
    return f"{target}.{domain_label}"


def srv_records(kb: KB, ttl: int) -> list[Record]:
    out = []
    for pid, security in SRV_ORDER:
        protocol = kb.protocols.get(pid)
        if protocol is None:  # not offered, and its file removed (allowed): no labels to write
            continue
        label = protocol.srv.get(security)
        if not label:
            continue
        server = getattr(kb.provider.servers, pid, None)
        found = (facts.endpoint(facts.endpoints(kb.provider, protocol), security)
                 if server is not None else None)
        mode = facts.SECURITY[security].short
        if found is None or server is None:
            out.append(Record(label, "SRV", ttl, ".", priority=0, weight=0, port=0,
                              purpose=f"{protocol.name} with {mode}: not offered"))
        else:
            out.append(Record(label, "SRV", ttl, zone_host(server.host),
                              priority=SRV_PRIORITY[(pid, security)], weight=1, port=found.port,
                              purpose=f"{protocol.name} with {mode}"))
    return out


def records(kb: KB) -> list[Record]:
    """Every record for a customer's domain, in the order the article explains them."""
    dns = kb.provider.dns
    if dns is None:
        return []
    ttl = dns.ttl
    out = [Record("@", "MX", ttl, zone_host(mx.host), priority=mx.priority,
                  purpose="Delivers mail for your domain to us") for mx in dns.mx]
    if dns.spf:
        out.append(Record("@", "TXT", ttl, text=dns.spf, purpose="SPF: who may send as your domain"))
    if dns.dkim and dns.dkim.cname:
        out.append(Record(f"{dns.dkim.selector}._domainkey", "CNAME", ttl, zone_host(dns.dkim.cname),
                          purpose="DKIM: the key that signs your mail"))
    if dns.dmarc:
        out.append(Record("_dmarc", "TXT", ttl, text=dns.dmarc,
                          purpose="DMARC: what receivers do with mail that fails SPF and DKIM"))
    if dns.autoconfig:
        out.append(Record("autoconfig", "CNAME", ttl, zone_host(dns.autoconfig),
                          purpose="Thunderbird and other apps fetch your settings here"))
    if dns.autodiscover:
        target = zone_host(dns.autodiscover)
        out.append(Record("autodiscover", "CNAME", ttl, target,
                          purpose="Outlook fetches your settings here"))
        out.append(Record(AUTODISCOVER_SRV, "SRV", ttl, target, priority=0, weight=1, port=443,
                          purpose="Outlook's fallback way to find the Autodiscover server"))
    return out + srv_records(kb, ttl)


def dmarc_policy(dmarc: str) -> str:
    """The p= value of a DMARC record (checks make sure there is one)."""
    for part in dmarc.split(";"):
        name, _, value = part.partition("=")
        if name.strip() == "p":
            return value.strip()
    return ""
