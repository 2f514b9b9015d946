"""A host, port or username that a Markdown field names by its placeholder
(`` `{{ imap.host }}` ``, ``{{ smtp.tls }}``) carries the settings table's copy
button: the same markup, the same accessible name, the same data value.

The button comes from the placeholder's fill, which knows what the value is: a
host name an author typed out is left as text, and so is a value inside a link or
inside a code that holds more than the value (``host:port``).
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, Tag

from kbgen.content.render import Renderer, environment, render_pages
from kbgen.data import facts, personal
from kbgen.data.data_folder import load_kb

from ..conftest import ROOT

CPANEL = ROOT / "tests/providers/cpanel"


def pages(root: Path) -> dict[str, BeautifulSoup]:
    return {p.src_uri: BeautifulSoup(p.markdown, "html.parser") for p in render_pages(load_kb(root))}


def table_buttons(soup: BeautifulSoup) -> dict[str, str]:
    """data-kb-copy → the button's markup, from the settings table."""
    return {str(b["data-kb-copy"]): str(b) for b in soup.select("table.kb-settings button.kb-copy")}


def text_buttons(soup: BeautifulSoup) -> list[Tag]:
    """The copy buttons outside the settings table."""
    return [b for b in soup.select("button.kb-copy") if b.find_parent("table") is None]


def test_hosts_ports_and_usernames_in_step_text_have_the_tables_copy_button() -> None:
    kb = load_kb(ROOT)
    soup = pages(ROOT)["email/apple-mail-ios.md"]
    table = table_buttons(soup)
    imap, smtp = facts.settings_row(kb, "imap"), facts.settings_row(kb, "smtp")
    username = facts.username_example(kb.provider)
    buttons = text_buttons(soup)
    copied = {str(b["data-kb-copy"]) for b in buttons}
    port = str(smtp.endpoints[0].port)
    assert {imap.host, smtp.host, username, str(imap.endpoints[0].port), port} <= copied
    for b in buttons:
        value = str(b["data-kb-copy"])
        # the same markup, accessible name and data value (a port the table shows only as
        # the other choice: as the table's button for a port)
        expected = table[value] if value in table else table[port].replace(port, value)
        assert str(b) == expected, value
        holder = b.find_parent("code") or b.parent
        assert holder.get_text() == value  # it copies what the reader sees next to it
    # the host of "change the Host Name … to mail.example.com" is the table's code
    host = next(b for b in buttons if b["data-kb-copy"] == imap.host).find_parent("code")
    assert host is not None and host["class"] == ["kb-host"]
    labels = {b["aria-label"] for b in buttons if b["data-kb-copy"] == username}
    assert labels == {f"Copy username {username}"}


def test_a_host_on_the_readers_own_domain_keeps_its_mark_and_gets_the_button() -> None:
    soup = pages(CPANEL)["mail/iphone.md"]
    hosts = [b.find_parent("code") for b in text_buttons(soup)
             if b.find_parent("code") is not None and "kb-host" in b.find_parent("code")["class"]]
    assert hosts, "no host in the guide's text has a copy button"
    for code in hosts:
        assert code["data-kb-me"] == "mail.{domain}"
        assert code.get_text() == code.button["data-kb-copy"] == "mail.your-domain.example"


def render(text: str, root: Path = ROOT) -> BeautifulSoup:
    """A Markdown field as a page shows it, its placeholders filled as the loader fills them."""
    kb = load_kb(root)
    filled = facts.fill(text, personal.markdown_values(kb))
    return BeautifulSoup(Renderer(kb, environment()).md(filled), "html.parser")


def test_only_values_from_placeholders_get_a_button() -> None:
    soup = render("Type `mail.example.com` or `{{ imap.host }}`; see [{{ imap.host }}](https://x.test/) "
                  "and `{{ imap.host }}:{{ imap.tls }}`, port {{ smtp.starttls }} or **{{ smtp.tls }}**, "
                  "not {{ smtp.ports }}.")
    assert [b["data-kb-copy"] for b in soup.select("button.kb-copy")] == ["mail.example.com", "587", "465"]
    assert soup.a is not None and soup.a.button is None and soup.a.get_text() == "mail.example.com"
    assert [c.get_text() for c in soup.select("code")] == [
        "mail.example.com", "mail.example.com", "mail.example.com:993"]
    assert soup.select_one("strong > .kb-nobr > button") is not None
    assert "\x0e" not in str(soup) and "\x0f" not in str(soup)


def test_a_value_after_a_readers_own_value_keeps_its_place() -> None:
    soup = render("Write to {{ address.example }} on port {{ imap.tls }} or {{ smtp.tls }}.", CPANEL)
    assert " ".join(soup.get_text().split()) == "Write to you@your-domain.example on port 993 or 465."
    assert [b["data-kb-copy"] for b in soup.select("button.kb-copy")] == ["993", "465"]
    assert soup.select_one("[data-kb-me]").get_text() == "you@your-domain.example"
