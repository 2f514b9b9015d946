"""End-to-end: real MkDocs builds of the example site and of changed copies of it."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from ..conftest import build_or_fail, copy_project, mkdocs_build

pytestmark = pytest.mark.slow


def html(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def cells(table: object) -> list[list[str]]:
    assert table is not None
    # The text as a reader sees it: a host name is split into spans (it may wrap
    # only after a dot), so the pieces are joined without a separator.
    return [[" ".join(c.get_text().split()) for c in row.find_all(["th", "td"])]
            for row in table.find_all("tr")]  # type: ignore[attr-defined]


def test_pop_vs_imap_article(example_site: Path) -> None:
    page = html(example_site, "email/pop-vs-imap")
    article = page.select_one("article")
    assert article is not None
    assert page.title is not None
    assert page.title.string == "What is the difference between POP and IMAP? - Example Hosting Help Center"
    text = article.get_text(" ", strip=True)
    # what each protocol is, how it treats mail, who it is for
    assert ("Downloads your Inbox to one device, which either keeps a copy on the server for a "
            "while or for good, or removes it there.") in text
    assert "Keeps your mail on the server and shows the same mailbox on every device you use." in text
    assert "Recommended for" in text

    comparison = cells(article.select_one("table.kb-comparison"))
    assert comparison[0] == ["", "POP3", "IMAP"]
    labels = [row[0] for row in comparison[1:]]
    assert labels == ["Devices", "Where mail is stored", "Storage limits", "Offline access",
                      "Speed of first access", "Sent mail", "Deleted mail", "Folders"]
    assert comparison[6][2] == "Saved in the Sent folder on the server, visible from every device."

    ports = cells(article.select_one("table.kb-ports"))
    assert ports[0] == ["Protocol", "Used for", "Port", "Security", "Our server"]
    rows = {(r[0], r[2]): (r[3], r[4]) for r in ports[1:]}
    assert rows == {
        ("IMAP", "993"): ("SSL/TLS (implicit TLS)", "mail.example.com"),
        ("IMAP", "143"): ("STARTTLS", "mail.example.com"),
        ("POP3", "995"): ("SSL/TLS (implicit TLS)", "mail.example.com"),
        ("POP3", "110"): ("STARTTLS", "mail.example.com"),
        ("SMTP", "465"): ("SSL/TLS (implicit TLS)", "mail.example.com"),
        ("SMTP", "587"): ("STARTTLS", "mail.example.com"),
    }
    # implicit TLS listed first for every protocol (RFC 8314)
    assert [r[2] for r in ports[1:]] == ["993", "143", "995", "110", "465", "587"]


def test_stable_readable_urls(example_site: Path) -> None:
    for url in ["email/pop-vs-imap", "email/server-settings", "email", "email/protocols"]:
        assert (example_site / url / "index.html").is_file(), url
    assert not (example_site / "docs").exists()


def test_server_settings_table(example_site: Path) -> None:
    table = cells(html(example_site, "email/server-settings").select_one("table.kb-settings"))
    assert table[0] == ["Server", "Host name", "Port and security", "Username"]
    by_server = {row[0]: row[1:] for row in table[1:]}
    assert list(by_server) == ["Incoming (IMAP)", "Incoming (POP3)", "Outgoing (SMTP)"]
    assert [v[0] for v in by_server.values()] == ["mail.example.com"] * 3
    assert [v[1] for v in by_server.values()] == [
        "993 SSL/TLS or 143 with STARTTLS", "995 SSL/TLS or 110 with STARTTLS",
        "465 SSL/TLS or 587 with STARTTLS"]
    assert [v[2] for v in by_server.values()] == ["you@example.com"] * 3


def test_generated_pages_are_never_written_into_docs(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    before = sorted(p.relative_to(root).as_posix() for p in (root / "docs").rglob("*"))
    build_or_fail(root, tmp_path / "site")
    after = sorted(p.relative_to(root).as_posix() for p in (root / "docs").rglob("*"))
    assert before == after


HOSTILE = """\
id: hostile
title: "<script>alert('t')</script> & <b>POP</b>"
summary: "</title><script>alert('s')</script>"
category: protocols
body:
  - type: text
    heading: "<img src=x onerror=alert('h')>"
    markdown: |
      Plain **bold** stays. <script>alert('m')</script>
      [click](javascript:alert('j')) and [data](data:text/html,<script>alert('d')</script>)
      <a href="#" onclick="alert('o')">handler</a> <img src="x.png" onerror="alert('i')">
"""


def test_hostile_text_is_escaped_and_markdown_sanitised(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    (root / "data/articles/hostile.yml").write_text(HOSTILE, encoding="utf-8")
    site = build_or_fail(root, tmp_path / "site")
    raw = (site / "email/hostile/index.html").read_text(encoding="utf-8")
    for needle in ["<script>alert", "<img src=x", "javascript:", "data:text/html"]:
        assert needle not in raw
    page = BeautifulSoup(raw, "html.parser")
    # Handlers may show as text ("onerror=" in an escaped title), never as an attribute.
    assert not [(tag.name, name) for tag in page.find_all(True) for name in tag.attrs
                if name.lower().startswith("on")]
    assert page.title is not None
    assert page.title.get_text() == "<script>alert('t')</script> & <b>POP</b> - Example Hosting Help Center"
    h1 = page.select_one("article h1")
    assert h1 is not None and "<script>alert('t')</script> & <b>POP</b>" in h1.get_text()
    description = page.select_one('meta[name="description"]')
    assert description is not None and description["content"] == "</title><script>alert('s')</script>"
    assert "Plain bold stays." in page.get_text(" ", strip=True).replace("  ", " ")
    # the category page and the home page list the title as text too
    listing = (site / "email/protocols/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in listing and "&lt;script&gt;alert" in listing


def _pages_mentioning(site: Path, needle: str) -> set[str]:
    found = set()
    for page in site.rglob("*.html"):
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article")
        if article is not None and needle in article.get_text(" "):
            found.add(page.relative_to(site).as_posix())
    return found


def test_changing_one_port_changes_every_page(tmp_path: Path, example_site: Path) -> None:
    showing_993 = _pages_mentioning(example_site, "993")
    assert {"email/pop-vs-imap/index.html", "email/server-settings/index.html"} <= showing_993
    root = copy_project(tmp_path)
    imap = root / "data/protocols/imap.yml"
    text = imap.read_text(encoding="utf-8")
    assert text.count("port: 993") == 1
    imap.write_text(text.replace("port: 993", "port: 1993"), encoding="utf-8")
    site = build_or_fail(root, tmp_path / "site")
    assert _pages_mentioning(site, "1993") == showing_993
    for page in site.rglob("*.html"):
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article")
        text = article.get_text(" ") if article else ""
        assert re.search(r"(?<!\d)993(?!\d)", text) is None, page


def test_changing_one_host_changes_every_page(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    provider = root / "data/provider.yml"
    text = provider.read_text(encoding="utf-8")
    provider.write_text(text.replace("  smtp:\n    host: mail.example.com",
                                     "  smtp:\n    host: smtp.example.net"), encoding="utf-8")
    site = build_or_fail(root, tmp_path / "site")
    settings = cells(html(site, "email/server-settings").select_one("table.kb-settings"))
    assert [row[1] for row in settings[1:]] == ["mail.example.com", "mail.example.com", "smtp.example.net"]
    ports = cells(html(site, "email/pop-vs-imap").select_one("table.kb-ports"))
    assert [r[4] for r in ports if r[0] == "SMTP"] == ["smtp.example.net", "smtp.example.net"]


def _tree_digest(path: Path) -> dict[str, str]:
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def _kbgen_build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kbgen.adapters.cli", "--root", str(root), "build"],
                          capture_output=True, text=True, check=False)


def test_failed_build_leaves_the_published_site_untouched(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    first = _kbgen_build(root)
    assert first.returncode == 0, first.stderr
    before = _tree_digest(root / "site")
    assert "email/pop-vs-imap/index.html" in before

    # invalid data: validation refuses before MkDocs runs
    bad = root / "data/articles/broken.yml"
    bad.write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    second = _kbgen_build(root)
    assert second.returncode == 1
    assert "data/articles/broken.yml:2:8:" in second.stderr
    assert "Traceback" not in second.stderr
    assert _tree_digest(root / "site") == before
    bad.unlink()

    # valid data but a failing MkDocs build (a broken Markdown link in docs/, --strict)
    (root / "docs/broken.md").write_text("# Broken\n\n[gone](missing.md)\n", encoding="utf-8")
    third = _kbgen_build(root)
    assert third.returncode == 1
    assert _tree_digest(root / "site") == before
    assert not list(root.glob(".site-*")), "the staging folder was not cleaned up"


def test_strict_build_fails_on_a_warning(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    provider = root / "data/provider.yml"
    provider.write_text(provider.read_text(encoding="utf-8").replace(
        "      - security: starttls\n  pop3:", "      - {security: none, port: 1143}\n  pop3:", 1),
        encoding="utf-8")
    result = mkdocs_build(root, tmp_path / "site")
    assert result.returncode == 1
    assert ("WARNING -  data/provider.yml:25:20: servers.imap.endpoints[1].security: warning: IMAP on "
            "port 1143 without encryption sends passwords in the clear (offer tls or starttls "
            "instead)") in result.stderr
    assert mkdocs_build(root, tmp_path / "lenient", strict=False).returncode == 0


def test_still_need_help_shows_every_way_to_reach_support(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    provider = root / "data/provider.yml"
    text = provider.read_text(encoding="utf-8")
    provider.write_text(text.replace(
        "  hours: every day, 08:00–20:00 UTC\n",
        "  hours: \"<b>Mon</b>–Fri & 09:00–17:00\"\n  phone: +1 555 0100\n"
        "  ticket_url: https://desk.example.net/new?topic=mail&lang=en\n"), encoding="utf-8")
    site = build_or_fail(root, tmp_path / "site")
    for url in ("email/pop-vs-imap", "email/apple-mail-ios", "."):
        block = html(site, url).select_one("#kb-support")
        assert block is not None, url
        links = {a.get_text(" ", strip=True): a["href"] for a in block.select("a")}
        assert links["+1 555 0100"] == "tel:+15550100"
        assert links["Open a support ticket"] == "https://desk.example.net/new?topic=mail&lang=en"
        assert "<b>Mon</b>–Fri & 09:00–17:00" in block.get_text()  # as text, not markup
        assert block.select_one("b") is None
    raw = (site / "404.html").read_text(encoding="utf-8")
    assert 'href="tel:+15550100"' in raw and "&lt;b&gt;Mon&lt;/b&gt;" in raw
