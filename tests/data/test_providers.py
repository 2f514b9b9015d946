"""Every provider data set (tests/providers/) builds with --strict and publishes what its data says.

One expectation per data set, written out by hand from its data/provider.yml: the
settings and ports tables, the Thunderbird autoconfig file, the Apple profile,
Also Read, the search index and the redirects. A provider that offers no POP3 (or
no STARTTLS) must not find it anywhere in its site or its mail-app files.
"""

from __future__ import annotations

import json
import plistlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from kbgen.data.data_folder import load_kb
from kbgen.data.urls import APPLE_PROFILE_PATH, THUNDERBIRD_PATHS

from ..conftest import PROVIDERS, ROOT, provider_names

pytestmark = pytest.mark.slow

Site = Callable[[str], Path]


@dataclass(frozen=True)
class Expected:
    settings_page: str
    settings: dict[str, list[str]]  # server: host name, port and security, username
    ports: list[tuple[str, str, str, str]]  # protocol, port, security, our server
    autoconfig: list[tuple[str, str, str, str, str]]  # type, host, port, socketType, username
    profile: tuple[str, int, str, int] | None  # IMAP host, port, SMTP host, port
    also_read: tuple[str, list[str]]  # a page, the titles of its Also Read list
    identity: tuple[str, str, str, str]  # site name, a page's canonical URL, footer, support email
    doc_url: str  # the autoconfig file's documentation link
    domains: list[str]  # the autoconfig file's <domain> elements
    settings_note: str | None = None  # the line under the settings table
    redirects: list[str] = field(default_factory=list)  # lines of _redirects
    absent: list[str] = field(default_factory=list)  # words that must not appear anywhere


EXPECTED = {
    "example": Expected(
        settings_page="email/server-settings",
        settings={"Incoming (IMAP)": ["mail.example.com", "993 SSL/TLS or 143 with STARTTLS",
                                      "you@example.com"],
                  "Incoming (POP3)": ["mail.example.com", "995 SSL/TLS or 110 with STARTTLS",
                                      "you@example.com"],
                  "Outgoing (SMTP)": ["mail.example.com", "465 SSL/TLS or 587 with STARTTLS",
                                      "you@example.com"]},
        ports=[("IMAP", "993", "SSL/TLS (implicit TLS)", "mail.example.com"),
               ("IMAP", "143", "STARTTLS", "mail.example.com"),
               ("POP3", "995", "SSL/TLS (implicit TLS)", "mail.example.com"),
               ("POP3", "110", "STARTTLS", "mail.example.com"),
               ("SMTP", "465", "SSL/TLS (implicit TLS)", "mail.example.com"),
               ("SMTP", "587", "STARTTLS", "mail.example.com")],
        autoconfig=[("imap", "mail.example.com", "993", "SSL", "%EMAILADDRESS%"),
                    ("imap", "mail.example.com", "143", "STARTTLS", "%EMAILADDRESS%"),
                    ("pop3", "mail.example.com", "995", "SSL", "%EMAILADDRESS%"),
                    ("pop3", "mail.example.com", "110", "STARTTLS", "%EMAILADDRESS%"),
                    ("smtp", "mail.example.com", "465", "SSL", "%EMAILADDRESS%"),
                    ("smtp", "mail.example.com", "587", "STARTTLS", "%EMAILADDRESS%")],
        profile=("mail.example.com", 993, "mail.example.com", 465),
        also_read=("email/server-settings", ["What is the difference between POP and IMAP?"]),
        identity=("Example Hosting Help Center", "https://help.example.com/email/server-settings/",
                  "© Example Hosting", "support@example.com"),
        doc_url="https://help.example.com/email/server-settings/",
        domains=["example.com"],
        redirects=["/knowledgebase.php action=displayarticle id=12 /email/pop-vs-imap/ 301"],
    ),
    "imap-only": Expected(
        settings_page="help/mail-servers",
        settings={"Incoming (IMAP)": ["imap.nordlys.test", "993 SSL/TLS", "you"],
                  "Outgoing (SMTP)": ["smtp.nordlys.test", "465 SSL/TLS or 2525 with SSL/TLS", "you"]},
        settings_note=("These settings are for every address at nordlys.test and "
                       "nordlysmail.test. Username: the part of your email address before the "
                       "@. Your sign-in name is the same as on app.nordlys.test."),
        ports=[("IMAP", "993", "SSL/TLS (implicit TLS)", "imap.nordlys.test"),
               ("IMAP", "143", "STARTTLS", "not offered"),
               ("SMTP", "465", "SSL/TLS (implicit TLS)", "smtp.nordlys.test"),
               ("SMTP", "587", "STARTTLS", "not offered"),
               ("SMTP", "2525", "SSL/TLS (implicit TLS)", "smtp.nordlys.test")],
        autoconfig=[("imap", "imap.nordlys.test", "993", "SSL", "%EMAILLOCALPART%"),
                    ("smtp", "smtp.nordlys.test", "465", "SSL", "%EMAILLOCALPART%"),
                    ("smtp", "smtp.nordlys.test", "2525", "SSL", "%EMAILLOCALPART%")],
        profile=("imap.nordlys.test", 993, "smtp.nordlys.test", 465),
        also_read=("help/mail-servers", ["Why IMAP?"]),
        identity=("Nordlys Mail Help Center", "https://support.nordlys.test/help/mail-servers/",
                  "© Nordlys Mail", "hjelp@nordlys.test"),
        doc_url="https://support.nordlys.test/help/mail-servers/",
        domains=["nordlys.test", "nordlysmail.test"],
        absent=["POP", "POP3", "pop3"],
    ),
    "cpanel": Expected(
        settings_page="mail/email-settings",
        # mail.{domain}: the reader's own domain, shown as a reserved example domain
        settings={"Incoming (IMAP)": ["mail.your-domain.example", "993 SSL/TLS or 143 with STARTTLS",
                                      "you@your-domain.example"],
                  "Incoming (POP3)": ["mail.your-domain.example", "995 SSL/TLS or 110 with STARTTLS",
                                      "you@your-domain.example"],
                  "Outgoing (SMTP)": ["mail.your-domain.example", "465 SSL/TLS or 587 with STARTTLS",
                                      "you@your-domain.example"]},
        ports=[("IMAP", "993", "SSL/TLS (implicit TLS)", "mail.your-domain.example"),
               ("IMAP", "143", "STARTTLS", "mail.your-domain.example"),
               ("POP3", "995", "SSL/TLS (implicit TLS)", "mail.your-domain.example"),
               ("POP3", "110", "STARTTLS", "mail.your-domain.example"),
               ("SMTP", "465", "SSL/TLS (implicit TLS)", "mail.your-domain.example"),
               ("SMTP", "587", "STARTTLS", "mail.your-domain.example")],
        autoconfig=[("imap", "mail.%EMAILDOMAIN%", "993", "SSL", "%EMAILADDRESS%"),
                    ("imap", "mail.%EMAILDOMAIN%", "143", "STARTTLS", "%EMAILADDRESS%"),
                    ("pop3", "mail.%EMAILDOMAIN%", "995", "SSL", "%EMAILADDRESS%"),
                    ("pop3", "mail.%EMAILDOMAIN%", "110", "STARTTLS", "%EMAILADDRESS%"),
                    ("smtp", "mail.%EMAILDOMAIN%", "465", "SSL", "%EMAILADDRESS%"),
                    ("smtp", "mail.%EMAILDOMAIN%", "587", "STARTTLS", "%EMAILADDRESS%")],
        profile=None,  # one profile cannot hold every customer's mail.<domain>
        also_read=("mail/email-settings", ["Should I use POP3 or IMAP?"]),
        identity=("Kestrel Help Centre", "https://www.kestrelweb.test/help/mail/email-settings/",
                  "© 2026 Kestrel Web Hosting Ltd", "helpdesk@kestrelweb.test"),
        doc_url="https://www.kestrelweb.test/help/mail/email-settings/",
        domains=["kestrelweb.test"],
        # The site is served under /help/ (its site_url): so are the redirects' targets.
        redirects=["/knowledgebase.php action=displayarticle id=17 /help/mail/pop3-or-imap/ 301",
                   "/knowledgebase/60/* /help/mail/thunderbird/ 301"],
    ),
}


# What would give each provider away in someone else's site.
TRACES = {
    "example": ["Example Hosting", "example.com", "help.example.com", "example-hosting"],
    "imap-only": ["Nordlys", "nordlys.test"],
    "cpanel": ["Kestrel", "kestrelweb.test", "kestrel-web"],
}


def test_every_data_set_has_expectations() -> None:
    assert provider_names() == ["example", "cpanel", "imap-only"]
    assert set(EXPECTED) == set(TRACES) == set(provider_names())


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def rows(table: object) -> list[list[str]]:
    """Each cell's text as a reader sees it (a host's <wbr> break points add no space)."""
    assert table is not None
    return [[" ".join(c.get_text("").split()) for c in row.find_all(["th", "td"])]
            for row in table.find_all("tr")]  # type: ignore[attr-defined]


def test_data_sets_keep_the_standard_protocol_files() -> None:
    """CONTRIBUTING.md tells a provider to leave data/protocols/ alone; so do the data sets."""
    standard = {p.name: p.read_bytes() for p in (ROOT / "data/protocols").glob("*.yml")}
    for name in provider_names()[1:]:
        found = {p.name: p.read_bytes() for p in (PROVIDERS / name / "data/protocols").glob("*.yml")}
        assert found == standard, name


@pytest.mark.parametrize("name", provider_names())
def test_data_set_validates_without_warnings(name: str) -> None:
    kb = load_kb(ROOT if name == "example" else PROVIDERS / name)
    assert [str(w) for w in kb.warnings] == []


@pytest.mark.parametrize("name", provider_names())
def test_settings_table(name: str, provider_site: Site) -> None:
    want = EXPECTED[name]
    table = rows(page(provider_site(name), want.settings_page).select_one("table.kb-settings"))
    assert table[0] == ["Server", "Host name", "Port and security", "Username"]
    assert {row[0]: row[1:] for row in table[1:]} == want.settings
    if want.settings_note is not None:
        table_ = page(provider_site(name), want.settings_page).select_one("table.kb-settings")
        assert table_ is not None
        note = table_.find_next("p")
        assert note is not None and note.get_text(" ", strip=True) == want.settings_note


@pytest.mark.parametrize("name", provider_names())
def test_ports_table(name: str, provider_site: Site) -> None:
    want = EXPECTED[name]
    table = rows(page(provider_site(name), want.settings_page).select_one("table.kb-ports"))
    assert [(r[0], r[2], r[3], r[4]) for r in table[1:]] == want.ports


@pytest.mark.parametrize("name", provider_names())
def test_autoconfig(name: str, provider_site: Site) -> None:
    site = provider_site(name)
    raw = (site / THUNDERBIRD_PATHS[0]).read_bytes()
    assert (site / THUNDERBIRD_PATHS[1]).read_bytes() == raw
    provider = ET.fromstring(raw).find("emailProvider")
    assert provider is not None
    servers = [(s.get("type"), s.findtext("hostname"), s.findtext("port"), s.findtext("socketType"),
                s.findtext("username"))
               for s in provider if s.tag in {"incomingServer", "outgoingServer"}]
    assert servers == EXPECTED[name].autoconfig
    assert [d.text for d in provider.findall("domain")] == EXPECTED[name].domains
    documentation = provider.find("documentation")
    assert documentation is not None and documentation.get("url") == EXPECTED[name].doc_url


@pytest.mark.parametrize("name", provider_names())
def test_apple_profile(name: str, provider_site: Site) -> None:
    site = provider_site(name)
    want = EXPECTED[name].profile
    if want is None:
        assert not (site / APPLE_PROFILE_PATH).exists()
        return
    profile = plistlib.loads((site / APPLE_PROFILE_PATH).read_bytes())
    (mail,) = profile["PayloadContent"]
    assert mail["EmailAccountType"] == "EmailTypeIMAP"
    assert (mail["IncomingMailServerHostName"], mail["IncomingMailServerPortNumber"],
            mail["OutgoingMailServerHostName"], mail["OutgoingMailServerPortNumber"]) == want


@pytest.mark.parametrize("name", provider_names())
def test_also_read(name: str, provider_site: Site) -> None:
    url, first = EXPECTED[name].also_read
    links = page(provider_site(name), url).select(".kb-also-read__link")
    titles = [a.get_text(strip=True) for a in links]
    assert titles[: len(first)] == first
    assert 0 < len(titles) <= 5
    for a in links:  # every suggestion is a page of this site
        assert (provider_site(name) / url / str(a["href"]) / "index.html").resolve().is_file()


@pytest.mark.parametrize("name", provider_names())
def test_search_index_holds_every_page(name: str, provider_site: Site) -> None:
    site = provider_site(name)
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    kb = load_kb(ROOT if name == "example" else PROVIDERS / name)
    built = {p.parent.relative_to(site).as_posix() + "/" for p in site.glob("*/*/index.html")}
    pages = {u for u in built if u.split("/")[1] in kb.entries}
    assert pages == {u for u in locations if u.count("/") == 2 and u.split("/")[1] in kb.entries}
    assert len(pages) == len(kb.published())


@pytest.mark.parametrize("name", provider_names())
def test_redirects(name: str, provider_site: Site) -> None:
    lines = (provider_site(name) / "_redirects").read_text(encoding="utf-8").splitlines()
    for rule in EXPECTED[name].redirects:
        assert rule in lines


def _everything(site: Path) -> dict[str, str]:
    """Every text file a reader or a mail app can fetch: pages, search index, mail-app files."""
    out = {}
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".mobileconfig", ".txt"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".html":
                # What a reader sees and what search engines read, not Material's scripts.
                soup = BeautifulSoup(text, "html.parser")
                for tag in soup(["script", "style"]):
                    tag.decompose()
                text = soup.get_text(" ")
            out[path.relative_to(site).as_posix()] = text
    return out


@pytest.mark.parametrize("name", [n for n in provider_names() if EXPECTED[n].absent])
def test_nothing_the_provider_does_not_offer(name: str, provider_site: Site) -> None:
    words = EXPECTED[name].absent
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b")
    found = {path: pattern.findall(text) for path, text in _everything(provider_site(name)).items()}
    assert {path: hits for path, hits in found.items() if hits} == {}


def test_implicit_tls_only_provider_offers_no_starttls(provider_site: Site) -> None:
    site = provider_site("imap-only")
    xml = (site / THUNDERBIRD_PATHS[0]).read_text(encoding="utf-8")
    assert "STARTTLS" not in xml
    for html in site.rglob("index.html"):
        for table in BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select(
                "table.kb-settings"):
            assert "STARTTLS" not in table.get_text(), html
    notes = [p.get_text(" ", strip=True) for p in
             page(site, "help/mail-servers").select("p.kb-note")]
    assert any(n.startswith("Our servers use implicit TLS (SSL/TLS) only") for n in notes)


@pytest.mark.parametrize("name", provider_names())
def test_identity_comes_from_provider_yml(name: str, provider_site: Site) -> None:
    site_name, canonical, footer, support = EXPECTED[name].identity
    url = EXPECTED[name].settings_page
    html = page(provider_site(name), url)
    assert html.title is not None and html.title.get_text().endswith(f" - {site_name}")
    link = html.find("link", rel="canonical")
    assert link is not None and link["href"] == canonical
    copyright_ = html.select_one(".md-copyright")
    assert copyright_ is not None and copyright_.get_text(" ", strip=True).startswith(footer)
    home = page(provider_site(name), ".")
    assert support in home.get_text(" ")


@pytest.mark.parametrize("name", provider_names())
def test_nothing_of_another_provider_leaks_in(name: str, provider_site: Site) -> None:
    """Every byte of every text file in the built site: pages (scripts too), search index,
    sitemap, _headers, _redirects, autoconfig XML and Apple profile."""
    others = [trace for other, traces in TRACES.items() if other != name for trace in traces]
    pattern = re.compile("|".join(map(re.escape, others)), re.IGNORECASE)
    site = provider_site(name)
    leaks = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix in {".png", ".ico", ".gz", ".woff", ".woff2"}:
            continue
        hits = pattern.findall(path.read_bytes().decode("utf-8", errors="replace"))
        if hits:
            leaks[path.relative_to(site).as_posix()] = sorted(set(hits))
    assert leaks == {}
    # and the provider's own name is there, so the search above looked at real files
    assert TRACES[name][0] in (site / "index.html").read_text(encoding="utf-8")
