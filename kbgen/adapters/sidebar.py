"""Each page's own sidebar: the path to it and its own section, never the whole site.

Material renders the nav it is given into every page. With the full nav (even
pruned), an article page carries every child of its top-level section, so at
10,000 articles a page doubles in size from links a reader of that article does
not need. Help centers (Zendesk, Freshdesk, WHMCS) show an article beside the
other articles of its section and the path up to it; the category pages do the
browsing. ``page_nav`` gives Material that, as a nav of its own per page:

- the top level always (Home and the top-level categories: the site's spine);
- each category on the way to the page, and beside it its siblings only while
  its level is small (at most ``SMALL_LEVEL`` items), so a small help center
  keeps the sidebar it had and a large one does not grow;
- everything in the page's own category (its entries, its subcategories as
  links), which is bounded by that category, not by the site.

Only the nav handed to the page's template changes: MkDocs' own nav (prev/next
links, the sitemap, search) stays whole. The pages are MkDocs' own Page objects,
so Material's ``nav_item == page``, ``active`` and ``is_index`` checks work as
with the full nav; the sections are new Section objects with only the children
shown (a collapsed one keeps one page, its index, which Material prunes into a
link to it).
"""

from __future__ import annotations

from typing import Any

from mkdocs.structure.nav import Navigation, Section

SMALL_LEVEL = 8
"""A level with at most this many items (besides its section's own index page)
is shown whole in the sidebar of pages below it; a larger one shows only the way
down. At 8, the example help center (5 categories) keeps its sidebar, and a page
of a 10,000-article site carries no more than it would at 100."""


def page_nav(nav: Navigation, page: Any | None) -> Navigation:
    """The nav Material renders in ``page``'s sidebar (``None``: a page outside the nav)."""
    path: list[Section] = []
    parent = page.parent if page is not None else None
    while parent is not None:
        path.insert(0, parent)
        parent = parent.parent
    shown = Navigation([], [])  # not Navigation(items, pages): that scans every page for the home
    shown.items = _level(nav.items, path, 0)
    shown.pages = nav.pages
    shown.homepage = nav.homepage
    return shown


def _level(items: list[Any], path: list[Section], depth: int) -> list[Any]:
    """The items shown at ``depth``: ``path[depth]`` is the section on the way to the page."""
    current: Any = path[depth] if depth < len(path) else None
    # The top level and the page's own section are shown whole; a level above the page
    # only while it is small.
    whole = depth == 0 or current is None or _size(items) <= SMALL_LEVEL
    shown: list[Any] = []
    for item in items:
        if item is current:
            shown.append(_section(item, _level(item.children, path, depth + 1), active=True))
        elif getattr(item, "is_index", False):
            shown.append(item)  # the section's own page: its link in the sidebar
        elif not whole:
            continue
        elif item.is_section:
            shown.append(_collapsed(item, top=depth == 0))
        else:
            shown.append(item)
    return shown


def _collapsed(section: Section, *, top: bool) -> Section:
    """A section off the page's path: a link to it. At the top level, where Material's
    navigation.sections shows every section open, also its children (as links) while few."""
    children: list[Any] = section.children
    if top and _size(children) <= SMALL_LEVEL:
        return _section(section, [c if not c.is_section else _collapsed(c, top=False)
                                  for c in children], active=False)
    first = _first_page(section)
    return _section(section, [first] if first is not None else [], active=False)


def _first_page(item: Any) -> Any | None:
    """The page Material's pruned link leads to: the first page down the first children."""
    while item is not None and item.is_section:
        item = item.children[0] if item.children else None
    return item


def _section(original: Section, children: list[Any], *, active: bool) -> Section:
    section = Section(original.title, children)  # parent stays None: nothing propagates upwards
    section.active = active
    return section


def _size(items: list[Any]) -> int:
    return sum(1 for item in items if not getattr(item, "is_index", False))
