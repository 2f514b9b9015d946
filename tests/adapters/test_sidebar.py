"""Each page's sidebar: the path to it and its own section, so a page does not grow with the site."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from kbgen.adapters.sidebar import SMALL_LEVEL
from kbgen.data.model import Categories, Client

from ..conftest import ROOT, build_or_fail, copy_project

pytestmark = pytest.mark.slow

sys.path.insert(0, str(ROOT / "scripts"))
from benchmark import _dump, _entry  # noqa: E402  (the benchmark's synthetic entries)

PER_SECTION = 5
SECTIONS_PER_GROUP = 10
ARTICLE = "bench-0007"  # in section-1 of group-0 at every size


def synthetic_site(dest: Path, count: int) -> Path:
    """The example project with ``count`` synthetic entries in the benchmark's tree shape
    (one top-level category, groups of sections), with small sections so that a few
    hundred entries make many groups."""
    root = copy_project(dest)
    # Material's prev/next footer links on (the example leaves them off), to see them follow
    # the whole site, not the sidebar.
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    - navigation.top\n", "    - navigation.top\n    - navigation.footer\n"), encoding="utf-8")
    data = root / "data"
    for folder in ("articles", "clients"):
        shutil.rmtree(data / folder)
        (data / folder).mkdir()
    sections = -(-count // PER_SECTION)
    cats: list[dict[str, Any]] = [{"id": "email", "title": "Email", "description": "Email."}]
    cats += [{"id": f"group-{g}", "parent": "email", "title": f"Group {g}", "description": "G.",
              "order": g} for g in range(-(-sections // SECTIONS_PER_GROUP))]
    cats += [{"id": f"section-{s}", "parent": f"group-{s // SECTIONS_PER_GROUP}",
              "title": f"Section {s}", "description": "S.", "order": s} for s in range(sections)]
    (data / "categories.yml").write_text(_dump(Categories.model_validate({"categories": cats})))
    for i in range(count):
        entry = _entry(i, f"section-{i // PER_SECTION}")
        folder = "clients" if isinstance(entry, Client) else "articles"
        (data / folder / f"{entry.id}.yml").write_text(_dump(entry), encoding="utf-8")
    return build_or_fail(root, root / "site")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_site(tmp_path_factory.mktemp("small"), 60)  # 12 sections in 2 groups


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_site(tmp_path_factory.mktemp("large"), 600)  # 120 sections in 12 groups


def page_html(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def sidebar(site: Path, url: str) -> list[str]:
    """The link texts of the page's main navigation, in order."""
    nav = LexborHTMLParser(page_html(site, url)).css_first("nav.md-nav--primary")
    assert nav is not None
    return [a.text(strip=True) for a in nav.css("a.md-nav__link")]


def titles(site: Path, first: int, last: int) -> list[str]:
    """The titles of entries first..last as their pages show them."""
    out = []
    for i in range(first, last + 1):
        h1 = LexborHTMLParser(page_html(site, f"email/bench-{i:04d}")).css_first("article h1")
        assert h1 is not None
        out.append(h1.text(strip=True).rstrip("¶").strip())
    return out


def test_an_article_shows_the_path_and_its_section_not_the_other_branches(large: Path) -> None:
    # 12 groups and 10 sections a group: both levels too large to show beside the path.
    assert sidebar(large, f"email/{ARTICLE}") == [
        "Home", "Email", "Group 0", "Section 1", *titles(large, 5, 9)]


def test_a_small_level_keeps_its_siblings(small: Path) -> None:
    # 2 groups beside each other stay; group 0's 10 sections are more than SMALL_LEVEL.
    assert 2 <= SMALL_LEVEL < SECTIONS_PER_GROUP
    assert sidebar(small, f"email/{ARTICLE}") == [
        "Home", "Email", "Group 0", "Section 1", *titles(small, 5, 9), "Group 1"]


def test_the_current_article_is_marked_and_keeps_its_table_of_contents(large: Path) -> None:
    guide = "email/bench-0006"  # a setup guide: its steps make a table of contents
    nav = LexborHTMLParser(page_html(large, guide)).css_first("nav.md-nav--primary")
    assert nav is not None
    active = [a.text(strip=True) for a in nav.css("a.md-nav__link--active")]
    assert active == titles(large, 6, 6)
    toc = nav.css_first("nav.md-nav--secondary")  # the phone drawer's table of contents
    assert toc is not None and "Steps" in toc.text()


def test_a_category_page_lists_its_own_children(large: Path) -> None:
    assert sidebar(large, "email/group-3") == [
        "Home", "Email", "Group 3", *(f"Section {s}" for s in range(30, 40))]
    assert sidebar(large, "email/group-3/section-31") == [
        "Home", "Email", "Group 3", "Section 31", *titles(large, 155, 159)]
    # the top-level category's own page lists all of its children: it is where one browses
    assert sidebar(large, "email") == ["Home", "Email", *(f"Group {g}" for g in range(12))]


def test_prev_next_and_breadcrumbs_still_follow_the_whole_site(large: Path) -> None:
    tree = LexborHTMLParser(page_html(large, "email/bench-0009"))
    footer = {way: a.attributes.get("href") for way in ("prev", "next")
              for a in tree.css(f"nav.md-footer__inner a.md-footer__link--{way}")}
    # the next page is in another section, which the sidebar does not show
    assert footer == {"prev": "../bench-0008/", "next": "../group-0/section-2/"}
    crumbs = [a.text(strip=True) for a in tree.css("nav.kb-crumbs a")]
    assert crumbs == ["Home", "Email", "Group 0", "Section 1"]


def test_an_article_page_is_the_same_size_in_a_ten_times_larger_site(small: Path, large: Path) -> None:
    sizes = [len((site / "email" / ARTICLE / "index.html").read_bytes()) for site in (small, large)]
    assert abs(sizes[1] - sizes[0]) <= 0.10 * sizes[0], sizes
    nav = [len(LexborHTMLParser(page_html(site, f"email/{ARTICLE}")).css_first(
        "nav.md-nav--primary").html or "") for site in (small, large)]
    assert nav[1] <= nav[0], nav  # the large site's levels are too big to show: less, not more


def test_the_404_page_shows_the_top_level(large: Path) -> None:
    nav = LexborHTMLParser((large / "404.html").read_text(encoding="utf-8")).css_first(
        "nav.md-nav--primary")
    assert nav is not None
    assert [a.text(strip=True) for a in nav.css("a.md-nav__link")] == ["Home", "Email"]


@pytest.mark.browser
def test_the_phone_drawer_opens_on_the_section_and_climbs_the_path(
        large: Path, browser: Any, artifacts: Path) -> None:
    from kbgen.adapters.preview import serve_netlify

    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    drawer = page.locator("nav.md-nav--primary")

    def shown() -> list[str]:
        """The drawer's links a reader can tap: on screen and not covered by another panel."""
        return [t.strip() for t in drawer.locator("a.md-nav__link").evaluate_all("""els => els
            .filter(e => { const r = e.getBoundingClientRect();
                           const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                           return r.width > 0 && hit !== null && e.contains(hit); })
            .map(e => e.textContent)""")]

    def back() -> None:
        """The arrow at the top of the drawer: up one level."""
        x, y = page.locator("label.md-nav__title").evaluate_all("""els => els.map(e => {
            const r = e.getBoundingClientRect(); return [e, r.x + 24, r.y + r.height / 2]; })
            .filter(([e, x, y]) => { const hit = document.elementFromPoint(x, y);
                                     return hit !== null && e.contains(hit); })
            .map(([e, x, y]) => [x, y])[0]""")
        page.mouse.click(x, y)
        page.wait_for_timeout(400)

    with serve_netlify(large) as url:
        page.goto(url + f"email/{ARTICLE}/")
        page.locator("label.md-header__button[for='__drawer']").click()
        page.wait_for_timeout(300)  # the drawer slides in
        page.screenshot(path=str(artifacts / "sidebar-large-drawer-390.png"))
        assert shown() == titles(large, 5, 9)  # it opens on the article's own section
        back()
        assert shown() == ["Section 1"]  # group 0's 10 sections are too many to list beside it
        back()
        assert shown() == ["Group 0"]
        back()
        assert shown() == ["Home", "Email"]
        drawer.get_by_role("link", name="Email").click()  # down again, by the category page
        page.wait_for_url(url + "email/")
        assert sidebar(large, "email")[2:] == [f"Group {g}" for g in range(12)]
    context.close()
    assert not errors, errors
