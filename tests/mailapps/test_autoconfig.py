"""The files mail apps read: parsed as those apps parse them, and in step with the pages."""

from __future__ import annotations

import plistlib
from pathlib import Path
from typing import Any, cast
from xml.etree import ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from kbgen.data.data_folder import load_kb
from kbgen.data.urls import APPLE_POP_PROFILE_PATH, APPLE_PROFILE_PATH, THUNDERBIRD_PATHS
from kbgen.mailapps.autoconfig import apple_profile

from ..conftest import build_or_fail, copy_project

pytestmark = pytest.mark.slow


def servers(xml: bytes) -> list[tuple[str, str, str, str, str, str]]:
    root = ET.fromstring(xml)
    assert root.tag == "clientConfig" and root.get("version") == "1.1"
    out = []
    for server in root.iter():
        if server.tag in {"incomingServer", "outgoingServer"}:
            out.append((server.get("type", ""), server.findtext("hostname", ""),
                        server.findtext("port", ""), server.findtext("socketType", ""),
                        server.findtext("authentication", ""), server.findtext("username", "")))
    return out


def test_thunderbird_autoconfig(example_site: Path) -> None:
    raw = (example_site / THUNDERBIRD_PATHS[0]).read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert (example_site / THUNDERBIRD_PATHS[1]).read_bytes() == raw
    user = "%EMAILADDRESS%"
    assert servers(raw) == [
        ("imap", "mail.example.com", "993", "SSL", "password-cleartext", user),
        ("imap", "mail.example.com", "143", "STARTTLS", "password-cleartext", user),
        ("pop3", "mail.example.com", "995", "SSL", "password-cleartext", user),
        ("pop3", "mail.example.com", "110", "STARTTLS", "password-cleartext", user),
        ("smtp", "mail.example.com", "465", "SSL", "password-cleartext", user),
        ("smtp", "mail.example.com", "587", "STARTTLS", "password-cleartext", user),
    ]
    root = ET.fromstring(raw)
    assert root.find("emailProvider/domain").text == "example.com"  # type: ignore[union-attr]
    doc = root.find("emailProvider/documentation")
    assert doc is not None and doc.get("url") == "https://help.example.com/email/server-settings/"


def check_profile(profile: dict[str, Any], account_type: str, incoming: tuple[str, int, bool],
                  outgoing: tuple[str, int, bool]) -> dict[str, Any]:
    """The checks every Apple mail profile passes, shared or made for one reader; its payload."""
    assert profile["PayloadType"] == "Configuration" and profile["PayloadVersion"] == 1
    assert profile["PayloadIdentifier"] and profile["PayloadUUID"]
    (mail,) = profile["PayloadContent"]
    assert mail["PayloadType"] == "com.apple.mail.managed" and mail["PayloadVersion"] == 1
    assert mail["EmailAccountType"] == account_type
    assert (mail["IncomingMailServerHostName"], mail["IncomingMailServerPortNumber"],
            mail["IncomingMailServerUseSSL"]) == incoming
    assert (mail["OutgoingMailServerHostName"], mail["OutgoingMailServerPortNumber"],
            mail["OutgoingMailServerUseSSL"]) == outgoing
    assert mail["IncomingMailServerAuthentication"] == "EmailAuthPassword"
    assert mail["OutgoingMailServerAuthentication"] == "EmailAuthPassword"
    assert "IncomingPassword" not in mail and "OutgoingPassword" not in mail  # asked on install
    return cast(dict[str, Any], mail)


def test_apple_profile(example_site: Path) -> None:
    profile = plistlib.loads((example_site / APPLE_PROFILE_PATH).read_bytes())
    assert profile["PayloadIdentifier"] == "com.example.mail"
    mail = check_profile(profile, "EmailTypeIMAP", ("mail.example.com", 993, True),
                         ("mail.example.com", 465, True))
    assert "EmailAddress" not in mail  # asked on install
    # stable identity across builds: reinstalling replaces, never duplicates
    assert profile["PayloadUUID"] == plistlib.loads(apple_profile(load_kb(
        Path(__file__).resolve().parents[2])) or b"")["PayloadUUID"]


def test_apple_pop_profile(example_site: Path) -> None:
    profile = plistlib.loads((example_site / APPLE_POP_PROFILE_PATH).read_bytes())
    imap = plistlib.loads((example_site / APPLE_PROFILE_PATH).read_bytes())
    assert profile["PayloadType"] == "Configuration" and profile["PayloadVersion"] == 1
    assert profile["PayloadIdentifier"] == "com.example.mail.pop3"
    assert "POP3, SSL/TLS" in profile["PayloadDescription"]
    (mail,) = profile["PayloadContent"]
    assert mail["PayloadType"] == "com.apple.mail.managed"
    assert mail["EmailAccountType"] == "EmailTypePOP"
    assert (mail["IncomingMailServerHostName"], mail["IncomingMailServerPortNumber"],
            mail["IncomingMailServerUseSSL"]) == ("mail.example.com", 995, True)
    assert (mail["OutgoingMailServerHostName"], mail["OutgoingMailServerPortNumber"],
            mail["OutgoingMailServerUseSSL"]) == ("mail.example.com", 465, True)
    assert mail["IncomingMailServerAuthentication"] == "EmailAuthPassword"
    assert "EmailAddress" not in mail and "IncomingPassword" not in mail
    # A separate account: installing one profile never replaces the other.
    assert profile["PayloadUUID"] != imap["PayloadUUID"]
    assert profile["PayloadIdentifier"] != imap["PayloadIdentifier"]
    assert mail["PayloadUUID"] != imap["PayloadContent"][0]["PayloadUUID"]


def test_apple_guides_offer_the_profiles(example_site: Path) -> None:
    for url in ["email/apple-mail-ios", "email/apple-mail-macos"]:
        page = BeautifulSoup((example_site / url / "index.html").read_text(), "html.parser")
        links = page.select(".kb-profile a[download]")
        targets = [(example_site / url / str(a["href"])).resolve() for a in links]
        assert targets == [(example_site / APPLE_PROFILE_PATH).resolve(),
                           (example_site / APPLE_POP_PROFILE_PATH).resolve()], url
        assert [a.get_text() for a in links] == ["the Example Hosting email profile (IMAP)",
                                                 "the POP3 profile"]


def test_a_guide_for_imap_only_offers_only_the_imap_profile(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    guide = root / "data/clients/apple-mail-ios.yml"
    guide.write_text(guide.read_text().replace("protocols: [imap, pop3]", "protocols: [imap]"))
    site = build_or_fail(root, tmp_path / "site")
    page = BeautifulSoup((site / "email/apple-mail-ios/index.html").read_text(), "html.parser")
    hrefs = [str(a["href"]) for a in page.select(".kb-profile a[download]")]
    assert len(hrefs) == 1 and hrefs[0].endswith(APPLE_PROFILE_PATH)


def test_pages_and_machine_files_change_together(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    smtp = root / "data/protocols/smtp.yml"
    smtp.write_text(smtp.read_text().replace("port: 465", "port: 1465"))
    site = build_or_fail(root, tmp_path / "site")
    ports = [s[2] for s in servers((site / THUNDERBIRD_PATHS[0]).read_bytes()) if s[0] == "smtp"]
    assert ports == ["1465", "587"]
    mail = plistlib.loads((site / APPLE_PROFILE_PATH).read_bytes())["PayloadContent"][0]
    assert mail["OutgoingMailServerPortNumber"] == 1465
    settings = (site / "email/server-settings/index.html").read_text()
    assert '<strong class="kb-port">1465</strong>' in settings


def test_per_customer_hosts_use_the_domain_variable(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    provider = root / "data/provider.yml"
    provider.write_text(provider.read_text().replace("host: mail.example.com", "host: mail.{domain}"))
    kb = load_kb(root)
    # one shared profile cannot hold every customer's host
    assert apple_profile(kb) is None and apple_profile(kb, "pop3") is None
    site = build_or_fail(root, tmp_path / "site")
    hosts = {s[1] for s in servers((site / THUNDERBIRD_PATHS[0]).read_bytes())}
    assert hosts == {"mail.%EMAILDOMAIN%"}
    assert not (site / APPLE_PROFILE_PATH).exists() and not (site / APPLE_POP_PROFILE_PATH).exists()
    ios = BeautifulSoup((site / "email/apple-mail-ios/index.html").read_text(), "html.parser")
    assert ios.select_one(".kb-profile") is None
