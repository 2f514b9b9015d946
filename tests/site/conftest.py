"""Fixtures for the deploy checks: the example site served as Netlify serves it, and the
project-local tools (vnu.jar, axe-core) that scripts/setup installs into .tools/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kbgen.adapters.preview import serve_netlify

from ..conftest import ROOT

TOOLS = ROOT / ".tools" / "node_modules"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = TOOLS / "axe-core" / "axe.min.js"


def tool(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run scripts/setup (npm installs it into .tools/)")
    return path


@pytest.fixture(scope="session")
def netlify_url(example_site: Path) -> Iterator[str]:
    """The example site on 127.0.0.1 with its generated _headers and _redirects applied."""
    with serve_netlify(example_site) as url:
        yield url


def client_guide_url(site: Path) -> str:
    """The URL path of one built client guide (data/clients/*.yml); a site without one fails."""
    for data in sorted((ROOT / "data" / "clients").glob("*.yml")):
        for page in site.glob(f"*/{data.stem}/index.html"):
            return page.parent.relative_to(site).as_posix() + "/"
    pytest.fail("no client guide of data/clients/ was built")
