"""`kbgen verify --dns` against BIND serving zones made from kbgen's own zone snippet.

One zone publishes exactly what the DNS article lists; another has one MX host swapped,
the SPF record changed and the DMARC record missing. The servers are the right ones
(Dovecot and Postfix, as in test_verify), so every problem is a DNS one.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbgen.data.data_folder import load_kb
from kbgen.mailapps.dns import zone_snippet

from . import servers
from .conftest import PROVIDER
from .servers import DNS_ADDRESS
from .test_verify import good_routes, run

DNS = """\
dns:
  ttl: 3600
  mx:
    - host: mx1.example.com
      priority: 10
    - host: mx2.example.com
      priority: 20
  spf: v=spf1 include:_spf.example.com ~all
  dmarc: v=DMARC1; p=none; rua=mailto:dmarc@example.com
  dkim:  # a CNAME to the provider's key, as the DNS article shows it
    selector: mail
    key_source: Your control panel shows the key.
    cname: dkim.example.com
"""
MX2_AT, SPF_AT, DMARC_AT = "33:13", "35:8", "36:10"  # MX1 at 31:13  # in PROVIDER + DNS


@pytest.fixture(scope="module")
def dns_project(tmp_path_factory: pytest.TempPathFactory, project: Path) -> Path:
    root = tmp_path_factory.mktemp("dns-project")
    (root / "data").mkdir()
    for item in (project / "data").iterdir():
        target = root / "data" / item.name
        if item.is_dir():
            target.mkdir()
            for file in item.iterdir():
                (target / file.name).write_bytes(file.read_bytes())
        else:
            target.write_bytes(item.read_bytes())
    (root / "data" / "provider.yml").write_text(PROVIDER.format(host=servers.HOST) + DNS)
    return root


@pytest.fixture(scope="module")
def bind(server_dir: Path, dns_project: Path) -> Iterator[servers.Named]:
    snippet = zone_snippet(load_kb(dns_project))
    assert snippet is not None
    broken = (snippet.replace("mx2.example.com.", "mx3.example.net.")
              .replace("include:_spf.example.com", "include:_spf.example.net")
              .replace("dkim.example.com.", "dkim.example.net."))
    broken = "\n".join(line for line in broken.splitlines() if not line.startswith("_dmarc"))
    with servers.named(server_dir / "named", {"good.example.org": snippet,
                                              "bad.example.org": broken}) as named:
        yield named


def test_published_records_that_match_pass(dns_project: Path, ca: servers.CA,
                                           dovecot: servers.Dovecot, postfix: servers.Postfix,
                                           bind: servers.Named,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(dns_project, ca, good_routes(dovecot, postfix), capsys,
                           "--nameserver", f"{DNS_ADDRESS}:{bind.port}", "--domain", "good.example.org")
    assert (status, err) == (0, ""), err
    assert out == ("kbgen: the servers do what the data says: 6 endpoint(s) and the DNS records "
                   "of good.example.org checked\n")


def test_each_published_difference_is_shown_at_its_fact(
        dns_project: Path, ca: servers.CA, dovecot: servers.Dovecot, postfix: servers.Postfix,
        bind: servers.Named, capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run(dns_project, ca, good_routes(dovecot, postfix), capsys,
                            "--nameserver", f"{DNS_ADDRESS}:{bind.port}", "--domain", "bad.example.org")
    assert status == 1
    fix = ("(publish the record the DNS article shows, or correct the data if the published "
           "one is right)")
    assert err.splitlines() == [
        "data/provider.yml:31:13: dns.mx[0].host: bad.example.org also publishes MX "
        "20 mx3.example.net., which the DNS article does not list (remove it from the zone, "
        "or add it to the data)",
        f"data/provider.yml:{MX2_AT}: dns.mx[1].host: bad.example.org has no MX record "
        f"'20 mx2.example.com.'; it publishes 10 mx1.example.com., 20 mx3.example.net. {fix}",
        f"data/provider.yml:{SPF_AT}: dns.spf: bad.example.org publishes TXT "
        "v=spf1 include:_spf.example.net ~all where the DNS article says "
        f"'v=spf1 include:_spf.example.com ~all' {fix}",
        f"data/provider.yml:{DMARC_AT}: dns.dmarc: _dmarc.bad.example.org has no TXT record "
        f"'v=DMARC1; p=none; rua=mailto:dmarc@example.com' {fix}",
        "data/provider.yml:40:12: dns.dkim.cname: mail._domainkey.bad.example.org publishes CNAME "
        f"dkim.example.net. where the DNS article says 'dkim.example.com.' {fix}",
    ]


def test_a_nameserver_that_does_not_answer_is_unreachable(
        dns_project: Path, ca: servers.CA, dovecot: servers.Dovecot, postfix: servers.Postfix,
        capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:  # reads nothing, answers never
        silent.bind((DNS_ADDRESS, 0))
        port = silent.getsockname()[1]
        status, _out, err = run(dns_project, ca, good_routes(dovecot, postfix), capsys,
                                "--nameserver", f"{DNS_ADDRESS}:{port}", "--domain",
                                "good.example.org", timeout=0.5)
    assert status == 2
    assert err.splitlines() == [
        "data/provider.yml:31:13: dns.mx[0].host: no DNS answer for good.example.org MX within "
        "0.5 s; the other DNS records were not asked for (check --nameserver, or try again later)"]


@pytest.mark.parametrize("value", ["", "a:b", "1.2.3.4:0", "1.2.3.4:70000"])
def test_a_wrong_nameserver_is_refused_with_its_form(dns_project: Path, value: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from kbgen.adapters.cli import main
    assert main(["--root", str(dns_project), "verify", "--nameserver", value]) == 2
    assert capsys.readouterr().err.startswith(f"kbgen: --nameserver {value!r} is not ADDRESS")
