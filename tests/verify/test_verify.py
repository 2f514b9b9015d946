"""`kbgen verify` against real Dovecot and Postfix servers started by the tests.

The servers are set up right once; each test then points one of the data's endpoints at
a server broken in one way (with --connect-to, as a staging server would be) and checks
the exact problem, its line and column in provider.yml, and the exit status.
"""

from __future__ import annotations

import json
import re
import shutil
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbgen.adapters.cli import main

from . import servers
from .conftest import PROVIDER, _dovecot
from .servers import ADDRESS, HOST, INSTALL, MISSING

if MISSING:  # the rules: a missing tool fails, never skips
    pytest.fail(f"kbgen verify's tests need {', '.join(MISSING)}; {INSTALL}", pytrace=False)
if not servers.is_root():
    pytest.fail("kbgen verify's tests start Dovecot and Postfix, which need root", pytrace=False)

# Positions in PROVIDER (conftest.py) of the value each problem points at.
HOST_AT = {"imap": "14:11", "pop3": "19:11", "smtp": "24:11"}
SECURITY_AT = {("imap", 993): "16:19", ("imap", 143): "17:19", ("pop3", 995): "21:19",
               ("pop3", 110): "22:19", ("smtp", 465): "26:19", ("smtp", 587): "27:19"}
ENDPOINT_AT = {key: at.replace(":19", ":9") for key, at in SECURITY_AT.items()}
NAMES = {"imap": "IMAP", "pop3": "POP3", "smtp": "SMTP"}
UNREACHABLE_HINT = ("(check that the server runs and that the port is open to the internet; this is "
                    "a fault of the network or the server, not of the data, unless the host or the "
                    "port is wrong)")


def good_routes(dovecot: servers.Dovecot, postfix: servers.Postfix) -> dict[int, int]:
    """The data's standard ports -> the test servers' ports."""
    return {993: dovecot.imaps, 143: dovecot.imap, 995: dovecot.pop3s, 110: dovecot.pop3,
            465: postfix.smtps, 587: postfix.submission}


def run(project: Path, ca: servers.CA, routes: dict[int, int], capsys: pytest.CaptureFixture[str],
        *extra: str, host: str = HOST, timeout: float = 2, deadline: float = 20) -> tuple[int, str, str]:
    args = ["--root", str(project), "verify", "--cafile", str(ca.cert), "--timeout", str(timeout),
            "--deadline", str(deadline)]
    for port, to in routes.items():
        args += ["--connect-to", f"{host}:{port}:{ADDRESS}:{to}"]
    capsys.readouterr()
    status = main([*args, *extra])
    out, err = capsys.readouterr()
    return status, out, err


def via(port: int) -> str:
    return f"(via {ADDRESS}:{port})"


def test_a_right_setup_passes(project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                              postfix: servers.Postfix, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    status, out, err = run(project, ca, good_routes(dovecot, postfix), capsys)
    assert (status, err) == (0, ""), err
    assert out == "kbgen: the servers do what the data says: 6 endpoint(s) checked\n"
    assert time.monotonic() - started < 5


def test_without_the_ca_every_certificate_is_refused(project: Path, ca: servers.CA,
                                                      dovecot: servers.Dovecot, postfix: servers.Postfix,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """--cafile is what makes the test CA trusted: without it, as a mail app would."""
    args = ["--root", str(project), "verify", "--timeout", "2"]
    for port, to in good_routes(dovecot, postfix).items():
        args += ["--connect-to", f"{HOST}:{port}:{ADDRESS}:{to}"]
    assert main(args) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 6
    assert lines[0] == (
        f"data/provider.yml:14:11: servers.imap.host: the certificate on port 143 on {HOST} "
        f"{via(dovecot.imap)} is not valid: unable to get local issuer certificate; mail apps will "
        f"refuse it (install a certificate for {HOST} from a trusted authority, with its intermediate "
        "certificates; for a private CA, give kbgen verify --cafile)")


@pytest.mark.parametrize("protocol,port,to", [("imap", 993, "imap"), ("pop3", 995, "pop3"),
                                              ("smtp", 465, "submission")])
def test_starttls_on_the_implicit_tls_port(project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                                           postfix: servers.Postfix, capsys: pytest.CaptureFixture[str],
                                           protocol: str, port: int, to: str) -> None:
    routes = good_routes(dovecot, postfix)
    routes[port] = getattr(postfix if protocol == "smtp" else dovecot, to)
    status, _out, err = run(project, ca, routes, capsys)
    assert status == 1
    assert err == (
        f"data/provider.yml:{SECURITY_AT[protocol, port]}: servers.{protocol}.endpoints[0].security: "
        f"port {port} on {HOST} {via(routes[port])} speaks plain {NAMES[protocol]} and offers STARTTLS; "
        f"the data says SSL/TLS (if the server is right, write 'security: starttls' for this "
        f"endpoint; if the data is right, turn on implicit TLS for {NAMES[protocol]} on port {port})\n")


@pytest.mark.parametrize("protocol,port,to", [("imap", 143, "imaps"), ("pop3", 110, "pop3s"),
                                              ("smtp", 587, "smtps")])
def test_implicit_tls_on_the_starttls_port(project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                                           postfix: servers.Postfix, capsys: pytest.CaptureFixture[str],
                                           protocol: str, port: int, to: str) -> None:
    routes = good_routes(dovecot, postfix)
    routes[port] = getattr(postfix if protocol == "smtp" else dovecot, to)
    status, _out, err = run(project, ca, routes, capsys, timeout=1)
    assert status == 1
    name = NAMES[protocol]
    assert err == (
        f"data/provider.yml:{SECURITY_AT[protocol, port]}: servers.{protocol}.endpoints[1].security: "
        f"port {port} on {HOST} {via(routes[port])} expects a TLS handshake first (implicit TLS) and "
        f"sends no plain {name} greeting; the data says STARTTLS (if the server is right, write "
        f"'security: tls' for this endpoint; if the data is right, serve plain {name} with STARTTLS "
        f"on port {port})\n")


@pytest.fixture(scope="session")
def other_name(server_dir: Path, ca: servers.CA) -> Iterator[servers.Dovecot]:
    yield from _dovecot(server_dir, ca, "other-name", cert_name="mail.example.net")


def test_a_certificate_for_another_name(project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                                        postfix: servers.Postfix, other_name: servers.Dovecot,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    routes = {**good_routes(dovecot, postfix), 993: other_name.imaps, 143: other_name.imap}
    status, _out, err = run(project, ca, routes, capsys)
    assert status == 1
    hint = (f"(install a certificate that names {HOST}, or show readers a host name the "
            "certificate is for)")
    assert err.splitlines() == [
        f"data/provider.yml:14:11: servers.imap.host: the certificate on port {port} on {HOST} "
        f"{via(routes[port])} is for mail.example.net, not {HOST}, the name readers type {hint}"
        for port in (143, 993)]


def test_mail_domain_hosts_are_checked_for_the_given_domain(
        tmp_path: Path, project: Path, ca: servers.CA, other_name: servers.Dovecot,
        capsys: pytest.CaptureFixture[str]) -> None:
    """mail.{domain}: the certificate must name mail.<--domain>, and --connect-to uses that name."""
    root = tmp_path / "customer"
    shutil.copytree(project, root)
    (root / "data" / "provider.yml").write_text(PROVIDER.format(host="mail.{domain}"))
    routes = {993: other_name.imaps, 143: other_name.imap, 995: other_name.pop3s, 110: other_name.pop3}
    status, out, err = run(root, ca, routes, capsys, "--domain", "example.net", host="mail.example.net",
                           timeout=1)
    # SMTP is not routed anywhere: mail.example.net does not resolve, a network failure.
    assert status == 2
    lines = err.splitlines()
    assert [line.split(": ")[0] for line in lines] == ["data/provider.yml:26:9", "data/provider.yml:27:9"]
    assert "could not reach port 465 on mail.example.net: " in lines[0]
    assert out == "kbgen: 2 endpoint(s) not reachable, of 6 endpoint(s)\n"


@pytest.fixture(scope="session")
def expired(server_dir: Path, ca: servers.CA) -> Iterator[servers.Dovecot]:
    yield from _dovecot(server_dir, ca, "expired", expired=True)


def test_an_expired_certificate(project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                                postfix: servers.Postfix, expired: servers.Dovecot,
                                capsys: pytest.CaptureFixture[str]) -> None:
    routes = {**good_routes(dovecot, postfix), 995: expired.pop3s}
    status, _out, err = run(project, ca, routes, capsys)
    assert status == 1
    assert err == (
        f"data/provider.yml:19:11: servers.pop3.host: the certificate on port 995 on {HOST} "
        f"{via(expired.pop3s)} is not valid: certificate has expired; mail apps will refuse it "
        f"(install a certificate for {HOST} from a trusted authority, with its intermediate "
        "certificates; for a private CA, give kbgen verify --cafile)\n")


@pytest.fixture(scope="session")
def expiring(server_dir: Path, ca: servers.CA) -> Iterator[servers.Dovecot]:
    yield from _dovecot(server_dir, ca, "expiring", days=10)


def test_a_certificate_expiring_in_10_days(project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                                           postfix: servers.Postfix, expiring: servers.Dovecot,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    routes = {**good_routes(dovecot, postfix), 993: expiring.imaps}
    status, _out, err = run(project, ca, routes, capsys)
    assert status == 1
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 10 * 86400))
    assert err == (
        f"data/provider.yml:14:11: servers.imap.host: the certificate on port 993 on {HOST} "
        f"{via(expiring.imaps)} expires on {day}, in 10 day(s) (renew it now: kbgen verify reports "
        "a certificate 21 days before it expires, before mail apps refuse it)\n")


@pytest.fixture(scope="session")
def plaintext(server_dir: Path, ca: servers.CA) -> Iterator[servers.Dovecot]:
    yield from _dovecot(server_dir, ca, "plaintext", plaintext_auth=True)


def test_a_password_login_before_starttls(project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                                          postfix: servers.Postfix, plaintext: servers.Dovecot,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    routes = {**good_routes(dovecot, postfix), 143: plaintext.imap, 110: plaintext.pop3,
              587: postfix.submission_plain_auth}
    status, _out, err = run(project, ca, routes, capsys)
    assert status == 1
    hint = ("(make the server refuse logins until TLS is up: ssl = required in Dovecot, "
            "smtpd_tls_auth_only = yes in Postfix; an IMAP server then advertises LOGINDISABLED)")
    offers = {"imap": "AUTH=LOGIN, AUTH=PLAIN and the LOGIN command (no LOGINDISABLED)",
              "pop3": "SASL LOGIN, SASL PLAIN and USER/PASS", "smtp": "AUTH LOGIN and AUTH PLAIN"}
    assert err.splitlines() == [
        f"data/provider.yml:{SECURITY_AT[protocol, port]}: servers.{protocol}.endpoints[1].security: "
        f"port {port} on {HOST} {via(routes[port])} offers {offers[protocol]} before STARTTLS: a mail "
        f"app can send the password unencrypted; the data says STARTTLS {hint}"
        for protocol, port in (("imap", 143), ("pop3", 110), ("smtp", 587))]


def test_submission_without_a_login(project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                                    postfix: servers.Postfix, capsys: pytest.CaptureFixture[str]) -> None:
    routes = {**good_routes(dovecot, postfix), 587: postfix.submission_open}
    status, _out, err = run(project, ca, routes, capsys)
    assert status == 1
    assert err == (
        f"data/provider.yml:11:21: smtp_auth_required: port 587 on {HOST} {via(postfix.submission_open)} "
        "takes mail without a login (RCPT TO:<postmaster@example.com> answered 250 2.1.5 Ok); the data "
        "says sending needs the username and password (make the submission port refuse mail until "
        "the sender has signed in, e.g. Postfix's smtpd_recipient_restrictions = "
        "permit_sasl_authenticated, reject; or write smtp_auth_required: false)\n")
    # Nothing was sent: Postfix logs the session's commands, and there was no DATA.
    end = time.monotonic() + 5
    while not (said := [line for line in postfix.log.read_text().splitlines()
                        if "postfix/open/smtpd" in line and "disconnect from" in line]):
        assert time.monotonic() < end, postfix.log.read_text()
        time.sleep(0.1)
    assert "mail=1 rcpt=1 rset=1 quit=1" in said[-1]
    assert "data=" not in said[-1]


def test_a_closed_port_is_unreachable_not_wrong(project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                                                postfix: servers.Postfix,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    closed = servers.free_port()
    routes = {**good_routes(dovecot, postfix), 993: closed}
    status, out, err = run(project, ca, routes, capsys)
    assert status == 2
    assert err == (f"data/provider.yml:16:9: servers.imap.endpoints[0]: could not reach port 993 on "
                   f"{HOST} {via(closed)}: connection refused {UNREACHABLE_HINT}\n")
    assert out == "kbgen: 1 endpoint(s) not reachable, of 6 endpoint(s)\n"


def test_a_server_that_never_answers_times_out(project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                                               postfix: servers.Postfix,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with servers.silent_server() as silent:
        routes = {**good_routes(dovecot, postfix), 993: silent, 587: silent}
        started = time.monotonic()
        status, _out, err = run(project, ca, routes, capsys, timeout=1)
        took = time.monotonic() - started
    assert status == 2
    assert err.splitlines() == [
        f"data/provider.yml:16:9: servers.imap.endpoints[0]: port 993 on {HOST} {via(silent)} accepted "
        f"the connection but answered neither the TLS handshake nor in plain IMAP (no answer in "
        f"time) {UNREACHABLE_HINT}",
        f"data/provider.yml:27:9: servers.smtp.endpoints[1]: port 587 on {HOST} {via(silent)} accepted "
        f"the connection but answered neither in plain SMTP nor with TLS (no answer in time) "
        f"{UNREACHABLE_HINT}"]
    assert took < 6  # two waits of --timeout for each of the two endpoints, and the rest


def test_the_overall_deadline_stops_the_run(project: Path, ca: servers.CA,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with servers.silent_server() as silent:
        routes = dict.fromkeys((993, 143, 995, 110, 465, 587), silent)
        started = time.monotonic()
        status, _out, err = run(project, ca, routes, capsys, timeout=5, deadline=1.5)
        took = time.monotonic() - started
    assert status == 2
    assert took < 3
    lines = err.splitlines()
    assert len(lines) == 6
    assert lines[-1] == ("data/provider.yml:27:9: servers.smtp.endpoints[1]: not checked: the overall "
                         "deadline of 1.5 s passed (give --deadline more seconds)")


def test_github_and_json_formats(project: Path, ca: servers.CA, dovecot: servers.Dovecot,
                                 postfix: servers.Postfix, capsys: pytest.CaptureFixture[str]) -> None:
    routes = {**good_routes(dovecot, postfix), 993: dovecot.imap}
    status, out, err = run(project, ca, routes, capsys, "--format", "json")
    assert status == 1
    [problem] = json.loads(out)
    assert (problem["file"], problem["line"], problem["col"], problem["path"]) == (
        "data/provider.yml", 16, 19, "servers.imap.endpoints[0].security")
    assert problem["message"].startswith(f"port 993 on {HOST} {via(dovecot.imap)} speaks plain IMAP")
    assert err == "kbgen: 1 fact(s) contradicted by the servers, of 6 endpoint(s)\n"
    status, out, _err = run(project, ca, routes, capsys, "--format", "github")
    assert status == 1
    assert re.fullmatch(r"::error file=data/provider.yml,line=16,col=19,"
                        r"title=servers.imap.endpoints\[0\].security::port 993 on .* speaks plain "
                        r"IMAP and offers STARTTLS; the data says SSL/TLS \(.*\)\n", out)


@pytest.mark.parametrize("value", ["mail.example.com:993", "mail.example.com:99999:127.0.0.1:1",
                                   "a:b:c:d"])
def test_a_wrong_connect_to_is_refused_with_its_form(project: Path, value: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "verify", "--connect-to", value]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kbgen: --connect-to {value!r}")
    assert "HOST:PORT:ADDRESS:PORT" in err or "is not a port" in err


def test_help_says_what_each_exit_status_means(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0 the servers do what the data says; 1 a server contradicts the data" in shown
    assert "2 a server could not be reached or did not answer in time" in shown
    for option in ("--connect-to HOST:PORT:ADDRESS:PORT", "--cafile PATH", "--domain DOMAIN",
                   "--timeout SECONDS", "--deadline SECONDS", "--format {github,json,text}",
                   "--dns", "--nameserver ADDRESS[:PORT]", "--account ADDRESS"):
        assert option in shown


def test_the_tls_contexts_trust_what_they_say() -> None:
    from kbgen.verify.net import contexts

    full, chain, blind = contexts(None)
    assert (full.verify_mode, full.check_hostname) == (ssl.CERT_REQUIRED, True)
    assert (chain.verify_mode, chain.check_hostname) == (ssl.CERT_REQUIRED, False)
    assert blind.verify_mode == ssl.CERT_NONE


@pytest.mark.parametrize("content", [None, "not a certificate\n"])
def test_an_unusable_cafile_is_said_plainly(tmp_path: Path, project: Path, content: str | None,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    cafile = tmp_path / "ca.pem"
    if content is not None:
        cafile.write_text(content)
    assert main(["--root", str(project), "verify", "--cafile", str(cafile)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kbgen: --cafile {cafile}: cannot use it as CA certificates (")
    assert "Traceback" not in err


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_timeout_must_be_seconds_above_zero(project: Path, value: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--root", str(project), "verify", "--timeout", value])
    assert exited.value.code == 2
    assert "is not a number of seconds above 0" in capsys.readouterr().err


def test_an_account_signs_in_everywhere_and_gets_its_own_message(
        project: Path, ca: servers.CA, dovecot: servers.Dovecot, postfix: servers.Postfix,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBGEN_VERIFY_PASSWORD", servers.PASSWORD)
    status, out, err = run(project, ca, good_routes(dovecot, postfix), capsys,
                           "--account", servers.ACCOUNT)
    assert (status, err) == (0, ""), err
    assert out == (f"kbgen: the servers do what the data says: 6 endpoint(s), signed in as "
                   f"{servers.ACCOUNT} and a message sent to itself checked\n")
    # The message was found by IMAP, then by POP3, which deleted it: the mailbox is empty again.
    maildir = Path(dovecot.log).parent / "mail" / servers.ACCOUNT / "Maildir"
    assert not list((maildir / "cur").iterdir()) and not list((maildir / "new").iterdir())


def test_an_account_with_the_other_username_form(
        tmp_path: Path, project: Path, ca: servers.CA, dovecot: servers.Dovecot,
        postfix: servers.Postfix, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The data says usernames are the part before the @; the server wants the address."""
    root = tmp_path / "project"
    shutil.copytree(project, root)
    provider = root / "data" / "provider.yml"
    provider.write_text(provider.read_text().replace("format: email", "format: localpart"))
    monkeypatch.setenv("KBGEN_VERIFY_PASSWORD", servers.PASSWORD)
    status, _out, err = run(root, ca, good_routes(dovecot, postfix), capsys, "--account",
                            servers.ACCOUNT)
    assert status == 1, err
    ports = {993: dovecot.imaps, 143: dovecot.imap, 995: dovecot.pop3s, 110: dovecot.pop3,
             465: postfix.smtps, 587: postfix.submission}
    assert sorted(err.splitlines()) == sorted(
        f"data/provider.yml:9:11: username.format: port {port} on {HOST} {via(to)} refuses "
        f"alice but signs in {servers.ACCOUNT}: usernames there are the whole address, not what "
        "username.format says (set username.format to email)" for port, to in ports.items())


def test_an_account_without_its_password_is_refused_plainly(
        project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KBGEN_VERIFY_PASSWORD", raising=False)
    assert main(["--root", str(project), "verify", "--account", servers.ACCOUNT]) == 2
    assert capsys.readouterr().err == (
        f"kbgen: --account {servers.ACCOUNT}: set the password in the environment variable "
        "KBGEN_VERIFY_PASSWORD (never on the command line, which logs keep)\n")


def test_a_wrong_password_is_not_a_mistake_in_the_data(
        project: Path, ca: servers.CA, dovecot: servers.Dovecot, postfix: servers.Postfix,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBGEN_VERIFY_PASSWORD", "wrong")
    status, _out, err = run(project, ca, good_routes(dovecot, postfix), capsys,
                            "--account", servers.ACCOUNT)
    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 6
    assert lines[0].startswith(f"data/provider.yml:16:9: servers.imap.endpoints[0]: port 993 on "
                               f"{HOST} {via(dovecot.imaps)} refused the sign-in of "
                               f"{servers.ACCOUNT} (")
    assert lines[0].endswith("(check the account and the password in KBGEN_VERIFY_PASSWORD)")
