"""Shared fixtures: a copy of the project, a real site build, a loopback server, Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("KBGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
PROJECT_FILES = ["mkdocs.yml", "data", "docs", "overrides"]

# The build date every test sees (4 December 2026), in process and in every build it
# starts: a guide's 'checked:' month ages against it, so no test changes with the clock.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1796342400")


def edit(path: Path, old: str, new: str, *, pattern: bool = False) -> Path:
    """An author's edit: the first ``old`` in ``path`` (a multi-line regular expression
    with ``pattern=True``) becomes ``new``; the test fails if it is not there."""
    text = path.read_text(encoding="utf-8")
    changed = re.sub(old, new, text, count=1, flags=re.M) if pattern else text.replace(old, new, 1)
    assert changed != text, (path, old)
    path.write_text(changed, encoding="utf-8")
    return path


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


PROVIDERS = ROOT / "tests" / "providers"
"""Complete provider data sets (tests/providers/README.md); "example" is the project's own."""


def provider_names() -> list[str]:
    """Every provider data set the tests know: the example first, then tests/providers/*."""
    return ["example", *sorted(p.name for p in PROVIDERS.iterdir() if (p / "data").is_dir())]


def copy_provider(name: str, dest: Path) -> Path:
    """The example project with one provider's data set in place of its own.

    ``data/`` (and ``mkdocs.yml``) are replaced; ``docs/`` and ``overrides/`` in the
    set are laid over the project's, so a set only carries what differs.
    """
    copy_project(dest)
    if name == "example":
        return dest
    src = PROVIDERS / name
    if not (src / "data").is_dir():
        raise ValueError(f"no provider data set {name!r} in {PROVIDERS}")
    for item in sorted(src.iterdir()):
        if item.name not in PROJECT_FILES:
            continue
        target = dest / item.name
        if item.name == "data":
            shutil.rmtree(target)
        if item.is_dir():
            shutil.copytree(item, target, dirs_exist_ok=True)
        else:
            shutil.copy2(item, target)
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
def provider_site(tmp_path_factory: pytest.TempPathFactory,
                  request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """Build a provider data set (by name) with `mkdocs build --strict`, once per session.

    ``provider_site("imap-only")`` returns the built site folder; the example is
    the session's ``example_site``.
    """
    built: dict[str, Path] = {}

    def build(name: str) -> Path:
        if name == "example":
            site: Path = request.getfixturevalue("example_site")
            return site
        if name not in built:
            root = copy_provider(name, tmp_path_factory.mktemp(f"provider-{name}"))
            built[name] = build_or_fail(root, root / "site")
        return built[name]

    return build


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
