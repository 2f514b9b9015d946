"""Every article page names a picture for link previews (ogp.me lists og:image as
required): an absolute address under site_url of a PNG the site publishes, with its
size and a text alternative."""

from __future__ import annotations

import struct
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from kbgen.data.data_folder import load_kb


def test_article_pages_name_a_published_png_for_link_previews(example_site: Path) -> None:
    kb = load_kb(example_site.parent)
    site_url = kb.provider.site_url
    pages = sorted((example_site / "email").glob("*/index.html"))
    articles = [p for p in pages if 'property="og:type" content="article"' in p.read_text()]
    assert len(articles) >= 5
    for page in articles:
        head = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").head
        meta = {m["property"]: m["content"] for m in head.select("meta[property^='og:image']")}
        assert set(meta) == {"og:image", "og:image:width", "og:image:height", "og:image:alt"}, page
        url = meta["og:image"]
        assert url.startswith(site_url), url
        image = example_site / urlsplit(url).path.removeprefix(urlsplit(site_url).path)
        data = image.read_bytes()  # published with the site
        assert data[:8] == b"\x89PNG\r\n\x1a\n", url
        width, height = struct.unpack(">II", data[16:24])
        assert (str(width), str(height)) == (meta["og:image:width"], meta["og:image:height"])
        assert meta["og:image:alt"].strip()
