"""`kbgen verify` asks the autoconfig and Autodiscover hosts of `dns:` over HTTPS.

The stand-in hosts serve what kbgen itself writes: the Thunderbird autoconfig file of
the build, and the Autodiscover Netlify Function run under Node as Netlify runs it. Then
one host at a time is broken: other settings, a certificate for another name, a 404.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kbgen.data.data_folder import load_kb
from kbgen.mailapps.autoconfig import thunderbird_xml
from kbgen.mailapps.autodiscover import write_function

from ..mailapps.test_autodiscover import post
from ..mailapps.test_autodiscover import run as run_function
from . import servers
from .conftest import PROVIDER
from .servers import ADDRESS
from .test_verify import good_routes, run

DNS = """\
dns:
  mx:
    - host: mx1.example.com
  autoconfig: autoconfig.example.com
  autodiscover: autodiscover.example.com
"""
AUTOCONFIG_AT, AUTODISCOVER_AT = "31:15", "32:17"  # in PROVIDER + DNS
Answer = Callable[[str, str, bytes], tuple[int, bytes]]


def project_with(root: Path, project: Path, provider: str) -> Path:
    shutil.copytree(project / "data", root / "data")
    (root / "data" / "provider.yml").write_text(provider)
    return root


@pytest.fixture(scope="module")
def hosts_project(tmp_path_factory: pytest.TempPathFactory, project: Path) -> Path:
    return project_with(tmp_path_factory.mktemp("hosts"), project,
                        PROVIDER.format(host=servers.HOST) + DNS)


def autoconfig_answer(root: Path) -> Answer:
    body = thunderbird_xml(load_kb(root), "https://help.example.com/")

    def answer(method: str, path: str, _body: bytes) -> tuple[int, bytes]:
        ok = method == "GET" and path.startswith("/mail/config-v1.1.xml?emailaddress=")
        return (200, body) if ok else (404, b"<html>not found</html>")
    return answer


def autodiscover_answer(root: Path, folder: Path) -> Answer:
    module = write_function(load_kb(root), folder)

    def answer(method: str, path: str, body: bytes) -> tuple[int, bytes]:
        if method != "POST":
            return 405, b""
        [response] = run_function(module, [post(body, path=path)])["responses"]
        return response["status"], response["body"].encode()
    return answer


@pytest.fixture(scope="module")
def setup_hosts(server_dir: Path, ca: servers.CA, hosts_project: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    functions = tmp_path_factory.mktemp("functions")
    with servers.https_host(*ca.issue("autoconfig.example.com"), autoconfig_answer(hosts_project)) as a, \
            servers.https_host(*ca.issue("autodiscover.example.com"),
                               autodiscover_answer(hosts_project, functions)) as d:
        yield {"autoconfig": a, "autodiscover": d}


def host_routes(ports: dict[str, int]) -> list[str]:
    return [arg for name, port in ports.items()
            for arg in ("--connect-to", f"{name}.example.com:443:{ADDRESS}:{port}")]


def test_hosts_that_serve_the_datas_settings_pass(
        hosts_project: Path, ca: servers.CA, dovecot: servers.Dovecot, postfix: servers.Postfix,
        setup_hosts: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(hosts_project, ca, good_routes(dovecot, postfix), capsys,
                           *host_routes(setup_hosts))
    assert (status, err) == (0, ""), err
    assert out == "kbgen: the servers do what the data says: 6 endpoint(s) checked\n"


def test_hosts_serving_other_settings_are_named(
        tmp_path: Path, project: Path, ca: servers.CA, dovecot: servers.Dovecot,
        postfix: servers.Postfix, setup_hosts: dict[str, int],
        capsys: pytest.CaptureFixture[str]) -> None:
    """The data now offers IMAP on 993 only; the hosts still serve the old files."""
    changed = PROVIDER.format(host=servers.HOST).replace(
        "      - security: tls\n      - security: starttls\n  pop3:", "      - security: tls\n  pop3:")
    root = project_with(tmp_path, project, changed + DNS)
    status, _out, err = run(root, ca, good_routes(dovecot, postfix), capsys, *host_routes(setup_hosts))
    assert status == 1
    fix = "(deploy the files this build writes to that host, or correct the data)"
    host = servers.HOST
    assert err.splitlines() == [
        f"data/provider.yml:30:15: dns.autoconfig: https://autoconfig.example.com/mail/config-v1.1.xml "
        f"gives Thunderbird IMAP {host}:143 STARTTLS; IMAP {host}:993 SSL; POP3 {host}:110 STARTTLS; "
        f"POP3 {host}:995 SSL; SMTP {host}:465 SSL; SMTP {host}:587 STARTTLS; the data says "
        f"IMAP {host}:993 SSL; POP3 {host}:110 STARTTLS; POP3 {host}:995 SSL; SMTP {host}:465 SSL; "
        f"SMTP {host}:587 STARTTLS {fix}"]


@pytest.fixture(scope="module")
def wrong_name(server_dir: Path, ca: servers.CA) -> Iterator[int]:
    def answer(method: str, path: str, body: bytes) -> tuple[int, bytes]:
        return 404, b"<html>not found</html>"
    with servers.https_host(*ca.issue("www.example.net"), answer) as port:
        yield port


def test_a_certificate_for_another_name(
        hosts_project: Path, ca: servers.CA, dovecot: servers.Dovecot, postfix: servers.Postfix,
        setup_hosts: dict[str, int], wrong_name: int, capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run(hosts_project, ca, good_routes(dovecot, postfix), capsys,
                            *host_routes({"autoconfig": wrong_name,
                                          "autodiscover": setup_hosts["autoconfig"]}))
    assert status == 1
    assert err.splitlines() == [
        f"data/provider.yml:{AUTOCONFIG_AT}: dns.autoconfig: the certificate on port 443 on "
        f"autoconfig.example.com (via {ADDRESS}:{wrong_name}) is not valid: Hostname mismatch, "
        "certificate is not valid for 'autoconfig.example.com'; mail apps will not fetch settings "
        "from it (install a certificate for autoconfig.example.com from a trusted authority)",
        f"data/provider.yml:{AUTODISCOVER_AT}: dns.autodiscover: the certificate on port 443 on "
        f"autodiscover.example.com (via {ADDRESS}:{setup_hosts['autoconfig']}) is not valid: "
        "Hostname mismatch, certificate is not valid for 'autodiscover.example.com'; mail apps "
        "will not fetch settings from it (install a certificate for autodiscover.example.com "
        "from a trusted authority)",
    ]


@pytest.fixture(scope="module")
def empty_autoconfig(server_dir: Path, ca: servers.CA) -> Iterator[int]:
    def answer(method: str, path: str, body: bytes) -> tuple[int, bytes]:
        return 404, b"<html>not found</html>"
    with servers.https_host(*ca.issue("autoconfig.example.com"), answer) as port:
        yield port


def test_a_host_without_the_file(hosts_project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                                 postfix: servers.Postfix, setup_hosts: dict[str, int],
                                 empty_autoconfig: int, capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run(hosts_project, ca, good_routes(dovecot, postfix), capsys,
                            *host_routes({**setup_hosts, "autoconfig": empty_autoconfig}))
    assert status == 1
    assert err.splitlines() == [
        f"data/provider.yml:{AUTOCONFIG_AT}: dns.autoconfig: https://autoconfig.example.com/mail/"
        "config-v1.1.xml answers HTTP 404, not the settings (serve the help center's autoconfig "
        "file on that host)"]
