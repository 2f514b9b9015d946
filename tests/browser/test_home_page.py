"""The help-center home and category pages in headless Chromium, as a customer sees
them: a search field in the page that opens the site search (and, without
JavaScript, still leads to the topics), readable headings in both colour schemes,
no table of contents repeating the navigation, no duplicated site title, the
provider in the footer, and "Still need help?" wherever a reader may be stuck.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from kbgen.data.data_folder import load_kb
from kbgen.data.kb import KB

pytestmark = pytest.mark.browser

CATEGORY = "email/mobile-clients/"


@pytest.fixture(scope="module")
def kb(example_site: Path) -> KB:
    return load_kb(example_site.parent)


def test_the_search_field_opens_the_site_search_with_the_words(page: Any, site_url: str) -> None:
    page.goto(site_url)
    field = page.get_by_role("searchbox", name="Search the help center")
    field.fill("thunderbird")
    field.press("Enter")
    results = page.locator(".md-search-result__item a")
    results.first.wait_for()
    assert page.locator("input.md-search__input").input_value() == "thunderbird"
    assert "/email/thunderbird/" in results.first.get_attribute("href")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    # the page did not reload: the words went straight into Material's search
    assert urlsplit(page.url).query == ""


def test_without_javascript_the_search_field_leads_to_the_topics(browser: Any, site_url: str,
                                                                  kb: KB) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(site_url)
    field = page.get_by_role("searchbox", name="Search the help center")
    field.fill("outlook")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/?q=outlook#kb-topics")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["outlook"]}
    topics = page.locator("#kb-topics")
    # every category is one tap away, and the topics are where the page now stands
    for cat in kb.categories.values():
        if cat.parent is not None:
            expect(topics.get_by_role("link", name=cat.title, exact=True)).to_be_visible()
    # scrolled to, just below the sticky header
    assert topics.evaluate("el => scrollY > 0 && el.getBoundingClientRect().top >= 0 "
                           "&& el.getBoundingClientRect().top < 120")
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_headings_and_lead_use_the_text_colour(browser: Any, site_url: str, scheme: str,
                                               artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    for path in ("", CATEGORY):
        page.goto(site_url + path)
        colours = page.evaluate("""() => {
            const c = (sel) => getComputedStyle(document.querySelector(sel)).color;
            return {text: c('.md-typeset'), h1: c('.md-typeset h1'), lead: c('.md-typeset .kb-summary')};
        }""")
        assert colours["h1"] == colours["text"], (path, colours)
        assert colours["lead"] == colours["text"], (path, colours)
    page.goto(site_url)
    page.screenshot(path=str(artifacts / f"home-{scheme}-390.png"), full_page=True)
    context.close()


def test_no_table_of_contents_on_home_and_category_pages(page: Any, site_url: str) -> None:
    for path in ("", "email/", CATEGORY):
        page.goto(site_url + path)
        assert page.locator(".md-sidebar--secondary").is_hidden(), path
    page.goto(site_url + "email/pop-vs-imap/")  # an article keeps its table of contents
    assert page.locator(".md-sidebar--secondary").is_visible()


def test_the_site_title_is_not_repeated_in_the_navigation(browser: Any, site_url: str, kb: KB) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(site_url)
    page.locator("label.md-header__button[for='__drawer']").click()  # the drawer, as on a phone
    drawer = page.locator("nav.md-nav--primary")
    links = drawer.locator("a.md-nav__link, label.md-nav__link").evaluate_all(
        "els => els.map(e => e.textContent.trim()).filter(t => t)")
    assert "Home" in links
    name = kb.provider.name.lower()
    assert not [t for t in links if name in t.lower()], links
    assert page.title() == page.locator(".md-header__topic").first.inner_text().strip()
    context.close()


def test_the_footer_names_the_provider(page: Any, site_url: str, kb: KB) -> None:
    for path in ("", "email/pop-vs-imap/"):
        page.goto(site_url + path)
        footer = page.locator("footer .md-copyright")
        text = footer.inner_text()
        assert kb.provider.name in text
        assert "Made with" not in text and "Material for MkDocs" not in text
        assert footer.get_by_role("link", name="Contact support").get_attribute("href") == \
            kb.provider.support.url


def _support(page: Any) -> Any:
    return page.get_by_role("region", name="Still need help?")


@pytest.mark.parametrize("path", ["", "email/pop-vs-imap/", "email/apple-mail-ios/",
                                  "no/such/page/", "thanks/"])
def test_still_need_help_everywhere_a_reader_may_be_stuck(browser: Any, site_url: str, kb: KB,
                                                           path: str) -> None:
    page = browser.new_page()  # not the fixture: the 404 page logs its own status as an error
    page.goto(site_url + path)
    block = _support(page)
    expect(block).to_be_visible()
    support = kb.provider.support
    assert block.get_by_role("link", name=support.email).get_attribute("href") == f"mailto:{support.email}"
    assert block.locator(f"a[href='{support.url}']").count() == 1
    if support.hours:
        assert support.hours in block.inner_text()
    page.close()


def test_home_page_in_print(page: Any, site_url: str) -> None:
    page.goto(site_url)
    page.emulate_media(media="print")
    assert page.locator(".kb-home-search").is_hidden()
    assert page.locator(".kb-card").first.is_visible()
