"""The help center around the articles: guides, categories, home page, nav and search."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from kbgen.content.listing import current_first
from kbgen.data import facts
from kbgen.data.data_folder import load_kb
from kbgen.data.kb import KB
from kbgen.data.model import Client

from ..conftest import ROOT, build_or_fail, copy_project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kb() -> KB:
    return load_kb(ROOT)


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def article_links(page: Any) -> list[str]:
    """Titles of the articles a listing page links to (category and home pages)."""
    return [a.get_text(strip=True) for a in page.select("a.kb-entry-link")]


CLIENTS = sorted(p.stem for p in (ROOT / "data/clients").glob("*.yml"))


def test_the_required_clients_ship() -> None:
    assert len(CLIENTS) >= 9
    for family in ["outlook", "thunderbird", "gmail", "samsung", "windows-mail", "ios", "macos"]:
        assert any(family in c for c in CLIENTS), family


@pytest.mark.parametrize("client_id", CLIENTS)
def test_each_client_guide_shows_the_provider_settings(
        client_id: str, kb: KB, example_site: Path) -> None:
    entry = kb.entries[client_id]
    assert isinstance(entry, Client)
    page = soup(example_site, f"email/{client_id}")
    article = page.select_one("article")
    assert article is not None
    text = article.get_text(" ", strip=True)
    assert entry.written_for in text
    table = article.select_one("table.kb-settings")
    assert table is not None, "no settings table"
    header = [th.get_text(strip=True) for th in table.select("thead th")]
    assert header == ["Server", "Host name", "Port and security", "Username"]
    incoming = entry.protocols or ["imap", "pop3"]
    rows = {r.th.get_text(strip=True): r.find_all("td") for r in table.select("tbody tr") if r.th is not None}
    assert list(rows) == [f"Incoming ({kb.protocols[p].name})" for p in incoming] + ["Outgoing (SMTP)"]
    for cells, pid in zip(rows.values(), [*incoming, "smtp"], strict=True):
        row = facts.settings_row(kb, pid)
        assert cells[0].get_text(strip=True) == row.host
        assert cells[1].select_one(".kb-port").get_text(strip=True) == str(row.endpoints[0].port)
    assert rows["Outgoing (SMTP)"][1].select_one(".kb-port").get_text() == "465"  # checked by hand
    steps = article.select("ol.kb-steps > li")
    assert len(steps) == len(entry.steps)
    for li, step in zip(steps, entry.steps, strict=True):
        assert li.select_one(".kb-step-title") is not None
        assert li.select_one(".kb-step-title").get_text(strip=True) == step.title  # type: ignore[union-attr]
    crumbs = [a.get_text(strip=True) for a in page.select("nav.kb-crumbs a")]
    assert crumbs[:2] == ["Home", "Email"] and crumbs[-1] == kb.categories[entry.category].title


def test_legacy_windows_mail_says_so_first(example_site: Path) -> None:
    article = soup(example_site, "email/windows-mail").select_one("article")
    assert article is not None
    notice = article.select_one(".kb-legacy")
    assert notice is not None
    assert "2024" in notice.get_text()
    first_paragraph = article.find(["p", "div"], class_=["kb-summary", "kb-legacy"])
    assert first_paragraph is notice, "the legacy notice must come before everything else"
    link = notice.select_one("a.kb-replacement")
    assert link is not None and link["href"] == "../outlook-new/"


def test_home_page_has_a_card_per_category(kb: KB, example_site: Path) -> None:
    page = soup(example_site, ".")
    cards = page.select("article .kb-card")
    subs = [c for top in kb.children(None) for c in kb.children(top.id) if kb.subtree(c.id)]
    assert [c.select_one("h3 a").get_text(strip=True) for c in cards] == [c.title for c in subs]
    for card, cat in zip(cards, subs, strict=True):
        entries = current_first(kb.subtree(cat.id))
        assert card.select_one(".kb-card__description").get_text(strip=True) == cat.description
        shown = [a.get_text(strip=True) for a in card.select("a.kb-card__link")]
        assert shown == [e.title for e in entries[:3]], cat.id
        more = card.select_one("a.kb-card__more")
        n = len(entries)
        assert more.get_text(strip=True) == (f"All {n} articles" if n != 1 else "1 article")
        assert more["href"] == card.select_one("h3 a")["href"]
    # every category is reachable from the home page
    text = page.get_text(" ", strip=True)
    for cat in kb.categories.values():
        assert cat.title in text, cat.id


def test_home_page_lists_the_featured_articles(kb: KB, example_site: Path) -> None:
    page = soup(example_site, ".")
    featured = [e.title for e in kb.entries.values() if e.featured and not e.draft and not e.hidden]
    assert featured, "the example data features no article"
    popular = page.select_one("article .kb-popular")
    assert popular is not None
    assert sorted(article_links(popular)) == sorted(featured)
    heading = popular.find_previous("h2")
    assert heading is not None and heading.get_text(strip=True).rstrip("¶") == "Popular articles"


def test_legacy_guides_come_last_and_are_marked(kb: KB, example_site: Path) -> None:
    legacy = [e for e in kb.entries.values() if isinstance(e, Client) and e.deprecated]
    assert legacy
    for entry in legacy:
        url = "/".join(c.id for c in kb.ancestors(entry.category))
        items = soup(example_site, url).select("article li")
        titles = [li.a.get_text(strip=True) for li in items if li.a is not None
                  and "kb-entry-link" in li.a.get("class", [])]
        mine = next(li for li in items if li.a is not None and li.a.get_text(strip=True) == entry.title)
        assert mine.select_one(".kb-badge").get_text() == "Legacy"
        current = [e.title for e in kb.listed(entry.category) if not (isinstance(e, Client) and e.deprecated)]
        assert titles[:len(current)] == current


def test_each_category_page_lists_exactly_its_articles(kb: KB, example_site: Path) -> None:
    for cat in kb.categories.values():
        url = "/".join(c.id for c in kb.ancestors(cat.id))
        page = soup(example_site, url)
        expected = [e.title for e in current_first(kb.listed(cat.id))]
        assert article_links(page) == expected, cat.id
        assert page.select_one("article h1") is not None


def test_search_finds_articles_by_setting(example_site: Path) -> None:
    index = json.loads((example_site / "search/search_index.json").read_text(encoding="utf-8"))
    docs = index["docs"]
    def pages_with(word: str) -> set[str]:
        return {d["location"].split("#")[0] for d in docs if word in d["text"] or word in d["title"]}
    assert "email/server-settings/" in pages_with("993")
    assert "email/thunderbird/" in pages_with("Thunderbird")
    assert pages_with("SMTP")


NEW_CLIENT = """\
id: k9-mail
title: Set up your email in K-9 Mail
summary: Add your mailbox to K-9 Mail on Android.
category: mobile-clients
app: K-9 Mail
family: k9
platform: android
written_for: K-9 Mail 6.8
tags: [android]
steps:
  - title: Add an account
    text: Open **Settings** › **Add account** and type your address.
  - title: Type the server settings
    settings: true
"""


def test_a_new_client_needs_only_a_yaml_file(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    (root / "data/clients/k9-mail.yml").write_text(NEW_CLIENT, encoding="utf-8")
    site = build_or_fail(root, tmp_path / "site")
    page = soup(site, "email/k9-mail")
    assert page.select_one("table.kb-settings") is not None
    # in its category page, in the navigation, and in search
    assert "Set up your email in K-9 Mail" in article_links(soup(site, "email/mobile-clients"))
    nav = [a.get_text(strip=True) for a in soup(site, "email/mobile-clients").select("nav.md-nav a")]
    assert "Set up your email in K-9 Mail" in nav
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    assert any(d["location"] == "email/k9-mail/" and "K-9 Mail" in d["title"] for d in index["docs"])


def test_navigation_is_pruned(example_site: Path, kb: KB) -> None:
    """A page's nav holds its own section's pages, not every article of the site."""
    page = soup(example_site, "email/pop-vs-imap")
    links = {a.get("href") for a in page.select("nav.md-nav--primary a.md-nav__link")}
    assert "../thunderbird/" not in links  # another section's article is pruned away
    assert "../server-settings/" in links  # a sibling in the same section is there


def test_a_step_screenshot_renders_with_its_alt_text(tmp_path: Path) -> None:
    import base64

    root = copy_project(tmp_path)
    images = root / "docs/images/k9"
    images.mkdir(parents=True)
    # a real 1x1 PNG, so the built site holds a file a browser can show
    (images / "settings.png").write_bytes(base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="))
    guide = NEW_CLIENT.replace("    settings: true\n", "    settings: true\n    image:\n"
                               "      src: images/k9/settings.png\n"
                               "      alt: The incoming server screen with the fields filled in\n")
    (root / "data/clients/k9-mail.yml").write_text(guide, encoding="utf-8")
    site = build_or_fail(root, tmp_path / "site")
    img = soup(site, "email/k9-mail").select_one("ol.kb-steps li#step-2 img")
    assert img is not None
    assert img["alt"] == "The incoming server screen with the fields filled in"
    assert (site / "email/k9-mail" / str(img["src"])).resolve() == \
        (site / "images/k9/settings.png").resolve()
    assert (site / "images/k9/settings.png").is_file()
