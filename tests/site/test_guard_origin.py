"""What the CSP guard refuses on a generated page is reported at the data file and line
that made it (``data/…yml:line:col:``), then the page, never at the page alone."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from kbgen.data.data_folder import load_kb
from kbgen.hosting.guard import Guard
from kbgen.hosting.origin import describe_all

from ..conftest import copy_project, mkdocs_build


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


def test_an_attribute_a_data_value_put_on_a_page_is_reported_at_that_value(tmp_path: Path) -> None:
    """The audit's case, as the page came out before plain text was kept out of Markdown:
    a category description on two lines whose second set onclick on the home page."""
    root = copy_project(tmp_path / "project")
    categories = root / "data" / "categories.yml"
    text = categories.read_text(encoding="utf-8")
    first = "description: Set up your mailbox in any app, choose between POP and IMAP, and fix common errors."
    assert first in text
    categories.write_text(text.replace(first, "description: |-\n      Set up your mailbox anywhere.\n"
                                              "      {: onclick=alert(document.domain) }", 1),
                          encoding="utf-8")
    kb = load_kb(root)
    guard = Guard([])
    page = ("<!doctype html><html><head><title>t</title></head><body>\n" + "<p>x</p>\n" * 911 +
            '<p class="kb-section-description" onclick="alert(document.domain)">'
            "Set up your mailbox anywhere.</p>\n</body></html>")
    guard.check("index.html", page)
    messages = describe_all(kb, guard.policy.refusals)
    assert len(messages) == 1, messages
    # at the attribute's value in the data file, then the page and line
    line = _line_of(categories, "{: onclick")
    col = categories.read_text(encoding="utf-8").splitlines()[line - 1].index("alert(") + 1
    assert messages[0].startswith(f"data/categories.yml:{line}:{col}: categories[0].description: "
                                  "index.html:913: onclick on <p>"), messages


def _override(root: Path, name: str, old: str, new: str) -> None:
    """A site's own copy of one of kbgen's page templates (overrides/kbgen/), changed."""
    text = (files("kbgen.content") / "templates" / name).read_text(encoding="utf-8")
    assert old in text, name
    target = root / "overrides" / "kbgen" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.slow
def test_a_build_the_guard_refuses_names_the_data_behind_each_page(tmp_path: Path) -> None:
    """A site's own templates put inline styles on generated pages: the build fails, and
    each refusal starts with the data that made the page, the exact field when the element
    shows one (an article's summary), else the page's own data (a category's entry)."""
    root = copy_project(tmp_path / "project")
    _override(root, "article.md.j2", '<p class="kb-summary">',
              '<p class="kb-summary" style="color: red">')
    _override(root, "category.md.j2", '{% include "_crumbs.md.j2" %}\n',
              '{% include "_crumbs.md.j2" %}\n\n<p class="kb-note" style="color: red">Static words</p>\n')
    result = mkdocs_build(root, root / "site")
    assert result.returncode != 0
    assert "kbgen: the built site cannot be published" in result.stderr, result.stderr
    refused = [line for line in result.stderr.splitlines() if "a style attribute on <p>" in line]
    assert refused, result.stderr
    for line in refused:
        assert re.match(r"data/[\w/.-]+\.yml:\d+:\d+: ", line), line

    article = root / "data" / "articles" / "pop-vs-imap.yml"
    summary = _line_of(article, "summary:")
    assert any(line.startswith(f"data/articles/pop-vs-imap.yml:{summary}:10: summary: "
                               "email/pop-vs-imap/index.html:") for line in refused), refused

    categories = root / "data" / "categories.yml"
    data = yaml.safe_load(categories.read_text(encoding="utf-8"))
    protocols = next(i for i, c in enumerate(data["categories"]) if c["id"] == "protocols")
    item = _line_of(categories, "- id: protocols")
    assert any(line.startswith(f"data/categories.yml:{item}:5: email/protocols/index.html:")
               for line in refused), (protocols, refused)
