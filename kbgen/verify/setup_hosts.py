"""The hosts mail apps fetch their settings from (``dns.autoconfig`` and ``dns.autodiscover``),
asked over HTTPS as Thunderbird and Outlook ask them.

A customer's ``autoconfig`` and ``autodiscover`` names point at these hosts; if one has no
valid certificate, or answers with other settings than the pages show, the app silently
falls back to guessing. So each is asked for what the data says it serves and the answer
compared, server by server, with what kbgen itself writes for the same data.
"""

from __future__ import annotations

import http.client
import ssl
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..data.errors import Problem
from ..data.kb import KB
from ..data.yaml_reader import Document
from ..mailapps.autoconfig import thunderbird_xml
from ..mailapps.autodiscover import settings
from .net import ConnectTo, Deadline, Unreachable, open_socket, route, where
from .probe import Outcome
from .targets import provider_document

MAX_ANSWER = 1 << 20  # a settings file is a few KB: more is not one
AUTOCONFIG_PATH = "/mail/config-v1.1.xml"
AUTODISCOVER_PATH = "/autodiscover/autodiscover.xml"
REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
# Outlook's words for each security mode (the function's ENCRYPTION table, autodiscover.mjs).
ENCRYPTION = {"tls": "SSL", "starttls": "TLS", "none": "None"}

Server = tuple[str, str, str, str]  # protocol, host, port, security as the file says it


@dataclass(frozen=True)
class Ask:
    host: str
    connect_to: list[ConnectTo]
    context: ssl.SSLContext
    deadline: Deadline


class _Connection(http.client.HTTPSConnection):
    """HTTPS to ``host`` at the address --connect-to gives, the host kept for TLS and Host:."""

    def __init__(self, ask: Ask) -> None:
        super().__init__(ask.host, 443, context=ask.context, timeout=ask.deadline.wait())
        self.ask = ask

    def connect(self) -> None:
        address = route(self.ask.host, 443, self.ask.connect_to)
        sock = open_socket(self.ask.host, 443, address, self.ask.deadline)
        self.sock = self.ask.context.wrap_socket(sock, server_hostname=self.ask.host)


def _fetch(ask: Ask, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    connection = _Connection(ask)
    try:
        headers = {"Content-Type": "text/xml; charset=utf-8"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(MAX_ANSWER + 1)
    except ssl.SSLCertVerificationError:
        raise
    except TimeoutError:
        raise Unreachable(f"no answer from https://{ask.host}{path} within "
                          f"{ask.deadline.per_connection:g} s") from None
    except (OSError, http.client.HTTPException) as err:
        raise Unreachable(f"https://{ask.host}{path} did not answer: {err}") from None
    finally:
        connection.close()


def _autoconfig_servers(body: bytes) -> set[Server]:
    root = ET.fromstring(body)
    found = set()
    for tag in ("incomingServer", "outgoingServer"):
        for server in root.iter(tag):
            found.add((server.get("type", ""), server.findtext("hostname", ""),
                       server.findtext("port", ""), server.findtext("socketType", "")))
    return found


def _autodiscover_servers(body: bytes) -> set[Server]:
    root = ET.fromstring(body)
    found = set()
    for proto in root.iter(f"{{{OUTLOOK_NS}}}Protocol"):
        def text(name: str, proto: ET.Element = proto) -> str:
            return proto.findtext(f"{{{OUTLOOK_NS}}}{name}", "")
        found.add((text("Type").lower(), text("Server"), text("Port"), text("Encryption")))
    return found


def _request(address: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Autodiscover xmlns="{REQUEST_NS}">'
            f"<Request><EMailAddress>{address}</EMailAddress>"
            f"<AcceptableResponseSchema>{OUTLOOK_NS}</AcceptableResponseSchema></Request>"
            "</Autodiscover>\n").encode()


def _shown(servers: set[Server]) -> str:
    return "; ".join(f"{p.upper()} {h}:{port} {sec}" for p, h, port, sec in sorted(servers)) or "none"


def _compare(doc: Document, fact: str, url: str, got: set[Server], want: set[Server],
             app: str) -> list[Problem]:
    if got == want:
        return []
    return [doc.problem(("dns", fact), f"{url} gives {app} {_shown(got)}; the data says "
                        f"{_shown(want)}", "deploy the files this build writes to that host, "
                        "or correct the data")]


def check_setup_hosts(kb: KB, domain: str, connect_to: list[ConnectTo], context: ssl.SSLContext,
                      deadline: Deadline) -> Outcome:
    """The autoconfig and Autodiscover hosts of ``dns:``, each asked once over HTTPS."""
    outcome = Outcome()
    dns, doc = kb.provider.dns, provider_document(kb)
    if dns is None or doc is None:
        return outcome
    address = f"test@{domain}"  # any address of the domain: the answer depends on the domain only
    asks: list[tuple[str, str, str, str, bytes | None]] = []
    if dns.autoconfig:
        asks.append(("autoconfig", dns.autoconfig, "GET", f"{AUTOCONFIG_PATH}?emailaddress={address}",
                     None))
    if dns.autodiscover:
        asks.append(("autodiscover", dns.autodiscover, "POST", AUTODISCOVER_PATH, _request(address)))
    for fact, host, method, path, body in asks:
        url = f"https://{host}{path.split('?')[0]}"
        ask = Ask(host, connect_to, context, deadline)
        try:
            status, answer = _fetch(ask, method, path, body)
        except Unreachable as err:
            outcome.unreachable.append(doc.problem(("dns", fact), str(err),
                                                   "check that the host serves HTTPS on port 443"))
            continue
        except ssl.SSLCertVerificationError as err:
            shown = where(host, 443, route(host, 443, connect_to))
            outcome.wrong.append(doc.problem(
                ("dns", fact), f"the certificate on {shown} is not valid: "
                f"{err.verify_message.rstrip('.')}; mail apps will not fetch settings from it",
                f"install a certificate for {host} from a trusted authority"))
            continue
        problem = _answer_problem(doc, fact, url, status, answer)
        if problem:
            outcome.wrong.append(problem)
            continue
        if fact == "autoconfig":
            want = _autoconfig_servers(thunderbird_xml(kb, ""))
            outcome.wrong += _compare(doc, fact, url, _autoconfig_servers(answer), want,
                                      "Thunderbird")
        else:
            want = {(s["type"].lower(), s["host"].replace("{domain}", domain), str(s["port"]),
                     ENCRYPTION[s["security"]]) for s in settings(kb)["servers"]}
            outcome.wrong += _compare(doc, fact, url, _autodiscover_servers(answer), want,
                                      "Outlook")
    return outcome


def _answer_problem(doc: Document, fact: str, url: str, status: int, answer: bytes) -> Problem | None:
    fix = ("deploy the help center's files (or the Autodiscover function) to that host"
           if fact == "autodiscover" else "serve the help center's autoconfig file on that host")
    if status != 200:
        return doc.problem(("dns", fact), f"{url} answers HTTP {status}, not the settings", fix)
    if len(answer) > MAX_ANSWER:
        return doc.problem(("dns", fact), f"{url} answers with more than 1 MiB, not a settings file",
                           fix)
    try:
        ET.fromstring(answer)
    except ET.ParseError as err:
        return doc.problem(("dns", fact), f"{url} answers with something that is not XML ({err})",
                           fix)
    return None

