"""Both local servers answer whatever arrives on their port: a malformed request gets a
400, 413, 414 or 505 at once (never a traceback, never an unbounded read), an idle
half-request is dropped after the read timeout, and a burst of connections is accepted
without the kernel dropping any (the listen backlog)."""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kbgen.adapters.preview import serve_netlify

from . import test_preview_paths as paths
from .test_preview_paths import kbgen_serve, send

site, serving = paths.site, paths.serving  # the same fixtures: the same site, both servers
IDLE = 13.0  # seconds: the servers' read timeout (10 s), and some slack

Serving = Callable[[Path], contextlib.AbstractContextManager[str]]


def _address(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _client_hello() -> bytes:
    """The first bytes a TLS client sends (someone opening https:// on the http:// port)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ssl.create_default_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
    with contextlib.suppress(ssl.SSLWantReadError):
        tls.do_handshake()
    return outgoing.read()


def test_a_content_length_that_is_not_a_byte_count_is_400_at_once(
        site: Path, serving: Serving, capfd: pytest.CaptureFixture[str]) -> None:
    with serving(site) as base:
        for length in ["-1", "abc", "1e3", "+5", "0x10", "5, 6", "\u0665"]:
            # The body is never sent and the connection stays open: an answer proves the
            # server did not wait for (or buffer) a body of that length.
            answer = send(base, f"POST /guide/ HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n"
                          .encode(), timeout=3)
            assert answer.status == 400, (length, answer)
    assert "Traceback" not in capfd.readouterr().err


def test_form_posts_are_answered_and_a_huge_one_is_refused(site: Path, serving: Serving) -> None:
    with serving(site) as base:
        posted = send(base, b"POST /guide/ HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n"
                            b"Connection: close\r\n\r\nname=test", timeout=3)
        assert posted.status == 200 and "GUIDE" in posted.text
        twice = send(base, b"POST /guide/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                           b"Content-Length: 3\r\nConnection: close\r\n\r\nabc", timeout=3)
        assert twice.status == 200
        huge = send(base, b"POST /guide/ HTTP/1.1\r\nHost: x\r\nContent-Length: 300000000\r\n\r\n"
                    + b"x" * 100_000, timeout=3)
        assert huge.status == 413, huge
        chunked = send(base, b"POST /guide/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"3\r\nabc\r\n0\r\n\r\n", timeout=3)
        assert chunked.status == 501, chunked


def test_a_request_line_over_64_kib_is_414(site: Path, serving: Serving,
                                          capfd: pytest.CaptureFixture[str]) -> None:
    with serving(site) as base:
        answer = send(base, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", timeout=3)
        assert answer.status == 414, answer
    err = capfd.readouterr().err
    assert "Traceback" not in err and "AttributeError" not in err, err


NOT_HTTP = {
    "a TLS ClientHello": _client_hello(),
    "a TLS record with a newline": _client_hello()[:5] + b"\n",
    "every byte": bytes(range(256)) * 4,
    "NULs": b"\x00\x00\x00\x00\r\n\r\n",
    "too many words": b"GET / HTTP/1.1 extra words\r\n\r\n",
    "not HTTP/": b"GET / FTP/1.0\r\n\r\n",
    "an HTTP/0.9 PUT": b"PUT /x\r\n\r\n",
}


def test_what_is_not_http_gets_400_and_no_traceback(site: Path, serving: Serving,
                                                    capfd: pytest.CaptureFixture[str]) -> None:
    with serving(site) as base:
        for what, raw in NOT_HTTP.items():
            answer = send(base, raw, timeout=3)
            assert answer.status == 400, (what, answer)
            assert get_ok(base)  # the server still serves
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err, err


def get_ok(base: str) -> bool:
    return send(base, b"GET /guide/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status == 200


def test_an_idle_half_request_is_dropped_after_the_read_timeout(site: Path) -> None:
    halves = [b"", b"GET /guide/ HTTP/1.1\r\nHost: x\r\n",
              b"POST /guide/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"]
    with serve_netlify(site) as emulator, kbgen_serve(site) as preview:
        opened = []
        for base in (emulator, preview):
            for half in halves:
                sock = socket.create_connection(_address(base), timeout=IDLE + 5)
                sock.sendall(half)
                opened.append(sock)
        started = time.monotonic()
        for sock in opened:
            with sock:
                try:
                    closed = sock.recv(65536) == b"" or sock.recv(65536) == b""
                except ConnectionResetError:
                    closed = True
                except TimeoutError:
                    closed = False
                assert closed, "the server still holds the connection"
        assert time.monotonic() - started < IDLE


def test_a_burst_of_connections_is_accepted_at_once(site: Path, serving: Serving) -> None:
    with serving(site) as base:
        opened, slowest = [], 0.0
        try:
            for _ in range(100):  # one after another, as fast as the kernel takes them
                started = time.monotonic()
                opened.append(socket.create_connection(_address(base), timeout=10))
                slowest = max(slowest, time.monotonic() - started)
            for sock in opened:
                sock.sendall(b"GET /guide/ HTTP/1.0\r\n\r\n")
            answers = [sock.makefile("rb").readline() for sock in opened]
        finally:
            for sock in opened:
                sock.close()
    # A dropped connection attempt is retried after 1 s: the backlog must hold the burst.
    assert slowest < 0.5, f"a connection waited {slowest:.2f} s to be accepted"
    assert answers == [b"HTTP/1.0 200 OK\r\n"] * 100
