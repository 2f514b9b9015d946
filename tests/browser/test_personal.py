"""The reader's own address, in Chromium (docs/assets/kbgen-me.js).

Built sites, served as Netlify serves them (the CSP of the generated _headers
applies), every request the page makes intercepted and kept: the address must
show in every username, example address and mail.{domain} host, change nothing
else, and never leave the browser.
"""

from __future__ import annotations

import plistlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from ..mailapps.test_autoconfig import check_profile

pytestmark = pytest.mark.browser

ADDRESS = "jane@customer.test"
ME = {"address": ADDRESS, "local": "jane", "domain": "customer.test"}
PRIVATE = re.compile(r"jane|customer\.test|customer%2Etest", re.IGNORECASE)


def expected(pattern: str, me: dict[str, str] = ME) -> str:
    return re.sub(r"\{(address|local|domain)\}", lambda m: me[m.group(1)], pattern)


def marked_pages(site: Path) -> list[str]:
    """Every page whose HTML marks a value as the reader's (found in the build, not listed by hand)."""
    return sorted(str(p.parent.relative_to(site)) + "/" for p in site.rglob("index.html")
                  if "data-kb-me=" in p.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def served(provider_site: Callable[[str], Path]) -> Iterator[Callable[[str], tuple[Path, str]]]:
    """provider name → (built site, its URL on a loopback server with the generated headers)."""
    from contextlib import ExitStack

    from kbgen.adapters.preview import serve_netlify

    with ExitStack() as stack:
        urls: dict[str, tuple[Path, str]] = {}

        def get(name: str) -> tuple[Path, str]:
            if name not in urls:
                site = provider_site(name)
                urls[name] = (site, stack.enter_context(serve_netlify(site)))
            return urls[name]

        yield get


class Watched:
    """A page whose every request is caught, kept and let through (POSTs answered 200)."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.page = context.new_page()
        self.requests: list[tuple[str, str, dict[str, str], str, bool]] = []
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", lambda d: (self.errors.append("dialog: " + d.message), d.dismiss()))
        context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        req = route.request
        self.requests.append((req.method, req.url, req.all_headers(), req.post_data or "",
                              req.is_navigation_request()))
        if req.method == "POST":
            route.fulfill(status=200, body="")
        else:
            route.continue_()

    def leaks(self) -> list[str]:
        """Requests that carry the address, apart from the navigation that brought it."""
        found = []
        for method, url, headers, body, navigation in self.requests:
            if "?email=" in url and method == "GET" and navigation:
                continue  # the link the reader followed: the one request made before the page ran
            text = " ".join([url, body, *headers.values()])
            if PRIVATE.search(text):
                found.append(f"{method} {url} {headers} {body[:200]}")
        return found


@pytest.fixture
def watched(browser: Any) -> Iterator[Callable[..., Watched]]:
    contexts: list[Any] = []

    def make(width: int = 1280, **options: Any) -> Watched:
        context = browser.new_context(viewport={"width": width, "height": 900}, **options)
        contexts.append(context)
        return Watched(context)

    yield make
    for context in contexts:
        context.close()


# What the page reads once the reader's values are set aside: the rest must not change.
SHAPE = """() => {
  const main = document.querySelector('.md-content').cloneNode(true);
  main.querySelectorAll('form.kb-me, .kb-me-bar, .kb-feedback, [data-kb-me-qr-code]')
    .forEach(e => e.remove());
  main.querySelectorAll('[data-kb-me]').forEach(e => { e.textContent = '\u00a7'; });
  return main.textContent.replace(/\\s+/g, ' ').trim();
}"""
VALUES = """() => Array.from(document.querySelectorAll('.md-content [data-kb-me]'))
  .filter(e => !e.closest('form.kb-me, .kb-me-bar'))
  .map(e => [e.getAttribute('data-kb-me'), e.textContent])"""


def test_email_in_the_url_fills_in_every_guide_and_settings_page(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched]) -> None:
    site, url = served("cpanel")
    pages = marked_pages(site)
    assert {"mail/thunderbird/", "mail/iphone/", "mail/outlook/", "mail/email-settings/",
            "mail/mail-errors/"} <= set(pages)
    for uri in pages:
        plain = watched()
        plain.page.goto(url + uri)
        before, defaults = plain.page.evaluate(SHAPE), plain.page.evaluate(VALUES)
        assert defaults, uri

        w = watched()
        w.page.goto(url + uri + "?email=" + quote(ADDRESS))
        w.page.locator("[data-kb-me-shown]").first.wait_for()
        assert w.page.url == url + uri, "the address must leave the address bar"
        assert PRIVATE.search(w.page.evaluate("location.href + history.length")) is None
        values = w.page.evaluate(VALUES)
        assert [p for p, _ in values] == [p for p, _ in defaults], uri
        assert values == [[p, expected(p)] for p, _ in values], uri
        assert w.page.evaluate(SHAPE) == before, f"{uri}: something else on the page changed"
        # every host and username in every settings table and step is the customer's
        tables = w.page.locator(".md-content table.kb-settings, .md-content table.kb-ports")
        for text in tables.all_inner_texts():
            assert "your-domain.example" not in text and "you@" not in text, uri
        hosts = w.page.locator("table.kb-settings td[data-label='Host name']").all_inner_texts()
        users = w.page.locator("table.kb-settings td[data-label='Username']").all_inner_texts()
        servers = w.page.locator("table.kb-ports td[data-label='Our server'] code").all_inner_texts()
        assert {h.strip() for h in hosts + servers} <= {"mail.customer.test"}, (uri, hosts, servers)
        assert {u.strip() for u in users} <= {ADDRESS}, (uri, users)
        # the copy buttons copy what the reader sees
        copies = w.page.evaluate("""() => Array.from(
          document.querySelectorAll('[data-kb-me] button[data-kb-copy]')).map(b => [
            b.closest('[data-kb-me]').textContent, b.dataset.kbCopy, b.getAttribute('aria-label')])""")
        for shown, copied, label in copies:
            assert shown == copied and label.endswith(copied), (uri, shown, copied, label)
        for step in w.page.locator(".kb-step").all():
            shown = step.evaluate("s => { const c = s.cloneNode(true); c.querySelectorAll('.kb-note')"
                                  ".forEach(n => n.remove()); return c.textContent; }")
            assert "your-domain.example" not in shown, uri
        assert w.leaks() == [] and w.errors == [] and plain.errors == [], uri


def test_the_feedback_form_never_carries_the_address(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched]) -> None:
    site, url = served("cpanel")
    w = watched()
    w.page.goto(url + "mail/thunderbird/?email=" + quote(ADDRESS))
    w.page.locator("[data-kb-me-shown]").first.wait_for()
    w.page.get_by_role("button", name="No", exact=True).click()
    reason = w.page.locator(".kb-feedback input[type=radio]").first
    reason.wait_for()
    reason.check()
    w.page.locator(".kb-feedback textarea").fill("Port 993 timed out")
    w.page.locator(".kb-feedback button[type=submit]").last.click()
    w.page.wait_for_timeout(300)
    posts = [r for r in w.requests if r[0] == "POST"]
    assert posts, "the feedback was not posted"
    assert w.leaks() == [] and w.errors == []


def test_fixed_hosts_never_change_and_usernames_follow_the_data(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched]) -> None:
    cells = """() => Array.from(document.querySelectorAll(
      'table.kb-settings td code, table.kb-ports td code'))
      .map(c => [c.getAttribute('data-kb-me'), c.textContent])"""
    for provider, guide, username in [("example", "email/thunderbird/", ADDRESS),
                                      ("imap-only", "help/thunderbird/", "jane")]:
        site, url = served(provider)
        plain = watched()
        plain.page.goto(url + guide)
        before = plain.page.evaluate(cells)
        assert {p for p, _ in before} == {None, "{address}" if username == ADDRESS else "{local}"}
        w = watched()
        w.page.goto(url + guide + "#email=" + quote(ADDRESS))  # the fragment works too
        w.page.locator("[data-kb-me-shown]").first.wait_for()
        assert w.page.url == url + guide
        after = w.page.evaluate(cells)
        # hosts exactly as built; every username the reader's, in the provider's format
        assert after == [[p, username if p else text] for p, text in before], provider
        values = w.page.evaluate(VALUES)
        assert values == [[p, expected(p)] for p, _ in values]
        assert {p for p, _ in values} <= {"{address}", "{local}"}
        assert w.leaks() == [] and w.errors == [] and plain.errors == []


HOSTILE = [
    "",
    "   ",
    "jane",
    "jane@",
    "@customer.test",
    "jane@@customer.test",
    "jane@customer",
    "jane@customer..test",
    "jane@-customer.test",
    "jane@customer.test.",
    "jane@customer.test:25",
    "jane@customer.test/evil",
    "jane@customer.test?x=1",
    "jane@127.0.0.1",
    "jane@0x7f.1",
    "jane@[::1]",
    "jane doe@customer.test",
    '"jane"@customer.test',
    "<script>window.kbPwned=1</script>@customer.test",
    'jane@customer.test"><img src=x onerror="window.kbPwned=1">',
    "jane@customer.test<script>window.kbPwned=1</script>",
    "javascript:window.kbPwned=1//@customer.test",
    "jane@javascript:window.kbPwned=1",
    "';window.kbPwned=1;'@customer.test",
    "x" * 65 + "@customer.test",
    "jane@" + "a" * 64 + ".test",
    "jane@" + ".".join(["abcdefghij"] * 25) + ".test",
    "a" * 5000,
    "jane\u202e@customer.test",
    "jane@cust\u200bomer.test",
    "jane@customer.test\u0000",
    "jäne@customer.test",
    "jane@exa mple.test",
    "jane@customer.test\r\nSet-Cookie: x=1",
    "jane@xn--.test",
]


def test_hostile_input_never_runs_and_changes_nothing_but_the_message(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched]) -> None:
    site, url = served("cpanel")
    uri = "mail/thunderbird/"
    plain = watched()
    plain.page.goto(url + uri)
    before = plain.page.evaluate(SHAPE), plain.page.evaluate(VALUES)
    w = watched()
    for bad in HOSTILE:
        # in the address, where a link would put it …
        w.page.goto(url + uri + "?email=" + quote(bad, safe=""))
        w.page.wait_for_load_state("load")
        assert "email=" not in w.page.url, bad
        error = w.page.locator("[data-kb-me-error]")
        assert error.is_visible() and error.inner_text(), repr(bad)
        assert (w.page.evaluate(SHAPE), w.page.evaluate(VALUES)) == before, repr(bad)
        assert w.page.locator("[data-kb-me-shown]").count() == 0, repr(bad)
        # … and typed into the field
        field = w.page.get_by_label("Your email address")
        field.fill(bad)
        w.page.get_by_role("button", name="Show my settings").click()
        assert error.is_visible() and error.inner_text(), repr(bad)
        assert field.get_attribute("aria-invalid") == "true"
        assert (w.page.evaluate(SHAPE), w.page.evaluate(VALUES)) == before, repr(bad)
        assert w.page.evaluate("window.kbPwned") is None, repr(bad)
        assert w.page.evaluate("[sessionStorage.getItem('kbgen-me'), localStorage.getItem('kbgen-me')]") \
            == [None, None], repr(bad)
    assert w.errors == []


def test_odd_but_valid_addresses_are_shown_as_text(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched]) -> None:
    site, url = served("cpanel")
    w = watched()
    for typed, address, domain in [
            ("O'Brien+news@Customer.TEST", "O'Brien+news@customer.test", "customer.test"),
            ("  jane@bücher.test ", "jane@xn--bcher-kva.test", "xn--bcher-kva.test"),
            ("jane@ＣＵＳＴＯＭＥＲ．test", "jane@customer.test", "customer.test"),
            ("a&b{domain}@customer.test", "a&b{domain}@customer.test", "customer.test")]:
        w.page.goto(url + "mail/thunderbird/")
        w.page.get_by_label("Your email address").fill(typed)
        w.page.get_by_role("button", name="Show my settings").click()
        w.page.locator("[data-kb-me-shown]").first.wait_for()
        me = {"address": address, "local": address.split("@")[0], "domain": domain}
        values = w.page.evaluate(VALUES)
        assert values == [[p, expected(p, me)] for p, _ in values], typed
        # text only: nothing the address holds became an element
        inside = ".md-content [data-kb-me] *:not(span.kb-nobr):not(wbr):not(button)"
        assert w.page.locator(inside).count() == 0
        assert w.page.locator("form.kb-me [data-kb-me-error]").is_hidden()
        w.page.get_by_role("button", name="Not you? Clear").click()
    assert w.errors == []


def test_a_bad_address_leaves_the_current_one_in_place(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched]) -> None:
    site, url = served("cpanel")
    w = watched()
    w.page.goto(url + "mail/email-settings/?email=" + quote(ADDRESS))
    w.page.locator("[data-kb-me-shown]").first.wait_for()
    shown = w.page.evaluate(VALUES)
    w.page.get_by_label("Your email address").fill("jane@customer.test<b>")
    w.page.get_by_role("button", name="Show my settings").click()
    assert w.page.locator("[data-kb-me-error]").is_visible()
    assert w.page.evaluate(VALUES) == shown
    assert w.errors == []


def test_remembered_only_when_ticked_and_cleared_everywhere(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched]) -> None:
    site, url = served("cpanel")
    w = watched()
    page = w.page
    page.goto(url + "mail/thunderbird/")
    page.get_by_label("Your email address").fill(ADDRESS)
    page.get_by_role("button", name="Show my settings").click()
    # this tab keeps it from page to page …
    page.goto(url + "mail/email-settings/")
    assert page.locator("table.kb-settings code").first.inner_text() == "mail.customer.test"
    assert page.get_by_role("status").filter(has_text="Showing the settings for").inner_text() \
        .startswith("Showing the settings for " + ADDRESS)
    # … but this device does not: another tab starts without it
    other = w.context.new_page()
    other.goto(url + "mail/email-settings/")
    assert other.locator("[data-kb-me-shown]").count() == 0
    assert other.evaluate("localStorage.getItem('kbgen-me')") is None
    other.close()
    # ticked: remembered on this device, in a new tab too
    page.get_by_label("Remember on this device").check()
    assert page.evaluate("localStorage.getItem('kbgen-me')") == ADDRESS
    other = w.context.new_page()
    other.goto(url + "mail/iphone/")
    other.locator("[data-kb-me-shown]").first.wait_for()
    assert other.get_by_label("Remember on this device").is_checked()
    assert other.get_by_label("Your email address").input_value() == ADDRESS
    # a page without the field says whose settings it shows, and clears them too
    other.goto(url + "mail/mail-errors/")
    bar = other.locator(".kb-me-bar")
    assert bar.is_visible() and ADDRESS in bar.inner_text()
    other.get_by_role("button", name="Not you? Clear").click()
    assert other.locator("[data-kb-me-shown]").count() == 0 and bar.is_hidden()
    assert other.evaluate("localStorage.getItem('kbgen-me')") is None
    other.goto(url + "mail/thunderbird/")
    assert other.locator("[data-kb-me-shown]").count() == 0
    assert other.get_by_label("Your email address").input_value() == ""
    assert w.leaks() == [] and w.errors == []


def test_print_shows_the_personal_values(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched], artifacts: Path) -> None:
    import io

    from pypdf import PdfReader

    site, url = served("cpanel")
    w = watched()
    w.page.goto(url + "mail/thunderbird/?email=" + quote(ADDRESS))
    w.page.locator("[data-kb-me-shown]").first.wait_for()
    w.page.emulate_media(media="print")
    assert w.page.locator(".kb-me__row").first.is_hidden()  # the field is not printed
    assert w.page.locator(".kb-me__status").is_visible()  # whose settings these are is
    w.page.screenshot(path=str(artifacts / "personal-print.png"), full_page=True)
    pdf = w.page.pdf(format="A4", print_background=True)
    (artifacts / "personal-print.pdf").write_bytes(pdf)
    text = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "Showingthesettingsforjane@customer.test" in text
    assert "mail.customer.test" in text and "your-domain.example" not in text.split("inplaceof")[0]
    assert "Yourownsettings" not in text and "Showmysettings" not in text
    assert w.leaks() == [] and w.errors == []


def test_without_javascript_the_pages_read_as_built(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched]) -> None:
    site, url = served("cpanel")
    w = watched(java_script_enabled=False)
    w.page.goto(url + "mail/thunderbird/?email=" + quote(ADDRESS))
    assert w.page.locator("form.kb-me").is_hidden()
    hosts = w.page.locator("table.kb-settings code").all_inner_texts()
    assert set(hosts) == {"mail.your-domain.example", "you@your-domain.example"}
    assert not PRIVATE.search(w.page.locator(".md-content").inner_text())


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots(served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched],
                     artifacts: Path, width: int) -> None:
    site, url = served("cpanel")
    w = watched(width=width)
    w.page.goto(url + "mail/iphone/?email=" + quote(ADDRESS))
    w.page.locator("[data-kb-me-shown]").first.wait_for()
    w.page.locator("form.kb-me").screenshot(path=str(artifacts / f"personal-form-{width}.png"))
    w.page.screenshot(path=str(artifacts / f"personal-guide-{width}.png"), full_page=True)
    w.page.get_by_label("Your email address").fill("jane@customer")
    w.page.get_by_role("button", name="Show my settings").click()
    w.page.locator("form.kb-me").screenshot(path=str(artifacts / f"personal-error-{width}.png"))
    assert w.errors == []


def test_profile_made_in_the_browser(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched]) -> None:
    site, url = served("cpanel")
    w = watched(accept_downloads=True)
    w.page.goto(url + "mail/iphone/?email=" + quote(ADDRESS))
    w.page.locator("[data-kb-me-shown]").first.wait_for()
    warning = w.page.locator(".kb-me__profiles .kb-note")
    assert "Not Verified" in warning.inner_text() and "VPN & Device Management" in warning.inner_text()
    w.page.get_by_label("Your name as others see it (optional)").fill("Jane <Doe>")
    w.page.get_by_role("button", name="Download the IMAP profile").click()
    w.page.get_by_text("without < or >").wait_for()  # refused, and said so
    for protocol, account, port in [("IMAP", "EmailTypeIMAP", 993), ("POP3", "EmailTypePOP", 995)]:
        w.page.get_by_label("Your name as others see it (optional)").fill("Jane O'Doe & Co")
        with w.page.expect_download() as info:
            w.page.get_by_role("button", name=f"Download the {protocol} profile").click()
        download = info.value
        assert download.suggested_filename.endswith(".mobileconfig")
        assert download.url.startswith("blob:")
        profile = plistlib.loads(Path(download.path()).read_bytes())
        mail = check_profile(profile, account, ("mail.customer.test", port, True),
                             ("mail.customer.test", 465, True))
        assert mail["EmailAddress"] == ADDRESS
        assert mail["IncomingMailServerUsername"] == mail["OutgoingMailServerUsername"] == ADDRESS
        assert mail["EmailAccountName"] == "Jane O'Doe & Co"
        assert ADDRESS in profile["PayloadDisplayName"]
        # the payload's identifier extends the profile's; the browser's UUIDs are two
        assert mail["PayloadIdentifier"].startswith(profile["PayloadIdentifier"] + ".")
        assert mail["PayloadUUID"] != profile["PayloadUUID"]
    # the one request the profile needed names no one
    assert any(r[1].endswith("/mail/personal-profiles.json") for r in w.requests)
    assert w.leaks() == [] and w.errors == []


def _qr_text(path_d: str, size: int) -> str:
    """Decode the QR code kbgen-me.js drew (its SVG path, one unit square per dark module)
    with ZXing, the decoder phone scanner apps build on."""
    import numpy as np
    import zxingcpp

    pixels = np.full((size, size), 255, dtype=np.uint8)
    for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", path_d):
        pixels[int(y), int(x)] = 0
    image = np.kron(pixels, np.ones((8, 8), dtype=np.uint8))  # 8 pixels a module
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    return str(found[0].text)


def test_settings_card_with_a_qr_code_that_opens_it_with_the_address(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched], artifacts: Path) -> None:
    site, url = served("cpanel")
    w = watched()
    w.page.goto(url + "mail/thunderbird/?email=" + quote(ADDRESS))
    w.page.get_by_role("link", name="All your settings on one page").click()
    w.page.wait_for_url(url + "settings-card/")
    svg = w.page.locator(".kb-card__code svg")
    svg.wait_for()
    assert svg.get_attribute("role") == "img" and "QR code" in (svg.locator("title").text_content() or "")
    size = int(svg.get_attribute("viewBox").split()[2])
    target = _qr_text(svg.locator("path").get_attribute("d"), size)
    assert target == url + "settings-card/#email=" + quote(ADDRESS, safe="")
    values = w.page.evaluate(VALUES)
    assert values and values == [[p, expected(p)] for p, _ in values]
    assert w.page.locator(".kb-card").get_by_text("mail.customer.test").count() >= 3
    w.page.emulate_media(media="print")
    w.page.screenshot(path=str(artifacts / "personal-card-print.png"), full_page=True)
    assert svg.is_visible() and w.page.locator(".kb-card__print").is_hidden()
    assert w.page.locator("form.kb-me").is_hidden()  # the card itself says whose settings these are
    # the phone: the scanned address opens the card with the address filled in, then drops it
    phone = watched(width=390)
    phone.page.goto(target)
    phone.page.locator("[data-kb-me-shown]").first.wait_for()
    assert phone.page.url == url + "settings-card/"
    assert phone.page.evaluate(VALUES) == values
    phone.page.screenshot(path=str(artifacts / "personal-card-390.png"), full_page=True)
    # clearing takes the code away with the address
    phone.page.get_by_role("button", name="Not you? Clear").click()
    assert phone.page.locator(".kb-card__code svg").count() == 0
    assert w.leaks() == [] and phone.leaks() == [] and w.errors == [] and phone.errors == []


def test_settings_card_without_an_address_is_the_general_card(
        served: Callable[[str], tuple[Path, str]], watched: Callable[..., Watched]) -> None:
    site, url = served("example")
    w = watched()
    w.page.goto(url + "settings-card/")
    assert w.page.locator(".kb-card__qr").is_hidden()  # no address, no code
    assert "mail.example.com" in w.page.locator(".kb-card").inner_text()
    assert not any("qrcode" in r[1] for r in w.requests)  # the library loads only when needed
    html = (site / "settings-card" / "index.html").read_text()
    assert '<meta name="robots" content="noindex">' in html
    assert "settings-card" not in (site / "sitemap.xml").read_text()
    assert w.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accessible_with_the_address_shown_and_refused(
        served: Callable[[str], tuple[Path, str]], browser: Any, scheme: str) -> None:
    from ..site.conftest import AXE_JS, tool
    from ..site.test_axe import _summary

    site, url = served("cpanel")
    # axe is a script the page did not ship: this context alone ignores the CSP
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(url + "mail/iphone/?email=" + quote(ADDRESS))
        page.locator("[data-kb-me-shown]").first.wait_for()
        page.get_by_label("Your email address").fill("jane@")
        page.get_by_role("button", name="Show my settings").click()  # the message, and the old values
        page.add_script_tag(path=str(tool(AXE_JS)))
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.map(n => ({target: n.target}))}));
        }""")
    finally:
        context.close()
    serious = [v for v in result if v["impact"] in {"serious", "critical"}]
    assert serious == [], _summary(serious)
