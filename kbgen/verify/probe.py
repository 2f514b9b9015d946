"""What a live server does on one endpoint, compared with what the data says of it.

A mail app's view comes first: the full check of the certificate. When it fails, the
probe connects again trusting less (the chain without the name, then nothing), to say
what the certificate is for and to go on with the other checks.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..data.errors import Problem
from .net import ConnectTo, Deadline, Unreachable, open_socket, route, where
from .sessions import AUTH_MECHANISMS, ERRORS, SESSIONS, Session, SmtpSession
from .targets import Target

EXPIRY_DAYS = 21
"""A certificate expiring sooner is reported: time to renew before mail apps refuse it."""

_MECHANISM_WORDS = {
    "password": "PLAIN or LOGIN",
    "encrypted-password": "CRAM-MD5, DIGEST-MD5 or SCRAM",
    "oauth2": "XOAUTH2 or OAUTHBEARER",
}


@dataclass
class Outcome:
    """What one endpoint's probe found: facts the server contradicts, and what could not be asked."""

    wrong: list[Problem] = field(default_factory=list)
    unreachable: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Probe:
    target: Target
    connect_to: list[ConnectTo]
    trust: tuple[ssl.SSLContext, ssl.SSLContext, ssl.SSLContext]  # full, chain only, none
    deadline: Deadline

    @property
    def address(self) -> tuple[str, int]:
        return route(self.target.host, self.target.port, self.connect_to)

    @property
    def where(self) -> str:
        return where(self.target.host, self.target.port, self.address)

    def connect(self) -> socket.socket:
        return open_socket(self.target.host, self.target.port, self.address, self.deadline)

    def session(self, sock: socket.socket) -> Session:
        sock.settimeout(self.deadline.wait())
        try:
            return SESSIONS[self.target.protocol](sock, self.target.host, self.target.port)
        except BaseException:
            sock.close()
            raise

    def implicit(self, context: ssl.SSLContext) -> Session:
        sock = self.connect()
        try:
            tls = context.wrap_socket(sock, server_hostname=self.target.host)
        except BaseException:
            sock.close()
            raise
        return self.session(tls)

    def upgraded(self, context: ssl.SSLContext, before: Callable[[Session], None] | None = None) -> Session:
        session = self.session(self.connect())
        try:
            if before is not None:
                before(session)
            try:
                session.starttls(context)
            except ssl.SSLCertVerificationError:
                raise
            except ERRORS as err:
                raise _UpgradeFailed(err) from None
        except BaseException:
            session.close()
            raise
        return session


def probe(target: Target, connect_to: list[ConnectTo],
          trust: tuple[ssl.SSLContext, ssl.SSLContext, ssl.SSLContext], deadline: Deadline) -> Outcome:
    """Every check of one endpoint; never raises for anything a server does."""
    run = Probe(target, connect_to, trust, deadline)
    outcome = Outcome()
    try:
        session = _secured(run, outcome)
        if session is not None:
            try:
                _after_tls(run, session, outcome)
            finally:
                session.close()
    except Unreachable as err:
        outcome.unreachable.append(target.problem("endpoint", str(err), _UNREACHABLE_HINT))
    except ERRORS as err:
        outcome.unreachable.append(target.problem(
            "endpoint", f"{run.where} broke off the conversation: {_reason(err)}", _UNREACHABLE_HINT))
    return outcome


_UNREACHABLE_HINT = ("check that the server runs and that the port is open to the internet; "
                     "this is a fault of the network or the server, not of the data, unless "
                     "the host or the port is wrong")


def _reason(err: BaseException) -> str:
    if isinstance(err, TimeoutError) or isinstance(err.__context__, TimeoutError):
        return "no answer in time"  # smtplib's SMTPServerDisconnected hides the timeout
    if isinstance(err, ssl.SSLError):
        return err.reason or str(err)
    return str(err) or type(err).__name__


def _secured(run: Probe, outcome: Outcome) -> Session | None:
    """The session once TLS is up as the data says (or a plain one for ``none``), with the
    certificate checked; None when the endpoint does not do what the data says."""
    target = run.target
    if target.security == "none":
        return run.session(run.connect())
    first: Callable[[ssl.SSLContext], Session]
    if target.security == "tls":
        first = run.implicit
    else:
        def first(context: ssl.SSLContext) -> Session:
            return run.upgraded(context, lambda s: _before_tls(run, s, outcome))
    full, chain, blind = run.trust
    try:
        session = first(full)
    except ssl.SSLCertVerificationError as err:
        return _bad_certificate(run, outcome, err, first if target.security == "tls" else
                                lambda ctx: run.upgraded(ctx))
    except _NoStarttls:
        return None
    except _UpgradeFailed as err:
        outcome.wrong.append(target.problem(
            "security", f"{run.where} offers STARTTLS, but the TLS handshake after it fails: {err}",
            "check the server's TLS settings and certificate for this port"))
        return None
    except (ssl.SSLError, ConnectionResetError, TimeoutError, EOFError,
            smtplib.SMTPServerDisconnected) as err:
        if target.security == "tls":
            outcome.wrong.append(_not_implicit(run, err))
        else:  # a greeting that never came: an implicit-TLS port?
            outcome.wrong.append(_not_starttls(run, err))
        return None
    _expiry(run, outcome, session)
    return session


class _NoStarttls(Exception):
    """The plain conversation showed no way to STARTTLS (already reported)."""


class _UpgradeFailed(Exception):
    """STARTTLS was offered, and the TLS handshake after it failed."""

    def __init__(self, err: BaseException) -> None:
        super().__init__(_reason(err))


def _before_tls(run: Probe, session: Session, outcome: Outcome) -> None:
    target = run.target
    if not session.starttls_offered():
        outcome.wrong.append(target.problem(
            "security", f"{run.where} speaks plain {target.name} but does not offer STARTTLS "
            f"({session.verb}: {session.shown_capabilities() or 'nothing'}); the data says STARTTLS",
            "turn on STARTTLS on the server, or write the security this port really has"))
        raise _NoStarttls
    offered = session.plain_login()
    if offered:
        outcome.wrong.append(target.problem(
            "security", f"{run.where} offers {offered} before STARTTLS: a mail app can send the "
            "password unencrypted; the data says STARTTLS",
            "make the server refuse logins until TLS is up: ssl = required in Dovecot, "
            "smtpd_tls_auth_only = yes in Postfix; an IMAP server then advertises LOGINDISABLED"))


def _not_implicit(run: Probe, err: BaseException) -> Problem:
    """A failed TLS handshake on a ``tls`` endpoint: what the port speaks instead."""
    target = run.target
    hint = (f"if the server is right, write 'security: starttls' for this endpoint; if the data "
            f"is right, turn on implicit TLS for {target.name} on port {target.port}")
    try:
        plain = run.session(run.connect())
    except (TimeoutError, smtplib.SMTPServerDisconnected) as silent:
        if isinstance(err, TimeoutError):
            raise Unreachable(f"{run.where} accepted the connection but answered neither the "
                              f"TLS handshake nor in plain {target.name} ({_reason(silent)})") from None
        return target.problem("security", f"{run.where} does not complete a TLS handshake "
                              f"({_reason(err)}); the data says SSL/TLS", hint)
    except ERRORS:
        return target.problem("security", f"{run.where} does not complete a TLS handshake "
                              f"({_reason(err)}); the data says SSL/TLS", hint)
    try:
        offers = "offers STARTTLS" if plain.starttls_offered() else "does not offer STARTTLS"
    finally:
        plain.close()
    return target.problem("security", f"{run.where} speaks plain {target.name} and {offers}; "
                          "the data says SSL/TLS", hint)


def _not_starttls(run: Probe, err: BaseException) -> Problem:
    """No plain greeting on a ``starttls`` endpoint: a TLS handshake first tells an
    implicit-TLS port from a server that does not answer at all."""
    target = run.target
    try:
        session = run.implicit(run.trust[2])
    except ERRORS:
        raise Unreachable(f"{run.where} accepted the connection but answered neither in plain "
                          f"{target.name} nor with TLS ({_reason(err)})") from None
    session.close()
    return target.problem(
        "security", f"{run.where} expects a TLS handshake first (implicit TLS) and sends no "
        f"plain {target.name} greeting; the data says STARTTLS",
        f"if the server is right, write 'security: tls' for this endpoint; if the data is "
        f"right, serve plain {target.name} with STARTTLS on port {target.port}")


def _bad_certificate(run: Probe, outcome: Outcome, err: ssl.SSLCertVerificationError,
                     again: Callable[[ssl.SSLContext], Session]) -> Session | None:
    target = run.target
    _full, chain, blind = run.trust
    reason = err.verify_message or _reason(err)
    message = f"the certificate on {run.where} is not valid: {reason}"
    if err.verify_code == 62:  # X509_V_ERR_HOSTNAME_MISMATCH: the chain is trusted
        try:
            session = again(chain)
        except ERRORS:
            session = again(blind)
        names = _names(session)
        message = (f"the certificate on {run.where} is for {', '.join(names) or 'another name'}, "
                   f"not {target.host}, the name readers type")
        outcome.wrong.append(target.problem(
            "host", message, f"install a certificate that names {target.host}, or show readers "
            "a host name the certificate is for"))
        _expiry(run, outcome, session)
        return session
    outcome.wrong.append(target.problem(
        "host", message + "; mail apps will refuse it",
        f"install a certificate for {target.host} from a trusted authority, with its intermediate "
        "certificates; for a private CA, give kbgen verify --cafile"))
    return again(blind)


def _names(session: Session) -> list[str]:
    cert = _peer(session).getpeercert() or {}
    names = cert.get("subjectAltName", ())
    return [str(pair[1]) for pair in names if isinstance(pair, tuple) and pair[0] == "DNS"]


def _peer(session: Session) -> ssl.SSLSocket:
    sock = session.client.sock  # type: ignore[attr-defined]
    assert isinstance(sock, ssl.SSLSocket)
    return sock


def _expiry(run: Probe, outcome: Outcome, session: Session) -> None:
    cert = _peer(session).getpeercert() or {}
    not_after = cert.get("notAfter")
    if not isinstance(not_after, str):
        return
    ends = ssl.cert_time_to_seconds(not_after)
    days = (ends - time.time()) / 86400
    if days < EXPIRY_DAYS:
        day = time.strftime("%Y-%m-%d", time.gmtime(ends))
        outcome.wrong.append(run.target.problem(
            "host", f"the certificate on {run.where} expires on {day}, in {max(days, 0):.0f} "
            f"day(s)", f"renew it now: kbgen verify reports a certificate {EXPIRY_DAYS} days "
            "before it expires, before mail apps refuse it"))


def _after_tls(run: Probe, session: Session, outcome: Outcome) -> None:
    target = run.target
    needs_auth = target.protocol != "smtp" or target.auth_required
    wanted = AUTH_MECHANISMS[target.authentication]
    mechanisms = session.mechanisms()
    if needs_auth and not mechanisms & wanted:
        offered = ", ".join(sorted(mechanisms)) or "no AUTH mechanism"
        outcome.wrong.append(target.problem(
            "authentication", f"{run.where} offers {offered} after TLS; the data says "
            f"'{target.authentication}', which signs in with {_MECHANISM_WORDS[target.authentication]}",
            "turn that mechanism on in the server, or write the authentication it really uses"))
    if target.protocol == "smtp" and target.auth_required:
        assert isinstance(session, SmtpSession)
        accepted = session.sends_without_auth(f"postmaster@{target.sample_domain}")
        if accepted:
            outcome.wrong.append(target.problem(
                "smtp_auth_required", f"{run.where} takes mail without a login ({accepted}); "
                "the data says sending needs the username and password",
                "make the submission port refuse mail until the sender has signed in, e.g. "
                "Postfix's smtpd_recipient_restrictions = permit_sasl_authenticated, reject; "
                "or write smtp_auth_required: false"))
