"""Every combination the provider model allows renders every page template correctly.

A property-style test (hypothesis): protocol sets × security sets × username
formats × host patterns × mail domains × authentication. For each provider it
draws, the data is validated by ``load_kb`` as an author's would be, every page
is rendered through the real templates, and the mail-app files are written;
then no page may show a placeholder or braces, an empty table, or a sentence
naming a protocol (or a security mode in a settings table) the provider does
not offer, and the username and host sentences must fit the provider.

The articles and guides of the data set use every block type and list every
protocol, so it is the templates that must adapt; their own prose names no
protocol (prose is the author's, and checks.py warns about it).
"""

from __future__ import annotations

import plistlib
import re
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbgen.content.render import Renderer, environment
from kbgen.data import facts
from kbgen.data.data_folder import load_kb
from kbgen.data.errors import Severity
from kbgen.mailapps.autoconfig import apple_profile, thunderbird_xml

from ..conftest import ROOT

pytestmark = pytest.mark.slow

ARTICLE = """\
id: everything
title: Everything about {{ provider.name }} mail
summary: Servers, ports and fixes for {{ provider.domains }}.
category: start
related: [guide]
body:
  - type: protocol-overview
    protocols: [imap, pop3, smtp]
  - type: text
    heading: Sending through {{ smtp.host }}
    markdown: Sign in as {{ username.description }}, for example `{{ username.example }}`.
  - type: comparison
    heading: Side by side
    protocols: [pop3, imap]
    rows:
      - trait: devices
        label: Devices
      - trait: storage
        label: Where mail is kept
  - type: ports
    heading: Ports
    protocols: [imap, pop3, smtp]
  - type: settings
    heading: Settings
  - type: troubleshooting
"""
GUIDE = """\
id: guide
title: Set up your mail app
summary: Any app, step by step.
category: start
protocols: [imap, pop3]
app: Any Mail
family: any
platform: desktop
written_for: Any Mail 1
steps:
  - title: Open the account settings
    text: Add a new account with your address, {{ address.example }}.
  - title: Type the servers
    settings: true
troubleshooting:
  - problem: login
    message: Could not sign in.
"""
CATEGORIES = """\
categories:
  - id: start
    title: Getting started
    description: Set up {{ provider.name }} mail.
"""
TROUBLES = """\
problems:
  - id: login
    title: The app refuses your password
    cause: The username is not {{ username.description }}.
    fix: Type `{{ username.example }}` and send through {{ smtp.host }} on {{ smtp.port }}.
"""

# Ways in for one protocol, as data/provider.yml writes them; the ports are not
# standard ports of another protocol (that is a warning of its own).
ENDPOINTS: dict[str, list[list[dict[str, Any]]]] = {
    "imap": [[{"security": "tls"}], [{"security": "starttls"}],
             [{"security": "tls"}, {"security": "starttls"}],
             [{"security": "starttls"}, {"security": "tls"}],
             [{"security": "tls"}, {"security": "tls", "port": 10993}],
             [{"security": "tls"}, {"security": "none", "port": 10143}]],
    "pop3": [[{"security": "tls"}], [{"security": "starttls"}],
             [{"security": "tls"}, {"security": "starttls"}],
             [{"security": "starttls", "port": 10110}]],
    "smtp": [[{"security": "tls"}], [{"security": "starttls"}],
             [{"security": "tls"}, {"security": "starttls"}],
             [{"security": "tls"}, {"security": "tls", "port": 2525}],
             [{"security": "starttls", "port": 2525}]],
}
HOSTS = {  # host pattern -> protocol -> host
    "one host": {"imap": "mail.prov.test", "pop3": "mail.prov.test", "smtp": "mail.prov.test"},
    "separate hosts": {"imap": "imap.prov.test", "pop3": "pop.prov.test", "smtp": "smtp.prov.test"},
    "customer domain": {"imap": "mail.{domain}", "pop3": "mail.{domain}", "smtp": "mail.{domain}"},
    "mixed": {"imap": "mail.{domain}", "pop3": "mail.{domain}", "smtp": "smtp.prov.test"},
}
WORDS = {"imap": re.compile(r"\bIMAP4?\b"), "pop3": re.compile(r"\bPOP3?\b")}
EXAMPLE_OF_ADDRESS = re.compile(r"(email address|full address)[^.]{0,40}?\(for example\s+(\S+)")
BRACES = re.compile(r"\{\{|\}\}|\{domain\}|\{%")


@st.composite
def providers(draw: st.DrawFn) -> dict[str, Any]:
    incoming = draw(st.sampled_from([("imap",), ("pop3",), ("imap", "pop3")]))
    hosts = HOSTS[draw(st.sampled_from(sorted(HOSTS)))]
    servers = {pid: {"host": hosts[pid], "endpoints": draw(st.sampled_from(ENDPOINTS[pid]))}
               for pid in (*incoming, "smtp")}
    provider: dict[str, Any] = {
        "name": "Prov Mail",
        "domain": "prov.test",
        "site_url": "https://help.prov.test/",
        "webmail": "https://webmail.prov.test/",
        "support": {"email": "help@prov.test", "url": "https://prov.test/help"},
        "username": {"format": draw(st.sampled_from(["email", "localpart"]))},
        # OAuth2 is refused for hosts Thunderbird has no OAuth2 settings for, which every
        # drawn host is (tests/data/test_oauth2.py covers the hosts it knows).
        "authentication": draw(st.sampled_from(["password", "encrypted-password"])),
        "servers": servers,
    }
    if draw(st.booleans()):
        provider["domains"] = ["prov.test", "prov-mail.test"]
    return provider


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("combinations")
    data = root / "data"
    shutil.copytree(ROOT / "data" / "protocols", data / "protocols")
    (data / "articles").mkdir()
    (data / "clients").mkdir()
    (data / "articles" / "everything.yml").write_text(ARTICLE, encoding="utf-8")
    (data / "clients" / "guide.yml").write_text(GUIDE, encoding="utf-8")
    (data / "categories.yml").write_text(CATEGORIES, encoding="utf-8")
    (data / "troubleshooting.yml").write_text(TROUBLES, encoding="utf-8")
    return root


ENV = environment(None)


def _problems(page: str, text: str, soup: BeautifulSoup, provider: dict[str, Any]) -> list[str]:
    found = []
    offered = set(provider["servers"])
    # data-kb-me="mail.{domain}" is for the browser (kbgen-me.js), not shown
    shown = re.sub(r' data-kb-me="[^"]*"', "", page)
    if BRACES.search(shown):
        found.append(f"braces left in the page: {BRACES.search(shown)!r}")
    for pid, word in WORDS.items():
        if pid not in offered and word.search(text):
            found.append(f"names {pid} although the provider does not offer it: "
                         f"...{text[max(0, word.search(text).start() - 60):][:120]}...")  # type: ignore[union-attr]
    for table in soup.find_all("table"):
        body = [row for row in table.find_all("tr") if row.find("td")]
        columns = table.find("tr").find_all(["th", "td"]) if table.find("tr") else []
        if not body or len(columns) < 2 or not any(td.get_text(strip=True) for td in table.find_all("td")):
            found.append(f"empty table: {table.get('class')}")
    for table in soup.select("table.kb-settings"):
        # one row per server, named in its row header
        shown = {th.get_text(strip=True) for th in table.select("tbody th[scope=row]")}
        names = {f"Incoming ({pid.upper()})" for pid in offered - {"smtp"}} | {"Outgoing (SMTP)"}
        if shown - names or not shown:
            found.append(f"settings rows {shown} for {offered}")
        securities = {e["security"] for s in provider["servers"].values() for e in s["endpoints"]}
        if "starttls" not in securities and "STARTTLS" in table.get_text():
            found.append("settings table shows STARTTLS, which is not offered")
        if "tls" not in securities and "SSL/TLS" in table.get_text():
            found.append("settings table shows SSL/TLS, which is not offered")
    # An example given for an email address is an address (not "you" for a local-part username).
    for match in EXAMPLE_OF_ADDRESS.finditer(text):
        if "@" not in match.group(2):
            found.append(f"an email address exemplified without an @: {match.group(0)}")
    for ports in soup.select("table.kb-ports"):
        note = ports.find_next("p")
        assert note is not None and "kb-note" in note.get("class", [])
        said = note.get_text(" ")
        securities = {e["security"] for s in provider["servers"].values() for e in s["endpoints"]}
        if "starttls" not in securities and "STARTTLS starts" in said:
            found.append(f"the ports note explains STARTTLS, which is not offered: {said}")
        if "tls" not in securities and ("Choose SSL/TLS" in said or "recommended choice" in said):
            found.append(f"the ports note recommends SSL/TLS, which is not offered: {said}")
    levels = [len(m.group(1)) for m in re.finditer(r"^(#{1,6}) ", page, re.MULTILINE)]
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            found.append(f"a heading level skipped: h{before} then h{after}")
    customer = any("{domain}" in s["host"] for s in provider["servers"].values())
    if customer and facts.CUSTOMER_DOMAIN in text and "your own domain" not in text:
        found.append("a host with the customer's domain, but no word on typing one's own domain")
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(provider=providers())
def test_every_page_fits_every_provider(project: Path, provider: dict[str, Any]) -> None:
    (project / "data" / "provider.yml").write_text(yaml.safe_dump(provider, sort_keys=False),
                                                   encoding="utf-8")
    kb = load_kb(project)
    assert [str(w) for w in kb.warnings if "without encryption" not in w.message] == []
    assert all(w.severity is Severity.WARNING for w in kb.warnings)
    problems = []
    pages = Renderer(kb, ENV).pages()
    assert {p.src_uri for p in pages} == {"index.md", "start/index.md", "start/everything.md",
                                          "start/guide.md", "settings-card.md"}
    for page in pages:
        soup = BeautifulSoup(page.markdown, "html.parser")
        text = " ".join(soup.get_text(" ").split())
        problems += [f"{page.src_uri}: {p}" for p in _problems(page.markdown, text, soup, provider)]
    assert problems == []

    offered = list(provider["servers"])
    xml = ET.fromstring(thunderbird_xml(kb, "https://help.prov.test/start/everything/"))
    servers = [s.get("type") for s in xml.iter() if s.tag in {"incomingServer", "outgoingServer"}]
    assert sorted(set(servers)) == sorted(offered)
    assert [d.text for d in xml.iter("domain")] == provider.get("domains", ["prov.test"])
    username = {"email": "%EMAILADDRESS%", "localpart": "%EMAILLOCALPART%"}
    assert {u.text for u in xml.iter("username")} == {username[provider["username"]["format"]]}
    profile = apple_profile(kb)
    fixed = all("{domain}" not in provider["servers"][p]["host"] for p in ("imap", "smtp")
                if p in provider["servers"])
    if "imap" in offered and fixed and provider["authentication"] != "oauth2":
        assert profile is not None
        assert plistlib.loads(profile)["PayloadContent"][0]["EmailAccountType"] == "EmailTypeIMAP"
    else:
        assert profile is None


def test_the_strategy_reaches_every_kind_of_provider() -> None:
    """The combinations the test draws include each protocol set, host pattern and format."""
    seen: set[tuple[str, ...]] = set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(provider=providers())
    def collect(provider: dict[str, Any]) -> None:
        hosts = next(k for k, v in HOSTS.items()
                     if all(v[p] == s["host"] for p, s in provider["servers"].items()))
        seen.add(("protocols", *sorted(provider["servers"])))
        seen.add(("hosts", hosts))
        seen.add(("username", provider["username"]["format"]))

    collect()
    assert {("protocols", "imap", "smtp"), ("protocols", "pop3", "smtp"),
            ("protocols", "imap", "pop3", "smtp"), ("username", "email"),
            ("username", "localpart"), *(("hosts", h) for h in HOSTS)} <= seen
