"""Small accessibility repairs to markup that Material for MkDocs writes itself.

Each repair is exact (it matches Material's markup literally and does nothing
when it is absent), so a Material upgrade that fixes or changes the markup
turns the repair into a no-op and the axe-core tests show whether it is still
needed (tests/site/test_axe.py).
"""

from __future__ import annotations

import re

# partials/search.html: the search overlay is role="dialog" without a name
# (axe: aria-dialog-name, serious). Name it like its own search field.
_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
_SEARCH_LABEL = re.compile(r'<input type="text" class="md-search__input" name="query" aria-label="([^"]*)"')


def repair(html: str) -> str:
    """``html`` with the repairs applied."""
    if _SEARCH_DIALOG in html:
        label = _SEARCH_LABEL.search(html)
        name = label.group(1) if label else "Search"
        html = html.replace(_SEARCH_DIALOG, _SEARCH_DIALOG[:-1] + f' aria-label="{name}">', 1)
    return html
