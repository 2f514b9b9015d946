"""A local server that serves a built site the way Netlify does, for tests and previews.

The readers (``parse_headers``, ``parse_redirects``, ``match``) follow
Netlify's syntax closely enough for the tests and the local preview server to
serve the site the way Netlify will.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import mimetypes
import os
import re
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, urlsplit

from ..hosting.netlify import locate

# ------------------------------------------------------------------ readers


class NetlifyFileError(Exception):
    """A line of ``_redirects`` or ``_headers`` that Netlify's parser refuses or reads oddly."""


@dataclass(frozen=True)
class ParsedRedirect:
    source: str
    query: dict[str, str]
    target: str
    status: int
    force: bool


# JavaScript's \s, which Netlify's parser splits lines at (Python's str.split() also splits
# at U+001C..U+001F, which JavaScript does not).
_JS_SPACE = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f"
                       "\u205f\u3000\ufeff]+")


def _redirect_line(parts: list[str]) -> ParsedRedirect:
    # As @netlify/redirect-parser's line parser reads it: from [query…] to [status[!]].
    source, rest = parts[0], parts[1:]
    to_index = next((i for i, p in enumerate(rest) if p.startswith(("/", "http://", "https://"))),
                    None)
    if to_index is None:
        raise NetlifyFileError('the destination must start with "/", "http:" or "https:"')
    query: dict[str, str] = {}
    for part in rest[:to_index]:
        key, equals, value = part.partition("=")
        if not equals:
            raise NetlifyFileError(f"the query part {part!r} has no '='")
        query[key] = value.split("=", 1)[0]  # Netlify keeps the text up to a second '='
    status_part = rest[to_index + 1] if len(rest) > to_index + 1 else "301"
    digits = re.match(r"\d+", status_part)
    if digits is None:
        raise NetlifyFileError(f"invalid status code {status_part!r}")
    return ParsedRedirect(source, query, rest[to_index], int(digits.group()),
                          status_part.endswith("!"))


def parse_redirects(text: str) -> list[ParsedRedirect]:
    """Netlify ``_redirects``: ``from [key=value…] to [status[!]]`` per line, ``#`` comments.

    Raises NetlifyFileError, naming the line, for what Netlify's parser refuses."""
    out = []
    for number, raw in enumerate(text.split("\n"), 1):
        parts = [p for p in _JS_SPACE.split(raw) if p]
        parts = parts[:next((i for i, p in enumerate(parts) if p.startswith("#")), len(parts))]
        if not parts:
            continue
        try:
            out.append(_redirect_line(parts))
        except NetlifyFileError as err:
            raise NetlifyFileError(f"_redirects:{number}: {err} in {raw.strip()!r}") from None
    return out


def parse_headers(text: str) -> list[tuple[str, dict[str, str]]]:
    """Netlify ``_headers``: a path line, then indented ``Name: value`` lines."""
    rules: list[tuple[str, dict[str, str]]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            rules.append((raw.strip(), {}))
        elif rules and ":" in raw:
            name, value = raw.split(":", 1)
            rules[-1][1][name.strip()] = value.strip()
        else:
            raise NetlifyFileError(f"_headers:{number}: not a path or a header: {raw!r}")
    return rules


def pattern_regex(pattern: str, *, redirect: bool = False) -> re.Pattern[str]:
    """A Netlify path pattern: ``*`` matches the rest of the path, ``:name`` one segment.

    A trailing ``/*`` also matches the path without it (``/kb/12/*`` matches ``/kb/12``);
    a redirect matches its path with or without a trailing slash, as on Netlify."""
    splat = pattern.endswith("/*")
    body = pattern[:-2] if splat else ((pattern.rstrip("/") or "/") if redirect else pattern)
    out = ""
    for piece in re.split(r"(\*|:[A-Za-z_]\w*)", body):
        if piece == "*":
            out += ".*"
        elif piece.startswith(":"):
            out += "[^/]+"
        else:
            out += re.escape(piece)
    if splat:
        out += "(?:/.*)?"
    elif redirect and body != "/":
        out += "/?"
    return re.compile(out)


def match(pattern: str, path: str, *, redirect: bool = False) -> bool:
    return pattern_regex(pattern, redirect=redirect).fullmatch(path) is not None


def headers_for(rules: list[tuple[str, dict[str, str]]], path: str) -> dict[str, str]:
    """Every header that applies to ``path`` (our rules never set one header twice)."""
    out: dict[str, str] = {}
    for pattern, values in rules:
        if match(pattern, path):
            out.update(values)
    return out


def redirect_for(rules: list[ParsedRedirect], url: str) -> ParsedRedirect | None:
    """The first rule that matches the request (path and, where given, query)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for rule in rules:
        if match(rule.source, parts.path, redirect=True) and all(
                query.get(k) == v for k, v in rule.query.items()):
            return rule
    return None


# ------------------------------------------------------------ compression

# Netlify compresses text responses (gzip or Brotli) for every client that accepts
# it. The emulator does the same with gzip (the standard library has no Brotli), so
# a page measured through it (Lighthouse, scripts/lighthouse.py) weighs what it
# weighs on Netlify, give or take Brotli's few per cent.
_TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml",
               "application/manifest+json", "image/svg+xml", "application/x-apple-aspen-config")


def compressible(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith(_TEXT_TYPES) or kind.endswith(("+xml", "+json"))


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (``gzip;q=0`` refuses it)."""
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() not in {"gzip", "*"}:
            continue
        q = params.strip()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


@functools.lru_cache(maxsize=512)
def gzipped(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


# ------------------------------------------------------------ local server

READ_TIMEOUT = 10.0  # seconds a client may take to send a request before the connection is closed
MAX_BODY = 1 << 20  # bytes of a form post that are read (and dropped); a longer one is refused
# The first byte of an HTTP request line (a method is a token); anything else, such
# as a TLS ClientHello (0x16), is not HTTP and gets a 400 at once.
_TOKEN_START = frozenset(b"!#$%&'*+-.^_`|~0123456789"
                         b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\r\n")


class NetlifyHandler(http.server.BaseHTTPRequestHandler):
    """Serves a built site the way Netlify does: files, then ``_redirects``, then 404.html;
    the ``_headers`` rules on every response. For tests and local previews only.

    Every file it reads is one ``hosting.netlify.locate`` found for the request, so
    no path can reach outside the site; a malformed or idle request is answered
    (400, 413, 414, 501) or dropped after ``READ_TIMEOUT``, never left to raise."""

    site_dir: Path
    header_rules: list[tuple[str, dict[str, str]]] = []
    redirect_rules: list[ParsedRedirect] = []
    extra_headers: dict[str, str] = {}
    timeout = READ_TIMEOUT  # socketserver sets it on the connection: no thread waits forever
    server_version = "kbgen-preview"
    # No client sends HTTP/0.9 any more: a line that cannot be parsed is answered with a
    # status line and headers a client can read, not with a bare HTTP/0.9 body.
    default_request_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def handle_one_request(self) -> None:
        assert isinstance(self.rfile, io.BufferedReader)  # socketserver's default buffering
        try:
            first = self.rfile.peek(1)[:1]
        except TimeoutError:
            self.close_connection = True
            return
        if first and first[0] not in _TOKEN_START:
            self.requestline = self.request_version = self.command = ""
            self.send_error(400, "Not an HTTP request (is this https:// to an http:// address?)")
            self.close_connection = True
            return
        super().handle_one_request()

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        lengths = self.headers.get_all("Content-Length") or []
        if any(not (v.strip().isascii() and v.strip().isdigit()) for v in lengths) or \
                len({v.strip().lstrip("0") for v in lengths}) > 1:
            self.send_error(400, "Content-Length must be one whole number of bytes")
            return False
        if self.headers.get("Transfer-Encoding") is not None:
            self.send_error(501, "Transfer-Encoding is not supported; send a Content-Length")
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        super().send_error(code, message, explain)
        # Read (briefly) what the client is still sending before the connection closes:
        # closing a socket with unread bytes resets it, and the reset can destroy the
        # answer before the client reads it.
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            deadline, drained = time.monotonic() + 1.0, 0
            while drained < MAX_BODY and (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)
        self.close_connection = True

    @property
    def url_path(self) -> str:
        # Unset when the request line could not be read (an error answered before parsing).
        return urlsplit(getattr(self, "path", "") or "").path

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.send_head()
        if body is not None:
            with body:
                shutil.copyfileobj(body, self.wfile)

    def do_HEAD(self) -> None:  # noqa: N802
        body = self.send_head()
        if body is not None:
            body.close()

    def send_head(self) -> BinaryIO | None:
        found = locate(self.site_dir, self.url_path)
        if found.folder:
            query = urlsplit(self.path).query
            self._redirect(301, self.url_path + "/" + (f"?{query}" if query else ""))
            return None
        if found.file is None:
            rule = redirect_for(self.redirect_rules, self.path)
            if rule is not None:
                self._redirect(rule.status, rule.target)
                return None
            return self._not_found()
        return self._send_file(found.file)

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send_file(self, file: Path) -> BinaryIO:
        content_type = self.guess_type(str(file))
        if self._gzip_wanted(content_type):
            return self._send_body(200, content_type, file.read_bytes(),
                                   last_modified=file.stat().st_mtime)
        stream = file.open("rb")
        size = os.fstat(stream.fileno())
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(size.st_size))
        self.send_header("Last-Modified", self.date_time_string(int(size.st_mtime)))
        self.end_headers()
        return stream

    def _gzip_wanted(self, content_type: str) -> bool:
        return compressible(content_type) and accepts_gzip(self.headers.get("Accept-Encoding", ""))

    def _send_body(self, status: int, content_type: str, body: bytes,
                   last_modified: float | None = None) -> BinaryIO:
        """Send ``body``, gzip-compressed when the client accepts it and it is text,
        as Netlify does; returns the bytes for http.server to copy."""
        encoded = self._gzip_wanted(content_type)
        if encoded:
            body = gzipped(body)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        if last_modified is not None:
            self.send_header("Last-Modified", self.date_time_string(int(last_modified)))
        self.end_headers()
        return io.BytesIO(body)

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        # Netlify takes a form post on any path and answers with the page at that
        # path (the form's action: the thank-you page); the body is not kept here.
        length = int(self.headers.get("Content-Length") or 0)  # whole digits: parse_request
        if length > MAX_BODY:
            self.send_error(413, f"A form post here may carry at most {MAX_BODY} bytes")
            return
        self.rfile.read(length)
        self.do_GET()

    def _not_found(self) -> BinaryIO:
        page = self.site_dir / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!doctype html><title>Not found</title>"
        return self._send_body(404, "text/html; charset=utf-8", body)

    def guess_type(self, path: str) -> str:
        # A Content-Type rule replaces the guessed type, as on Netlify.
        found = headers_for(self.header_rules, self.url_path)
        return found.get("Content-Type") or mimetypes.guess_type(path)[0] or "application/octet-stream"

    def end_headers(self) -> None:
        found = headers_for(self.header_rules, self.url_path)
        for name, value in {**found, **self.extra_headers}.items():
            if name.lower() != "content-type":  # sent already, by send_head
                self.send_header(name, value)
        super().end_headers()


class PreviewServer(http.server.ThreadingHTTPServer):
    """One thread per connection (daemon threads: stopping never waits on a slow client),
    a listen backlog for a page's burst of requests from many tabs, and quiet about a
    browser that drops a connection mid-response (normal, not an error to print)."""

    daemon_threads = True
    request_queue_size = 128  # the standard library's 5 drops connections under load

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipe, ConnectionReset…
            return
        super().handle_error(request, client_address)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


@contextlib.contextmanager
def serve_netlify(site_dir: Path, host: str = "127.0.0.1", port: int = 0,
                  extra_headers: dict[str, str] | None = None) -> Iterator[str]:
    """Serve ``site_dir`` with its ``_headers`` and ``_redirects`` applied; yields the base URL.

    ``extra_headers`` go on every response (a test tool's switch, never a site header)."""
    site_dir = site_dir.resolve()
    handler = type("Handler", (NetlifyHandler,), {
        "site_dir": site_dir,
        "header_rules": parse_headers(_read(site_dir / "_headers")),
        "redirect_rules": parse_redirects(_read(site_dir / "_redirects")),
        "extra_headers": dict(extra_headers or {}),
    })
    with running(PreviewServer((host, port), handler)) as base:
        yield base


@contextlib.contextmanager
def running(server: PreviewServer) -> Iterator[str]:
    """``server`` answering on a thread of its own until the block ends; gives its address."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
