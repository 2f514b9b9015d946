"""Where everything is published: each entry's and category's page, and the files for mail apps.

Pages, redirects, the 404 list, the autoconfig documentation link and the
legacy-URL checks all read addresses from here, so a page has one URL.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from .kb import KB, Entry
from .model import Article, Provider, SettingsBlock, TroublesBlock

THUNDERBIRD_PATHS = (".well-known/autoconfig/mail/config-v1.1.xml", "mail/config-v1.1.xml")
APPLE_PROFILE_PATH = "mail/email-imap.mobileconfig"
APPLE_POP_PROFILE_PATH = "mail/email-pop.mobileconfig"
# One Apple profile per incoming protocol the provider offers, IMAP first.
APPLE_PROFILE_PATHS = {"imap": APPLE_PROFILE_PATH, "pop3": APPLE_POP_PROFILE_PATH}
# The Netlify Function that answers Outlook Autodiscover, under the project root
# (Netlify's default functions folder), and the paths Outlook asks, as it spells them.
AUTODISCOVER_FUNCTION_PATH = "netlify/functions/autodiscover.mjs"
AUTODISCOVER_ROUTES = ("/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml",
                       "/AutoDiscover/AutoDiscover.xml")
# Templates of the Apple profiles a reader's browser fills in for their own address.
PERSONAL_PROFILES_PATH = "mail/personal-profiles.json"
DNS_ZONE_PATH = "mail/email-dns.zone"  # the records of the DNS article, for a customer's zone
# The picture link previews show (og:image): the project's own docs/ file of that name, or
# else kbgen's neutral card (kbgen/adapters/assets/og-image.png), 1200 x 630 px.
OG_IMAGE_PATH = "assets/kbgen-og.png"
OG_IMAGE_SIZE = (1200, 630)


def card_uri(kb: KB) -> str:
    """The one-page settings card: /settings-card/, or a free name beside a category of that name."""
    # Only a top-level category can take the name: every entry's page sits inside its
    # top category's folder (entry_uri), so it is never a root page like this one.
    taken = {category_uri(kb, cid) for cid in kb.categories}
    name, n = "settings-card", 1
    while f"{name}.md" in taken or f"{name}/index.md" in taken:
        n += 1
        name = f"settings-card-{n}"
    return f"{name}.md"


def category_uri(kb: KB, category_id: str) -> str:
    parts = [c.id for c in kb.ancestors(category_id)]
    return "/".join(parts) + "/index.md"


def entry_uri(kb: KB, entry: Entry) -> str:
    """Articles live under their top-level category: /email/pop-vs-imap/."""
    top = kb.ancestors(entry.category)[0].id
    return f"{top}/{entry.id}.md"


def page_url(uri: str, base: str = "/") -> str:
    """A page's URL from its docs URI, as built with ``use_directory_urls`` (a/b.md -> /a/b/)."""
    if uri == "index.md":
        return base
    if uri.endswith("/index.md"):
        return base + uri[: -len("index.md")]
    return base + uri[: -len(".md")] + "/"


def edit_url(provider: Provider, source: str | None) -> str | None:
    """"Edit this page": the data file in the repository, or None without a repository.

    Material prints ``page.edit_url`` into ``href="…"`` without escaping, so the
    value is percent-quoted into the URL and then HTML-escaped for the attribute.
    """
    if not source or not provider.repo_url:
        return None
    url = (f"{provider.repo_url.rstrip('/')}/edit/{quote(provider.edit_branch, safe='/')}/"
           f"{quote(source, safe='/')}")
    return html.escape(url, quote=True)


def settings_entry(kb: KB) -> Entry | None:
    """The reference page for the server settings (the autoconfig file links it).

    Chosen by what the articles hold, never by an id: a listed article with a
    settings table; one that is not about troubleshooting, with the table nearest
    its top, comes first; then by ``order`` and title.
    """
    def rank(entry: Article) -> tuple[bool, int, int, str, str]:
        first = next(i for i, b in enumerate(entry.body) if isinstance(b, SettingsBlock))
        troubles = any(isinstance(b, TroublesBlock) for b in entry.body)
        return (troubles, first, entry.order, entry.title.casefold(), entry.id)

    found = [e for e in kb.published() if isinstance(e, Article) and not e.hidden
             and any(isinstance(b, SettingsBlock) for b in e.body)]
    return min(found, key=rank, default=None)
