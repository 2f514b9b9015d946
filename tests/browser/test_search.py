"""The search test set (search_queries.yml), run in Chromium against Material's own
search on the built site: each query is typed into the search box the way a
reader types it, and the pages Material lists are compared with what the set
expects. The ranking rules live in kbgen/content/search.py and mkdocs.yml
(plugins > search: separator, pipeline).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kbgen.content.listing import is_legacy
from kbgen.data import facts
from kbgen.data.data_folder import load_kb
from kbgen.data.facts import fill
from kbgen.data.kb import KB
from kbgen.data.urls import category_uri, entry_uri, page_url

pytestmark = pytest.mark.browser

QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yml").read_text(encoding="utf-8"))

# The pages of the result list, in order: each item's first link is its page.
RESULTS_JS = """() => [...document.querySelectorAll(
    '.md-search-result__list > li.md-search-result__item')].map(li =>
      new URL(li.querySelector('a').href).pathname)"""


@pytest.fixture(scope="module")
def kb(example_site: Path) -> KB:
    return load_kb(example_site.parent)


@pytest.fixture(scope="module")
def search_page(browser: Any, site_url: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site_url)
    page.locator("input.md-search__input").click()
    yield page
    context.close()


def search(page: Any, query: str) -> list[str]:
    """Type ``query`` and return the result pages once the list stops changing."""
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press_sequentially(query, delay=5)  # Material searches on key events
    last: list[str] | None = None
    steady = 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.1)
        found = page.evaluate(RESULTS_JS)
        steady = steady + 1 if found == last and found else 0
        last = found
        if steady >= 3:
            break
    return last or []


def test_the_set_is_big_enough() -> None:
    assert len(QUERIES) >= 25
    assert all(q.get("first") or q.get("top3") for q in QUERIES)


@pytest.mark.parametrize("case", QUERIES, ids=[q["query"] for q in QUERIES])
def test_search_finds_the_right_page(search_page: Any, kb: KB, case: dict[str, Any]) -> None:
    base = "/"
    url = {eid: page_url(entry_uri(kb, e), base) for eid, e in kb.entries.items()}
    listing = {page_url("index.md", base)} | {page_url(category_uri(kb, c), base) for c in kb.categories}
    legacy = {url[e.id] for e in kb.entries.values() if is_legacy(e)}
    query = fill(case["query"], facts.placeholders(kb))

    found = search(search_page, query)
    shown = [p.strip("/") for p in found[:6]]
    assert found, f"{query!r}: no results"
    if case.get("first"):
        assert found[0] == url[case["first"]], f"{query!r}: {shown}"
    for eid in case.get("top3", []):
        assert url[eid] in found[:3], f"{query!r}: {eid} not in the top 3 of {shown}"
    # listing pages never above an article
    articles = [i for i, p in enumerate(found) if p not in listing]
    lists = [i for i, p in enumerate(found) if p in listing]
    assert not lists or not articles or min(lists) > max(articles), f"{query!r}: {shown}"
    # in the top three, a legacy guide never above a current article, unless the
    # reader asked for the legacy guide by name (it is then the expected first)
    wanted = url.get(case.get("first", ""))
    top = found[:3]
    for i, p in enumerate(top):
        if p in legacy and p != wanted:
            below = [q for q in top[i + 1:] if q not in legacy and q not in listing]
            assert not below, f"{query!r}: legacy {p} above current {below}: {shown}"
