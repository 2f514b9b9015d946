"""The local Netlify emulator reads _redirects as Netlify's parser does, matches as Netlify
matches, and stays quiet when a browser drops a connection."""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kbgen.adapters.preview import NetlifyFileError, parse_redirects, redirect_for, serve_netlify

RULES = """# comment
/knowledgebase/12/* /email/pop-vs-imap/ 301
/help/pop.php /email/pop-vs-imap/ 301  # inline comment
/kb.php id=12 action=displayarticle /email/pop-vs-imap/ 301
/forced /email/ 302!
"""


@pytest.mark.parametrize(("url", "target"), [
    ("/knowledgebase/12", "/email/pop-vs-imap/"),  # no trailing slash: Netlify redirects it too
    ("/knowledgebase/12/", "/email/pop-vs-imap/"),
    ("/knowledgebase/12/Old-Title.html", "/email/pop-vs-imap/"),
    ("/help/pop.php", "/email/pop-vs-imap/"),
    ("/help/pop.php/", "/email/pop-vs-imap/"),  # Netlify ignores a trailing slash
    ("/kb.php?action=displayarticle&id=12&lang=en", "/email/pop-vs-imap/"),
    ("/forced", "/email/"),
])
def test_requests_match_as_on_netlify(url: str, target: str) -> None:
    rule = redirect_for(parse_redirects(RULES), url)
    assert rule is not None and rule.target == target


@pytest.mark.parametrize("url", ["/knowledgebase/120", "/knowledgebase/1", "/kb.php?id=12",
                                 "/help/pop.php.bak", "/knowledgebase"])
def test_other_requests_do_not_match(url: str) -> None:
    assert redirect_for(parse_redirects(RULES), url) is None


def test_status_and_force_are_read() -> None:
    parsed = parse_redirects(RULES)
    assert [(r.status, r.force) for r in parsed] == [(301, False)] * 3 + [(302, True)]


@pytest.mark.parametrize(("text", "error"), [
    ("/a id /b 301\n", "_redirects:1: the query part 'id' has no '='"),
    ("\n/a b c\n", "_redirects:2: the destination must start with"),
    ("/a /b moved\n", "_redirects:1: invalid status code 'moved'"),
])
def test_a_line_netlify_refuses_is_a_clear_error_not_a_raw_value_error(text: str, error: str) -> None:
    with pytest.raises(NetlifyFileError) as caught:
        parse_redirects(text)
    assert str(caught.value).startswith(error)
    assert type(caught.value) is NetlifyFileError and not isinstance(caught.value, ValueError)


def test_query_values_are_read_up_to_a_second_equals_sign_like_netlify() -> None:
    (rule,) = parse_redirects("/kb.php id=a=b /x 301\n")
    assert rule.query == {"id": "a"}


def test_a_dropped_connection_prints_no_traceback(tmp_path: Path,
                                                  capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "big.bin").write_bytes(b"x" * (16 * 1024 * 1024))
    with serve_netlify(tmp_path) as url:
        parts = urlsplit(url)
        for _ in range(3):
            sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80))
            sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.recv(1024)
            # Close with a reset, as a browser tab that is closed mid-download does.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        time.sleep(0.5)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and "BrokenPipe" not in captured.err, captured.err
