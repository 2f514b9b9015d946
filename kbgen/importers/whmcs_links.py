"""Links in imported articles: old knowledge-base addresses lead to the new pages.

WHMCS articles link to each other by their old addresses, in any of WHMCS's URL
forms, relative or on the old host. Those become links to the pages the import
creates (or to the generated page that took an old id); other relative links and
pictures point to the old WHMCS site (``--whmcs-url``), which stays where it is;
anything else that is not http(s) or mailto is dropped, its text kept.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from ..data.urls import page_url

# \Z, not $: "$" also matches before a final newline, and these guard a whole path's end.
_KB_ARTICLE = re.compile(r"(?:^|/)knowledgebase/(\d+)/[^/]*\.html\Z")
_KB_CATEGORY = re.compile(r"(?:^|/)knowledgebase/(\d+)/[^/]+/?\Z")
_KB_ROOT = re.compile(r"(?:^|/)knowledgebase/?\Z")


@dataclass(frozen=True)
class OldAddresses:
    """Where old article and category ids lead now, as docs URIs (``email/x.md``)."""

    article_pages: dict[int, str]
    category_pages: dict[int, str]
    whmcs_url: str | None = None

    def rewrite(self, href: str, from_uri: str) -> str | None:
        """Where a link (or picture) on the page ``from_uri`` should point now; None: text only."""
        parts = urlsplit(href)
        scheme = parts.scheme.lower()
        if href.startswith("#") or scheme not in {"", "http", "https", "mailto"}:
            return None
        if scheme == "mailto":
            return href
        old_site = urlsplit(self.whmcs_url) if self.whmcs_url else None
        if not scheme or (old_site is not None and parts.hostname == old_site.hostname):
            target = self.page(parts.path, parts.query)
            if target is not None:
                # Markdown fields are rendered to HTML by kbgen, not MkDocs, so the link is a URL
                # relative to the page's own URL (it also works under any base path).
                rel = posixpath.relpath(page_url(target), page_url(from_uri))
                return "./" if rel == "." else rel + "/"
        if scheme:
            return href
        return urljoin(self.whmcs_url, href) if self.whmcs_url else None

    def page(self, path: str, query: str) -> str | None:
        """The page an old knowledge-base address leads to now (docs URI), if any."""
        params = dict(parse_qsl(query))
        if path.endswith("index.php") and params.get("rp", "").startswith("/knowledgebase"):
            return self.page(params["rp"], "")
        if path.endswith("knowledgebase.php"):
            if params.get("action") == "displayarticle" and params.get("id", "").isdigit():
                return self.article_pages.get(int(params["id"]))
            if params.get("action") == "displaycat" and params.get("catid", "").isdigit():
                return self.category_pages.get(int(params["catid"]))
            return "index.md"
        match = _KB_ARTICLE.search(path)
        if match:
            return self.article_pages.get(int(match.group(1)))
        match = _KB_CATEGORY.search(path)
        if match:
            return self.category_pages.get(int(match.group(1)))
        return "index.md" if _KB_ROOT.search(path) else None
