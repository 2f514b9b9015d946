"""The printable settings card says how to reach a person: each way of contact the
provider gives in data/provider.yml (support:), written out in full so it reads the
same on paper, and no label for a way it does not give."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag

from kbgen.content.render import render_pages
from kbgen.data.data_folder import load_kb
from kbgen.data.kb import KB
from kbgen.data.urls import card_uri

from ..conftest import ROOT

PROVIDERS = {"example": ROOT, "cpanel": ROOT / "tests/providers/cpanel",
             "imap-only": ROOT / "tests/providers/imap-only"}


def card(kb: KB) -> Tag:
    page = next(p for p in render_pages(kb) if p.src_uri == card_uri(kb))
    found = BeautifulSoup(page.markdown, "html.parser").select_one(".kb-card")
    assert found is not None
    return found


def ways(kb: KB) -> dict[str, tuple[str, str]]:
    """label → (text shown, link target) of each way of contact on the card."""
    out = {}
    for li in card(kb).select(".kb-card__support li"):
        label, _, shown = li.get_text().partition(": ")
        link = li.a
        out[label] = (shown, str(link["href"]) if link else "")
    return out


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_the_card_shows_the_providers_support_contact(name: str) -> None:
    kb = load_kb(PROVIDERS[name])
    s = kb.provider.support
    expected = {"Email": (s.email, f"mailto:{s.email}"), "Web": (s.url, s.url)}
    if s.phone:
        expected["Phone"] = (s.phone, "tel:" + "".join(c for c in s.phone if c.isdigit() or c == "+"))
    if s.ticket_url:
        expected["Support ticket"] = (s.ticket_url, s.ticket_url)
    assert ways(kb) == expected
    title = card(kb).select_one(".kb-card__support-title")
    assert title is not None and kb.provider.name in title.get_text()
    assert (s.hours or "") in title.get_text()


def test_a_way_the_provider_does_not_give_has_no_label() -> None:
    kb = load_kb(PROVIDERS["cpanel"])
    assert kb.provider.support.phone and kb.provider.support.hours  # the set gives both
    support = kb.provider.support.model_copy(update={"phone": None, "hours": None, "ticket_url": None})
    kb.provider = kb.provider.model_copy(update={"support": support})
    assert set(ways(kb)) == {"Email", "Web"}
    text = card(kb).select_one(".kb-card__support").get_text()
    assert "Phone:" not in text and "Support ticket:" not in text and "()" not in text
