"""The servers and the data folder every `kbgen verify` test module shares (one Dovecot
and one Postfix for the whole run)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import ROOT
from . import servers
from .servers import HOST

PROVIDER = """\
name: Test Mail
domain: example.com
site_url: https://help.example.com/
webmail: https://webmail.example.com/
support:
  email: support@example.com
  url: https://www.example.com/support/
username:
  format: email
authentication: password
smtp_auth_required: true
servers:
  imap:
    host: {host}
    endpoints:
      - security: tls
      - security: starttls
  pop3:
    host: {host}
    endpoints:
      - security: tls
      - security: starttls
  smtp:
    host: {host}
    endpoints:
      - security: tls
      - security: starttls
"""

@pytest.fixture(scope="session")
def server_dir() -> Iterator[Path]:
    with servers.shared_folder() as folder:
        yield folder


@pytest.fixture(scope="session")
def ca(server_dir: Path) -> servers.CA:
    return servers.CA(server_dir / "ca")


def _dovecot(folder: Path, ca: servers.CA, name: str, **kw: object) -> Iterator[servers.Dovecot]:
    issue = {k: v for k, v in kw.items() if k in ("days", "expired")}
    cert, key = ca.issue(str(kw.get("cert_name", HOST)), **issue)  # type: ignore[arg-type]
    with servers.dovecot(folder / name, cert, key,
                         plaintext_auth=bool(kw.get("plaintext_auth"))) as server:
        yield server


@pytest.fixture(scope="session")
def dovecot(server_dir: Path, ca: servers.CA) -> Iterator[servers.Dovecot]:
    yield from _dovecot(server_dir, ca, "good")


@pytest.fixture(scope="session")
def postfix(server_dir: Path, ca: servers.CA, dovecot: servers.Dovecot) -> Iterator[servers.Postfix]:
    cert, key = ca.issue(HOST)
    with servers.postfix(server_dir / "postfix", cert, key, dovecot.auth_socket) as server:
        yield server


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding only what the servers need: provider, protocols and the two files
    every data folder has."""
    root = tmp_path_factory.mktemp("project")
    (root / "data").mkdir()
    for name in ("categories.yml", "troubleshooting.yml", "protocols"):
        src = ROOT / "data" / name
        if src.is_dir():
            shutil.copytree(src, root / "data" / name)
        else:
            shutil.copy2(src, root / "data" / name)
    (root / "data" / "provider.yml").write_text(PROVIDER.format(host=HOST))
    return root


