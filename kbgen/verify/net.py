"""Bounded connections: curl's --connect-to, one timeout per connection, one overall deadline."""

from __future__ import annotations

import re
import socket
import ssl
import time
from dataclasses import dataclass

_PART = r"(\[[^\]]*\]|[^:\[\]]*)"
_CONNECT_TO = re.compile(rf"{_PART}:([0-9]*):{_PART}:([0-9]*)")  # with fullmatch


class Unreachable(Exception):
    """The server could not be asked at all: not a mistake in the data."""


@dataclass(frozen=True)
class ConnectTo:
    """``HOST:PORT:ADDRESS:PORT``: the data's HOST:PORT reached at ADDRESS:PORT instead, the
    names kept for TLS (as curl's option). An empty HOST or PORT matches any; an empty
    ADDRESS or PORT keeps the original."""

    host: str
    port: int | None
    address: str
    to_port: int | None

    @classmethod
    def parse(cls, text: str) -> ConnectTo:
        match = _CONNECT_TO.fullmatch(text)
        if not match:
            raise ValueError(f"--connect-to {text!r} is not HOST:PORT:ADDRESS:PORT "
                             "(e.g. mail.example.com:993:127.0.0.1:10993)")
        host, port, address, to_port = match.groups()
        for number in (port, to_port):
            if number and not 1 <= int(number) <= 65535:
                raise ValueError(f"--connect-to {text!r}: {number} is not a port (1-65535)")
        return cls(host.strip("[]").lower(), int(port) if port else None, address.strip("[]"),
                   int(to_port) if to_port else None)

    def matches(self, host: str, port: int) -> bool:
        return (not self.host or self.host == host.lower()) and self.port in (None, port)


def route(host: str, port: int, connect_to: list[ConnectTo]) -> tuple[str, int]:
    """Where to connect for the data's host and port: the first matching --connect-to wins."""
    for rule in connect_to:
        if rule.matches(host, port):
            return rule.address or host, rule.to_port or port
    return host, port


class Deadline:
    """The time left for the whole run; every wait is the smaller of it and the timeout."""

    def __init__(self, seconds: float, per_connection: float) -> None:
        self.end = time.monotonic() + seconds
        self.seconds = seconds
        self.per_connection = per_connection

    def left(self) -> float:
        return self.end - time.monotonic()

    def wait(self) -> float:
        left = self.left()
        if left <= 0:
            raise Unreachable(f"not checked: the overall deadline of {self.seconds:g} s passed")
        return min(self.per_connection, left)


def where(host: str, port: int, address: tuple[str, int]) -> str:
    """'port 993 on mail.example.com', with the address when --connect-to moved it."""
    shown = f"port {port} on {host}"
    if address != (host, port):
        shown += f" (via {address[0]}:{address[1]})"
    return shown


def open_socket(host: str, port: int, address: tuple[str, int], deadline: Deadline) -> socket.socket:
    try:
        sock = socket.create_connection(address, timeout=deadline.wait())
    except socket.gaierror as err:
        raise Unreachable(f"could not reach {where(host, port, address)}: the name does not "
                          f"resolve ({err.strerror})") from None
    except TimeoutError:
        raise Unreachable(f"could not reach {where(host, port, address)}: no answer to the "
                          f"connection within {deadline.per_connection:g} s") from None
    except OSError as err:
        raise Unreachable(f"could not reach {where(host, port, address)}: "
                          f"{(err.strerror or str(err)).lower()}") from None
    return sock


def contexts(cafile: str | None) -> tuple[ssl.SSLContext, ssl.SSLContext, ssl.SSLContext]:
    """Three ways to trust a server: fully (a mail app's way), trusting the chain but not the
    name (to learn which names a certificate is for), and not at all (to keep probing
    a server whose certificate is wrong)."""
    full = ssl.create_default_context(cafile=cafile)
    if cafile:
        full.load_default_certs()
    chain = ssl.create_default_context(cafile=cafile)
    if cafile:
        chain.load_default_certs()
    chain.check_hostname = False
    blind = ssl.create_default_context()
    blind.check_hostname = False
    blind.verify_mode = ssl.CERT_NONE
    return full, chain, blind
