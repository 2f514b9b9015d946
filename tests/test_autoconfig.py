"""The files mail apps read: parsed as those apps parse them, and in step with the pages."""

from __future__ import annotations

import plistlib
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from kbgen.data.load import load_kb
from kbgen.data.urls import APPLE_PROFILE_PATH, THUNDERBIRD_PATHS
from kbgen.mailapps.autoconfig import apple_profile

from .conftest import build_or_fail, copy_project

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


def test_apple_profile(example_site: Path) -> None:
    profile = plistlib.loads((example_site / APPLE_PROFILE_PATH).read_bytes())
    assert profile["PayloadType"] == "Configuration" and profile["PayloadVersion"] == 1
    assert profile["PayloadIdentifier"] == "com.example.mail"
    (mail,) = profile["PayloadContent"]
    assert mail["PayloadType"] == "com.apple.mail.managed"
    assert mail["EmailAccountType"] == "EmailTypeIMAP"
    assert (mail["IncomingMailServerHostName"], mail["IncomingMailServerPortNumber"],
            mail["IncomingMailServerUseSSL"]) == ("mail.example.com", 993, True)
    assert (mail["OutgoingMailServerHostName"], mail["OutgoingMailServerPortNumber"],
            mail["OutgoingMailServerUseSSL"]) == ("mail.example.com", 465, True)
    assert mail["IncomingMailServerAuthentication"] == "EmailAuthPassword"
    assert "EmailAddress" not in mail and "IncomingPassword" not in mail  # asked on install
    # stable identity across builds: reinstalling replaces, never duplicates
    assert profile["PayloadUUID"] == plistlib.loads(apple_profile(load_kb(
        Path(__file__).resolve().parent.parent)) or b"")["PayloadUUID"]


def test_apple_guides_offer_the_profile(example_site: Path) -> None:
    for url in ["email/apple-mail-ios", "email/apple-mail-macos"]:
        page = BeautifulSoup((example_site / url / "index.html").read_text(), "html.parser")
        link = page.select_one(".kb-profile a")
        assert link is not None, url
        assert (example_site / url / str(link["href"])).resolve() == \
            (example_site / APPLE_PROFILE_PATH).resolve()


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
    assert apple_profile(kb) is None  # one shared profile cannot hold every customer's host
    site = build_or_fail(root, tmp_path / "site")
    hosts = {s[1] for s in servers((site / THUNDERBIRD_PATHS[0]).read_bytes())}
    assert hosts == {"mail.%EMAILDOMAIN%"}
    assert not (site / APPLE_PROFILE_PATH).exists()
    ios = BeautifulSoup((site / "email/apple-mail-ios/index.html").read_text(), "html.parser")
    assert ios.select_one(".kb-profile") is None
