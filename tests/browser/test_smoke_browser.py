from __future__ import annotations

from typing import Any


def test_article_opens_in_chromium(browser: Any, site_url: str) -> None:
    page = browser.new_page()
    page.goto(site_url + "email/pop-vs-imap/")
    assert page.title() == "What is the difference between POP and IMAP? - Example Hosting Help Center"
    page.close()
