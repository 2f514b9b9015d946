"""The Apple profile templates a reader's browser fills in for their own address.

The browser side (docs/assets/kbgen-me.js) is tested in Chromium in
tests/browser/test_personal.py; here the templates themselves: made by the same
code as the shared profiles, valid plists once filled, with every marker where
the browser expects it.
"""

from __future__ import annotations

import json
import plistlib
import re
import uuid
from pathlib import Path

import pytest

from kbgen.data.data_folder import load_kb
from kbgen.data.urls import APPLE_PROFILE_PATHS, PERSONAL_PROFILES_PATH
from kbgen.mailapps.autoconfig import (
    PERSONAL_MARKERS,
    apple_profile,
    machine_files,
    personal_profiles,
    settings_url,
)

from ..conftest import copy_project, copy_provider, provider_names
from .test_autoconfig import check_profile


def fill(template: str, address: str, name: str = "") -> bytes:
    """What kbgen-me.js does, for a well-formed address (XML escaping included)."""
    local, domain = address.split("@")
    values = {"EMAILADDRESS": address, "EMAILLOCALPART": local, "EMAILDOMAIN": domain,
              "EMAILID": address.encode().hex(), "ACCOUNTNAME": name,
              "PROFILEUUID": "6F1D7B59-5E1A-4C56-9D0B-8E7E3C1D2A11",
              "PAYLOADUUID": "0B7A3B52-5E2B-4D19-8C3A-7F0E9B4C6D22"}
    if not name:
        template = re.sub(r"\s*<key>EmailAccountName</key>\s*<string>%ACCOUNTNAME%</string>", "", template)
    escape = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
    return re.sub(r"%([A-Z]+)%", lambda m: "".join(escape.get(c, c) for c in values[m.group(1)]),
                  template).encode()


def test_templates_hold_every_marker_and_the_shared_settings(tmp_path: Path) -> None:
    kb = load_kb(copy_project(tmp_path))
    templates = json.loads(personal_profiles(kb) or b"{}")
    assert sorted(templates) == ["imap", "pop3"]
    for pid, account, port in [("imap", "EmailTypeIMAP", 993), ("pop3", "EmailTypePOP", 995)]:
        assert all(m in templates[pid] for m in PERSONAL_MARKERS
                   if m not in ("%EMAILLOCALPART%", "%EMAILDOMAIN%")), pid
        profile = plistlib.loads(fill(templates[pid], "o'brien+news@customer.test", "Jane & Co"))
        mail = check_profile(profile, account, ("mail.example.com", port, True),
                             ("mail.example.com", 465, True))
        assert mail["EmailAddress"] == "o'brien+news@customer.test"
        assert mail["IncomingMailServerUsername"] == mail["EmailAddress"]
        assert mail["OutgoingMailServerUsername"] == mail["EmailAddress"]
        assert mail["EmailAccountName"] == "Jane & Co"
        shared = plistlib.loads(apple_profile(kb, pid) or b"")
        # the same servers as the shared profile: only the reader's values differ
        for key in ("IncomingMailServerHostName", "IncomingMailServerPortNumber", "IncomingMailServerUseSSL",
                    "OutgoingMailServerHostName", "OutgoingMailServerPortNumber", "OutgoingMailServerUseSSL",
                    "EmailAccountType", "OutgoingPasswordSameAsIncomingPassword"):
            assert mail[key] == shared["PayloadContent"][0][key], key
        # one profile per address: a second address never replaces the first
        other = plistlib.loads(fill(templates[pid], "sam@customer.test"))
        assert other["PayloadIdentifier"] != profile["PayloadIdentifier"]
        assert "EmailAccountName" not in other["PayloadContent"][0]  # the device asks


def test_customer_domain_hosts_and_local_part_usernames(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    provider = root / "data/provider.yml"
    provider.write_text(provider.read_text()
                        .replace("host: mail.example.com", "host: mail.{domain}")
                        .replace("format: email", "format: localpart"))
    kb = load_kb(root)
    assert apple_profile(kb) is None  # no shared profile for mail.{domain} hosts …
    templates = json.loads(personal_profiles(kb) or b"{}")  # … but one for each reader
    profile = plistlib.loads(fill(templates["imap"], "jane@xn--bcher-kva.test"))
    mail = check_profile(profile, "EmailTypeIMAP", ("mail.xn--bcher-kva.test", 993, True),
                         ("mail.xn--bcher-kva.test", 465, True))
    assert mail["IncomingMailServerUsername"] == mail["OutgoingMailServerUsername"] == "jane"
    assert mail["EmailAddress"] == "jane@xn--bcher-kva.test"


def test_no_template_for_oauth2(tmp_path: Path) -> None:
    kb = load_kb(copy_project(tmp_path))
    kb.provider = kb.provider.model_copy(update={"authentication": "oauth2"})
    assert personal_profiles(kb) is None  # a profile cannot carry OAuth2


# What each provider data set publishes: mail.{domain} hosts (cpanel) allow no shared profile.
PROFILES = {
    "example": ["imap personal", "imap shared", "pop3 personal", "pop3 shared"],
    "cpanel": ["imap personal", "pop3 personal"],
    "imap-only": ["imap personal", "imap shared"],
}


@pytest.mark.parametrize("name", provider_names())
def test_every_identifier_in_a_profile_is_its_own(name: str, tmp_path: Path) -> None:
    """Apple's reference: a payload's identifier is its profile's with a component appended."""
    kb = load_kb(copy_provider(name, tmp_path))
    files = {f.path: f.content for f in machine_files(kb, settings_url(kb, kb.provider.site_url))}
    profiles = {f"{pid} shared": files[path] for pid, path in APPLE_PROFILE_PATHS.items()
                if path in files}
    templates = json.loads(files.get(PERSONAL_PROFILES_PATH, b"{}"))
    profiles |= {f"{pid} personal": fill(template, "o'brien+news@customer.test")
                 for pid, template in templates.items()}
    assert sorted(profiles) == PROFILES[name]
    found = {}
    for what, raw in profiles.items():
        profile = plistlib.loads(raw)
        payloads = profile["PayloadContent"]
        identifiers = [profile["PayloadIdentifier"], *(p["PayloadIdentifier"] for p in payloads)]
        uuids = [profile["PayloadUUID"], *(p["PayloadUUID"] for p in payloads)]
        assert len(set(identifiers)) == len(identifiers), (what, identifiers)
        assert len(set(uuids)) == len(uuids), (what, uuids)
        assert all(str(uuid.UUID(u)).upper() == u for u in uuids), (what, uuids)
        for payload in payloads:
            assert payload["PayloadIdentifier"].startswith(profile["PayloadIdentifier"] + "."), what
        found[what] = identifiers
    if name == "example":  # the IMAP profile keeps the identifiers installed copies have
        me = b"o'brien+news@customer.test".hex()
        assert found == {
            "imap shared": ["com.example.mail", "com.example.mail.imap"],
            "pop3 shared": ["com.example.mail.pop3", "com.example.mail.pop3.pop3"],
            "imap personal": [f"com.example.mail.{me}", f"com.example.mail.{me}.imap"],
            "pop3 personal": [f"com.example.mail.pop3.{me}", f"com.example.mail.pop3.{me}.pop3"],
        }
