"""The files mail apps read to configure themselves, from the same model as the pages.

- Thunderbird (and other apps that speak Mozilla's autoconfig format) fetch
  ``/.well-known/autoconfig/mail/config-v1.1.xml`` or, on the
  ``autoconfig.<domain>`` host, ``/mail/config-v1.1.xml``.
- Apple devices install a configuration profile (a property list with one
  ``com.apple.mail.managed`` payload), served as
  ``application/x-apple-aspen-config``: one for IMAP and, when the provider
  offers POP3, one for POP3.

Because both are built from ``facts``, a port changed in ``data/`` changes the
articles and these files in the same build: they cannot disagree.
"""

from __future__ import annotations

import json
import plistlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from ..data import facts
from ..data.kb import KB
from ..data.urls import (
    APPLE_PROFILE_PATHS,
    DNS_ZONE_PATH,
    PERSONAL_PROFILES_PATH,
    THUNDERBIRD_PATHS,
    entry_uri,
    page_url,
    settings_entry,
)
from .dns import zone_snippet

_THUNDERBIRD_AUTH = {
    "password": "password-cleartext",  # the password travels inside TLS
    "encrypted-password": "password-encrypted",
    "oauth2": "OAuth2",
}
_APPLE_AUTH = {
    "password": "EmailAuthPassword",
    "encrypted-password": "EmailAuthCRAMMD5",
    "oauth2": "EmailAuthNone",  # profiles cannot carry OAuth; checks keep it out (see below)
}


def _username(kb: KB) -> str:
    # The same markers as the autoconfig file; a personal profile fills them in the browser.
    return "%EMAILADDRESS%" if kb.provider.username.format == "email" else "%EMAILLOCALPART%"


def _autoconfig_host(row: facts.SettingsRow, kb: KB) -> str:
    # The customer's own domain goes where the data says {domain}.
    server = facts.server(kb.provider, row.protocol.id)
    assert server is not None  # rows exist only for offered protocols
    return server.host.replace("{domain}", "%EMAILDOMAIN%")


def thunderbird_xml(kb: KB, settings_url: str) -> bytes:
    """Mozilla autoconfig (clientConfig 1.1); every endpoint, preferred first."""
    p = kb.provider
    root = ET.Element("clientConfig", version="1.1")
    provider = ET.SubElement(root, "emailProvider", id=p.domain)
    for domain in facts.mail_domains(p):  # the addresses this file configures
        ET.SubElement(provider, "domain").text = domain
    ET.SubElement(provider, "displayName").text = p.name
    ET.SubElement(provider, "displayShortName").text = p.name
    for pid in facts.offered(p):  # a protocol the provider does not offer is not mentioned
        row = facts.settings_row(kb, pid)
        tag = "outgoingServer" if row.protocol.direction == "outgoing" else "incomingServer"
        for ep in row.endpoints:
            server = ET.SubElement(provider, tag, type=pid)
            ET.SubElement(server, "hostname").text = _autoconfig_host(row, kb)
            ET.SubElement(server, "port").text = str(ep.port)
            ET.SubElement(server, "socketType").text = facts.THUNDERBIRD_SOCKET[ep.security]
            ET.SubElement(server, "authentication").text = _THUNDERBIRD_AUTH[p.authentication]
            ET.SubElement(server, "username").text = _username(kb)
    doc = ET.SubElement(provider, "documentation", url=settings_url)
    ET.SubElement(doc, "descr", lang="en").text = f"{p.name} email server settings"
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def _uuid(kb: KB, what: str) -> str:
    # Stable across builds, so reinstalling the profile replaces it instead of duplicating.
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{what}.mail.{kb.provider.domain}")).upper()


_APPLE_ACCOUNT = {"imap": ("EmailTypeIMAP", "IMAP"), "pop3": ("EmailTypePOP", "POP3")}


def apple_profile(kb: KB, incoming: str = "imap", *, personal: bool = False) -> bytes | None:
    """A mail account profile for ``incoming`` (imap or pop3); None when it cannot be
    made for every customer or the provider does not offer that protocol.

    A profile holds literal host names, so hosts written as mail.{domain} (one
    per customer domain) cannot go into one shared profile.

    With ``personal``, the template a reader's browser fills in for their own
    address (``docs/assets/kbgen-me.js``): the address, username and
    mail.{domain} hosts are the markers in ``PERSONAL_MARKERS``, so the device
    asks only for the password. The same settings as the shared profile, from
    the same code: only the reader's values differ.
    """
    possible = facts.personal_profile_possible if personal else facts.apple_profile_possible
    if not possible(kb, incoming):
        return None
    p = kb.provider
    inbound_row, smtp_row = facts.settings_row(kb, incoming), facts.settings_row(kb, "smtp")
    # mail.{domain} only in a personal template (apple_profile_possible refuses it otherwise),
    # where the reader's browser fills in %EMAILDOMAIN%.
    hosts = [_autoconfig_host(inbound_row, kb), _autoconfig_host(smtp_row, kb)]
    inbound, smtp = inbound_row.endpoints[0], smtp_row.endpoints[0]
    reverse = ".".join(reversed(p.domain.split(".")))
    account_type, label = _APPLE_ACCOUNT[incoming]
    # The IMAP profile keeps the identifiers it always had, so reinstalling it
    # still replaces an installed copy; the POP3 one is a separate account.
    suffix = "" if incoming == "imap" else f".{incoming}"
    # A personal profile is one per address: installing one for a second address
    # must not replace the first (Apple replaces a profile with the same identifier).
    mine = ".%EMAILID%" if personal else ""
    named = " %EMAILADDRESS%" if personal else ""
    identifier = f"{reverse}.mail{suffix}{mine}"
    payload = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadVersion": 1,
        # Apple's profile reference: a payload's identifier is its profile's with a component
        # appended, so each identifier in a profile is its own (the POP3 ones were equal).
        "PayloadIdentifier": f"{identifier}.{incoming}",
        "PayloadUUID": "%PAYLOADUUID%" if personal else _uuid(kb, f"{incoming}-payload"),
        "PayloadDisplayName": f"{p.name} email ({label})",
        "EmailAccountDescription": f"{p.name} email" + ("" if incoming == "imap" else f" ({label})"),
        "EmailAccountType": account_type,
        # Address, username and password are left out of the shared profile: the
        # device asks for them on install.
        "IncomingMailServerHostName": hosts[0],
        "IncomingMailServerPortNumber": inbound.port,
        "IncomingMailServerUseSSL": inbound.security != "none",
        "IncomingMailServerAuthentication": _APPLE_AUTH[p.authentication],
        "OutgoingMailServerHostName": hosts[1],
        "OutgoingMailServerPortNumber": smtp.port,
        "OutgoingMailServerUseSSL": smtp.security != "none",
        "OutgoingMailServerAuthentication": _APPLE_AUTH[p.authentication],
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    if personal:
        username = _username(kb)
        payload.update({
            "EmailAddress": "%EMAILADDRESS%",
            # The name others see on the reader's mail; the browser removes the key
            # when the reader leaves it empty, and the device then asks for it.
            "EmailAccountName": "%ACCOUNTNAME%",
            "IncomingMailServerUsername": username,
            "OutgoingMailServerUsername": username,
        })
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        "PayloadUUID": "%PROFILEUUID%" if personal else _uuid(kb, f"profile{suffix}"),
        "PayloadDisplayName": f"{p.name} email" + ("" if incoming == "imap" else f" ({label})")
                              + (" for" + named if personal else ""),
        "PayloadDescription": f"Adds your {p.name} mailbox{named} to Mail "
                              f"({label}, {facts.SECURITY[inbound.security].short}).",
        "PayloadOrganization": p.name,
        "PayloadRemovalDisallowed": False,
        "PayloadContent": [payload],
    }
    return plistlib.dumps(profile, fmt=plistlib.FMT_XML, sort_keys=True)


PERSONAL_MARKERS = ("%EMAILADDRESS%", "%EMAILLOCALPART%", "%EMAILDOMAIN%", "%EMAILID%",
                    "%ACCOUNTNAME%", "%PROFILEUUID%", "%PAYLOADUUID%")
"""What the browser replaces in a personal profile template (``docs/assets/kbgen-me.js``)."""


def personal_profiles(kb: KB) -> bytes | None:
    """The personal profile templates as JSON ({"imap": plist, "pop3": plist}), or None."""
    found = {pid: template.decode() for pid in APPLE_PROFILE_PATHS
             if (template := apple_profile(kb, pid, personal=True)) is not None}
    return json.dumps(found, ensure_ascii=True, sort_keys=True).encode() if found else None


@dataclass(frozen=True)
class MachineFile:
    path: str
    content: bytes


def machine_files(kb: KB, settings_url: str) -> list[MachineFile]:
    xml = thunderbird_xml(kb, settings_url)
    out = [MachineFile(path, xml) for path in THUNDERBIRD_PATHS]
    for incoming, path in APPLE_PROFILE_PATHS.items():
        profile = apple_profile(kb, incoming)
        if profile is not None:
            out.append(MachineFile(path, profile))
    personal = personal_profiles(kb)
    if personal is not None:
        out.append(MachineFile(PERSONAL_PROFILES_PATH, personal))
    zone = zone_snippet(kb)
    if zone is not None:
        out.append(MachineFile(DNS_ZONE_PATH, zone.encode()))
    return out


def settings_url(kb: KB, site_url: str) -> str:
    """Where the autoconfig file sends people who want to read the settings."""
    entry = settings_entry(kb)
    if entry is None:
        return site_url
    return page_url(entry_uri(kb, entry), site_url.rstrip("/") + "/")


def write_machine_files(kb: KB, site_dir: Path, settings_url: str) -> list[str]:
    written = []
    for item in machine_files(kb, settings_url):
        target = site_dir / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.content)
        written.append(item.path)
    return written
