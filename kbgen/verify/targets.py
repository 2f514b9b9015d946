"""What ``kbgen verify`` probes: every endpoint of data/provider.yml, and where its facts stand."""

from __future__ import annotations

from dataclasses import dataclass

from ..data.errors import Problem
from ..data.facts import SECURITY, endpoints, offered, server
from ..data.kb import KB
from ..data.yaml_reader import Document, PathKey

NAMES = {"imap": "IMAP", "pop3": "POP3", "smtp": "SMTP"}


@dataclass(frozen=True)
class Target:
    """One endpoint to probe, with the data it is checked against."""

    protocol: str  # imap, pop3, smtp
    host: str  # as readers type it; {domain} filled with the sample domain
    port: int
    security: str  # tls, starttls, none
    index: int  # its place in servers.<protocol>.endpoints
    authentication: str
    auth_required: bool  # smtp_auth_required, for SMTP only
    sample_domain: str
    doc: Document | None

    @property
    def name(self) -> str:
        return NAMES[self.protocol]

    @property
    def label(self) -> str:
        """How the data's security reads to a person: 'SSL/TLS', 'STARTTLS'."""
        return SECURITY[self.security].short

    def problem(self, fact: str, message: str, hint: str = "") -> Problem:
        """A problem at the fact it contradicts: ``host``, ``security``, ``port``,
        ``endpoint``, ``username`` (its format), ``authentication`` or ``smtp_auth_required``."""
        path: PathKey
        base: PathKey = ("servers", self.protocol)
        if fact == "host":
            path = (*base, "host")
        elif fact in ("security", "port"):
            path = (*base, "endpoints", self.index, fact)
        elif fact == "endpoint":
            path = (*base, "endpoints", self.index)
        elif fact == "username":
            path = ("username", "format")
        else:
            path = (fact,)
        if self.doc is None:
            return Problem("data/provider.yml", 1, 1, _dotted(path), message, hint)
        return self.doc.problem(path, message, hint)


def _dotted(path: PathKey) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else p for p in path).replace(".[", "[")


def provider_document(kb: KB) -> Document | None:
    """The Document of provider.yml: the one single file of that name at the top of data/."""
    named = [name for name in kb.documents if name == "provider.yml" or name.endswith("/provider.yml")]
    return kb.documents[min(named, key=lambda n: n.count("/"))] if named else None


def targets(kb: KB, sample_domain: str) -> list[Target]:
    """Every endpoint of every server, in the order pages list them."""
    provider = kb.provider
    doc = provider_document(kb)
    found: list[Target] = []
    for pid in offered(provider):
        srv = server(provider, pid)
        assert srv is not None
        host = srv.host.replace("{domain}", sample_domain)
        for index, ep in enumerate(endpoints(provider, kb.protocols[pid])):
            found.append(Target(pid, host, ep.port, ep.security, index, provider.authentication,
                                provider.smtp_auth_required, sample_domain, doc))
    return found
