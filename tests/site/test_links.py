"""linkchecker over the built site, served on 127.0.0.1 as Netlify serves it, anchors included."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kbgen.adapters.preview import serve_netlify

pytestmark = pytest.mark.slow

CONFIG = """\
[filtering]
# Only the site itself: external links (the repository's "edit" links) need the network.
checkextern=0

[checking]
maxrequestspersecond=100

[output]
warnings=1

# Every #fragment must name an element of the page it points to.
[AnchorCheck]
"""


# As root, linkchecker switches its effective user to `nobody` after reading its
# configuration and *before* it discovers its plugins by listing its own package
# folder. Under /root/.pyenv (mode 0700) `nobody` cannot list it, so AnchorCheck
# silently does not load and no anchor is ever checked (see the test below). We
# run linkchecker's own entry point without that switch: it only talks to our
# loopback server.
RUN_LINKCHECKER = """
import sys
import linkcheck.command.linkchecker as cli
cli.drop_privileges = lambda: None
sys.argv[0] = "linkchecker"
sys.exit(cli.linkchecker())
"""


@pytest.fixture(scope="module")
def config_file() -> Iterator[Path]:
    # Readable by everyone, should linkchecker still run as `nobody` somewhere.
    folder = Path(tempfile.mkdtemp(prefix="kbgen-linkchecker-"))
    try:
        folder.chmod(0o755)
        path = folder / "linkcheckerrc"
        path.write_text(CONFIG, encoding="utf-8")
        path.chmod(0o644)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def linkcheck(site: Path, config_file: Path) -> tuple[str, list[dict[str, str]], str, int]:
    """Crawl ``site`` from its home page; return (base URL, one row per link, stderr, status)."""
    assert shutil.which("linkchecker"), "linkchecker is missing: run scripts/setup"
    # linkchecker waits 0.1-0.6 s between requests to a host unless the host answers
    # with a `LinkChecker` header: ours is a loopback test server, so let it run at full speed.
    with serve_netlify(site, extra_headers={"LinkChecker": "allowed"}) as url:
        result = subprocess.run(
            [sys.executable, "-c", RUN_LINKCHECKER, "--config", str(config_file), "--no-status", "--verbose",
             "--output", "csv", url],
            capture_output=True, text=True, timeout=300, check=False,
            env={**os.environ, "HOME": str(config_file.parent)})
    rows = list(csv.DictReader((line for line in result.stdout.splitlines()
                                if line and not line.startswith("#")), delimiter=";"))
    return url, rows, result.stdout[-2000:] + result.stderr[-2000:], result.returncode


def _problems(rows: list[dict[str, str]]) -> list[str]:
    return [f"{row['urlname']} (on {row['parentname']}:{row['line']}): "
            f"{row['result']} {row['warningstring']}".strip()
            for row in rows if row["valid"] != "True" or row["warningstring"]]


def test_the_checker_catches_a_broken_anchor_and_link(tmp_path: Path, config_file: Path) -> None:
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text('<!doctype html><title>x</title><a href="a/#there">a</a> '
                                     '<a href="a/#nowhere">b</a> <a href="gone/">c</a>')
    (site / "a" / "index.html").write_text('<!doctype html><title>a</title><h2 id="there">t</h2>')
    (site / "404.html").write_text("<!doctype html><title>404</title>")
    for path in (tmp_path, site, site / "a"):
        path.chmod(0o755)
    _url, rows, _log, status = linkcheck(site, config_file)
    problems = _problems(rows)
    assert any("#nowhere" in p and "anchor" in p.lower() for p in problems), problems
    assert any("gone/" in p and "404" in p for p in problems), problems
    assert not any("#there" in p for p in problems), problems
    assert status != 0


def test_no_broken_link_or_anchor(example_site: Path, config_file: Path) -> None:
    url, rows, log, status = linkcheck(example_site, config_file)
    checked = {row["url"] for row in rows}
    # It crawled the whole site, not just the home page.
    assert url + "email/pop-vs-imap/" in checked, log
    assert len([u for u in checked if u.endswith("/")]) >= 10
    problems = _problems(rows)
    assert problems == [], "\n".join(problems)
    assert status == 0, log


@pytest.mark.parametrize("name", ["imap-only", "cpanel"])
def test_no_broken_link_or_anchor_for_other_providers(
        name: str, provider_site: Callable[[str], Path], config_file: Path) -> None:
    """The provider data sets of tests/providers/ link as soundly as the example."""
    _url, rows, log, status = linkcheck(provider_site(name), config_file)
    assert len([row for row in rows if row["url"].endswith("/")]) >= 8, log
    problems = _problems(rows)
    assert problems == [], "\n".join(problems)
    assert status == 0, log
