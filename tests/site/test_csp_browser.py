"""The generated Content-Security-Policy, proven in Chromium: pages served with the
_headers rules applied report no violation, and search, the palette toggle, the
print button and the feedback widget still work under it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import client_guide_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Runs before any page script, and init scripts are not subject to the page's CSP.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber,
                            e.sample].join(" | "));
});
"""


class Watched:
    """A page plus everything it complained about."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                if m.type in {"error", "warning"} else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def violations(self) -> list[str]:
        found: list[str] = self.page.evaluate("window.__violations")
        found += [m for m in self.console if "Content Security Policy" in m or "Refused to" in m]
        return found

    def assert_clean(self) -> None:
        assert self.violations() == []
        assert self.errors == []


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    try:
        yield Watched(page)
    finally:
        context.close()


def test_the_policy_is_sent(netlify_url: str, watched: Watched) -> None:
    response = watched.page.goto(netlify_url + "email/pop-vs-imap/")
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "public, max-age=0, must-revalidate"


def test_every_kind_of_page_loads_without_violations(netlify_url: str, example_site: Path,
                                                     watched: Watched) -> None:
    paths = ["", "email/", "email/protocols/", "email/pop-vs-imap/", "thanks/",
             client_guide_url(example_site), "no/such/page/"]
    for path in paths:
        if path == "thanks/" and not (example_site / "thanks" / "index.html").is_file():
            continue
        watched.page.goto(netlify_url + path)
        watched.page.wait_for_load_state("load")
        # Material's bundle has run: it turns html.no-js into html.js.
        # expect() polls from Playwright's own world; a string wait_for_function would
        # eval() in the page, which the site's CSP (rightly) refuses once it has to poll.
        expect(watched.page.locator("html")).to_have_class(re.compile(r"(^|\s)js(\s|$)"))
        watched.page.wait_for_timeout(200)
        assert watched.violations() == [], path
    assert watched.errors == []


def test_a_blocked_script_is_reported(netlify_url: str, watched: Watched) -> None:
    """The watcher itself works: an injected inline script is refused and reported."""
    watched.page.goto(netlify_url + "email/pop-vs-imap/")
    watched.page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__ran = 1'; document.body.append(s); }""")
    watched.page.wait_for_timeout(100)
    assert watched.page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in watched.violations())


def test_search_finds_a_port(netlify_url: str, watched: Watched) -> None:
    page = watched.page
    page.goto(netlify_url + "email/pop-vs-imap/")
    query = page.locator("input[data-md-component=search-query]")
    query.click()  # on a desktop-wide window the search field sits in the header
    query.press_sequentially("993")
    first = page.locator(".md-search-result__item").first
    first.wait_for(state="visible", timeout=10_000)
    assert "993" in page.locator(".md-search-result").inner_text()
    watched.assert_clean()


def test_the_404_search_form_opens_search(netlify_url: str, watched: Watched) -> None:
    page = watched.page
    response = page.goto(netlify_url + "knowledgebase/999/gone.html")
    assert response.status == 404
    page.fill("#kb-notfound-q", "993")
    page.click(".kb-notfound-search button[type=submit]")
    page.locator(".md-search-result__item").first.wait_for(state="visible", timeout=10_000)
    watched.assert_clean()


def test_palette_toggle_switches_scheme(netlify_url: str, watched: Watched) -> None:
    page = watched.page
    page.goto(netlify_url)
    before = page.get_attribute("body", "data-md-color-scheme")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    expect(page.locator("body")).not_to_have_attribute("data-md-color-scheme", before or "")
    after = page.get_attribute("body", "data-md-color-scheme")
    assert {before, after} == {"default", "slate"}
    page.reload()  # the choice survives a reload: the inline palette script ran under the CSP
    assert page.get_attribute("body", "data-md-color-scheme") == after
    watched.assert_clean()


def test_print_button(netlify_url: str, watched: Watched) -> None:
    page = watched.page
    page.goto(netlify_url + "email/pop-vs-imap/")
    button = page.locator("[data-kb-print]")
    assert button.count() > 0, "no print button on the article"
    button.first.wait_for(state="visible")
    # Headless Chromium cannot show a print dialog; count the calls instead.
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    button.first.click()
    assert page.evaluate("window.__printed") == 1
    watched.assert_clean()


def test_feedback_widget_posts_to_this_site(netlify_url: str, watched: Watched) -> None:
    page = watched.page
    posts: list[tuple[str, str]] = []

    def answer(route: Any) -> None:
        posts.append((route.request.url, route.request.post_data or ""))
        route.fulfill(status=200, body="ok")

    page.goto(netlify_url + "email/pop-vs-imap/")
    form = page.locator("form[data-kb-feedback]")
    assert form.count() > 0, "no feedback form on the article"
    page.route("**/*", lambda route: answer(route) if route.request.method == "POST"
               else route.continue_())
    form.locator("button[value=yes]").first.click()
    expect(page.locator("[data-kb-status]").first).to_have_text(re.compile(r"\S"))
    assert len(posts) == 1
    url, body = posts[0]
    assert url.startswith(netlify_url)
    assert "rating=yes" in body and "article-id=pop-vs-imap" in body
    watched.assert_clean()
