"""The reader's side on a phone and on a desktop, measured in headless Chromium: at
320, 390, 768 and 1280 px no page and no settings table or card is wider than the
screen, a host name or username never breaks inside a word (only after a dot), and
the copy buttons copy exactly the value next to them, announce it, work from the
keyboard, and are absent without JavaScript and on paper.

The site is served with its generated headers (CSP included) by the Netlify emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kbgen.data import facts
from kbgen.data.data_folder import load_kb
from kbgen.data.kb import KB
from kbgen.data.model import Client
from kbgen.data.urls import entry_uri, page_url

pytestmark = pytest.mark.browser

WIDTHS = [320, 390, 768, 1280]
# The six pages a customer is most likely to open on a phone.
PAGES = {
    "home": "",
    "category": "email/mobile-clients/",
    "pop-vs-imap": "email/pop-vs-imap/",
    "server-settings": "email/server-settings/",
    "iphone": "email/apple-mail-ios/",
    "outlook-classic": "email/outlook-classic/",
}
# Boxes that must fit: tables and their wrappers, each card a table becomes, every
# card of the home and category pages.
BOXES = ".md-typeset table, .kb-table-wrap, .kb-stack tbody tr, .kb-card, .kb-support, .kb-home-search"

OVERFLOW_JS = """(selector) => {
  const d = document.documentElement;
  const boxes = [...document.querySelectorAll(selector)]
    .filter(el => el.scrollWidth > el.clientWidth + 0)
    .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}: ` +
               `${el.scrollWidth} > ${el.clientWidth}`);
  return {page: [d.scrollWidth, d.clientWidth], boxes};
}"""

# Every place the text of the article shows one of `values`, and for each line
# break inside it the character just before the break. A break is allowed only
# after a dot. Text nodes are walked so a value split into spans is found too.
BREAKS_JS = """(values) => {
  const root = document.querySelector("article");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest(".kb-sr-only, [hidden]")) continue;
    nodes.push([node, text.length]);
    text += node.data;
  }
  const at = (i) => {
    for (let k = nodes.length - 1; k >= 0; k--) {
      if (nodes[k][1] <= i) return [nodes[k][0], i - nodes[k][1]];
    }
  };
  const found = [];
  for (const value of values) {
    let start = text.indexOf(value);
    while (start !== -1) {
      const tops = [];
      for (let i = start; i < start + value.length; i++) {
        const [node, offset] = at(i);
        const range = document.createRange();
        range.setStart(node, offset);
        range.setEnd(node, offset + 1);
        const rect = range.getBoundingClientRect();
        tops.push(Math.round(rect.top));
      }
      const bad = [];
      for (let i = 1; i < tops.length; i++) {
        if (tops[i] > tops[i - 1] + 2 && value[i - 1] !== ".") bad.push(value.slice(0, i) + "|");
      }
      found.push({value, bad});
      start = text.indexOf(value, start + value.length);
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def kb(example_site: Path) -> KB:
    return load_kb(example_site.parent)


@pytest.fixture(scope="module")
def values(kb: KB) -> list[str]:
    """What a reader types: every host and the example username."""
    hosts = {facts.settings_row(kb, pid).host for pid in ("imap", "pop3", "smtp")}
    return sorted(hosts) + [facts.username_example(kb.provider)]


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_wider_than_the_screen(browser: Any, site_url: str, values: list[str],
                                          width: int, artifacts: Path) -> None:
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    page = ctx.new_page()
    problems = []
    try:
        for name, path in PAGES.items():
            page.goto(site_url + path)
            found = page.evaluate(OVERFLOW_JS, BOXES)
            if found["page"][0] != found["page"][1] or found["boxes"]:
                problems.append(f"{name} at {width}px: page {found['page']}, boxes {found['boxes']}")
            for hit in page.evaluate(BREAKS_JS, values):
                if hit["bad"]:
                    problems.append(f"{name} at {width}px: {hit['value']} broken as {hit['bad']}")
            if width in (390, 1280):  # for a person to look at
                page.screenshot(path=str(artifacts / f"page-{name}-{width}.png"), full_page=True)
    finally:
        ctx.close()
    assert problems == []


# Every element of the article that sticks out of the article's content box (or makes
# its parent scroll sideways): a few pixels past the text column, which the page's own
# padding hides from document.scrollWidth, still shows as text touching the edge.
# Visually hidden elements (the stacked table's headings, screen-reader text) are skipped.
STICKS_OUT_JS = """() => {
  const article = document.querySelector("article");
  const style = getComputedStyle(article);
  const box = article.getBoundingClientRect();
  const left = box.left + parseFloat(style.paddingLeft);
  const right = box.right - parseFloat(style.paddingRight);
  const name = el => `${el.tagName.toLowerCase()}${[...el.classList].map(c => "." + c).join("")}`;
  const out = [];
  for (const el of [article, ...article.querySelectorAll("*")]) {
    if (el.closest("thead, .kb-sr-only, [hidden]") || getComputedStyle(el).position === "absolute") continue;
    if (el.scrollWidth > el.clientWidth && el.clientWidth > 0)
      out.push(`${name(el)} scrolls: ${el.scrollWidth} > ${el.clientWidth}`);
    if (el === article) continue;
    for (const r of el.getClientRects()) {
      if (r.width && (r.right > right + 0.5 || r.left < left - 0.5))
        out.push(`${name(el)} ${JSON.stringify(el.textContent.slice(0, 40))}: ` +
                 `${r.left.toFixed(1)}..${r.right.toFixed(1)} outside ${left}..${right}`);
    }
  }
  const d = document.documentElement;
  if (d.scrollWidth > innerWidth) out.push(`page: ${d.scrollWidth} > ${innerWidth}`);
  return out;
}"""


def client_guide_paths(kb: KB) -> list[str]:
    """Every published client guide of the site, as a path under the site's root."""
    return [page_url(entry_uri(kb, e), "") for e in kb.entries.values()
            if isinstance(e, Client) and not e.draft]


@pytest.mark.parametrize("width", [320, 390])
def test_every_client_guide_fits_its_column(browser: Any, site_url: str, kb: KB, width: int) -> None:
    """No element of a client guide sticks out of the text column on a phone: at 320 px the
    wrapped example address of "Before you start" once pushed the article 3 px past its box."""
    paths = client_guide_paths(kb)
    assert len(paths) >= 2, paths
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    page = ctx.new_page()
    problems = {}
    try:
        for path in paths:
            page.goto(site_url + path)
            found = page.evaluate(STICKS_OUT_JS)
            if found:
                problems[path] = found
    finally:
        ctx.close()
    assert problems == {}


def test_the_measurement_sees_an_overflow(browser: Any, site_url: str, values: list[str]) -> None:
    """The checks above fail when the layout breaks: a forced-wide table, a host
    that may break anywhere."""
    # bypass_csp: the styles injected here are not the site's, and its CSP refuses them
    ctx = browser.new_context(viewport={"width": 320, "height": 800}, bypass_csp=True)
    page = ctx.new_page()
    try:
        page.goto(site_url + PAGES["server-settings"])
        page.add_style_tag(content=".md-typeset table.kb-settings { min-width: 600px; }")
        assert page.evaluate(OVERFLOW_JS, BOXES)["boxes"]
        page.add_style_tag(content=".kb-nobr { white-space: normal; } .md-typeset .kb-host "
                                   "{ word-break: break-all; } .kb-stack-wrap { width: 60px; }")
        assert any(hit["bad"] for hit in page.evaluate(BREAKS_JS, values))
    finally:
        ctx.close()


def test_settings_become_one_card_per_server_on_a_phone(browser: Any, site_url: str) -> None:
    for width, stacked in ((390, True), (1280, False)):
        ctx = browser.new_context(viewport={"width": width, "height": 800})
        page = ctx.new_page()
        page.goto(site_url + PAGES["iphone"])
        table = page.locator("table.kb-settings")
        assert table.evaluate("t => getComputedStyle(t).display") == ("block" if stacked else "table")
        if stacked:
            # each card names its values: "Host name", "Port", "Username"
            labels = table.locator("tbody tr").first.locator("td").evaluate_all(
                "tds => tds.map(td => getComputedStyle(td, '::before').content)")
            assert labels == ['"Host name"', '"Port"', '"Username"']
        ctx.close()


def _copy_buttons(page: Any) -> list[dict[str, str]]:
    return page.locator("article button.kb-copy").evaluate_all("""bs => bs.map(b => {
        const value = b.closest('code') || b.parentElement;
        return {copy: b.dataset.kbCopy, label: b.getAttribute('aria-label'),
                shown: value.textContent.trim()};
    })""")


def test_copy_buttons_copy_the_value_next_to_them(browser: Any, site_url: str, kb: KB) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 800},
                              permissions=["clipboard-read", "clipboard-write"])
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(site_url + PAGES["server-settings"])
        buttons = _copy_buttons(page)
        imap = facts.settings_row(kb, "imap")
        smtp = facts.settings_row(kb, "smtp")
        copied = {b["copy"] for b in buttons}
        assert {imap.host, smtp.host, str(imap.endpoints[0].port), str(smtp.endpoints[0].port),
                facts.username_example(kb.provider)} <= copied
        for b in buttons:
            assert b["shown"] == b["copy"], b  # the button copies what the reader sees
            assert b["label"].startswith("Copy ") and b["copy"] in b["label"]
        # a mouse click on the SMTP host, then the keyboard on the IMAP port
        status = page.locator("[data-kb-copy-status]")
        smtp_host = page.locator("table.kb-settings tbody tr").nth(2).locator("button.kb-copy").first
        smtp_host.click()
        assert page.evaluate("navigator.clipboard.readText()") == smtp.host
        expect(status).to_have_text("Copied")
        assert status.get_attribute("role") == "status"
        assert smtp_host.get_attribute("data-kb-copied") == ""  # the visible "Copied" tip
        port = page.get_by_role("button", name=f"Copy port {imap.endpoints[0].port}").first
        port.focus()
        page.keyboard.press("Enter")
        expect(port).to_have_attribute("data-kb-copied", "")
        assert page.evaluate("navigator.clipboard.readText()") == str(imap.endpoints[0].port)
        # copy buttons are not printed
        page.emulate_media(media="print")
        assert page.locator("button.kb-copy").evaluate_all(
            "bs => bs.filter(b => getComputedStyle(b).display !== 'none').length") == 0
    finally:
        ctx.close()
    assert errors == []


def test_a_host_in_step_text_copies_like_the_one_in_the_table(browser: Any, site_url: str, kb: KB) -> None:
    """The host a troubleshooting fix tells the reader to type has the table's copy button."""
    ctx = browser.new_context(viewport={"width": 390, "height": 800},
                              permissions=["clipboard-read", "clipboard-write"])
    page = ctx.new_page()
    try:
        page.goto(site_url + PAGES["iphone"])
        smtp = facts.settings_row(kb, "smtp")
        in_text = page.locator(".kb-trouble code.kb-host button.kb-copy")
        assert in_text.count() > 0
        button = page.locator(".kb-trouble").get_by_role("button", name=f"Copy {smtp.host}").last
        assert button.get_attribute("data-kb-copy") == smtp.host
        button.click()
        assert page.evaluate("navigator.clipboard.readText()") == smtp.host
        expect(page.locator("[data-kb-copy-status]")).to_have_text("Copied")
        port = str(smtp.endpoints[0].port)
        page.locator(".kb-step").get_by_role("button", name=f"Copy port {port}").first.click()
        assert page.evaluate("navigator.clipboard.readText()") == port
        page.emulate_media(media="print")
        assert page.locator("button.kb-copy").evaluate_all(
            "bs => bs.filter(b => getComputedStyle(b).display !== 'none').length") == 0
    finally:
        ctx.close()


def test_without_javascript_there_are_no_copy_buttons(browser: Any, site_url: str) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(site_url + PAGES["server-settings"])
    assert page.locator("button.kb-copy").count() > 0
    assert page.locator("button.kb-copy").evaluate_all(
        "bs => bs.filter(b => b.getBoundingClientRect().width > 0).length") == 0
    ctx.close()


LONG_HOSTS = {
    "imap": "imap.mailbox-cluster-07.customers.a-rather-long-provider-name.example.co.uk",
    "smtp": "outgoing-submission.mailbox-cluster-07.a-rather-long-provider-name.example.co.uk",
}


@pytest.fixture(scope="module")
def long_host_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The example with very long host names (and a long domain for the username)."""
    from kbgen.adapters.preview import serve_netlify

    from ..conftest import build_or_fail, copy_project

    root = copy_project(tmp_path_factory.mktemp("long-hosts"))
    provider = root / "data" / "provider.yml"
    text = provider.read_text(encoding="utf-8").replace(
        "domain: example.com", "domain: customers.a-rather-long-provider-name.example.co.uk")
    for pid, name in LONG_HOSTS.items():
        text = text.replace(f"  {pid}:\n    host: mail.example.com", f"  {pid}:\n    host: {name}")
    provider.write_text(text, encoding="utf-8")
    site = build_or_fail(root, root / "site")
    kb = load_kb(root)
    values = sorted({facts.settings_row(kb, p).host for p in ("imap", "pop3", "smtp")})
    with serve_netlify(site) as url:
        yield url, [*values, facts.username_example(kb.provider)]


@pytest.mark.parametrize("width", [320, 1280])
def test_long_host_names_still_fit(browser: Any, long_host_site: tuple[str, list[str]], width: int) -> None:
    url, values = long_host_site
    assert LONG_HOSTS["smtp"] in values
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    page = ctx.new_page()
    problems = []
    try:
        for name in ("server-settings", "pop-vs-imap", "iphone", "outlook-classic"):
            page.goto(url + PAGES[name])
            found = page.evaluate(OVERFLOW_JS, BOXES)
            if found["page"][0] != found["page"][1] or found["boxes"]:
                problems.append(f"{name} at {width}px: page {found['page']}, boxes {found['boxes']}")
            for hit in page.evaluate(BREAKS_JS, values):
                if hit["bad"]:
                    problems.append(f"{name} at {width}px: {hit['value']} broken as {hit['bad']}")
    finally:
        ctx.close()
    assert problems == []
