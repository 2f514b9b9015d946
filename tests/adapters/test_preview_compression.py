"""The Netlify emulator compresses text the way Netlify does, so a page measured
through it (Lighthouse) weighs what it weighs in production."""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path

import pytest

from kbgen.adapters.preview import accepts_gzip, compressible, serve_netlify


def _get(url: str, encoding: str | None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    (tmp_path / "guide").mkdir()
    page = "<!doctype html><title>Guide</title>" + "<p>Port 993 with SSL/TLS.</p>" * 200
    (tmp_path / "guide" / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "app.js").write_text("console.log('x');" * 100, encoding="utf-8")
    (tmp_path / "shot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    (tmp_path / "404.html").write_text("<!doctype html><title>Not found</title>" * 50, encoding="utf-8")
    return tmp_path


def test_text_is_gzipped_for_clients_that_accept_it(site: Path) -> None:
    with serve_netlify(site) as url:
        status, headers, body = _get(url + "guide/", "gzip, deflate, br")
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in headers["Vary"]
        assert int(headers["Content-Length"]) == len(body)
        assert gzip.decompress(body) == (site / "guide" / "index.html").read_bytes()
        assert len(body) < len(gzip.decompress(body)) / 5
        _, js_headers, js = _get(url + "app.js", "gzip")
        assert js_headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(js) == (site / "app.js").read_bytes()
        # the 404 page too
        status, headers, body = _get(url + "no/such/page/", "gzip")
        assert status == 404 and headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == (site / "404.html").read_bytes()


def test_no_compression_unless_asked_and_never_for_images(site: Path) -> None:
    with serve_netlify(site) as url:
        _, headers, body = _get(url + "guide/", None)
        assert "Content-Encoding" not in headers
        assert body == (site / "guide" / "index.html").read_bytes()
        _, headers, _ = _get(url + "guide/", "gzip;q=0, br")
        assert "Content-Encoding" not in headers
        _, headers, body = _get(url + "shot.png", "gzip")
        assert "Content-Encoding" not in headers and body == (site / "shot.png").read_bytes()


def test_content_negotiation_rules() -> None:
    assert accepts_gzip("gzip, deflate, br") and accepts_gzip("*") and accepts_gzip("br;q=1, gzip;q=0.5")
    assert not accepts_gzip("") and not accepts_gzip("br") and not accepts_gzip("gzip;q=0")
    assert compressible("text/html; charset=utf-8") and compressible("application/javascript")
    assert compressible("image/svg+xml") and compressible("application/xml; charset=utf-8")
    assert not compressible("image/png") and not compressible("application/octet-stream")
