"""The "Edit this page" branch: only names git accepts, quoted into the link Material prints raw."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from kbgen.data.model import Branch

ACCEPTED = ["main", "drafts", "docs/help-center", "release/2026.1+kb", "v1.2.3", "a_b-c",
            "feature/x-", "1", "+plus"]
REFUSED = ['main"><meta http-equiv="refresh" content="0;url=https://evil.example/"><b x="',
           "-leading-dash", ".hidden", "a..b", "a//b", "trailing/", "trailing.", "a/.b",
           "a.lock", "x/y.lock/z", "has space", "tab\there", "nul\x00", "a~1", "a^2", "a:b",
           "a?", "a*", "a[b", "back\\slash", "at@{u}", "@", "ctl\x7f", "quote'", "é"]
_branch = TypeAdapter(Branch)


def _git_accepts(name: str) -> bool:
    if "\x00" in name:
        return False  # an argument cannot carry NUL; git could never have such a branch
    result = subprocess.run(["git", "check-ref-format", "--branch", name],
                            capture_output=True, check=False)
    return result.returncode == 0


@pytest.mark.parametrize("name", ACCEPTED)
def test_every_accepted_branch_is_one_git_accepts(name: str) -> None:
    assert _branch.validate_python(name) == name
    assert _git_accepts(name)


@pytest.mark.parametrize("name", REFUSED)
def test_names_git_refuses_or_a_url_cannot_carry_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        _branch.validate_python(name)


@pytest.mark.slow
def test_material_never_prints_a_data_value_as_markup(tmp_path: Path) -> None:
    """Material prints nav titles, page titles, meta and the edit link unescaped: every one
    that comes from data must arrive escaped, on every page."""
    from bs4 import BeautifulSoup

    from ..conftest import build_or_fail, copy_project

    root = copy_project(tmp_path / "project")
    hostile = "<img src=x data-x=1>\"'&amp;"
    categories = root / "data" / "categories.yml"
    text = categories.read_text(encoding="utf-8")
    assert "    title: Protocols & ports\n" in text
    categories.write_text(text.replace("    title: Protocols & ports\n",
                                       f"    title: {json.dumps('Cat ' + hostile)}\n"),
                          encoding="utf-8")
    article = root / "data" / "articles" / "pop-vs-imap.yml"
    text = article.read_text(encoding="utf-8")
    title = "title: What is the difference between POP and IMAP?"
    article.write_text(text.replace(title, f"title: {json.dumps('Art ' + hostile)}", 1),
                       encoding="utf-8")
    site = build_or_fail(root, root / "site")
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert not soup.select("img[data-x]"), page  # no element made from a data value
        assert not [a for a in soup.find_all(True) for name in a.attrs if name == "data-x"], page
    soup = BeautifulSoup((site / "email" / "pop-vs-imap" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert soup.title is not None and soup.title.get_text().startswith("Art " + "<img src=x data-x=1>")
    nav_text = " ".join(a.get_text(" ", strip=True) for a in soup.select("nav a, nav label"))
    assert "Cat <img src=x data-x=1>" in nav_text
