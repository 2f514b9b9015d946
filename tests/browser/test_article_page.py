"""The reader's article page in headless Chromium: Also Read, "Was this answer
helpful?", Print this Article, search. Requests that would leave the page are
intercepted with ``page.route``; nothing is sent anywhere.

Screenshots and the printed PDF are saved under test-artifacts/ for a person.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from kbgen.data import facts
from kbgen.data.data_folder import load_kb
from kbgen.data.kb import KB
from kbgen.data.model import Client

pytestmark = pytest.mark.browser

SETTINGS = "email/server-settings/"
FORM = "article-feedback"
CANONICAL = "https://help.example.com/"


@pytest.fixture(scope="module")
def kb(example_site: Path) -> KB:
    """The data the example site was built from (the project copy next to site/)."""
    return load_kb(example_site.parent)


class Captured:
    """Requests caught by page.route, answered without touching the network."""

    def __init__(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.requests: list[Any] = []
        self.status = status
        self.headers = headers or {}

    def __call__(self, route: Any) -> None:
        self.requests.append(route.request)
        route.fulfill(status=self.status, body="", headers=self.headers)

    def only(self) -> Any:
        assert len(self.requests) == 1, [r.url for r in self.requests]
        return self.requests[0]


def posted(request: Any) -> dict[str, list[str]]:
    assert request.method == "POST"
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    return parse_qs(request.post_data or "", keep_blank_values=True)


def open_article(page: Any, site_url: str, uri: str = SETTINGS) -> Captured:
    """Open an article with background form posts (to the site root, Netlify's way) caught."""
    caught = Captured()
    page.route(lambda url: url == site_url, lambda route: (
        caught(route) if route.request.method == "POST" else route.continue_()))
    page.goto(site_url + uri)
    return caught


def test_yes_posts_in_the_background_and_thanks_in_place(page: Any, site_url: str) -> None:
    caught = open_article(page, site_url)
    form = page.locator("form[data-kb-feedback]")
    assert form.get_attribute("data-netlify") == "true"
    assert form.locator("[data-kb-more]").is_hidden()  # reasons wait behind "No"
    page.get_by_role("button", name="Yes", exact=True).click()
    status = page.get_by_role("status")
    status.get_by_text("Thank you! Your feedback helps us improve this article.").wait_for()
    data = posted(caught.only())
    assert data["form-name"] == [FORM]
    assert data["article-id"] == ["server-settings"]
    assert data["article-url"] == [CANONICAL + SETTINGS]
    assert data["rating"] == ["yes"]
    assert data["part"] == ["vote"]
    assert re.fullmatch(r"[\w-]{8,}", data["vote-id"][0])
    assert data["bot-field"] == [""]
    assert "reason" not in data and "comment" not in data
    assert status.get_attribute("aria-live") == "polite"
    assert page.evaluate("document.activeElement.getAttribute('role')") == "status"
    assert page.get_by_role("button", name="Yes", exact=True).is_hidden()


def test_no_is_counted_at_once_and_the_details_follow_tied_to_it(
        page: Any, site_url: str, artifacts: Path) -> None:
    caught = open_article(page, site_url, "email/pop-vs-imap/")
    no = page.get_by_role("button", name="No", exact=True)
    no.click()
    status = page.get_by_role("status")
    status.get_by_text("Thank you, your answer is recorded.").wait_for()
    # the vote is in before the reader says anything more: stopping here still counts
    vote = posted(caught.only())
    assert vote["rating"] == ["no"] and vote["part"] == ["vote"]
    assert vote["article-id"] == ["pop-vs-imap"]
    assert "reason" not in vote and "comment" not in vote
    # the thanks points to "Still need help?" at the end of the page
    hint = page.get_by_role("link", name="Still need help? Contact our support team")
    assert hint.get_attribute("href") == "#kb-support"
    assert page.locator("#kb-support").get_by_role("heading", name="Still need help?").is_visible()
    reason = page.get_by_role("radio", name="The settings didn't work")
    assert page.evaluate("document.activeElement.type") == "radio"  # focus moved to the choices
    reason.check()
    comment = page.get_by_label("Anything else we should know? (optional)")
    assert comment.get_attribute("maxlength") == "500"
    comment.fill("Port 993 timed out from my office.")
    page.locator(".kb-feedback").screenshot(path=str(artifacts / "feedback-no.png"))
    page.get_by_role("button", name="Send feedback").click()
    status.get_by_text("Thank you! Your feedback helps us improve this article.").wait_for()
    assert len(caught.requests) == 2
    details = posted(caught.requests[1])
    assert details["form-name"] == [FORM]
    assert details["article-id"] == ["pop-vs-imap"]
    assert details["article-url"] == [CANONICAL + "email/pop-vs-imap/"]
    assert details["rating"] == ["no"]
    assert details["part"] == ["details"]
    assert details["vote-id"] == vote["vote-id"]  # tied to the vote it explains
    assert details["reason"] == ["The settings didn't work"]
    assert details["comment"] == ["Port 993 timed out from my office."]
    assert hint.is_visible()


def test_no_then_send_with_nothing_to_add_sends_nothing_more(page: Any, site_url: str) -> None:
    caught = open_article(page, site_url)
    page.get_by_role("button", name="No", exact=True).click()
    page.get_by_role("status").get_by_text("Thank you, your answer is recorded.").wait_for()
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_role("status").get_by_text("Thank you! Your feedback").wait_for()
    assert posted(caught.only())["part"] == ["vote"]


def test_a_failed_post_says_so_and_keeps_the_form(browser: Any, site_url: str) -> None:
    page = browser.new_page()  # not the fixture: the 500 below is logged as a console error
    failing = Captured(status=500)
    page.route(lambda url: url == site_url, lambda route: (
        failing(route) if route.request.method == "POST" else route.continue_()))
    page.goto(site_url + SETTINGS)
    page.get_by_role("button", name="Yes", exact=True).click()
    page.get_by_role("status").get_by_text("could not be sent").wait_for()
    assert page.get_by_role("button", name="Yes", exact=True).is_visible()
    page.close()


def test_without_javascript_the_form_posts_to_the_thank_you_page(
        browser: Any, site_url: str, kb: KB) -> None:
    """One plain POST with everything (part=vote), answered by the emulator the way
    Netlify answers a form post: with the page at the form's action. That page links
    back to the article."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sent: list[Any] = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" else None)
    page.goto(site_url + SETTINGS)
    assert page.locator("[data-kb-print]").is_hidden()  # nothing to call window.print() with
    page.get_by_role("radio", name="It was hard to understand").check()  # every field shows
    page.get_by_label("Anything else we should know? (optional)").fill("Too many acronyms")
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url("**/thanks/#kb-back-server-settings")
    assert len(sent) == 1 and sent[0].is_navigation_request()
    data = posted(sent[0])
    assert data["form-name"] == [FORM]
    assert data["article-id"] == ["server-settings"]
    assert data["article-url"] == [CANONICAL + SETTINGS]
    assert data["rating"] == ["no"]
    assert data["part"] == ["vote"]
    assert data["reason"] == ["It was hard to understand"]
    assert data["comment"] == ["Too many acronyms"]
    assert page.get_by_role("heading", name="Thank you for your feedback").is_visible()
    title = kb.entries["server-settings"].title
    back = page.get_by_role("link", name=f"Back to “{title}”")
    assert back.is_visible()
    # only this article's link shows, though the page holds one for every article
    assert page.locator(".kb-back a").evaluate_all(
        "els => els.filter(a => a.getClientRects().length).length") == 1
    back.click()
    page.wait_for_url("**/" + SETTINGS)
    context.close()


def test_print_button_on_articles_only(page: Any, site_url: str) -> None:
    page.add_init_script("window.print = () => { window.kbPrinted = (window.kbPrinted || 0) + 1; };")
    page.goto(site_url + SETTINGS)
    button = page.get_by_role("button", name="Print this article")
    button.click()
    assert page.evaluate("window.kbPrinted") == 1
    for other in ("", "email/", "email/protocols/", "thanks/"):
        page.goto(site_url + other)
        assert page.locator("[data-kb-print]").count() == 0, other
        assert page.locator("form[data-kb-feedback]").count() == 0, other


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)


def test_printed_article(page: Any, site_url: str, kb: KB, artifacts: Path) -> None:
    page.goto(site_url + SETTINGS)
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.screenshot(path=str(artifacts / "article-print.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts / "article-print.pdf").write_bytes(pdf)
    text = _pdf_text(pdf)
    flat = re.sub(r"\s+", "", text)

    assert kb.entries["server-settings"].title in text
    assert "Example Hosting Help Center" in text
    assert re.sub(r"\s+", "", CANONICAL + SETTINGS) in flat  # the URL may wrap
    assert "Printed" in text and "Last updated" in text
    imap = facts.settings_row(kb, "imap")
    smtp = facts.settings_row(kb, "smtp")
    for value in (imap.host, smtp.host, str(imap.endpoints[0].port), str(smtp.endpoints[0].port)):
        assert value in text, value
    # external links show where they go
    assert "(https://webmail.example.com/)" in flat
    # no chrome: navigation, search, feedback, Also Read, footer
    for chrome in ("Was this answer helpful", "Send feedback", "Also Read", "Table of contents",
                   "Desktop mail apps", "Phones and tablets", "Search", "Made with"):
        assert chrome not in text, chrome


def test_also_read_links_resolve_on_every_article(page: Any, site_url: str, kb: KB) -> None:
    articles = [e for e in kb.entries.values() if not e.draft]
    assert articles
    checked = 0
    for entry in articles:
        top = kb.ancestors(entry.category)[0].id
        page.goto(f"{site_url}{top}/{entry.id}/")
        assert page.locator("[data-kb-feedback] input[name=article-id]").input_value() == entry.id
        links = page.locator(".kb-also-read a").evaluate_all("els => els.map(a => a.href)")
        assert 1 <= len(links) <= 5, entry.id
        assert len(set(links)) == len(links)
        for href in links:
            assert urlsplit(href).path != urlsplit(page.url).path, "links to itself"
            response = page.request.get(href)
            assert response.status == 200, (entry.id, href)
            checked += 1
        # the author's own choices come first, in their order
        explicit = [r for r in entry.related if not (kb.entries[r].draft or kb.entries[r].hidden)]
        assert [urlsplit(h).path.rstrip("/").rsplit("/", 1)[-1] for h in links][:len(explicit)] == explicit
    assert checked


def test_article_metadata(page: Any, site_url: str, kb: KB) -> None:
    page.goto(site_url + SETTINGS)
    meta = page.locator(".kb-meta")
    assert "Article ID: server-settings" in meta.inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta.locator("time").get_attribute("datetime") or "")
    guide = next((e for e in kb.entries.values() if isinstance(e, Client) and not e.draft), None)
    assert guide is not None, "the example data has no published client guide"
    top = kb.ancestors(guide.category)[0].id
    page.goto(f"{site_url}{top}/{guide.id}/")
    assert f"Written for: {guide.written_for}" in page.locator(".kb-meta").inner_text()


def test_search_for_993_finds_the_settings_article(page: Any, site_url: str) -> None:
    page.goto(site_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("993", delay=50)  # Material searches on key events
    results = page.locator(".md-search-result__item a")
    results.first.wait_for()
    hrefs = results.evaluate_all("els => els.map(a => a.href)")
    assert any(urljoin(site_url, SETTINGS) in h for h in hrefs), hrefs
    # Reference pages (a settings or ports table) are boosted above the client guides.
    reference = ["email/server-settings/", "email/pop-vs-imap/", "email/common-errors/"]
    assert any(r in hrefs[0] for r in reference), hrefs


def test_article_screenshot(page: Any, site_url: str, artifacts: Path) -> None:
    page.goto(site_url + SETTINGS)
    page.screenshot(path=str(artifacts / "article.png"), full_page=True)
    page.locator(".kb-also-read").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "article-end.png"))
    assert (artifacts / "article.png").stat().st_size > 10_000


def test_netlify_can_detect_the_form_and_no_inline_script(example_site: Path, kb: KB, browser: Any) -> None:
    """Netlify reads the built HTML; a later Content-Security-Policy forbids inline script."""
    page = browser.new_page(java_script_enabled=False)
    page.goto((example_site / SETTINGS / "index.html").as_uri())
    form = page.locator("form[data-kb-feedback]")
    assert form.get_attribute("name") == FORM
    assert form.get_attribute("method") == "post"
    assert form.get_attribute("action") == "/thanks/#kb-back-server-settings"
    assert form.get_attribute("data-netlify") == "true"
    assert form.get_attribute("data-netlify-honeypot") == "bot-field"
    assert form.locator("input[name=form-name]").input_value() == FORM
    assert form.locator("input[name=bot-field]").count() == 1
    ours = ".kb-feedback, .kb-also-read, .kb-meta, .kb-print-header, [data-kb-print]"
    inline = page.locator(ours).evaluate_all("""roots => roots.flatMap(root =>
        [root, ...root.querySelectorAll('*')].flatMap(el =>
          [...el.attributes].filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name)
          .concat(el.tagName === 'SCRIPT' ? ['SCRIPT'] : [])))""")
    assert inline == []
    # the static twin on the thank-you page declares every field for Netlify
    page.goto((example_site / "thanks" / "index.html").as_uri())
    twin = page.locator(f"form[name={FORM}][hidden]")
    names = twin.locator("[name]").evaluate_all("els => els.map(e => e.name)")
    assert set(names) == {"form-name", "article-id", "article-url", "part", "vote-id", "rating",
                          "reason", "comment", "bot-field"}
    page.close()
