"""The DNS records article and its zone file: parsed with dnspython, compared with the data."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from collections.abc import Callable
from pathlib import Path

import dns.name
import dns.rdatatype
import dns.zone
import pytest
from bs4 import BeautifulSoup

from kbgen.adapters.cli import main
from kbgen.data import facts
from kbgen.data.data_folder import load_kb
from kbgen.data.errors import DataError, Severity
from kbgen.data.kb import KB
from kbgen.data.model import MxHost, ServerEndpoint
from kbgen.data.urls import DNS_ZONE_PATH
from kbgen.mailapps.dns import zone_snippet

from ..conftest import ROOT, build_or_fail, copy_project, copy_provider, edit, provider_names

ORIGIN = dns.name.from_text("customer.example.")
ARTICLE = "email/dns-records"


def parse(text: str, ttl: int = 3600) -> dict[tuple[str, str], list[str]]:
    """Every record of the snippet, placed under a customer's domain, as text per (name, type)."""
    zone = dns.zone.from_text(text, origin=ORIGIN, relativize=False, check_origin=False)
    out: dict[tuple[str, str], list[str]] = {}
    for name, rdataset in zone.iterate_rdatasets():
        for rdata in rdataset:
            out.setdefault((name.to_text(), dns.rdatatype.to_text(rdataset.rdtype)), []).append(
                rdata.to_text())
            assert rdataset.ttl == ttl
    return {k: sorted(v) for k, v in out.items()}


def fqdn(host: str) -> str:
    return host.replace("{domain}", "customer.example").rstrip(".") + "."


def expected(kb: KB) -> dict[tuple[str, str], list[str]]:
    """What the data says, built here without kbgen's record code."""
    d = kb.provider.dns
    assert d is not None
    at = ORIGIN.to_text()
    out: dict[tuple[str, str], list[str]] = {
        (at, "MX"): sorted(f"{mx.priority} {fqdn(mx.host)}" for mx in d.mx)}
    if d.spf:
        out[(at, "TXT")] = [f'"{d.spf}"']
    if d.dmarc:
        out[(f"_dmarc.{at}", "TXT")] = [f'"{d.dmarc}"']
    if d.dkim and d.dkim.cname:
        out[(f"{d.dkim.selector}._domainkey.{at}", "CNAME")] = [fqdn(d.dkim.cname)]
    if d.autoconfig:
        out[(f"autoconfig.{at}", "CNAME")] = [fqdn(d.autoconfig)]
    if d.autodiscover:
        out[(f"autodiscover.{at}", "CNAME")] = [fqdn(d.autodiscover)]
        out[(f"_autodiscover._tcp.{at}", "SRV")] = [f"0 1 443 {fqdn(d.autodiscover)}"]
    for pid in ("imap", "pop3", "smtp"):
        server = facts.server(kb.provider, pid)
        found = facts.settings_row(kb, pid).endpoints if server else []
        protocol = kb.protocols.get(pid)
        for security, label in (protocol.srv if protocol else {}).items():
            ep = facts.endpoint(found, security)
            out[(f"{label}.{at}", "SRV")] = [
                f"{srv_priority(pid, security)} 1 {ep.port} {fqdn(server.host)}"
                if ep and server else "0 0 0 ."]
    return out


def srv_priority(pid: str, security: str) -> int:
    # implicit TLS before STARTTLS, IMAP before POP3 (RFC 8314, RFC 6186 section 3.4)
    rank = {"imap": 0, "pop3": 20, "smtp": 0}[pid]
    return rank + (0 if security == "tls" else 10)


def with_dns(kb: KB, **changes: object) -> KB:
    assert kb.provider.dns is not None
    kb.provider = kb.provider.model_copy(update={"dns": kb.provider.dns.model_copy(update=changes)})
    return kb


SOA_SERIAL = 2026120401


def customer_zone(snippet: str) -> str:
    """The snippet pasted into a customer's zone, as its comments say: after the zone's own
    SOA and NS records, with an address for each of the customer's own names it points at
    (cPanel's mail.<domain>), which their zone has already."""
    zone = dns.zone.from_text(snippet, origin=ORIGIN, relativize=False, check_origin=False)
    targets = {target for _name, rdataset in zone.iterate_rdatasets() for rdata in rdataset
               for target in (getattr(rdata, "exchange", None), getattr(rdata, "target", None))
               if target is not None and target.is_subdomain(ORIGIN)}
    own = sorted(t.to_text() for t in targets if zone.get_node(t) is None)
    return "\n".join([
        f"$ORIGIN {ORIGIN}", "$TTL 3600",
        f"@ IN SOA ns1 hostmaster {SOA_SERIAL} 7200 3600 1209600 3600", "@ IN NS ns1",
        "ns1 IN A 192.0.2.53", *(f"{name} IN A 192.0.2.1" for name in own), snippet])


def named_checkzone(zone: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """BIND's own zone loader, every check failing instead of warning; -i local: only the
    customer's names are looked up, as there is no network here."""
    binary = shutil.which("named-checkzone")
    assert binary, "named-checkzone is missing: install Debian's bind9-utils (scripts/setup does)"
    path = tmp_path / "customer.example.zone"
    path.write_text(zone, encoding="utf-8")
    checks = [arg for flag in "kmMnrS" for arg in (f"-{flag}", "fail")]
    return subprocess.run([binary, *checks, "-i", "local", ORIGIN.to_text(omit_final_dot=True),
                           str(path)], capture_output=True, text=True, check=False, timeout=60)


def assert_bind_loads(snippet: str, tmp_path: Path) -> None:
    result = named_checkzone(customer_zone(snippet), tmp_path)
    assert (result.returncode, result.stdout.splitlines(), result.stderr) == (
        0, [f"zone customer.example/IN: loaded serial {SOA_SERIAL}", "OK"], ""), result


def test_bind_refuses_what_the_checks_refuse(tmp_path: Path) -> None:
    """The check above fails on a broken record, so its passing means something."""
    kb = load_kb(ROOT)
    zone = customer_zone(zone_snippet(kb) or "")
    result = named_checkzone(zone.replace('"v=spf1', '"v=spf1\n', 1), tmp_path)
    assert result.returncode == 1 and "unbalanced quotes" in result.stdout, result


@pytest.mark.slow
@pytest.mark.parametrize("name", provider_names())
def test_bind_and_dnspython_load_the_zone_file_of_every_provider(
        name: str, provider_site: Callable[[str], Path], tmp_path: Path) -> None:
    site = provider_site(name)
    kb = load_kb(site.parent)
    assert kb.provider.dns is not None, f"give tests/providers/{name} a dns: section"
    snippet = (site / DNS_ZONE_PATH).read_text(encoding="utf-8")
    assert parse(snippet, kb.provider.dns.ttl) == expected(kb)
    assert_bind_loads(snippet, tmp_path)


def test_a_protocol_file_removed_with_its_protocol_leaves_its_records_out(tmp_path: Path) -> None:
    # A provider that offers no POP3 may delete data/protocols/pop3.yml (checks._check_protocols).
    root = copy_provider("imap-only", tmp_path / "p")
    (root / "data/protocols/pop3.yml").unlink()
    kb = load_kb(root)
    snippet = zone_snippet(kb) or ""
    assert "_pop3" not in snippet and "_imaps._tcp " in snippet
    assert parse(snippet) == expected(kb)
    assert_bind_loads(snippet, tmp_path)


def test_zone_file_holds_exactly_the_records_of_the_data() -> None:
    kb = load_kb(ROOT)
    text = zone_snippet(kb)
    assert text is not None
    found = parse(text)
    assert found == expected(kb)
    # the example offers every service: each SRV record has a real target, TLS first
    srv = {k[0].split(".")[0]: v[0].split() for k, v in found.items() if k[1] == "SRV"}
    assert int(srv["_imaps"][0]) < int(srv["_imap"][0]) < int(srv["_pop3s"][0]) < int(srv["_pop3"][0])
    assert int(srv["_submissions"][0]) < int(srv["_submission"][0])
    assert srv["_imaps"][2] == "993" and srv["_submissions"][2] == "465"


def test_a_service_not_offered_gets_a_dot_and_own_domain_hosts_stay_relative() -> None:
    kb = load_kb(ROOT)
    servers = kb.provider.servers
    imap = servers.imap.model_copy(update={"host": "mail.{domain}",
                                           "endpoints": [ServerEndpoint(security="tls")]})
    smtp = servers.smtp.model_copy(update={"endpoints": [ServerEndpoint(security="starttls")]})
    kb.provider = kb.provider.model_copy(update={"servers": servers.model_copy(
        update={"imap": imap, "smtp": smtp})})
    with_dns(kb, mx=[MxHost(host="mx.{domain}", priority=5)])
    found = parse(zone_snippet(kb) or "")
    assert found == expected(kb)
    assert found[("_imap._tcp.customer.example.", "SRV")] == ["0 0 0 ."]
    assert found[("_submissions._tcp.customer.example.", "SRV")] == ["0 0 0 ."]
    assert found[("_imaps._tcp.customer.example.", "SRV")] == ["0 1 993 mail.customer.example."]
    assert found[("customer.example.", "MX")] == ["5 mx.customer.example."]


def test_hostile_names_cannot_add_records() -> None:
    kb = load_kb(ROOT)
    kb.provider = kb.provider.model_copy(update={
        "name": "Evil\n$INCLUDE /etc/passwd\n@ 60 IN A 192.0.2.1\r\u2028@ IN NS x."})
    text = zone_snippet(kb) or ""
    assert "\n$INCLUDE" not in text and "\n@ 60 IN A" not in text
    assert parse(text) == expected(kb)


def test_a_long_spf_record_is_split_into_strings_of_255() -> None:
    kb = load_kb(ROOT)
    spf = "v=spf1 " + " ".join(f"ip4:192.0.2.{i}" for i in range(1, 40)) + " -all"
    assert len(spf) > 255
    with_dns(kb, spf=spf)
    zone = dns.zone.from_text(zone_snippet(kb) or "", origin=ORIGIN, check_origin=False)
    (txt,) = zone.find_rdataset("@", "TXT")
    assert [len(s) for s in txt.strings][:-1] == [255] * (len(spf) // 255)
    assert b"".join(txt.strings).decode() == spf


def test_no_dns_section_means_no_zone_file() -> None:
    kb = load_kb(ROOT)
    kb.provider = kb.provider.model_copy(update={"dns": None})
    assert zone_snippet(kb) is None


# ------------------------------------------------------------------ checks


def _problems(root: Path) -> list[str]:
    try:
        kb = load_kb(root)
    except DataError as err:
        return [str(p) for p in err.problems]
    return [str(p) for p in kb.warnings]


@pytest.mark.parametrize(("old", "new", "shown"), [
    ("spf: v=spf1 include:_spf.example.com ~all", "spf: v=spf1 include:_spf.example.com",
     ":46:39: dns.spf: an SPF record ends with an 'all' mechanism (end it with ~all"),
    ("spf: v=spf1 include:_spf.example.com ~all", "spf: spf1 include:_spf.example.com ~all",
     ":46:8: dns.spf: an SPF record starts with 'v=spf1'"),
    ("spf: v=spf1 include:_spf.example.com ~all", "spf: v=spf1 incude:_spf.example.com ~all",
     ":46:15: dns.spf: 'incude:_spf.example.com' is not an SPF mechanism or modifier"),
    ("spf: v=spf1 include:_spf.example.com ~all", "spf: v=spf1 -all include:_spf.example.com",
     ":46:15: dns.spf: receivers stop reading at '-all', so the mechanisms after it are never used"),
    ("spf: v=spf1 include:_spf.example.com ~all", "spf: v=spf1 include:_spf.example.com +all",
     ":46:40: dns.spf: warning: '+all' lets every server in the world send mail as the domain"),
    ("spf: v=spf1 include:_spf.example.com ~all", 'spf: "v=spf1 a \\"b\\" ~all"',
     ":46:8: dns.spf: an SPF record is plain ASCII without quotes or backslashes"),
    ('dmarc: "v=DMARC1; p=none;', 'dmarc: "v=DMARC1; p=maybe;',
     ":53:10: dns.dmarc: p=maybe is not allowed (use one of: none, quarantine, reject)"),
    ('dmarc: "v=DMARC1; p=none;', 'dmarc: "v=DMARC1; rua=x;',
     "dns.dmarc: the second tag of a DMARC record is the policy, p="),
    ('dmarc: "v=DMARC1; p=none;', 'dmarc: "DMARC1; p=none;',
     "dns.dmarc: a DMARC record starts with 'v=DMARC1'"),
    ("rua=mailto:dmarc-reports@example.com", "rua=dmarc-reports@example.com",
     ":53:10: dns.dmarc: rua lists where reports go as mailto: addresses"),
    ("    - host: mx2.example.com", "    - host: mx1.example.com",
     "dns.mx[1].host: mx1.example.com is listed twice"),
    ("autoconfig: autoconfig.example.com", "autoconfig: autoconfig.{domain}.example.net",
     "dns.autoconfig: autoconfig.{domain}.example.net cannot be written as a DNS record"),
    ("autoconfig: autoconfig.example.com", "autoconfig: autoconfig.{domain}",
     ":54:15: dns.autoconfig: autoconfig.{domain} is the name of the record itself: the CNAME "
     "would point to itself"),
    ("autodiscover: autodiscover.example.com", "autodiscover: autodiscover.{domain}",
     ":55:17: dns.autodiscover: autodiscover.{domain} is the name of the record itself"),
    ("    selector: mail", "    selector: Mail Key",
     "dns.dkim.selector:"),
    ("copy the whole value", "copy the {{ dkim.key }} value",
     ":51:42: dns.dkim.key_source: placeholders are not filled in this file ({{ dkim.key }})"),
])
def test_dns_mistakes_are_reported_at_their_place(tmp_path: Path, old: str, new: str, shown: str) -> None:
    root = copy_project(tmp_path)
    edit(root / "data/provider.yml", old, new)
    problems = _problems(root)
    assert any(shown in p and p.startswith("data/provider.yml:") for p in problems), problems


@pytest.mark.parametrize(("old", "new", "shown"), [
    # a long SPF record folded over lines, as YAML allows: '>' keeps a newline at the end
    ("  spf: v=spf1 include:_spf.example.com ~all",
     "  spf: >\n    v=spf1 include:_spf.example.com\n    ~all",
     "data/provider.yml:46:8: dns.spf: an SPF record is one line of text (found a line break) "
     "(write the SPF record on one line; a folded `>` scalar adds a newline at its end, "
     "`>-` does not)"),
    # a line break inside: in the zone file the rest would be a record of its own
    ("  spf: v=spf1 include:_spf.example.com ~all",
     '  spf: "v=spf1 ~all\\n@ 300 IN A 192.0.2.66"',
     "data/provider.yml:46:8: dns.spf: an SPF record is one line of text (found a line break)"),
    # a literal block: the position is the line break's own
    ('  dmarc: "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"',
     "  dmarc: |\n    v=DMARC1; p=none;\n    rua=mailto:dmarc-reports@example.com",
     "data/provider.yml:54:22: dns.dmarc: a DMARC record is one line of text (found a line break) "
     "(write the DMARC record on one line; a folded `>` scalar adds a newline at its end, "
     "`>-` does not)"),
])
def test_a_line_break_in_a_txt_record_is_refused_at_its_place(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, shown: str) -> None:
    root = copy_project(tmp_path)
    edit(root / "data/provider.yml", old, new)
    status = main(["--root", str(root), "validate", "--strict"])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert status == 1
    assert any(line.startswith(shown) for line in (out.out + out.err).splitlines()), out


def test_a_folded_record_written_as_the_hint_says_is_one_record(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    edit(root / "data/provider.yml", "  spf: v=spf1 include:_spf.example.com ~all",
          "  spf: >-\n    v=spf1 include:_spf.example.com\n    ~all")
    kb = load_kb(root)
    assert kb.warnings == []
    assert zone_snippet(kb) == zone_snippet(load_kb(ROOT))


def test_any_text_stays_one_string_of_one_record(tmp_path: Path) -> None:
    # The checks keep such text out of the data; the zone file must not depend on them.
    kb = load_kb(ROOT)
    text = 'v=spf1 ~all\n@ 300 IN A 192.0.2.66\r" ; \\ "\x00 é' + "x" * 300
    with_dns(kb, spf=text)
    zone = dns.zone.from_text(zone_snippet(kb) or "", origin=ORIGIN, check_origin=False)
    (txt,) = zone.find_rdataset("@", "TXT")
    assert b"".join(txt.strings) == text.encode()
    assert max(len(s) for s in txt.strings) == 255
    assert {name.to_text() for name in zone.nodes} == {
        "@", "_dmarc", "autoconfig", "autodiscover", "_autodiscover._tcp", *(
            label for pid in ("imap", "pop3", "smtp") for label in kb.protocols[pid].srv.values())}
    assert_bind_loads(zone_snippet(kb) or "", tmp_path)


def test_the_block_needs_a_dns_section(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    path = root / "data/provider.yml"
    text = path.read_text()
    path.write_text(text[: text.index("\ndns:")] + "\n")
    with pytest.raises(DataError) as err:
        load_kb(root)
    (problem,) = err.value.problems
    assert problem.file == "data/articles/dns-records.yml" and problem.path == "body[1].type"
    assert "dns:" in problem.hint and problem.severity is Severity.ERROR


# ------------------------------------------------------------------ the built site


def test_article_shows_the_records_and_offers_the_zone_file(example_site: Path) -> None:
    kb = load_kb(example_site.parent)
    page = BeautifulSoup((example_site / ARTICLE / "index.html").read_text(), "html.parser")
    h1 = page.select_one("article h1")
    assert h1 is not None and h1.get_text(strip=True).rstrip("¶") == "DNS records for email on your domain"
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in page.select("table.kb-dns tbody tr")]
    d = kb.provider.dns
    assert d is not None
    for mx in d.mx:
        assert ["@", "MX", str(mx.priority), mx.host] in rows
    assert ["@", "TXT", d.spf] in rows and ["_dmarc", "TXT", d.dmarc] in rows
    srv = {r[0]: r for r in rows if r[0].endswith("._tcp") and len(r) == 6}
    for pid in ("imap", "pop3", "smtp"):
        row = facts.settings_row(kb, pid)
        for security, label in kb.protocols[pid].srv.items():
            ep = facts.endpoint(row.endpoints, security)
            assert srv[label][3] == (str(ep.port) if ep else "0"), label
    link = page.select_one("a.kb-zone[download]")
    assert link is not None
    target = (example_site / ARTICLE / str(link["href"])).resolve()
    assert target == (example_site / DNS_ZONE_PATH).resolve()
    assert parse(target.read_text()) == expected(kb)
    # the DKIM key source is rendered Markdown from the data
    assert page.select_one(".kb-dkim-key strong") is not None


def test_article_is_in_the_nav_under_its_category_and_found_by_search(example_site: Path) -> None:
    kb = load_kb(example_site.parent)
    category = kb.categories[kb.entries["dns-records"].category]
    page = BeautifulSoup((example_site / ARTICLE / "index.html").read_text(), "html.parser")
    nav = page.select_one("nav.md-nav--primary")
    assert nav is not None
    section = next(li for li in nav.select("li.md-nav__item--nested")
                   if li.select_one("label, a") and category.title in li.get_text())
    assert "DNS records for email on your domain" in section.get_text()
    index = json.loads((example_site / "search/search_index.json").read_text(encoding="utf-8"))
    for word in ("MX", "SPF", "SRV", "DKIM", "DMARC"):
        pages = {d["location"].split("#")[0] for d in index["docs"]
                 if word in d["text"] or word in d["title"]}
        assert "email/dns-records/" in pages, word


def test_zone_file_is_served_as_text(example_site: Path) -> None:
    from kbgen.adapters.preview import serve_netlify

    with serve_netlify(example_site) as url, urllib.request.urlopen(url + DNS_ZONE_PATH) as response:
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert response.read() == (example_site / DNS_ZONE_PATH).read_bytes()


def test_pages_and_zone_change_with_the_port(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    smtp = root / "data/protocols/smtp.yml"
    smtp.write_text(smtp.read_text().replace("port: 465", "port: 1465"))
    site = build_or_fail(root, tmp_path / "site")
    found = parse((site / DNS_ZONE_PATH).read_text())
    assert found[("_submissions._tcp.customer.example.", "SRV")] == ["0 1 1465 mail.example.com."]
    page = BeautifulSoup((site / ARTICLE / "index.html").read_text(), "html.parser")
    assert any("_submissions._tcp" in tr.get_text() and "1465" in tr.get_text()
               for tr in page.select("table.kb-dns tr"))
