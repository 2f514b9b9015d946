"""The DNS records article in Chromium: found by searching its record types, readable on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

pytestmark = pytest.mark.browser

ARTICLE = "email/dns-records/"


@pytest.mark.parametrize("word", ["MX", "SPF", "SRV"])
def test_search_finds_the_dns_article(page: Any, site_url: str, word: str) -> None:
    page.goto(site_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(word, delay=50)  # Material searches on key events
    results = page.locator(".md-search-result__item a")
    results.first.wait_for()
    hrefs = results.evaluate_all("els => els.map(a => a.href)")
    assert any(urljoin(site_url, ARTICLE) in h for h in hrefs), hrefs


@pytest.mark.parametrize("width", [390, 1280])
def test_the_records_fit_the_screen(browser: Any, site_url: str, artifacts: Path, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site_url + ARTICLE)
    # No table wider than the page: on a phone each record is a card of label/value lines.
    overflow = page.evaluate("""() => [...document.querySelectorAll('table.kb-dns')]
        .filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length""")
    assert overflow == 0
    label = page.evaluate("""() => getComputedStyle(
        document.querySelector('table.kb-dns td'), '::before').content""")
    assert (label == '"Name"') == (width < 720), label
    page.screenshot(path=str(artifacts / f"dns-records-{width}.png"), full_page=True)
    context.close()
