"""From a saved article to the reader's browser showing it: ``kbgen serve`` end to end.

``scripts/benchmark.py`` times the site update alone; this adds what an author
waits for around it: the file watcher noticing the save, the open page hearing
that a new version is there, and Chromium loading it again. It builds the
benchmark's synthetic help center (or uses ``--project``), starts ``kbgen serve``,
opens one article in headless Chromium (Playwright, Debian's chromium) and, for a
saved text and a saved title, prints the seconds from the write to the new words
on the screen.

    python3 scripts/serve_latency.py --size 1000
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

CHROMIUM = "/usr/bin/chromium"
PAUSE_MS = 5000  # between the page showing and the next save


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def measure(project: Path, port: int, log: Path | None = None) -> list[tuple[str, float]]:
    from playwright.sync_api import sync_playwright

    articles = sorted((project / "data" / "articles").glob("*.yml"))
    source = articles[len(articles) // 2]
    original = source.read_text(encoding="utf-8")
    page_url = f"http://127.0.0.1:{port}/email/{source.stem}/"
    server = subprocess.Popen([sys.executable, "-m", "kbgen.adapters.cli", "--root", str(project),
                               "serve", "--port", str(port)],
                              stdout=log.open("w") if log else subprocess.DEVNULL,
                              stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
    results = []
    try:
        start = time.monotonic()
        while not _up(page_url):
            if server.poll() is not None or time.monotonic() - start > 1800:
                sys.exit("kbgen serve did not start")
            time.sleep(1)
        print(f"  first build and start: {time.monotonic() - start:.0f} s", flush=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(page_url)
            # An author reads the page before saving again: by then the reload script has
            # asked for the next version, and Chromium has loaded the search index (20 MB
            # at 10,000 articles) on the same two cores.
            page.wait_for_timeout(PAUSE_MS)
            title = re.search(r"(?m)^title: (.*)$", original)
            assert title is not None
            edits = [("text", original.replace("useful about", "useful, really, about", 1),
                      "useful, really, about"),
                     ("title", original.replace(title.group(0), title.group(0) + " (edited)", 1),
                      title.group(1) + " (edited)")]
            for name, text, shown in edits:
                written = time.monotonic()
                source.write_text(text, encoding="utf-8")
                page.wait_for_function("s => document.body && document.body.innerText.includes(s)",
                                       arg=shown, timeout=60_000, polling="raf")
                results.append((name, time.monotonic() - written))
                page.wait_for_timeout(PAUSE_MS)
            browser.close()
    finally:
        source.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(30)
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="articles in the synthetic project")
    parser.add_argument("--project", type=Path, help="an existing project instead (one of its "
                        "articles is edited and put back)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--log", type=Path, help="write kbgen serve's output there")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kbgen-latency-") as tmp:
        project = args.project
        if project is None:
            from benchmark import make_project

            project = Path(tmp) / "project"
            project.mkdir()
            make_project(project, args.size)
        for name, seconds in measure(project.resolve(), args.port, args.log):
            print(f"  saved {name} on screen after {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
