#!/usr/bin/env python3
"""Lighthouse scores of the help center's six key pages, served the way Netlify
serves them (generated headers, redirects and text compression, through
kbgen.adapters.preview.serve_netlify), in Lighthouse's default mobile mode
(emulated phone, simulated slow 4G).

    python3 scripts/lighthouse.py                 # builds the example site first
    python3 scripts/lighthouse.py --site site/    # an existing build
    python3 scripts/lighthouse.py --strict        # exit 1 below the targets

It drives Debian's chromium (CHROME_PATH, default /usr/bin/chromium) and installs
npm's lighthouse into the gitignored .tools/ on first use. The scores are a
benchmark, not a test: they move a little from run to run on a busy machine, so
`make test` does not run this. Targets: 100 in Accessibility, Best Practices and
SEO, at least 95 in Performance.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbgen.adapters.preview import serve_netlify  # noqa: E402

LIGHTHOUSE_VERSION = "12.8.2"  # 13.x needs Node 22; Debian's Node is 20
TOOLS = ROOT / ".tools"
BINARY = TOOLS / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "home": "",
    "category": "email/mobile-clients/",
    "POP vs IMAP": "email/pop-vs-imap/",
    "server settings": "email/server-settings/",
    "iPhone guide": "email/apple-mail-ios/",
    "classic Outlook": "email/outlook-classic/",
}
CATEGORIES = {"performance": "Performance", "accessibility": "Accessibility",
              "best-practices": "Best Practices", "seo": "SEO"}
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
METRICS = {"first-contentful-paint": "FCP", "largest-contentful-paint": "LCP",
           "total-blocking-time": "TBT", "cumulative-layout-shift": "CLS"}


def ensure_lighthouse() -> Path:
    if not BINARY.exists():
        print(f"lighthouse: installing lighthouse {LIGHTHOUSE_VERSION} into .tools/", file=sys.stderr)
        subprocess.run(["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund",
                        "--ignore-scripts", "--save-exact", "--loglevel=error",
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True, stdout=subprocess.DEVNULL)
    return BINARY


def build(into: Path) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                    "-d", str(into)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return into


def audit(binary: Path, url: str, chrome: str) -> dict[str, object]:
    env = {**os.environ, "CHROME_PATH": chrome}
    out = subprocess.run(
        [str(binary), url, "--quiet", "--output=json", "--output-path=stdout",
         "--only-categories=" + ",".join(CATEGORIES),
         "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-dev-shm-usage"],
        env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}:\n{out.stderr[-2000:]}")
    report: dict[str, object] = json.loads(out.stdout)
    return report


def shortfalls(report: dict[str, object], category: str) -> list[str]:
    """Titles of the audits that cost a category points."""
    cats = report["categories"]  # type: ignore[index]
    audits = report["audits"]  # type: ignore[index]
    found = []
    for ref in cats[category]["auditRefs"]:  # type: ignore[index]
        result = audits[ref["id"]]  # type: ignore[index]
        if ref["weight"] and result["score"] is not None and result["score"] < 1:
            found.append(f"{result['title']} ({result['score']:.2f})")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build the example now)")
    parser.add_argument("--chrome", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    parser.add_argument("--strict", action="store_true", help="exit 1 when a score misses its target")
    args = parser.parse_args(argv)

    binary = ensure_lighthouse()
    tmp = None
    if args.site is None:
        tmp = Path(tempfile.mkdtemp(prefix="kbgen-lighthouse-"))
        site = build(tmp / "site")
    else:
        site = args.site
    missed = []
    try:
        with serve_netlify(site) as base:
            header = f"{'page':<18}" + "".join(f"{name:>15}" for name in CATEGORIES.values())
            header += "   " + "  ".join(METRICS.values())
            print(header)
            for name, path in PAGES.items():
                report = audit(binary, base + path, args.chrome)
                cats = report["categories"]  # type: ignore[index]
                scores = {key: round(cats[key]["score"] * 100) for key in CATEGORIES}  # type: ignore[index]
                audits = report["audits"]  # type: ignore[index]
                metrics = "  ".join(audits[key]["displayValue"].replace("\xa0", " ")  # type: ignore[index]
                                    for key in METRICS)
                print(f"{name:<18}" + "".join(f"{scores[k]:>15}" for k in CATEGORIES) + "   " + metrics)
                for key, target in TARGETS.items():
                    if scores[key] < target:
                        missed.append(f"{name}: {CATEGORIES[key]} {scores[key]} < {target}: "
                                      + "; ".join(shortfalls(report, key)[:5]))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    for line in missed:
        print("  below target, " + line)
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
