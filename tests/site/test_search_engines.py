"""What search engines and link previews read: a sitemap dated by each article, the thank-you
page left out, robots.txt, Open Graph tags and schema.org JSON-LD on every article page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from kbgen.content.reader import script_json
from kbgen.hosting.robots import render_robots

from ..conftest import build_or_fail, copy_project

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HOSTILE = "POP </script><script>alert(1)</script> & \"IMAP\" \u2028 <!--"


@pytest.fixture(scope="module")
def dated_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("dated"))
    article = root / "data" / "articles" / "pop-vs-imap.yml"
    text = article.read_text(encoding="utf-8")
    title = "title: What is the difference between POP and IMAP?"
    assert title in text
    article.write_text(text.replace(title, f"title: {json.dumps(HOSTILE)}\nupdated: 2021-03-04", 1),
                       encoding="utf-8")
    settings = root / "data" / "articles" / "server-settings.yml"
    settings.write_text(settings.read_text(encoding="utf-8") + "updated: 2022-05-06\n",
                        encoding="utf-8")
    return build_or_fail(root, root / "site")


def _lastmods(site: Path) -> dict[str, str | None]:
    tree = ET.parse(site / "sitemap.xml")
    return {url.findtext(f"{SITEMAP}loc", ""): url.findtext(f"{SITEMAP}lastmod")
            for url in tree.getroot().iter(f"{SITEMAP}url")}


def _json_ld(page: BeautifulSoup) -> dict[str, Any]:
    (script,) = page.select('script[type="application/ld+json"]')
    data: dict[str, Any] = json.loads(script.string or "")
    return data


def _page(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_sitemap_dates_each_page_by_its_article(dated_site: Path) -> None:
    lastmods = _lastmods(dated_site)
    base = "https://help.example.com/"
    assert lastmods[base + "email/pop-vs-imap/"] == "2021-03-04"
    assert lastmods[base + "email/server-settings/"] == "2022-05-06"
    # A category is as fresh as its newest article; every page has a date.
    assert lastmods[base + "email/protocols/"] >= "2021-03-04"  # type: ignore[operator]
    assert all(lastmods.values()), lastmods


def test_thank_you_page_is_neither_in_the_sitemap_nor_indexable(dated_site: Path) -> None:
    assert not [loc for loc in _lastmods(dated_site) if "thanks" in loc]
    robots = _page(dated_site, "thanks").select_one('meta[name="robots"]')
    assert robots is not None and robots["content"] == "noindex"
    article = _page(dated_site, "email/pop-vs-imap")
    assert article.select_one('meta[name="robots"]') is None


def test_robots_txt_allows_the_site_and_names_the_sitemap(dated_site: Path) -> None:
    text = (dated_site / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *\nAllow: /\n" in text
    assert "Sitemap: https://help.example.com/sitemap.xml\n" in text
    assert "Disallow: /" in render_robots("https://x.example/", preview=True)


def test_articles_carry_open_graph_tags(dated_site: Path) -> None:
    page = _page(dated_site, "email/pop-vs-imap")
    og = {m["property"]: m["content"] for m in page.select("meta[property]")}
    assert og == {
        "og:type": "article", "og:site_name": "Example Hosting Help Center", "og:title": HOSTILE,
        "og:description": og["og:description"], "og:url": "https://help.example.com/email/pop-vs-imap/",
        "article:modified_time": "2021-03-04",
        "og:image": "https://help.example.com/assets/kbgen-og.png", "og:image:width": "1200",
        "og:image:height": "630", "og:image:alt": "Example Hosting"}
    assert og["og:description"].startswith("How POP3 and IMAP")


def test_articles_carry_json_ld_that_parses_and_names_the_page(dated_site: Path) -> None:
    page = _page(dated_site, "email/pop-vs-imap")
    data = _json_ld(page)
    assert data["@context"] == "https://schema.org"
    article, trail = data["@graph"]
    assert article["@type"] == "TechArticle"
    assert article["headline"] == HOSTILE  # the hostile title stays inside its string
    assert article["dateModified"] == "2021-03-04"
    assert article["url"] == "https://help.example.com/email/pop-vs-imap/"
    assert article["publisher"] == {"@type": "Organization", "name": "Example Hosting"}
    assert trail["@type"] == "BreadcrumbList"
    items = trail["itemListElement"]
    assert [i["position"] for i in items] == list(range(1, len(items) + 1))
    assert [i["name"] for i in items] == ["Home", "Email", "Protocols & ports", HOSTILE]
    for item in items:  # every crumb is a page of the built site
        rel = item["item"].removeprefix("https://help.example.com/")
        assert (dated_site / rel / "index.html").is_file(), item
    # One script element holds the JSON-LD; the title opened no other.
    assert [s for s in page.find_all("script") if "alert(1)" in (s.string or "")] == \
        page.select('script[type="application/ld+json"]')


def test_every_article_page_and_only_those_have_json_ld(dated_site: Path) -> None:
    for html in dated_site.rglob("index.html"):
        page = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        has = bool(page.select('script[type="application/ld+json"]'))
        is_article = page.select_one(".kb-meta__id") is not None
        assert has == is_article, html


def test_script_json_cannot_close_its_element() -> None:
    text = script_json({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}
