"""`kbgen build`, and "Edit this page" on generated pages opening the YAML they come from."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kbgen.adapters.cli import main
from kbgen.content.render import render_pages
from kbgen.data.data_folder import load_kb

from ..conftest import copy_project

EDIT_LINK = re.compile(r'<a href="([^"]*)" title="[^"]*" class="md-content__button md-icon" rel="edit">')


class _EditHrefs(HTMLParser):
    """The href of every rel="edit" link, as a browser reads it (entities decoded)."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("rel") == "edit":
            self.hrefs.append(found.get("href"))


def _edit_hrefs(html: str) -> list[str | None]:
    parser = _EditHrefs()
    parser.feed(html)
    return parser.hrefs


def _html(site: Path, src_uri: str) -> str:
    rel = src_uri.removesuffix(".md")
    rel = rel.removesuffix("index").rstrip("/")
    return (site / rel / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_edit_this_page_opens_the_yaml_source(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Netlify's deploy preview of a pull request: where authors check their change.
    monkeypatch.setenv("CONTEXT", "deploy-preview")
    root = copy_project(tmp_path / "project")
    provider = root / "data" / "provider.yml"
    text = provider.read_text(encoding="utf-8")
    # The data's repo_url and edit_branch are the one place the link comes from.
    assert "\nrepo_url: https://github.com/example-hosting/help-center\n" in text
    # A branch with '/' and '+', a repository address with '&': Material prints the link
    # unescaped, so kbgen must hand it a quoted, HTML-escaped URL.
    provider.write_text(text.replace("https://github.com/example-hosting/help-center",
                                     "https://git.example.net/acme&co/helpdesk")
                        + "edit_branch: release/2026.1+kb\n", encoding="utf-8")
    assert main(["--root", str(root), "build", "--site-dir", "site"]) == 0, capsys.readouterr().err
    site = root / "site"

    kb = load_kb(root)
    pages = render_pages(kb)
    with_source = [p for p in pages if p.source]
    assert {p.source for p in with_source} >= {"data/articles/pop-vs-imap.yml",
                                               "data/articles/server-settings.yml"}
    assert any(p.source.startswith("data/clients/") for p in with_source if p.source)
    for page in with_source:
        html = _html(site, page.src_uri)
        assert len(EDIT_LINK.findall(html)) == 1, page.src_uri
        assert _edit_hrefs(html) == [
            f"https://git.example.net/acme&co/helpdesk/edit/release/2026.1%2Bkb/{page.source}"
        ], page.src_uri
        assert (root / str(page.source)).is_file()
    for page in pages:
        if not page.source:
            # Category and home pages have no single source file: no edit button at all,
            # and never one pointing at a Markdown file that does not exist.
            assert EDIT_LINK.findall(_html(site, page.src_uri)) == [], page.src_uri


@pytest.mark.slow
@pytest.mark.parametrize("context", ["production", None])
def test_customers_never_see_edit_this_page(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch, context: str | None) -> None:
    """The production site (and a plain local build) has no link to the repository."""
    if context is None:
        monkeypatch.delenv("CONTEXT", raising=False)
    else:
        monkeypatch.setenv("CONTEXT", context)
    root = copy_project(tmp_path / "project")
    assert main(["--root", str(root), "build", "--site-dir", "site"]) == 0, capsys.readouterr().err
    pages = list((root / "site").rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert 'rel="edit"' not in html and "github.com" not in html, page


def test_build_refuses_broken_data_and_keeps_the_site(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text("published")
    article = root / "data" / "articles" / "pop-vs-imap.yml"
    article.write_text(article.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    assert main(["--root", str(root), "build"]) == 1
    err = capsys.readouterr().err
    assert "data/articles/pop-vs-imap.yml:" in err and "unknown field 'colour'" in err
    assert (site / "index.html").read_text() == "published"
