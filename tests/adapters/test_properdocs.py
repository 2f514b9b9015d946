"""The site builds the same with ProperDocs, the maintained fork of MkDocs 1.6, as with MkDocs.

MkDocs 1.x is no longer maintained; a provider who moves to ProperDocs must get the
same help center. The one difference allowed is the page's generator line, where
each tool names itself.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import copy_project, mkdocs_build

pytestmark = pytest.mark.slow

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): GENERATOR.sub(b"<generator>", p.read_bytes())
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_properdocs_builds_the_same_site(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    result = mkdocs_build(root, tmp_path / "mkdocs")
    assert result.returncode == 0, result.stderr
    proper = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "-d", str(tmp_path / "properdocs")],
        cwd=root, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proper.returncode == 0, proper.stderr
    page = (tmp_path / "properdocs" / "index.html").read_text(encoding="utf-8")
    assert 'content="mkdocs-ProperDocs 1.6.7' in page  # it really was ProperDocs
    ours, theirs = _files(tmp_path / "mkdocs"), _files(tmp_path / "properdocs")
    assert sorted(ours) == sorted(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []
