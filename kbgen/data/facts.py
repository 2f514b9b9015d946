"""Facts derived from the model, shared by pages, checks and machine files.

Everything a page shows about a server is computed here from the provider and
protocol data, so a port typed once in ``data/`` reaches every table, step and
configuration file through one function.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .kb import KB
from .model import MARKDOWN_FIELD, PLACEHOLDER_RE, Endpoint, Protocol, Provider, Server
from .reuse import ByObject


@dataclass(frozen=True)
class SecurityMode:
    """A connection's security in the words readers meet: the one table of them."""

    short: str  # as mail apps label it: settings tables, steps, profile and zone comments
    long: str  # where it is explained: the ports table


SECURITY = {
    "tls": SecurityMode("SSL/TLS", "SSL/TLS (implicit TLS)"),
    "starttls": SecurityMode("STARTTLS", "STARTTLS"),
    "none": SecurityMode("None", "None (unencrypted)"),
}
# Thunderbird autoconfig socketType and Outlook Autodiscover Encryption values.
THUNDERBIRD_SOCKET = {"tls": "SSL", "starttls": "STARTTLS", "none": "plain"}


PROTOCOLS = ("imap", "pop3", "smtp")
"""Every protocol kbgen knows, in the order pages and files list them."""
INCOMING = ("imap", "pop3")


CUSTOMER_DOMAIN = "your-domain.example"
"""Shown where a host name holds the customer's own domain (mail.{domain}).

Under the reserved .example top-level domain (RFC 2606): a reader who types it
unchanged reaches no one's server, and no real company is named.
"""


def host(provider: Provider, server: Server) -> str:
    """The host name readers type; {domain} (the customer's own domain) shown as CUSTOMER_DOMAIN."""
    return server.host.replace("{domain}", CUSTOMER_DOMAIN)


def customer_hosts(provider: Provider) -> bool:
    """Whether a server's name depends on the customer's own domain (mail.{domain})."""
    return any("{domain}" in srv.host for pid in offered(provider)
               if (srv := server(provider, pid)) is not None)


def server(provider: Provider, protocol_id: str) -> Server | None:
    """The provider's server for a protocol; None when the provider does not offer it."""
    server_: Server | None = getattr(provider.servers, protocol_id, None)
    return server_


def offered(provider: Provider, among: Iterable[str] = PROTOCOLS) -> list[str]:
    """The protocols (of ``among``, in that order) the provider has a server for."""
    return [pid for pid in among if server(provider, pid) is not None]


def incoming(provider: Provider, among: Iterable[str] = INCOMING) -> list[str]:
    """The ways in (IMAP, POP3) the provider offers, of ``among``; never empty for ``INCOMING``."""
    return [pid for pid in offered(provider, among) if pid in INCOMING]


def securities(kb: KB, protocol_ids: Iterable[str]) -> set[str]:
    """The security modes the provider offers for any of these protocols."""
    return {e.security for pid in offered(kb.provider, protocol_ids)
            for e in endpoints(kb.provider, kb.protocols[pid])}


def standard_port(protocol: Protocol, security: str) -> int | None:
    return next((e.port for e in protocol.standard_ports if e.security == security), None)


def endpoints(provider: Provider, protocol: Protocol) -> list[Endpoint]:
    """The provider's endpoints with ports filled in from the protocol's standard ports.

    Checks refuse an endpoint with neither a port nor a standard one, so every
    endpoint of a loaded KB resolves.
    """
    srv = server(provider, protocol.id)
    if srv is None:
        return []
    out = []
    for ep in srv.endpoints:
        port = ep.port if ep.port is not None else standard_port(protocol, ep.security)
        if port is not None:
            out.append(Endpoint(port=port, security=ep.security))
    return out


def endpoint(found: list[Endpoint], security: str) -> Endpoint | None:
    return next((e for e in found if e.security == security), None)


def site_name(provider: Provider) -> str:
    """The site's name in every page title and the header."""
    return provider.site_name or f"{provider.name} Help Center"


def copyright_line(provider: Provider) -> str:
    return provider.copyright or f"© {provider.name}"


def mail_domains(provider: Provider) -> list[str]:
    """The domains whose addresses the provider hosts (``domains``, else ``domain``)."""
    return list(provider.domains) or [provider.domain]


def address_example(provider: Provider) -> str:
    """An email address for examples: on the customer's domain when servers are named after it."""
    return f"you@{CUSTOMER_DOMAIN if customer_hosts(provider) else mail_domains(provider)[0]}"


def word_list(items: list[str], joiner: str = "and") -> str:
    """a / a and b / a, b and c"""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {joiner} {items[-1]}"


def username_example(provider: Provider) -> str:
    if provider.username.format == "email":
        return address_example(provider)
    return address_example(provider).split("@", 1)[0]


def username_description(provider: Provider) -> str:
    """What to type as the username, for the middle of a sentence."""
    if provider.username.format == "email":
        return "your full email address"
    return "the part of your email address before the @"


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
    """One offered protocol's settings (callers ask only for ``offered`` protocols)."""
    protocol = kb.protocols[protocol_id]
    srv = server(kb.provider, protocol_id)
    if srv is None:
        raise KeyError(f"the provider offers no {protocol_id} server")
    return SettingsRow(protocol, host(kb.provider, srv), endpoints(kb.provider, protocol))


def port_list(ports: list[int]) -> str:
    """993 / 465 or 2525 / 465, 587 or 2525: every port of a protocol, in the data's order."""
    shown = [str(p) for p in ports]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def placeholders(kb: KB) -> dict[str, str]:
    """Values Markdown fields may name as {{ imap.host }}, {{ smtp.starttls }} …"""
    p = kb.provider
    values = {
        "provider.name": p.name,
        "provider.domain": p.domain,
        "provider.domains": word_list(mail_domains(p)),
        "webmail": p.webmail,
        "support.email": p.support.email,
        "support.url": p.support.url,
        "username.example": username_example(p),
        "username.description": username_description(p),
        "address.example": address_example(p),
    }
    # The recommended way in (IMAP when offered): for text that fits any provider.
    way_in = settings_row(kb, incoming(p)[0])
    values["incoming.name"] = way_in.protocol.name
    values["incoming.host"] = way_in.host
    values["incoming.port"] = str(way_in.endpoints[0].port)
    values["incoming.security"] = SECURITY[way_in.endpoints[0].security].short
    for pid in offered(p):
        row = settings_row(kb, pid)
        values[f"{pid}.host"] = row.host
        # The first endpoint is the recommended one (authors list implicit TLS first).
        values[f"{pid}.port"] = str(row.endpoints[0].port)
        values[f"{pid}.ports"] = port_list([e.port for e in row.endpoints])
        values[f"{pid}.security"] = SECURITY[row.endpoints[0].security].short
        for sec in ("tls", "starttls", "none"):
            found = endpoint(row.endpoints, sec)
            if found is not None:
                values[f"{pid}.{sec}"] = str(found.port)
    return values


def apple_profile_possible(kb: KB, incoming: str = "imap") -> bool:
    """Whether one profile for ``incoming`` (imap or pop3) can serve every customer.

    A profile holds literal host names, so hosts written as mail.{domain} (one
    per customer domain) cannot go into one shared profile; nor can OAuth2,
    which a profile cannot set up for a provider Apple does not know. A protocol
    the provider does not offer has no profile.
    """
    p = kb.provider
    servers = [server(p, pid) for pid in (incoming, "smtp")]
    return (all(s is not None and "{domain}" not in s.host for s in servers)
            and p.authentication != "oauth2")


def personal_profile_possible(kb: KB, incoming: str = "imap") -> bool:
    """Whether a reader's browser can make a profile for ``incoming`` for their own address.

    Unlike the shared profile, mail.{domain} hosts are fine: the browser knows
    the domain. OAuth2 is not, and a protocol the provider does not offer has
    no profile.
    """
    p = kb.provider
    servers = [server(p, pid) for pid in (incoming, "smtp")]
    return all(s is not None for s in servers) and p.authentication != "oauth2"


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace {{ name }} placeholders; checks refuse names without a value."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


_NOT_FILLED = {"legacy"}  # old addresses are matched as they are written


@functools.lru_cache(maxsize=1024)
def _is_markdown(info: FieldInfo) -> bool:
    """Whether a model field holds Markdown (``Markdown``, ``Markdown | None``, ``list[Markdown]``)."""
    def mentions(tp: Any) -> bool:
        if MARKDOWN_FIELD in getattr(tp, "__metadata__", ()):
            return True
        return any(mentions(arg) for arg in get_args(tp))
    return MARKDOWN_FIELD in info.metadata or mentions(info.annotation)


def _filled(value: Any, values: Mapping[str, str],
            markdown: Mapping[str, str] | None = None, in_markdown: bool = False) -> Any:
    if isinstance(value, str):
        used = markdown if in_markdown and markdown is not None else values
        # type(value): a plain-text field stays PlainText once filled (kbgen.data.model)
        return type(value)(fill(value, used)) if "{{" in value else value
    if isinstance(value, list):
        return [_filled(v, values, markdown, in_markdown) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, values, markdown, in_markdown) for k, v in value.items()}
    if isinstance(value, BaseModel):
        if not in_markdown and "{{" not in value.model_dump_json():
            return value  # nothing to fill (most entries): pydantic's JSON is far quicker than a walk
        fields = type(value).model_fields
        update = {name: _filled(getattr(value, name), values, markdown, _is_markdown(info))
                  for name, info in fields.items() if name not in _NOT_FILLED}
        return value.model_copy(update=update)
    return value


def fill_placeholders(kb: KB, markdown: Mapping[str, str] | None = None,
                      memo: ByObject[Any] | None = None) -> None:
    """Fill placeholders in every text of every article, guide, category, problem and protocol.

    Done once, after the checks: every title, heading, summary, step title and
    message a page, the nav, Also Read or the search index shows then reads the
    same filled text, wherever it is printed. Markdown fields take their values
    from ``markdown`` when given (``personal.markdown_values``: the reader's
    values marked, for the renderer to turn into personalisable elements).
    ``memo``: the preview's: an unchanged object keeps its filled copy while the values
    are the same, so a page that read it is not rendered again (and at 10,000 articles
    filling every entry again took seconds per saved file).
    """
    values = placeholders(kb)
    if memo is not None:
        memo.begin((dict(values), dict(markdown or {})))

    def filled(value: Any) -> Any:
        make = functools.partial(_filled, value, values, markdown)
        return memo.get(value, make) if memo is not None else make()

    kb.entries = {k: filled(v) for k, v in kb.entries.items()}
    kb.categories = {k: filled(v) for k, v in kb.categories.items()}
    kb.troubles = {k: filled(v) for k, v in kb.troubles.items()}
    kb.protocols = {k: filled(v) for k, v in kb.protocols.items()}
