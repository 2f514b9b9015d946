"""IMAP, POP3 and SMTP spoken by the standard library's clients, over a socket opened here.

Each client is handed the connection ``net`` opened (so --connect-to and the deadline
apply) and keeps the data's host name, which its STARTTLS sends as the TLS server name
and checks the certificate against.
"""

from __future__ import annotations

import contextlib
import imaplib
import poplib
import smtplib
import socket
import ssl
from typing import Any

from ..data.facts import word_list

# What a misbehaving server makes the clients raise; anything else would be a bug here.
ERRORS: tuple[type[BaseException], ...] = (
    OSError, EOFError, ValueError, UnicodeError, imaplib.IMAP4.error, poplib.error_proto,
    smtplib.SMTPException)

PASSWORD = {"PLAIN", "LOGIN"}
AUTH_MECHANISMS = {
    "password": PASSWORD,
    "encrypted-password": {"CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"},
    "oauth2": {"XOAUTH2", "OAUTHBEARER"},
}


def _words(items: list[str]) -> str:
    return word_list(items) if items else ""


class Session:
    """A protocol conversation: greeting, capabilities, STARTTLS."""

    greeting: str
    verb: str  # the command that lists capabilities

    def capabilities(self) -> set[str]:
        raise NotImplementedError

    def shown_capabilities(self) -> str:
        return " ".join(sorted(self.capabilities()))

    def starttls_offered(self) -> bool:
        raise NotImplementedError

    def starttls(self, context: ssl.SSLContext) -> None:
        raise NotImplementedError

    def mechanisms(self) -> set[str]:
        """The SASL mechanisms offered now."""
        raise NotImplementedError

    def plain_login(self) -> str:
        """What offers a password in the clear now ('' for nothing): read before TLS."""
        return _words([f"AUTH {m}" for m in sorted(self.mechanisms() & PASSWORD)])

    def close(self) -> None:
        raise NotImplementedError


class _IMAP(imaplib.IMAP4):
    def __init__(self, sock: socket.socket, host: str, port: int) -> None:
        self._given = sock
        super().__init__(host, port)

    def _create_socket(self, timeout: Any = None) -> socket.socket:
        return self._given


class ImapSession(Session):
    verb = "CAPABILITY"

    def __init__(self, sock: socket.socket, host: str, port: int) -> None:
        self.client = _IMAP(sock, host, port)
        self.greeting = self.client.welcome.decode("utf-8", "replace")

    def capabilities(self) -> set[str]:
        return {c.upper() for c in self.client.capabilities}

    def starttls_offered(self) -> bool:
        return "STARTTLS" in self.capabilities()

    def starttls(self, context: ssl.SSLContext) -> None:
        typ, data = self.client.starttls(context)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"STARTTLS answered {typ} {data!r}")

    def mechanisms(self) -> set[str]:
        return {c[5:] for c in self.capabilities() if c.startswith("AUTH=")}

    def plain_login(self) -> str:
        offered = [f"AUTH={m}" for m in sorted(self.mechanisms() & PASSWORD)]
        if "LOGINDISABLED" not in self.capabilities():
            offered.append("the LOGIN command (no LOGINDISABLED)")
        return _words(offered)

    def close(self) -> None:
        # After a failed STARTTLS the client may hold a socket the TLS attempt took over.
        try:
            self.client.logout()
        except ERRORS:
            with contextlib.suppress(*ERRORS):
                self.client.shutdown()


class _POP3(poplib.POP3):
    def __init__(self, sock: socket.socket, host: str, port: int) -> None:
        self._given = sock
        super().__init__(host, port)

    def _create_socket(self, timeout: Any) -> socket.socket:
        return self._given


class Pop3Session(Session):
    verb = "CAPA"

    def __init__(self, sock: socket.socket, host: str, port: int) -> None:
        self.client = _POP3(sock, host, port)
        self.greeting = self.client.welcome.decode("utf-8", "replace")
        self._capa: dict[str, list[str]] | None = None

    def _read_capa(self) -> dict[str, list[str]]:
        if self._capa is None:
            try:
                self._capa = {k.upper(): v for k, v in self.client.capa().items()}
            except poplib.error_proto:  # a server without CAPA (RFC 2449) offers nothing
                self._capa = {}
        return self._capa

    def capabilities(self) -> set[str]:
        return {" ".join([k, *v]) for k, v in self._read_capa().items()}

    def starttls_offered(self) -> bool:
        return "STLS" in self._read_capa()

    def starttls(self, context: ssl.SSLContext) -> None:
        self.client.stls(context)
        self._capa = None

    def mechanisms(self) -> set[str]:
        return {m.upper() for m in self._read_capa().get("SASL", [])}

    def plain_login(self) -> str:
        offered = [f"SASL {m}" for m in sorted(self.mechanisms() & PASSWORD)]
        if "USER" in self._read_capa():
            offered.append("USER/PASS")
        return _words(offered)

    def close(self) -> None:
        # After a failed STARTTLS the client may hold a socket the TLS attempt took over.
        try:
            self.client.quit()
        except ERRORS:
            with contextlib.suppress(*ERRORS):
                self.client.close()


class _SMTP(smtplib.SMTP):
    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self._given = sock
        # An address literal of our own end: always a valid EHLO name, and no DNS lookup
        # (smtplib's default, getfqdn(), can take seconds).
        super().__init__(local_hostname=f"[{sock.getsockname()[0]}]", timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return self._given


class SmtpSession(Session):
    verb = "EHLO"

    def __init__(self, sock: socket.socket, host: str, port: int) -> None:
        self.client = _SMTP(sock, sock.gettimeout() or 10.0)
        self.client._host = host  # type: ignore[attr-defined]  # what STARTTLS names; smtplib keeps __init__'s (none) otherwise
        code, message = self.client.connect(host, port)
        self.greeting = f"{code} {message.decode('utf-8', 'replace')}"
        if code != 220:
            raise smtplib.SMTPConnectError(code, message)
        self._ehlo()

    def _ehlo(self) -> None:
        code, message = self.client.ehlo()
        if code != 250:
            raise smtplib.SMTPHeloError(code, message)

    def capabilities(self) -> set[str]:
        return {f"{k} {v}".strip().upper() for k, v in self.client.esmtp_features.items()}

    def starttls_offered(self) -> bool:
        return self.client.has_extn("starttls")

    def starttls(self, context: ssl.SSLContext) -> None:
        self.client.starttls(context=context)
        self._ehlo()

    def mechanisms(self) -> set[str]:
        return {m.upper() for m in self.client.esmtp_features.get("auth", "").split()}

    def sends_without_auth(self, address: str) -> str:
        """'' when the server refuses a message without a login; else what it accepted.
        Never sends one: the envelope is reset before DATA. ``address`` is postmaster of a
        mail domain (RFC 5321 requires one everywhere), as sender and recipient, so a refusal
        is the missing login, not an unknown domain."""
        recipient = address
        code, message = self.client.mail(address)
        if code >= 400:
            return ""
        code, message = self.client.rcpt(recipient)
        self.client.rset()
        if code >= 400:
            return ""
        return f"RCPT TO:<{recipient}> answered {code} {message.decode('utf-8', 'replace')}"

    def close(self) -> None:
        # After a failed STARTTLS the client may hold a socket the TLS attempt took over.
        try:
            self.client.quit()
        except ERRORS:
            with contextlib.suppress(*ERRORS):
                self.client.close()


SESSIONS: dict[str, type[ImapSession] | type[Pop3Session] | type[SmtpSession]] = {
    "imap": ImapSession, "pop3": Pop3Session, "smtp": SmtpSession}
