"""The preview's incremental builds write exactly what a clean `mkdocs build` writes.

One SiteBuilder keeps a site up to date through a series of edits of the kinds
authors make; after each, every file of its site is compared, byte for byte,
with a clean `mkdocs build --strict` of the same project.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kbgen.adapters.sitebuilder import SiteBuilder

from ..conftest import copy_project, edit, mkdocs_build

pytestmark = pytest.mark.slow


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _same_as_clean_build(root: Path, live: Path, tmp: Path) -> None:
    clean = tmp / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    result = mkdocs_build(root, clean)
    assert result.returncode == 0, result.stderr
    ours, theirs = _files(live), _files(clean)
    assert sorted(ours) == sorted(theirs)
    differ = [name for name in theirs if ours[name] != theirs[name]]
    assert differ == []


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def test_a_full_build_is_a_clean_mkdocs_build(project: Path, tmp_path: Path) -> None:
    result = SiteBuilder(project / "mkdocs.yml", tmp_path / "live").build()
    assert result.full and "email/pop-vs-imap/index.html" in result.rendered
    _same_as_clean_build(project, tmp_path / "live", tmp_path)


# Each edit: (file under data/, text in it, replacement, pages that must be rendered again).
EDITS: list[tuple[str, str, str, set[str]]] = [
    # Text only this page shows.
    ("data/clients/thunderbird.yml", "Open the account setup", "Open the account setup screen",
     {"email/thunderbird/index.html"}),
    # A title: the nav of its section, the lists, the Also Read of other guides show it.
    ("data/articles/pop-vs-imap.yml", "What is the difference between POP and IMAP?",
     "POP or IMAP, which one?", {"email/pop-vs-imap/index.html", "index.html",
                                 "email/protocols/index.html", "email/thunderbird/index.html"}),
    # A server name: every page that shows the settings, and the files mail apps read.
    ("data/provider.yml", "host: mail.example.com", "host: imap.example.com",
     {"email/server-settings/index.html", "email/thunderbird/index.html"}),
]


@pytest.mark.parametrize("edits", [EDITS], ids=["text, title, server name"])
def test_each_update_writes_what_a_clean_build_writes(
        project: Path, tmp_path: Path, edits: list[tuple[str, str, str, set[str]]]) -> None:
    builder = SiteBuilder(project / "mkdocs.yml", tmp_path / "live")
    builder.build()
    for name, old, new, must in edits:
        result = builder.update([edit(project / name, old, new)])
        assert not result.full and not result.error, (name, result)
        assert must <= set(result.rendered), (name, sorted(result.rendered))
        _same_as_clean_build(project, tmp_path / "live", tmp_path)


def test_text_only_one_page_shows_renders_that_page_only(project: Path, tmp_path: Path) -> None:
    builder = SiteBuilder(project / "mkdocs.yml", tmp_path / "live")
    builder.build()
    page = (tmp_path / "live" / "email" / "index.html").read_bytes()
    result = builder.update([edit(project / "data/clients/thunderbird.yml",
                                   "Open the account setup", "Open the account setup screen")])
    assert result.rendered == ["email/thunderbird/index.html"]
    assert (tmp_path / "live" / "email" / "index.html").read_bytes() == page


STRUCTURE: list[tuple[str, Callable[[Path], Path]]] = [
    ("a new article", lambda root: _new_article(root)),
    ("a category renamed", lambda root: edit(root / "data/categories.yml", "title: Protocols &",
                                              "title: Mail protocols &")),
    ("a hand-written page", lambda root: edit(root / "docs/thanks.md", "Thank", "Many thanks")),
]


def _new_article(root: Path) -> Path:
    source = root / "data" / "articles" / "server-settings.yml"
    target = root / "data" / "articles" / "kb-extra.yml"
    text = source.read_text(encoding="utf-8").replace("id: server-settings", "id: kb-extra", 1)
    target.write_text(text.replace("title: ", "title: Extra ", 1), encoding="utf-8")
    return target


@pytest.mark.parametrize("change", STRUCTURE, ids=[s[0] for s in STRUCTURE])
def test_a_change_of_structure_rebuilds_it_all(project: Path, tmp_path: Path,
                                               change: tuple[str, Callable[[Path], Path]]) -> None:
    builder = SiteBuilder(project / "mkdocs.yml", tmp_path / "live")
    builder.build()
    result = builder.update([change[1](project)])
    assert result.full
    _same_as_clean_build(project, tmp_path / "live", tmp_path)


# The provider's identity: every page shows it, and kbgen, not mkdocs.yml, sets it.
IDENTITY: list[tuple[str, str, str]] = [
    ("name", "name: Example Hosting", "name: Beispiel Hosting & Co"),
    ("site URL", "site_url: https://help.example.com/", "site_url: https://hilfe.example.org/kb/"),
    ("copyright", "domain: example.com", "domain: example.com\ncopyright: \"© 2026 Example <Hosting>\""),
]


def test_each_identity_field_edited_under_the_preview(project: Path, tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    builder = SiteBuilder(project / "mkdocs.yml", tmp_path / "live")
    builder.build()
    for field, old, new in IDENTITY:
        with caplog.at_level(logging.ERROR):
            result = builder.update([edit(project / "data/provider.yml", old, new)])
        assert not result.error, (field, result.error, caplog.text)
        assert "mkdocs.yml sets" not in caplog.text, field
        _same_as_clean_build(project, tmp_path / "live", tmp_path)
    home = (tmp_path / "live" / "index.html").read_text(encoding="utf-8")
    assert "Beispiel Hosting &amp; Co" in home and "© 2026 Example &lt;Hosting&gt;" in home
    assert 'href="https://hilfe.example.org/kb/"' in home


def test_bad_data_keeps_the_last_good_site(project: Path, tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    builder = SiteBuilder(project / "mkdocs.yml", tmp_path / "live")
    builder.build()
    before = _files(tmp_path / "live")
    article = project / "data" / "articles" / "pop-vs-imap.yml"
    good = article.read_text(encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        result = builder.update([edit(article, "id: pop-vs-imap", "id: pop-vs-imap\nid: twice")])
    assert result.error and result.rendered == []
    assert "duplicate key 'id'" in caplog.text
    assert _files(tmp_path / "live") == before
    article.write_text(good.replace("What is the difference", "The difference", 1), encoding="utf-8")
    result = builder.update([article])
    assert not result.error
    _same_as_clean_build(project, tmp_path / "live", tmp_path)


def test_a_title_shown_only_in_the_nav_of_its_section(tmp_path: Path) -> None:
    """In a section of 25, Also Read shows a title on 5 pages; the sidebar on all 25."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from benchmark import make_project

    root = tmp_path / "synthetic"
    root.mkdir()
    make_project(root, 30)
    builder = SiteBuilder(root / "mkdocs.yml", tmp_path / "live")
    everything = builder.build().rendered
    result = builder.update([edit(root / "data/articles/bench-0011.yml", "Synthetic article 11",
                                   "Synthetic article eleven")])
    assert not result.full and len(result.rendered) >= 25
    # The thank-you page links back to every article, by title: it alone of the pages
    # outside the section is rendered again, not every page that could read its links.
    assert "thanks/index.html" in result.rendered
    assert len(result.rendered) < len(everything) - 5, sorted(result.rendered)
    _same_as_clean_build(root, tmp_path / "live", tmp_path)


def test_a_file_the_data_no_longer_makes_is_removed(project: Path, tmp_path: Path) -> None:
    """Hosts written as mail.{domain} cannot go into a shared Apple profile: the profiles
    a clean build would not write go from the preview's site too."""
    builder = SiteBuilder(project / "mkdocs.yml", tmp_path / "live")
    builder.build()
    profile = tmp_path / "live" / "mail" / "email-imap.mobileconfig"
    assert profile.is_file()
    result = builder.update([edit(project / "data/provider.yml", "host: mail.example.com",
                                   "host: mail.{domain}")])
    assert not result.full and not result.error
    assert not profile.exists()
    _same_as_clean_build(project, tmp_path / "live", tmp_path)


def test_the_sitemap_is_written_again_when_a_date_changes(project: Path, tmp_path: Path) -> None:
    builder = SiteBuilder(project / "mkdocs.yml", tmp_path / "live")
    builder.build()
    sitemap = tmp_path / "live" / "sitemap.xml"
    written = sitemap.stat().st_mtime_ns
    # A text edit leaves every address and date as it was: the sitemap is not written again.
    text = builder.update([edit(project / "data/clients/thunderbird.yml",
                                 "Open the account setup", "Open the account setup screen")])
    assert not text.full and sitemap.stat().st_mtime_ns == written
    # Nor does a title (a page's meta changes, not what the sitemap reads of it).
    title = builder.update([edit(project / "data/articles/pop-vs-imap.yml",
                                  "What is the difference between POP and IMAP?",
                                  "POP or IMAP, which one?")])
    assert "email/pop-vs-imap/index.html" in title.rendered
    assert sitemap.stat().st_mtime_ns == written
    result = builder.update([edit(project / "data/clients/samsung-email.yml",
                                   "updated: 2026-11-26", "updated: 2026-10-01")])
    assert not result.full and not result.error
    assert "<lastmod>2026-10-01</lastmod>" in sitemap.read_text(encoding="utf-8")
    _same_as_clean_build(project, tmp_path / "live", tmp_path)


def test_a_save_reported_twice_loads_the_data_once(project: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A file watcher may report one save twice, or a folder beside it: the second
    report finds the same files the last load read and starts no load (a second at
    10,000 files, during which the preview serves nothing)."""
    builder = SiteBuilder(project / "mkdocs.yml", tmp_path / "live")
    builder.build()
    article = edit(project / "data/clients/thunderbird.yml", "Open the account setup",
                    "Open the account setup screen")
    assert builder.update([article]).rendered == ["email/thunderbird/index.html"]
    state = builder._state
    assert state is not None
    monkeypatch.setattr(state, "data_changed", lambda: pytest.fail("the data was loaded again"))
    again = builder.update([article, article.parent])
    assert not again.full and not again.error and again.rendered == []
    monkeypatch.undo()
    # A real change is still seen.
    result = builder.update([edit(article, "account setup screen", "account setup window")])
    assert result.rendered == ["email/thunderbird/index.html"]
    _same_as_clean_build(project, tmp_path / "live", tmp_path)


def test_with_the_cache_off_each_save_builds_it_all_the_same(project: Path, tmp_path: Path) -> None:
    config = project / "mkdocs.yml"
    edit(config, "\n  - kbgen\n", "\n  - kbgen:\n      cache: false\n")
    builder = SiteBuilder(config, tmp_path / "live")
    builder.build()
    result = builder.update([edit(project / "data/clients/thunderbird.yml",
                                   "Open the account setup", "Open the account setup screen")])
    assert result.full and not result.error
    _same_as_clean_build(project, tmp_path / "live", tmp_path)


def test_the_example_templates_read_nothing_updates_do_not_follow(project: Path, tmp_path: Path) -> None:
    builder = SiteBuilder(project / "mkdocs.yml", tmp_path / "live")
    builder.build()
    assert builder.limits() == []


def test_a_template_reading_every_page_is_named_and_verify_finds_what_it_leaves_stale(
        project: Path, tmp_path: Path) -> None:
    # A provider's banner on every page naming one article: its new title changes every
    # page, which the page-by-page update cannot know.
    edit(project / "overrides/main.html", "{% block content %}",
          "{% block content %}{% for f in pages %}{% if f.src_uri == 'email/pop-vs-imap.md' %}"
          "<p>{{ f.page.title }}</p>{% endif %}{% endfor %}")
    builder = SiteBuilder(project / "mkdocs.yml", tmp_path / "live")
    builder.build()
    assert builder.limits() == ["overrides/main.html reads pages (every page of the site)"]
    assert builder.differences() == []
    builder.update([edit(project / "data/articles/pop-vs-imap.yml",
                          "What is the difference between POP and IMAP?", "POP or IMAP?")])
    differ = builder.differences()
    assert "settings-card/index.html" in differ  # a hand-written page: never rendered again
    assert all(name.endswith(".html") for name in differ)
