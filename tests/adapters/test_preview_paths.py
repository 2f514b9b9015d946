"""No request reaches a file outside the built site, a hidden file or Netlify's own files,
through either local server (the tests' Netlify emulator and `kbgen serve`), with or
without gzip; the site's own files, `.well-known` and non-ASCII names included, still are.

Requests go out on a raw socket, byte for byte as written: an HTTP library would
normalise the `..` away before the server saw it.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kbgen.adapters.preview import serve_netlify
from kbgen.adapters.serve import serving_built

SECRET = "SECRET-beside-the-site"


@dataclass
class Answer:
    status: int | None  # None: the connection closed without an answer
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        body = self.body
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode("utf-8", "replace")


def send(base: str, raw: bytes, timeout: float = 5.0) -> Answer:
    """Send ``raw`` as it is and read the answer until the server closes the connection."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80),
                                  timeout=timeout) as sock:
        sock.sendall(raw)
        data = b""
        with contextlib.suppress(ConnectionResetError, TimeoutError):  # no answer: status None
            while chunk := sock.recv(65536):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    if not lines[0].startswith("HTTP/"):
        return Answer(None, {}, data)
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return Answer(int(lines[0].split()[1]), headers, body)


def get(base: str, path: str, gzipped: bool = False) -> Answer:
    accept = b"Accept-Encoding: gzip\r\n" if gzipped else b""
    return send(base, b"GET " + path.encode("latin-1") + b" HTTP/1.1\r\nHost: x\r\n" + accept
                + b"Connection: close\r\n\r\n")


def kbgen_serve(site: Path) -> contextlib.AbstractContextManager[str]:
    """`kbgen serve`'s server and handler on an already built site (no watcher, no build)."""
    return serving_built(site)


SERVERS: dict[str, Callable[[Path], contextlib.AbstractContextManager[str]]] = {
    "emulator": serve_netlify, "kbgen serve": kbgen_serve}


@pytest.fixture(params=sorted(SERVERS))
def serving(request: pytest.FixtureRequest) -> Callable[[Path], contextlib.AbstractContextManager[str]]:
    return SERVERS[request.param]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    for name in ("secret.txt", "secret.py", "secret.html"):
        (tmp_path / name).write_text(SECRET, encoding="utf-8")
    site = tmp_path / "site"
    for rel, text in {
        "index.html": "<!doctype html><title>Home</title><body>HOME</body>",
        "404.html": "<!doctype html><title>Not found</title><body>NOT-FOUND-PAGE</body>",
        "guide/index.html": "<!doctype html><title>Guide</title><body>GUIDE</body>",
        "café/index.html": "<!doctype html><title>Café</title><body>CAFE-PAGE</body>",
        ".well-known/autoconfig/mail/config-v1.1.xml": "<clientConfig>AUTOCONFIG</clientConfig>",
        "_headers": f"/*\n  X-Test: yes\n# {SECRET}\n",
        "_redirects": f"/old /guide/ 301  # {SECRET}\n",
        ".hidden.txt": SECRET,
        ".git/config": SECRET,
        "node_modules/x/index.js": SECRET,  # Netlify's deploy leaves node_modules out
    }.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    (site / "link.txt").symlink_to(tmp_path / "secret.txt")  # a link that leads out of the site
    return site


ATTACKS = [
    # raw dot segments
    "/../secret.txt", "/../secret.py", "/../secret.html", "/guide/../../secret.txt",
    "/../site/../secret.txt", "/..", "/../",
    # percent-encoded dots and slashes
    "/%2e%2e/secret.txt", "/%2E%2E/secret.py", "/..%2fsecret.txt", "/guide/..%2f..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt", "/guide%2f%2e%2e%2f%2e%2e%2fsecret.txt",
    # backslashes, raw and encoded
    "/..\\secret.txt", "/guide\\..\\..\\secret.txt", "/..%5csecret.txt", "/%2e%2e%5csecret.py",
    # NUL
    "/../secret.txt%00.html", "/guide/index.html%00", "/%00",
    # Netlify's own files and hidden files, however the path is written
    "/_headers", "/./_headers", "/%2e/_headers", "/%5fheaders", "/guide/../_headers", "//_redirects",
    "/_redirects?x=1", "/.hidden.txt", "/%2ehidden.txt", "/.git/config", "/guide/./../.git/config",
    "/node_modules/x/index.js",
    # a link out of the site
    "/link.txt",
    # names longer than a file system allows (today: a traceback and a dropped connection)
    "/" + "a" * 300, "/" + "a" * 300 + "/index.html", "/guide/" + "%C3%A9" * 200 + "/",
    "/" + "/".join(["b" * 250] * 20) + "/",
]


def test_no_request_reads_outside_the_site_a_hidden_file_or_netlify_files(
        site: Path, serving: Callable[[Path], contextlib.AbstractContextManager[str]],
        capfd: pytest.CaptureFixture[str]) -> None:
    wrong = []
    with serving(site) as base:
        for path in ATTACKS:
            for gzipped in (False, True):
                answer = get(base, path, gzipped)
                if answer.status not in (400, 404, 414) or SECRET in answer.text:
                    wrong.append(f"{path[:60]} (gzip: {gzipped}): {answer.status} {answer.text[:60]!r}")
                elif answer.status == 404 and "NOT-FOUND-PAGE" not in answer.text:
                    wrong.append(f"{path[:60]} (gzip: {gzipped}): 404 without the site's 404 page")
    assert not wrong, "\n".join(wrong)
    err = capfd.readouterr().err
    assert "Traceback" not in err, err


def test_the_site_files_are_served_hidden_well_known_and_non_ascii_names_included(
        site: Path, serving: Callable[[Path], contextlib.AbstractContextManager[str]]) -> None:
    with serving(site) as base:
        for gzipped in (False, True):
            for path, marker in [("/", "HOME"), ("/guide/", "GUIDE"), ("/guide/index.html", "GUIDE"),
                                 ("/caf%C3%A9/", "CAFE-PAGE"), ("/caf%c3%a9/index.html", "CAFE-PAGE"),
                                 ("/.well-known/autoconfig/mail/config-v1.1.xml", "AUTOCONFIG"),
                                 ("/%2ewell-known/autoconfig/mail/config-v1.1.xml", "AUTOCONFIG")]:
                answer = get(base, path, gzipped)
                assert (answer.status, marker in answer.text) == (200, True), (path, gzipped, answer)
                assert answer.headers["x-test"] == "yes"  # the _headers rules apply
            folder = get(base, "/caf%C3%A9?q=1", gzipped)
            assert (folder.status, folder.headers["location"]) == (301, "/caf%C3%A9/?q=1")
            moved = get(base, "/old", gzipped)
            assert (moved.status, moved.headers["location"]) == (301, "/guide/")
        head = send(base, b"HEAD /guide/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert head.status == 200 and head.body == b"" and int(head.headers["content-length"]) > 0
