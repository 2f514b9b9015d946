"""Which values a page marks as the reader's own (data-kb-me), decided by data/.

kbgen-me.js fills only marked elements; here, that the build marks exactly the
usernames, example addresses and mail.{domain} hosts, in templates and in
Markdown fields alike, and never a fixed host.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

from kbgen.content.render import render_pages
from kbgen.content.text import markdown_html
from kbgen.data import personal
from kbgen.data.data_folder import load_kb

from ..conftest import ROOT

CPANEL = ROOT / "tests/providers/cpanel"
IMAP_ONLY = ROOT / "tests/providers/imap-only"


def marked(root: Path) -> dict[str, list[tuple[str, str]]]:
    out = {}
    for page in render_pages(load_kb(root)):
        soup = BeautifulSoup(page.markdown, "html.parser")
        out[page.src_uri] = [(el["data-kb-me"], el.get_text()) for el in soup.select("[data-kb-me]")]
    return out


def test_customer_domain_hosts_and_addresses_are_marked_in_markdown_fields() -> None:
    found = marked(CPANEL)
    every = {pair for pairs in found.values() for pair in pairs}
    assert ("mail.{domain}", "mail.your-domain.example") in every
    assert ("{address}", "you@your-domain.example") in every
    assert {pattern for pattern, _ in every} <= {"mail.{domain}", "{address}"}
    for uri, pairs in found.items():  # control characters of the marks never reach a page
        assert not re.search(r"[\x0e\x0f\x1f]", "".join(t for _, t in pairs)), uri


def test_fixed_hosts_are_never_marked() -> None:
    for root in (ROOT, IMAP_ONLY):
        for uri, pairs in marked(root).items():
            assert all(pattern in {"{address}", "{local}"} for pattern, _ in pairs), (uri, pairs)


def test_local_part_usernames_are_marked_as_the_local_part() -> None:
    kb = load_kb(IMAP_ONLY)
    assert personal.patterns(kb)["username.example"] == "{local}"
    assert personal.patterns(kb)["address.example"] == "{address}"


def test_a_mark_in_a_link_or_raw_html_reads_as_plain_text() -> None:
    host = personal.mark("mail.{domain}", "mail.your-domain.example")
    html = str(markdown_html(f"[webmail](https://{host}/) and <b>{host}</b> and `{host}`\n\n"
                             f"<div>{host}</div>\n\n`{host}:993`", {}))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.a is not None and soup.a["href"] == "https://mail.your-domain.example/"
    # inline HTML's text is Markdown text; a raw HTML block is not rendered, so it stays plain
    # a code holding the value alone carries the mark itself; with more in it, a span does
    assert [(el.name, el.parent.name) for el in soup.select("[data-kb-me]")] == [
        ("span", "b"), ("code", "p"), ("span", "code")]
    assert " ".join(soup.get_text().split()) == (
        "webmail and mail.your-domain.example and mail.your-domain.example mail.your-domain.example"
        " mail.your-domain.example:993")
    assert not re.search(r"[\x0e\x0f\x1f]", html)


def test_an_authors_own_data_kb_me_is_dropped() -> None:
    html = str(markdown_html('<span data-kb-me="{address}">x</span> <span data-kb-me="x"">y</span>', {}))
    assert BeautifulSoup(html, "html.parser").select("[data-kb-me]") == []
    # … unless the same field carries that mark itself: then the value is ours anyway
    mark = personal.mark("{address}", "you@example.com")
    html = str(markdown_html(f"`{mark}` and <b data-kb-me=\"{{address}}\">z</b>", {}))
    assert BeautifulSoup(html, "html.parser").select("b[data-kb-me]") == []
