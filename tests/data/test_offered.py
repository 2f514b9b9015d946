"""A provider offers SMTP and IMAP, POP3 or both: what it does not offer is refused or left out.

Built on the IMAP-only data set (tests/providers/imap-only), changed a little per test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kbgen.adapters.cli import main

from ..conftest import build_or_fail, copy_provider, mkdocs_build

pytestmark = pytest.mark.slow

COMPARISON = """\
id: compare
title: Ways to read your mail
summary: How mail apps collect your mail from our servers.
category: setup
body:
  - type: text
    markdown: Mail apps can keep your mail on the server or download it.
  - type: protocol-overview
    protocols: [pop3, imap]
  - type: comparison
    heading: Side by side
    protocols: [pop3, imap]
    rows:
      - trait: devices
        label: Devices
  - type: ports
    protocols: [imap, pop3, smtp]
  - type: settings
"""


def test_blocks_adapt_to_an_imap_only_provider(tmp_path: Path) -> None:
    root = copy_provider("imap-only", tmp_path / "p")
    (root / "data/articles/compare.yml").write_text(COMPARISON, encoding="utf-8")
    # The data set keeps the standard pop3.yml (test_providers); it may also go.
    (root / "data/protocols/pop3.yml").unlink()
    site = build_or_fail(root, root / "site")
    article = BeautifulSoup((site / "help/compare/index.html").read_text(encoding="utf-8"),
                            "html.parser").select_one("article")
    assert article is not None
    text = article.get_text(" ", strip=True)
    # Nothing to compare: a plain sentence instead of a one-column table.
    assert article.select("table.kb-comparison") == []
    only = article.select_one("p.kb-only")
    assert only is not None
    assert only.get_text(" ", strip=True) == (
        "Nordlys Mail offers IMAP only, so there is nothing to choose between: every app "
        "reads your mail with IMAP.")
    # one protocol described, as a section of its own (no h3 straight after the h1)
    assert [h.get_text(" ", strip=True).rstrip(" ¶") for h in article.select("h2")][:2] == [
        "IMAP: Internet Message Access Protocol", "Side by side"]
    assert "POP" not in text


def test_the_client_guide_links_the_comparison_by_content_not_id(tmp_path: Path) -> None:
    root = copy_provider("cpanel", tmp_path / "p")
    article = root / "data/articles/pop3-or-imap.yml"
    renamed = article.with_name("choosing.yml")
    renamed.write_text(article.read_text(encoding="utf-8").replace(
        "id: pop3-or-imap", "id: choosing"), encoding="utf-8")
    article.unlink()
    for path in (root / "data").rglob("*.yml"):
        path.write_text(path.read_text(encoding="utf-8").replace("pop3-or-imap", "choosing"),
                        encoding="utf-8")
    site = build_or_fail(root, root / "site")
    page = BeautifulSoup((site / "mail/thunderbird/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    links = [a for a in page.select(".kb-prerequisites a")
             if a.get_text(strip=True) == "what is the difference?"]
    assert [a["href"] for a in links] == ["../choosing/"]


BAD = """\
id: bad
title: Reading mail with POP3
summary: About IMAP.
category: setup
body:
  - type: text
    markdown: |
      Use {{ pop3.tls }} or {{ imap.starttls }}, or {{ smtp.ports }}.
  - type: settings
    incoming: [pop3]
"""
POP_ONLY_APP = """\
id: pop-app
title: An old app
summary: An app that reads mail one way only.
category: setup
protocols: [pop3]
app: Old Mail
family: old
platform: windows
written_for: Old Mail 1
steps:
  - title: Type the settings
    settings: true
"""


def test_what_is_not_offered_is_refused_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_provider("imap-only", tmp_path / "p")
    (root / "data/articles/bad.yml").write_text(BAD, encoding="utf-8")
    (root / "data/clients/pop-app.yml").write_text(POP_ONLY_APP, encoding="utf-8")
    assert main(["--root", str(root), "validate"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "data/articles/bad.yml:2:26: title: warning: the text names POP3, but data/provider.yml "
        "offers no POP3 server (reword it for the protocols offered; an article about POP3 "
        "alone can go)",
        "data/articles/bad.yml:8:11: body[0].markdown: {{ pop3.tls }} names POP3, which "
        "data/provider.yml does not offer (remove it, or add servers.pop3 to data/provider.yml)",
        "data/articles/bad.yml:8:29: body[0].markdown: {{ imap.starttls }}: data/provider.yml "
        "offers no IMAP endpoint with STARTTLS (use {{ imap.port }} for the recommended port, or "
        "{{ imap.ports }} for all of them)",
        "data/articles/bad.yml:10:15: body[1].incoming: data/provider.yml has no POP3 server to "
        "show (remove 'incoming:' to show every incoming protocol the provider offers)",
        "data/clients/pop-app.yml:5:12: protocols: this app reads mail with POP3 only, and "
        "data/provider.yml offers IMAP (list the protocols the app supports, or remove this guide)",
        "kbgen: 4 error(s) and 1 warning(s) in the data",
    ]


@pytest.mark.parametrize(("line", "key"), [
    ('site_name: "Example Hosting Help Center"', "site_name"),
    ('site_name: ""\nsite_url: https://help.example.com/', "site_url"),
    ('site_name: ""\ncopyright: Example Hosting', "copyright"),
])
def test_identity_in_mkdocs_yml_is_refused(tmp_path: Path, line: str, key: str) -> None:
    """One place for the provider's identity: a second one in mkdocs.yml fails the build."""
    root = copy_provider("imap-only", tmp_path / "p")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace('site_name: ""', line),
                      encoding="utf-8")
    result = mkdocs_build(root, root / "site")
    assert result.returncode == 1
    assert f"kbgen: mkdocs.yml sets {key} to " in result.stderr
    assert "comes from data/provider.yml only" in result.stderr


def test_a_hostile_site_name_is_escaped(tmp_path: Path) -> None:
    root = copy_provider("imap-only", tmp_path / "p")
    provider = root / "data/provider.yml"
    provider.write_text(provider.read_text(encoding="utf-8").replace(
        "name: Nordlys Mail\n", "name: Nordlys Mail\nsite_name: <b>Nordlys</b> & Co\n"
        "copyright: <script>alert(1)</script>\n"), encoding="utf-8")
    site = build_or_fail(root, root / "site")
    raw = (site / "help/mail-servers/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in raw and "<b>Nordlys" not in raw
    html = BeautifulSoup(raw, "html.parser")
    assert html.title is not None and html.title.get_text().endswith(" - <b>Nordlys</b> & Co")
    footer = html.select_one(".md-copyright")
    assert footer is not None and "<script>alert(1)</script>" in footer.get_text()


PLACEHOLDERS_EVERYWHERE = """\
id: everywhere
title: Sending from {{ provider.name }} on port {{ smtp.port }}
summary: Use {{ smtp.host }} for outgoing mail.
category: setup
body:
  - type: text
    heading: Reading mail at {{ imap.host }}
    markdown: Sign in as {{ username.description }}.
  - type: settings
    heading: Settings for {{ provider.name }}
"""
GUIDE_WITH_PLACEHOLDERS = """\
id: guide
title: Set up {{ provider.name }} mail
summary: Port {{ imap.tls }} and {{ smtp.ports }}.
category: setup
app: Some Mail
family: some
platform: windows
written_for: Some Mail 3
steps:
  - title: Type {{ imap.host }}
    settings: true
troubleshooting:
  - problem: bad-login
    message: Could not sign in to {{ imap.host }}
"""


def test_placeholders_are_filled_in_every_text_a_reader_sees(tmp_path: Path) -> None:
    root = copy_provider("imap-only", tmp_path / "p")
    (root / "data/articles/everywhere.yml").write_text(PLACEHOLDERS_EVERYWHERE, encoding="utf-8")
    (root / "data/clients/guide.yml").write_text(GUIDE_WITH_PLACEHOLDERS, encoding="utf-8")
    categories = root / "data/categories.yml"
    categories.write_text(categories.read_text(encoding="utf-8").replace(
        "title: Setting up", "title: Setting up {{ provider.name }}"), encoding="utf-8")
    site = build_or_fail(root, root / "site")
    html = BeautifulSoup((site / "help/everywhere/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert html.title is not None
    assert html.title.get_text() == "Sending from Nordlys Mail on port 465 - Nordlys Mail Help Center"
    headings = [h.get_text(" ", strip=True).rstrip(" ¶") for h in html.select("article h1, article h2")]
    assert headings[:3] == ["Sending from Nordlys Mail on port 465",
                            "Reading mail at imap.nordlys.test", "Settings for Nordlys Mail"]
    summary = html.select_one(".kb-summary")
    assert summary is not None and summary.get_text() == "Use smtp.nordlys.test for outgoing mail."
    nav = [a.get_text(" ", strip=True) for a in html.select(".md-nav a")]
    assert "Setting up Nordlys Mail" in nav
    guide = BeautifulSoup((site / "help/guide/index.html").read_text(encoding="utf-8"),
                          "html.parser").select_one("article")
    assert guide is not None
    text = guide.get_text(" ", strip=True)
    for shown in ["Set up Nordlys Mail mail", "Port 993 and 465 or 2525.", "Type imap.nordlys.test",
                  "“Could not sign in to imap.nordlys.test”"]:
        assert shown in text
    # Also Read, the search index, the sitemap: nowhere is a placeholder left
    for path in site.rglob("*"):
        if path.suffix in {".html", ".json", ".xml"}:
            assert "{{" not in path.read_text(encoding="utf-8"), path


def test_braces_that_are_not_a_placeholder_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_provider("imap-only", tmp_path / "p")
    article = PLACEHOLDERS_EVERYWHERE.replace("{{ provider.name }} on", "{{ Provider.Name }} on")
    article = article.replace("at {{ imap.host }}", "at {{ smtp.starttls }}")
    (root / "data/articles/everywhere.yml").write_text(article, encoding="utf-8")
    provider = root / "data/provider.yml"
    provider.write_text(provider.read_text(encoding="utf-8").replace(
        "note: Your sign-in name", "note: As {{ username.example }}, your sign-in name"),
        encoding="utf-8")
    assert main(["--root", str(root), "validate"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "data/articles/everywhere.yml:2:21: title: '{{' is not part of a placeholder and would be "
        "printed as it is (write a placeholder as {{ name }}, with a lowercase name such as "
        "{{ imap.host }})",
        "data/articles/everywhere.yml:7:30: body[0].heading: {{ smtp.starttls }}: "
        "data/provider.yml offers no SMTP endpoint with STARTTLS (use {{ smtp.port }} for the "
        "recommended port, or {{ smtp.ports }} for all of them)",
        "data/provider.yml:15:12: username.note: placeholders are not filled in this file "
        "({{ username.example }}) (write the value itself)",
        "kbgen: 3 error(s) in the data",
    ]


def test_mail_domains_are_real_and_listed_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_provider("imap-only", tmp_path / "p")
    provider = root / "data/provider.yml"
    provider.write_text(provider.read_text(encoding="utf-8").replace(
        "domains: [nordlys.test, nordlysmail.test]",
        "domains: [nordlys.test, nordlysmail.test, nordlys.test, 'mail.{domain}']"),
        encoding="utf-8")
    assert main(["--root", str(root), "validate"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "data/provider.yml:7:57: domains[3]: 'mail.{domain}' is not a valid domain "
        "(a domain name such as example.com)",
        "kbgen: 1 error(s) in the data",
    ]
    provider.write_text(provider.read_text(encoding="utf-8").replace(", 'mail.{domain}']", "]"),
                        encoding="utf-8")
    assert main(["--root", str(root), "validate"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "data/provider.yml:7:43: domains[2]: 'nordlys.test' is listed twice (remove one)",
        "kbgen: 1 error(s) in the data",
    ]


def test_starter_files_fit_a_pop3_only_provider(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`kbgen new` writes files that validate and build for any provider, not just the example."""
    root = copy_provider("imap-only", tmp_path / "p")
    shutil.rmtree(root / "data")
    assert main(["--root", str(root), "new", "provider"]) == 0
    provider = root / "data/provider.yml"
    text = provider.read_text(encoding="utf-8")
    imap = text.index("  imap:\n")
    text = text[:imap] + text[text.index("  pop3:\n"):]  # POP3 and SMTP only
    provider.write_text(text.replace("format: email ", "format: localpart "), encoding="utf-8")
    for args in (["categories"], ["troubleshooting"], ["protocol", "pop3"], ["protocol", "smtp"],
                 ["article", "first-steps"], ["client", "my-app"]):
        assert main(["--root", str(root), "new", *args]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["--root", str(root), "validate", "--strict"]) == 0, capsys.readouterr().err
    site = build_or_fail(root, root / "site")
    guide = next(site.rglob("my-app/index.html")).read_text(encoding="utf-8")
    assert "choose <strong>POP3</strong>" in guide
    assert "IMAP" not in BeautifulSoup(guide, "html.parser").get_text()
