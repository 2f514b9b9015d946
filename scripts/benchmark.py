#!/usr/bin/env python3
"""Build-time benchmark: synthetic help centers of N articles, built for real.

Generates N client guides and articles through the real data model (each one
validated by pydantic, then written as YAML), spreads them over sections of 25
like a real knowledge base, runs a real `mkdocs build --strict`, and prints:
build seconds, seconds per article, and the HTML bytes of one article page.
Comparing sizes shows whether per-page cost grows with the site (the nav
Material renders into every page is what would make it grow).

    python3 scripts/benchmark.py            # 100 and 1000 articles
    python3 scripts/benchmark.py 100 500    # other sizes
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbgen.data.model import Article, Categories, Client  # noqa: E402

PER_SECTION = 25
SAMPLE = "bench-0007"  # the page whose size is reported, present at every size


def _dump(model: Any) -> str:
    data = model.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _entry(i: int, section: str) -> Article | Client:
    common: dict[str, Any] = {
        "id": f"bench-{i:04d}",
        "summary": f"Synthetic article number {i}, about mail settings and setup.",
        "category": section,
        "protocols": ["imap", "pop3"],
        "tags": [f"tag-{i % 7}", "bench"],
        "order": i,
    }
    if i % 2:
        return Article.model_validate({
            **common,
            "title": f"Synthetic article {i}",
            "body": [
                {"type": "text", "markdown": "This article explains **something** useful.\n\n"
                 "- one point\n- another point\n"},
                {"type": "ports", "protocols": ["imap", "pop3", "smtp"]},
            ],
        })
    return Client.model_validate({
        **common,
        "title": f"Set up Synthetic Mail {i}",
        "app": f"Synthetic Mail {i}",
        "family": f"family-{i % 5}",
        "platform": "windows",
        "written_for": f"Synthetic Mail {i}.0",
        "steps": [
            {"title": "Open the accounts screen", "text": "Choose **Add account**."},
            {"title": "Type the settings", "settings": True},
            {"title": "Finish", "text": "Select **Done**."},
        ],
        "troubleshooting": [{"problem": "wrong-password", "message": "Login failed."}],
    })


def make_project(dest: Path, count: int) -> None:
    for name in ["mkdocs.yml", "docs", "overrides"]:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    data = dest / "data"
    data.mkdir()
    for name in ["provider.yml", "troubleshooting.yml", "protocols"]:
        src = ROOT / "data" / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, data / name)
    sections = max(1, -(-count // PER_SECTION))
    groups = max(1, -(-sections // 10))
    cats: list[dict[str, Any]] = [{"id": "email", "title": "Email", "description": "Email."}]
    for g in range(groups):
        cats.append({"id": f"group-{g}", "parent": "email", "title": f"Group {g}",
                     "description": f"Group {g}.", "order": g})
    for s in range(sections):
        cats.append({"id": f"section-{s}", "parent": f"group-{s // 10}", "title": f"Section {s}",
                     "description": f"Section {s}.", "order": s})
    (data / "categories.yml").write_text(_dump(Categories.model_validate({"categories": cats})))
    (data / "articles").mkdir()
    (data / "clients").mkdir()
    for i in range(count):
        entry = _entry(i, f"section-{i // PER_SECTION}")
        folder = "clients" if isinstance(entry, Client) else "articles"
        (data / folder / f"{entry.id}.yml").write_text(_dump(entry), encoding="utf-8")


def measure(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-") as tmp:
        root = Path(tmp)
        make_project(root, count)
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml"),
             "-d", str(root / "site")], cwd=root, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"build of {count} articles failed:\n{result.stderr[-3000:]}")
        page = root / "site" / "email" / f"{SAMPLE}" / "index.html"
        return {"articles": count, "seconds": seconds, "per_article": seconds / count,
                "page_bytes": page.stat().st_size,
                "pages": sum(1 for _ in (root / "site").rglob("index.html"))}


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [100, 1000]
    print(f"{'articles':>8} {'pages':>6} {'build s':>8} {'s/article':>10} {'article page bytes':>19}")
    for count in sizes:
        m = measure(count)
        print(f"{m['articles']:>8} {m['pages']:>6} {m['seconds']:>8.2f} {m['per_article']:>10.4f} "
              f"{m['page_bytes']:>19,}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
