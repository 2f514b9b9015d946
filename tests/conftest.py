"""Shared fixtures: a copy of the project, a real site build, a loopback server, Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("KBGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
PROJECT_FILES = ["mkdocs.yml", "data", "docs", "overrides"]


def copy_project(dest: Path) -> Path:
    """A throwaway copy of the example project that a test may change freely."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def mkdocs_build(root: Path, site: Path, *, strict: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a real `mkdocs build` of ``root`` into ``site``."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), "-d", str(site)]
    if strict:
        cmd.append("--strict")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)


def build_or_fail(root: Path, site: Path) -> Path:
    result = mkdocs_build(root, site)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example help center, built once per test session with --strict."""
    root = copy_project(tmp_path_factory.mktemp("example"))
    return build_or_fail(root, root / "site")


@pytest.fixture(scope="session")
def site_url(example_site: Path) -> Iterator[str]:
    """The example site served on 127.0.0.1 as Netlify serves it: the generated
    _headers (CSP included) and _redirects apply to every browser test."""
    from kbgen.adapters.preview import serve_netlify

    with serve_netlify(example_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian chromium driven by Playwright (no browser download needed)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots and PDFs for a person to look at (gitignored)."""
    path = ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
