"""Every built page is valid HTML, by the Nu HTML Checker (vnu.jar from npm, on Java)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from ..conftest import provider_names
from .conftest import VNU_JAR, tool

pytestmark = pytest.mark.slow

# Each filter names markup that Material for MkDocs 9.8 writes itself (its templates,
# not ours or the data's), that browsers handle as intended, and that we could only
# change by forking Material's partials. Anything else fails the test.
MATERIAL_FILTERS: list[tuple[str, str]] = [
    # base.html: the drawer/search toggles are <input type="checkbox" autocomplete="off">
    # so Firefox does not restore a stale open/closed state after "back".
    (r"^Attribute “autocomplete” is only allowed when the input type is ", 'id="__'),
    # partials/nav-item.html: section labels get tabindex="" when navigation.indexes
    # is off for that level; an empty tabindex is ignored by browsers (not focusable).
    (r"^Bad value “” for attribute “tabindex” on element “label”", 'class="md-nav__link'),
    # partials/toc.html: on a section index page (navigation.indexes) the table of
    # contents' title label points at the __toc toggle, which nav-item.html only
    # writes for plain pages; the label is a heading that toggles nothing there.
    (r"^The value of the “for” attribute of the “label” element must be the ID of a non-hidden "
     r"form control", 'for="__toc"'),
]


def _material(message: dict[str, object]) -> bool:
    text = str(message.get("message", ""))
    extract = str(message.get("extract", ""))
    return any(re.search(pattern, text) and marker in extract
               for pattern, marker in MATERIAL_FILTERS)


@pytest.mark.parametrize("name", provider_names())
def test_every_page_is_valid_html(name: str, provider_site: Callable[[str], Path]) -> None:
    """Every provider data set (tests/providers/), not just the example."""
    example_site = provider_site(name)
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: run scripts/setup (installs default-jre-headless)")
    pages = sorted(example_site.rglob("*.html"))
    assert len(pages) > 10
    result = subprocess.run(
        [java, "-Xss2m", "-jar", str(tool(VNU_JAR)), "--errors-only", "--format", "json",
         *map(str, pages)], capture_output=True, text=True, check=False, timeout=300)
    report = json.loads(result.stderr or '{"messages": []}')  # vnu writes its report to stderr
    errors = [m for m in report["messages"] if m.get("type") in {"error", "non-document-error"}]
    left = [m for m in errors if not _material(m)]
    shown = [f"{str(m.get('url', '')).split(str(example_site) + '/')[-1]}:{m.get('lastLine', '?')}: "
             f"{m.get('message')} [{str(m.get('extract', '')).strip()[:80]}]" for m in left]
    assert shown == [], "\n".join(shown)
