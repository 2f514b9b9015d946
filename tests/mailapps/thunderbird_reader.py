"""The rules Thunderbird applies when it reads an autoconfig file, as a test oracle.

A port of comm-central's ``readFromXML`` (mail/components/accountcreation/modules/
readFromXML.sys.mjs) for what kbgen writes: each server needs a known type, a host
name, a port 1-65535, a socketType it knows and an ``<authentication>`` it can use —
the first usable one wins, and ``OAuth2`` is usable only for hosts on Thunderbird's
own provider list (mailnews/base/src/OAuth2Providers.sys.mjs, looked up by host and
then by each parent domain). A server that fails is dropped; with no incoming or no
outgoing server left, the whole file is refused with the last server's error.

The host list here is a deliberately independent sample of Thunderbird's, so the
test does not simply agree with kbgen's own copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree as ET

_OAUTH2_HOSTS = {"office365.com", "outlook.com", "imap.gmail.com", "smtp.gmail.com", "mochi.test"}
_SOCKET = {"plain", "SSL", "STARTTLS"}
_AUTH_IN = {"password-cleartext", "plain", "password-encrypted", "secure", "GSSAPI", "NTLM", "OAuth2"}
_AUTH_OUT = _AUTH_IN | {"none", "client-IP-address", "smtp-after-pop"}


class Rejected(Exception):
    """Thunderbird would not use this file."""


@dataclass(frozen=True)
class Server:
    type: str
    hostname: str
    port: int
    socket: str
    auth: str


def _oauth2_known(host: str) -> bool:
    while "." in host:
        if host in _OAUTH2_HOSTS:
            return True
        host = host.split(".", 1)[1]
    return False


def _auth(node: ET.Element, host: str, allowed: set[str]) -> str:
    error: Exception | None = None
    for el in node.findall("authentication"):
        value = (el.text or "").strip()
        if value not in allowed:
            error = Rejected(f"unknown authentication {value!r}")
            continue
        if value == "OAuth2" and not _oauth2_known(host):
            error = Rejected(f"Lacking OAuth2 config for {host}")
            continue
        return value
    raise error or Rejected("need proper <authentication> in XML")


def _server(node: ET.Element, types: set[str], auth: set[str]) -> Server:
    kind = node.get("type", "")
    if kind not in types:
        raise Rejected(f"unsupported server type {kind!r}")
    host = (node.findtext("hostname") or "").strip()
    if not host or any(c.isspace() for c in host):
        raise Rejected(f"bad hostname {host!r}")
    port = int(node.findtext("port") or "0")
    if not 1 <= port <= 65535:
        raise Rejected(f"bad port {port}")
    if node.findtext("username") is None:  # kbgen always writes one; password sign-in needs it
        raise Rejected("need a username")
    socket = next((s.text for s in node.findall("socketType") if s.text in _SOCKET), None)
    if socket is None:
        raise Rejected("need proper <socketType> in XML")
    return Server(kind, host, port, socket, _auth(node, host, auth))


def read(xml: bytes) -> tuple[list[str], list[Server], list[Server]]:
    """(domains, incoming servers, outgoing servers) as Thunderbird keeps them; raises Rejected."""
    provider = ET.fromstring(xml).find("emailProvider")
    if provider is None:
        raise Rejected("no emailProvider")
    domains = [(d.text or "").strip() for d in provider.findall("domain")]
    if not domains:
        raise Rejected("need proper <domain> in XML")
    found: dict[str, list[Server]] = {"incomingServer": [], "outgoingServer": []}
    for tag, types, auth in (("incomingServer", {"imap", "pop3", "nntp", "exchange"}, _AUTH_IN),
                             ("outgoingServer", {"smtp"}, _AUTH_OUT)):
        error: Exception | None = None
        for node in provider.findall(tag):
            try:
                found[tag].append(_server(node, types, auth))
            except Rejected as err:
                error = err
        if not found[tag]:
            raise error or Rejected(f"Need proper <{tag}> in XML file")
    return domains, found["incomingServer"], found["outgoingServer"]
