"""authentication: oauth2 never produces an autoconfig file that Thunderbird refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.data.data_folder import load_kb
from kbgen.data.errors import DataError
from kbgen.data.oauth2 import thunderbird_knows
from kbgen.mailapps.autoconfig import apple_profile, thunderbird_xml

from ..conftest import ROOT, copy_project
from ..mailapps.thunderbird_reader import Rejected, read


def _provider(root: Path, old: str, new: str) -> None:
    path = root / "data/provider.yml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_example_file_is_read_by_thunderbirds_rules() -> None:
    kb = load_kb(ROOT)
    domains, incoming, outgoing = read(thunderbird_xml(kb, "https://help.example.com/"))
    assert domains == ["example.com"]
    assert {s.auth for s in incoming + outgoing} == {"password-cleartext"}
    assert [(s.type, s.port, s.socket) for s in incoming] == [
        ("imap", 993, "SSL"), ("imap", 143, "STARTTLS"), ("pop3", 995, "SSL"), ("pop3", 110, "STARTTLS")]


def test_oauth2_on_the_providers_own_server_is_refused_at_its_line(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    _provider(root, "authentication: password", "authentication: oauth2")
    with pytest.raises(DataError) as err:
        load_kb(root)
    (problem,) = err.value.problems
    assert (problem.file, problem.line, problem.path) == ("data/provider.yml", 15, "authentication")
    assert "mail.example.com" in problem.message and "Thunderbird" in problem.message
    assert "'password'" in problem.hint


def test_the_refused_file_is_the_one_thunderbird_rejects() -> None:
    # What kbgen would write without the check: Thunderbird drops every server.
    kb = load_kb(ROOT)
    kb.provider = kb.provider.model_copy(update={"authentication": "oauth2"})
    with pytest.raises(Rejected, match="Lacking OAuth2 config for mail.example.com"):
        read(thunderbird_xml(kb, "https://help.example.com/"))


def test_per_customer_hosts_cannot_use_oauth2(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    _provider(root, "authentication: password", "authentication: oauth2")
    _provider(root, "host: mail.example.com", "host: mail.{domain}")
    with pytest.raises(DataError, match=r"mail\.\{domain\} with OAuth2"):
        load_kb(root)


def test_oauth2_on_servers_thunderbird_knows_is_written_and_accepted(tmp_path: Path) -> None:
    # A provider whose mailboxes live at Microsoft 365: Thunderbird has OAuth2 settings for it.
    root = copy_project(tmp_path)
    _provider(root, "authentication: password", "authentication: oauth2")
    path = root / "data/provider.yml"
    text = path.read_text().replace("host: mail.example.com", "host: outlook.office365.com", 2)
    path.write_text(text.replace("host: mail.example.com", "host: smtp.office365.com"))
    kb = load_kb(root)
    _, incoming, outgoing = read(thunderbird_xml(kb, "https://help.example.com/"))
    assert {(s.hostname, s.auth) for s in incoming} == {("outlook.office365.com", "OAuth2")}
    assert {(s.hostname, s.auth) for s in outgoing} == {("smtp.office365.com", "OAuth2")}
    assert apple_profile(kb) is None  # a profile cannot carry OAuth2


@pytest.mark.parametrize(("host", "known"), [
    ("imap.gmail.com", True), ("outlook.office365.com", True), ("smtp-mail.outlook.com", True),
    ("OUTLOOK.OFFICE365.COM.", True), ("mail.example.com", False), ("gmail.com", False),
    ("imap.gmail.com.evil.example", False), ("notoffice365.com", False),
])
def test_thunderbird_host_lookup(host: str, known: bool) -> None:
    assert thunderbird_knows(host) is known
