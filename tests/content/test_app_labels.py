"""Each guide's settings table names the sign-in method as that app does, or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kbgen.content.render import render_pages
from kbgen.data.data_folder import load_kb
from kbgen.data.errors import DataError

from ..conftest import copy_project


def _notes(html: str) -> list[str]:
    page = BeautifulSoup(html, "html.parser")
    return [" ".join(p.get_text().split()) for p in page.select("p.kb-note")
            if p.get_text().startswith("Password")]


def _built(site: Path, url: str) -> list[str]:
    return _notes((site / url / "index.html").read_text(encoding="utf-8"))


SAME_LOGIN = "The outgoing server needs the same username and password as the incoming one."


@pytest.mark.slow
def test_built_guides_use_their_apps_words(example_site: Path) -> None:
    # Thunderbird's own label (Mozilla's accountSetup.ftl), where it used to be on every guide.
    assert _built(example_site, "email/thunderbird") == [
        f"Password: your mailbox password. Authentication: Normal password. {SAME_LOGIN}"]
    # No label recorded for Apple Mail: the line is left out rather than borrowed from Thunderbird.
    assert _built(example_site, "email/apple-mail-ios") == [
        f"Password: your mailbox password. {SAME_LOGIN}"]
    # The settings article belongs to no app: it names the method itself.
    assert _built(example_site, "email/server-settings") == [
        f"Password: your mailbox password. Authentication: password. {SAME_LOGIN}"]
    for url in ("email/apple-mail-ios", "email/outlook-new",
                "email/gmail-android"):
        assert "Normal password" not in (example_site / url / "index.html").read_text(encoding="utf-8")


def test_the_label_follows_the_providers_method(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    provider = root / "data" / "provider.yml"
    provider.write_text(provider.read_text().replace("authentication: password",
                                                     "authentication: encrypted-password"))
    pages = {p.entry_id: p.markdown for p in render_pages(load_kb(root))}
    assert _notes(pages["thunderbird"]) == [
        f"Password: your mailbox password. Authentication: Encrypted password. {SAME_LOGIN}"]
    assert _notes(pages["server-settings"]) == [
        f"Password: your mailbox password. Authentication: encrypted password. {SAME_LOGIN}"]
    assert _notes(pages["samsung-email"]) == [f"Password: your mailbox password. {SAME_LOGIN}"]


def test_an_unknown_method_is_an_error_at_its_key(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    path = root / "data" / "clients" / "thunderbird.yml"
    text = path.read_text().replace("    oauth2: OAuth2", "    kerberos: Kerberos / GSSAPI")
    path.write_text(text)
    line = text.split("\n").index("    kerberos: Kerberos / GSSAPI") + 1
    with pytest.raises(DataError) as err:
        load_kb(root)
    assert str(err.value).startswith(
        f"data/clients/thunderbird.yml:{line}:5: labels.authentication.kerberos: expected one of "
        "password, encrypted-password or oauth2 (got 'kerberos')")


def test_thunderbird_guide_quotes_mozillas_strings(tmp_path: Path) -> None:
    """The messages and field names are Mozilla's en-US strings (data/SOURCES.md)."""
    markdown = {p.entry_id: p.markdown for p in render_pages(load_kb(copy_project(tmp_path)))}["thunderbird"]
    headings = [line[4:].replace("\\", "") for line in markdown.split("\n") if line.startswith("### ")]
    assert "“Connection to server … timed out.”" in headings
    assert "“Could not connect to mail server …; the connection was refused.”" in headings
    assert not [h for h in headings if h.startswith("“Failed to connect")]  # the unknown-host message
    assert "Account Hub: <strong>Full name</strong>" in markdown
