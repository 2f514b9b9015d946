"""``kbgen verify --account``: a real sign-in on every endpoint, and one message sent to
itself through SMTP submission and found again by IMAP and POP3.

The password comes from the environment (``KBGEN_VERIFY_PASSWORD``), never from the data
or the command line, which end up in shell histories and CI logs. The username is made
the way the pages tell readers to type it (``username.format``); when the server refuses
it but takes the other form, that is the data's mistake and is reported at
``username.format``. A refused password is not a fact of the data: it is reported as not
checked. The test message is deleted again once found.
"""

from __future__ import annotations

import email.message
import email.utils
import imaplib
import poplib
import re
import secrets
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..data.kb import KB
from .net import ConnectTo, Deadline, Unreachable
from .probe import Outcome, Probe
from .sessions import ERRORS, ImapSession, Pop3Session, Session, SmtpSession
from .targets import Target

PASSWORD_VARIABLE = "KBGEN_VERIFY_PASSWORD"
ARRIVAL_SECONDS = 30.0  # how long a message to oneself may take to arrive before it counts as lost


@dataclass(frozen=True)
class Account:
    address: str
    password: str

    @classmethod
    def parse(cls, address: str, password: str | None) -> Account:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
            raise ValueError(f"--account {address!r} is not an email address "
                             "(e.g. test@example.com)")
        if not password:
            raise ValueError(f"--account {address}: set the password in the environment variable "
                             f"{PASSWORD_VARIABLE} (never on the command line, which logs keep)")
        return cls(address, password)

    def username(self, form: str) -> str:
        return self.address if form == "email" else self.address.rpartition("@")[0]


class _Refused(Exception):
    """The server refused the username and password."""


UNSIGNED: tuple[type[BaseException], ...] = (Unreachable, ssl.SSLError, *ERRORS)
FAILED: tuple[type[BaseException], ...] = (_Refused, *UNSIGNED)  # any way a sign-in fails


def _login(session: Session, username: str, password: str) -> None:
    try:
        if isinstance(session, ImapSession):
            session.client.login(username, password)
        elif isinstance(session, Pop3Session):
            session.client.user(username)
            session.client.pass_(password)
        elif isinstance(session, SmtpSession):
            session.client.login(username, password)
    except (imaplib.IMAP4.error, poplib.error_proto, smtplib.SMTPAuthenticationError) as err:
        raise _Refused(str(err)) from None


def _secured(run: Probe) -> Session:
    full = run.trust[0]
    if run.target.security == "tls":
        return run.implicit(full)
    return run.upgraded(full) if run.target.security == "starttls" else run.session(run.connect())


def _signed_in(run: Probe, username: str, password: str) -> Session:
    session = _secured(run)
    try:
        _login(session, username, password)
    except BaseException:
        session.close()
        raise
    return session


def check_account(kb: KB, targets: list[Target], account: Account, connect_to: list[ConnectTo],
                  trust: tuple[ssl.SSLContext, ssl.SSLContext, ssl.SSLContext],
                  deadline: Deadline) -> Outcome:
    """Sign in on every endpoint; send one message to the account and find it by IMAP and POP3."""
    outcome = Outcome()
    form = kb.provider.username.format
    other = "localpart" if form == "email" else "email"
    username = account.username(form)
    working: dict[str, Target] = {}  # protocol -> an endpoint that signed in
    for target in targets:
        run = Probe(target, connect_to, trust, deadline)
        try:
            session = _signed_in(run, username, account.password)
        except _Refused as err:
            diagnosis = _diagnose(run, account, other, username)
            if diagnosis:
                outcome.wrong.append(target.problem("username", diagnosis,
                                                    f"set username.format to {other}"))
            else:
                outcome.unreachable.append(target.problem(
                    "endpoint", f"{run.where} refused the sign-in of {username} ({err})",
                    f"check the account and the password in {PASSWORD_VARIABLE}"))
            continue
        except UNSIGNED as err:
            outcome.unreachable.append(target.problem(
                "endpoint", f"could not sign in on {run.where}: {err}",
                "run kbgen verify without --account first: it names what is wrong"))
            continue
        session.close()
        working.setdefault(target.protocol, target)
    if "smtp" in working and not outcome.wrong:
        _round_trip(working, account, username, connect_to, trust, deadline, outcome)
    return outcome


def _diagnose(run: Probe, account: Account, other: str, username: str) -> str:
    """What to say when the other username form signs in: '' when it does not either."""
    try:
        _signed_in(run, account.username(other), account.password).close()
    except FAILED:
        return ""
    shown = "the part before the @" if other == "localpart" else "the whole address"
    return (f"{run.where} refuses {username} but signs in {account.username(other)}: usernames "
            f"there are {shown}, not what username.format says")


def _round_trip(working: dict[str, Target], account: Account, username: str,
                connect_to: list[ConnectTo], trust: tuple[ssl.SSLContext, ssl.SSLContext, ssl.SSLContext],
                deadline: Deadline, outcome: Outcome) -> None:
    token = secrets.token_hex(8)
    message = email.message.EmailMessage()
    message["From"] = message["To"] = account.address
    message["Subject"] = f"kbgen verify {token}"
    message["Message-ID"] = msgid = f"<kbgen-verify-{token}@{account.address.rpartition('@')[2]}>"
    message["Date"] = email.utils.formatdate()
    message.set_content("Sent by kbgen verify --account to itself; it deletes this message once "
                        "it has found it.\n")
    smtp = working["smtp"]
    run = Probe(smtp, connect_to, trust, deadline)
    sent_through = run.where
    try:
        session = _signed_in(run, username, account.password)
        try:
            assert isinstance(session, SmtpSession)
            session.client.send_message(message)
        finally:
            session.close()
    except FAILED as err:
        outcome.wrong.append(smtp.problem("endpoint", f"{run.where} signed in {username} but did "
                                          f"not take a message to {account.address}: {err}"))
        return
    finders: dict[str, Callable[[Session, str, bool], bool]] = {"imap": _imap_has,
                                                                 "pop3": _pop3_has}
    incoming = [p for p in ("imap", "pop3") if p in working]
    for index, protocol in enumerate(incoming):
        last = index == len(incoming) - 1  # delete the message with the last look
        target = working[protocol]
        run = Probe(target, connect_to, trust, deadline)
        found = _wait_for(run, username, account.password, msgid, finders[protocol], last, deadline)
        if not found:
            outcome.wrong.append(target.problem(
                "endpoint", f"a message sent to {account.address} through {sent_through} was not "
                f"in the inbox by {target.name} on {run.where} within {ARRIVAL_SECONDS:g} s",
                "check that mail submitted there is delivered to the mailbox this server reads"))


def _wait_for(run: Probe, username: str, password: str, msgid: str,
              has: Callable[[Session, str, bool], bool], delete: bool, deadline: Deadline) -> bool:
    end = min(time.monotonic() + ARRIVAL_SECONDS, deadline.end)
    while True:
        try:
            session = _signed_in(run, username, password)
        except FAILED:
            return False
        try:
            if has(session, msgid, delete):
                return True
        except ERRORS:
            return False
        finally:
            session.close()
        if time.monotonic() + 0.5 > end:
            return False
        time.sleep(0.5)


def _imap_has(session: Session, msgid: str, delete: bool) -> bool:
    assert isinstance(session, ImapSession)
    client = session.client
    typ, data = client.select("INBOX")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"SELECT INBOX answered {typ} {data!r}")
    _typ, data = client.search(None, "HEADER", "Message-ID", f'"{msgid}"')
    numbers = data[0].split() if data and data[0] else []
    if numbers and delete:
        for number in numbers:
            client.store(number.decode(), "+FLAGS", "\\Deleted")
        client.expunge()
    return bool(numbers)


def _pop3_has(session: Session, msgid: str, delete: bool) -> bool:
    assert isinstance(session, Pop3Session)
    client = session.client
    _resp, listing, _octets = client.list()
    found = False
    for entry in listing:
        number = int(entry.split()[0])
        _resp, lines, _octets = client.top(number, 0)
        if any(line.decode("utf-8", "replace").lower() == f"message-id: {msgid}".lower()
               for line in lines):
            found = True
            if delete:
                client.dele(number)
    return found
