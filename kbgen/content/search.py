"""How pages rank in Material's site search, and what it leaves out.

Material indexes every section of a page (the text under each heading) and
ranks the pages by their best section; a page's ``search.boost`` multiplies the
score of each of its sections. The rules below were tuned against the search
test set in ``tests/browser/search_queries.yml`` (run in Chromium against
Material's own search):

- the reference pages (a settings or ports table) come first for a port number,
  a host name or a protocol; a troubleshooting page (every known problem, with
  what each app says) comes first for the words of an error;
- a current guide outranks a legacy one, unless the reader names the legacy app
  (its title then matches every word typed);
- listing pages (categories) rank below every article; the home page, which only
  repeats the titles of the pages it lists, is not indexed at all.

The templates also keep the breadcrumbs and the copies of the settings table
(``index_settings_table``) out of the index (``data-search-exclude``): every page
would otherwise match the category names, and every guide the ports and hosts,
burying the pages that explain them.
"""

from __future__ import annotations

from ..data.kb import Entry
from ..data.model import Article
from .listing import is_legacy

SETTINGS_BOOST = 3.0
PORTS_BOOST = 3.0
TROUBLESHOOTING_BOOST = 4.0
LEGACY_BOOST = 0.7
# The DNS records page is for people who run their own domain: it names apps only to
# say which read SRV records, so it must not outrank an app's guide for the app's name.
# Its own words (MX, SPF, DKIM, SRV) appear nowhere else, so it still comes first for them.
DNS_BOOST = 0.5
LISTING_BOOST = 0.0001


def entry_boost(entry: Entry) -> float:
    """The ``search.boost`` of an article or client guide (1 is Material's default)."""
    if is_legacy(entry):
        return LEGACY_BOOST
    if isinstance(entry, Article):
        kinds = {block.type for block in entry.body}
        if "troubleshooting" in kinds:
            return TROUBLESHOOTING_BOOST
        if "dns-records" in kinds:
            return DNS_BOOST
        boost = 1.0
        if "settings" in kinds:
            boost += SETTINGS_BOOST - 1
        if "ports" in kinds:
            boost += PORTS_BOOST - 1
        return boost
    return 1.0


def index_settings_table(entry: Entry) -> bool:
    """Whether a page's settings table goes into the search index: only on a settings
    reference page. A client guide or a troubleshooting page repeats the table for
    the reader's convenience, and indexing every copy would let those pages outrank
    the reference for a port or a host name."""
    if not isinstance(entry, Article):
        return False
    return not any(block.type == "troubleshooting" for block in entry.body)
