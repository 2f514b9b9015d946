"""The parts of kbgen's own work a build cannot do without, each timed alone (CPU seconds).

Builds the benchmark's synthetic help center with ``mkdocs build``, then times, in
this one process: loading and validating the data, rendering every page's Markdown,
and lexbor's parse of every built page (without and with the CSP guard's walk). The
README compares their sum with plain Material's CPU time (scripts/benchmark.py).

    python3 scripts/own_work.py --size 1000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def cpu(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="articles in the synthetic project")
    args = parser.parse_args(argv)

    from benchmark import make_project
    from selectolax.lexbor import LexborHTMLParser

    from kbgen.content.render import render_pages
    from kbgen.data.data_folder import load_kb
    from kbgen.hosting.guard import scan_html

    with tempfile.TemporaryDirectory(prefix="kbgen-own-") as tmp:
        project, site = Path(tmp) / "project", Path(tmp) / "site"
        project.mkdir()
        make_project(project, args.size)
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "--strict", "-d", str(site)],
                       cwd=project, check=True,
                       env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)})
        seconds, kb = cpu(lambda: load_kb(project))
        print(f"  load and validate {len(kb.entries):,} entries: {seconds:.2f} s")
        seconds, pages = cpu(lambda: render_pages(kb, project / "templates"))
        print(f"  render {len(pages):,} pages' Markdown: {seconds:.2f} s")
        html = [p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))]
        # Each tree is dropped before the next parse, as in a build.
        seconds, _ = cpu(lambda: [LexborHTMLParser(h, scripting=True) and None for h in html])
        print(f"  lexbor's parse of {len(html):,} pages: {seconds:.2f} s")
        seconds, _ = cpu(lambda: [scan_html(h) and None for h in html])
        print(f"  the CSP guard's parse and walk of {len(html):,} pages: {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
