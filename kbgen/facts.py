"""Facts derived from the model, shared by pages, checks and machine files.

Everything a page shows about a server is computed here from the provider and
protocol data, so a port typed once in ``data/`` reaches every table, step and
configuration file through one function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import Endpoint, Protocol, Provider, Server

if TYPE_CHECKING:
    from .kb import KB

SECURITY_LABELS = {
    "tls": "SSL/TLS (implicit TLS)",
    "starttls": "STARTTLS",
    "none": "None (unencrypted)",
}
SECURITY_SHORT = {"tls": "SSL/TLS", "starttls": "STARTTLS", "none": "None"}
# Thunderbird autoconfig socketType and Outlook Autodiscover Encryption values.
THUNDERBIRD_SOCKET = {"tls": "SSL", "starttls": "STARTTLS", "none": "plain"}
AUTHENTICATION_LABELS = {
    "password": "Normal password",
    "encrypted-password": "Encrypted password",
    "oauth2": "OAuth2",
}


def host(provider: Provider, server: Server) -> str:
    """The host name readers type, with {domain} filled in by the example domain."""
    return server.host.replace("{domain}", provider.domain)


def server(provider: Provider, protocol_id: str) -> Server:
    server_: Server = getattr(provider.servers, protocol_id)
    return server_


def preferred(server_: Server) -> Endpoint:
    """The endpoint to recommend: the first listed (authors list implicit TLS first)."""
    return server_.endpoints[0]


def endpoint(server_: Server, security: str) -> Endpoint | None:
    return next((e for e in server_.endpoints if e.security == security), None)


def username_example(provider: Provider) -> str:
    if provider.username.format == "email":
        return f"you@{provider.domain}"
    return "you"


def username_label(provider: Provider) -> str:
    if provider.username.format == "email":
        return "Your full email address"
    return "The part of your address before the @"


@dataclass(frozen=True)
class SettingsRow:
    """One protocol's settings, ready for a table."""

    protocol: Protocol
    host: str
    endpoints: list[Endpoint]

    @property
    def direction(self) -> str:
        return "Incoming" if self.protocol.direction == "incoming" else "Outgoing"


def settings_row(kb: KB, protocol_id: str) -> SettingsRow:
    srv = server(kb.provider, protocol_id)
    return SettingsRow(kb.protocols[protocol_id], host(kb.provider, srv), list(srv.endpoints))


def placeholders(kb: KB) -> dict[str, str]:
    """Values Markdown fields may name as {{ imap.host }}, {{ smtp.starttls }} …"""
    p = kb.provider
    values = {
        "provider.name": p.name,
        "provider.domain": p.domain,
        "webmail": p.webmail,
        "support.email": p.support.email,
        "support.url": p.support.url,
        "username.example": username_example(p),
    }
    for pid in ("imap", "pop3", "smtp"):
        srv = server(p, pid)
        values[f"{pid}.host"] = host(p, srv)
        values[f"{pid}.port"] = str(preferred(srv).port)
        values[f"{pid}.security"] = SECURITY_SHORT[preferred(srv).security]
        for sec in ("tls", "starttls", "none"):
            found = endpoint(srv, sec)
            if found is not None:
                values[f"{pid}.{sec}"] = str(found.port)
    return values
