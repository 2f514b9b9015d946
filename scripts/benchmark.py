#!/usr/bin/env python3
"""Build-time benchmark: kbgen against plain Material, Zensical, Hugo and the Python-Markdown floor.

Generates a synthetic help center of N articles through the real data model
(each entry validated by pydantic, then written as YAML; sections of 25 under
groups of 10 sections, like a real knowledge base), then builds it, side by
side in one interleaved run, with:

- kbgen      ``mkdocs build --strict`` with the kbgen plugin (what Netlify runs)
- plain      the same Markdown kbgen generates, written out as files, built by
             ``mkdocs build --strict`` with Material and the same mkdocs.yml,
             overrides and nav, without the kbgen plugin
- zensical   Zensical on that same plain project (if installed: .tools/zensical)
- hugo       Hugo on the same Markdown with a one-file layout (if installed)
- floor      Python-Markdown with MkDocs' extensions over the same Markdown,
             each page written to a file: no theme, no nav, no search

Every build runs in its own process; the figures are medians over the
repetitions. Printed per size: seconds, ratio to kbgen, seconds per article,
peak memory (max RSS of the build process), the HTML bytes of one article page
and the gzip-compressed search index per article. Timings on a shared machine
are noisy: compare the ratios of one run, not seconds across runs.

    python3 scripts/benchmark.py                       # make bench: 100 and 300 articles
    python3 scripts/benchmark.py --sizes 1000 10000    # make bench-large
    python3 scripts/benchmark.py --sizes 500 --reps 5 --tools kbgen,plain
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbgen.data.model import Article, Categories, Client  # noqa: E402

PER_SECTION = 25
SAMPLE = "bench-0007"  # the page whose size is reported, present at every size
ZENSICAL = ROOT / ".tools" / "zensical" / "bin" / "zensical"
TOOLS = ("kbgen", "plain", "zensical", "hugo", "floor")


def _dump(model: Any) -> str:
    data = model.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _word(i: int) -> str:
    """A word unique to entry i (letters: a number in the text could read as a port)."""
    out = ""
    while True:
        i, rest = divmod(i, 26)
        out = chr(97 + rest) + out
        if not i:
            return out


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
            # Every text differs from entry to entry, as in a real help center (kbgen
            # converts each distinct Markdown text once).
            "body": [
                {"type": "text", "markdown": f"This article explains **something** useful about "
                 f"case {_word(i)}.\n\n- one point about {_word(i)}\n- another point\n"},
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
            {"title": "Open the accounts screen", "text": f"Choose **Add account** in {_word(i)}."},
            {"title": "Type the settings", "settings": True},
            {"title": "Finish", "text": f"Select **Done** in {_word(i)}."},
        ],
        "troubleshooting": [{"problem": "wrong-password", "message": f"Login to {_word(i)} failed."}],
    })


def make_project(dest: Path, count: int) -> None:
    """The example project's site files and fixed data, with ``count`` synthetic entries."""
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


# ------------------------------------------------------------ the other projects


def make_plain(kbgen_root: Path, dest: Path) -> None:
    """The Markdown kbgen hands MkDocs, as files, with kbgen's nav and without the plugin."""
    from mkdocs.config import load_config

    config = load_config(str(kbgen_root / "mkdocs.yml"))
    plugin = config.plugins["kbgen"]
    plugin.on_startup(command="build", dirty=False)
    plugin.on_config(config)
    shutil.copytree(kbgen_root / "docs", dest / "docs")
    shutil.copytree(kbgen_root / "overrides", dest / "overrides")
    for uri, markdown in plugin.rendered().items():
        target = dest / "docs" / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown, encoding="utf-8")
    raw = yaml.safe_load((kbgen_root / "mkdocs.yml").read_text(encoding="utf-8"))
    raw["plugins"] = [p for p in raw["plugins"] if p != "kbgen" and not
                      (isinstance(p, dict) and "kbgen" in p)]
    raw["nav"] = config.nav
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True),
                                     encoding="utf-8")


HUGO_LAYOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body><main>{{ .Content }}</main></body></html>
"""


def make_hugo(plain_root: Path, dest: Path) -> None:
    """Hugo over the same Markdown files, with a one-file layout (no theme, no nav, no search)."""
    content = dest / "content"
    for path in sorted((plain_root / "docs").rglob("*.md")):
        rel = path.relative_to(plain_root / "docs")
        target = content / rel
        if rel.name == "index.md":
            target = target.with_name("_index.md")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    layouts = dest / "layouts" / "_default"
    layouts.mkdir(parents=True)
    for name in ("single.html", "list.html"):
        (layouts / name).write_text(HUGO_LAYOUT, encoding="utf-8")
    (dest / "hugo.toml").write_text('baseURL = "https://help.example.com/"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS"]\n'
                                    "[markup.goldmark.renderer]\nunsafe = true\n", encoding="utf-8")


def floor(docs: Path, out: Path, config_file: Path) -> None:
    """The Python floor: each page converted with the same Markdown extensions and written."""
    import markdown
    from mkdocs.config import load_config
    from mkdocs.utils.meta import get_data

    config = load_config(str(config_file))
    md = markdown.Markdown(extensions=config.markdown_extensions,
                           extension_configs=config.mdx_configs)
    for path in sorted(docs.rglob("*.md")):
        source, _meta = get_data(path.read_text(encoding="utf-8"))
        html = md.reset().convert(source)
        target = out / path.relative_to(docs).with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")


def author_loop(root: Path, site: Path) -> None:
    """``kbgen serve``'s update after one saved article, as ``seconds cpu pages`` per edit."""
    import logging

    from kbgen.adapters.sitebuilder import SiteBuilder

    logging.basicConfig(level=logging.ERROR)
    builder = SiteBuilder(root / "mkdocs.yml", site)
    builder.build()
    articles = sorted((root / "data" / "articles").glob("*.yml"))
    source = articles[len(articles) // 2]
    text = source.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    edits = {"text": text.replace("useful about", "useful, really, about", 1),
             "title": text.replace(title, title + " (edited)", 1)}
    for name, new in edits.items():
        source.write_text(new, encoding="utf-8")
        start, cpu = time.perf_counter(), time.process_time()
        result = builder.update([source])
        assert not result.full and not result.error, result
        print(f"{name} {time.perf_counter() - start:.4f} {time.process_time() - cpu:.4f} "
              f"{len(result.rendered)}", flush=True)


# ------------------------------------------------------------------ measuring


@dataclass
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system seconds of the build process and its children
    peak_mib: float


def run(command: list[str], cwd: Path) -> Run:
    """Run one build as its own process; its wall time and peak memory (max RSS).

    A small launcher process starts the build: Linux counts the memory of the
    process a child is forked from in the child's max RSS, and this one is large.
    """
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, __file__, "--launch", *command], cwd=cwd, env=env,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    seconds, cpu, kib = result.stdout.split()[-3:]
    return Run(float(seconds), float(cpu), int(kib) / 1024)


def launch(command: list[str]) -> int:
    """The launcher: run ``command``, print its wall seconds, CPU seconds and max RSS (KiB)."""
    import resource

    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{seconds:.4f} {usage.ru_utime + usage.ru_stime:.4f} {usage.ru_maxrss}")
    return result.returncode


@dataclass
class Project:
    count: int
    kbgen: Path
    plain: Path
    hugo: Path


def commands(tool: str, project: Project, out: Path) -> tuple[list[str], Path]:
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out), "-f"]
    if tool == "kbgen":
        return [*mkdocs, str(project.kbgen / "mkdocs.yml")], project.kbgen
    if tool == "plain":
        return [*mkdocs, str(project.plain / "mkdocs.yml")], project.plain
    if tool == "zensical":
        # Zensical writes to the config's site_dir and keeps a cache: clean it, build cold.
        return [str(ZENSICAL), "build", "--clean", "-f", str(project.plain / "mkdocs.yml")], \
            project.plain
    if tool == "hugo":
        return ["hugo", "--quiet", "-d", str(out)], project.hugo
    return [sys.executable, __file__, "--floor", str(project.plain / "docs"), str(out),
            str(project.plain / "mkdocs.yml")], project.plain


def site_of(tool: str, project: Project, out: Path) -> Path:
    return project.plain / "site" if tool == "zensical" else out


def available(tool: str) -> str:
    """'' when the tool can run here, else why not."""
    if tool == "zensical" and not ZENSICAL.exists():
        return "not installed (KBGEN_BENCH=1 scripts/setup installs it into .tools/zensical)"
    if tool == "hugo" and shutil.which("hugo") is None:
        return "not installed (KBGEN_BENCH=1 scripts/setup installs Debian's hugo)"
    return ""


def page_figures(tool: str, site: Path, count: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for candidate in (site / "email" / SAMPLE / "index.html", site / "email" / f"{SAMPLE}.html"):
        if candidate.is_file():
            out["page_bytes"] = candidate.stat().st_size
            break
    for index in (site / "search" / "search_index.json", site / "search.json"):  # MkDocs, Zensical
        if index.is_file():
            out["search_gz_per_article"] = len(gzip.compress(index.read_bytes(), 6)) / count
    return out


def measure(count: int, tools: list[str], reps: int, log: Callable[[str], None]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-") as tmp:
        base = Path(tmp)
        project = Project(count, base / "kbgen", base / "plain", base / "hugo")
        project.kbgen.mkdir()
        make_project(project.kbgen, count)
        make_plain(project.kbgen, project.plain)
        make_hugo(project.plain, project.hugo)
        runs: dict[str, list[Run]] = {t: [] for t in tools}
        validate = [sys.executable, "-m", "kbgen.adapters.cli", "--root", str(project.kbgen), "validate"]
        checks: list[Run] = []
        for rep in range(reps):
            checks.append(run(validate, project.kbgen))
            # Interleaved, and each repetition starts with another tool: a slow moment of
            # the shared machine does not land on one tool only.
            order = tools[rep % len(tools):] + tools[:rep % len(tools)]
            for tool in order:
                out = base / f"out-{tool}"
                shutil.rmtree(out, ignore_errors=True)
                command, cwd = commands(tool, project, out)
                runs[tool].append(run(command, cwd))
                last = runs[tool][-1]
                log(f"  {count} articles, {tool}, run {rep + 1}: {last.seconds:.2f} s, "
                    f"CPU {last.cpu:.2f} s")
                if rep == reps - 1:
                    results.setdefault("pages", {})[tool] = page_figures(
                        tool, site_of(tool, project, out), count)
        results["validate"] = (statistics.median(r.seconds for r in checks),
                               statistics.median(r.cpu for r in checks))
        if "kbgen" in tools:
            shutil.copytree(project.kbgen, base / "loop")
            loop = subprocess.run([sys.executable, __file__, "--loop", str(base / "loop"),
                                   str(base / "loop-site")], capture_output=True, text=True,
                                  env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=False)
            if loop.returncode != 0:
                sys.exit(f"the author loop failed:\n{loop.stderr[-3000:]}")
            results["loop"] = [line.split() for line in loop.stdout.splitlines()]
            log(f"  {count} articles, author loop: {loop.stdout.strip()}")
        for tool in tools:
            results[tool] = {
                "seconds": statistics.median(r.seconds for r in runs[tool]),
                "cpu": statistics.median(r.cpu for r in runs[tool]),
                "peak_mib": max(r.peak_mib for r in runs[tool]),
                **results["pages"][tool],
            }
    return results


def table(count: int, results: dict[str, Any], tools: list[str]) -> str:
    kb = results.get("kbgen")
    lines = [f"{count:,} articles",
             f"  {'tool':<9} {'wall s':>7} {'kbgen ÷':>8} {'CPU s':>7} {'kbgen ÷':>8} "
             f"{'ms/article':>10} {'peak MiB':>9} {'article page B':>15} {'search gz B/article':>20}"]
    for tool in tools:
        r = results[tool]
        wall = f"{kb['seconds'] / r['seconds']:.2f}" if kb else "-"
        cpu = f"{kb['cpu'] / r['cpu']:.2f}" if kb else "-"
        page = f"{r['page_bytes']:,.0f}" if "page_bytes" in r else "-"
        search = f"{r['search_gz_per_article']:,.0f}" if "search_gz_per_article" in r else "-"
        lines.append(f"  {tool:<9} {r['seconds']:>7.2f} {wall:>8} {r['cpu']:>7.2f} {cpu:>8} "
                     f"{r['seconds'] / count * 1000:>10.2f} {r['peak_mib']:>9.0f} {page:>15} {search:>20}")
    files = count + 6  # the entries, provider, categories, troubleshooting and three protocols
    wall, cpu = results["validate"]
    lines.append(f"  kbgen validate: {wall:.2f} s wall, {cpu:.2f} s CPU for {files:,} data files "
                 "(the whole command, Python's start included)")
    for name, wall, cpu, pages in results.get("loop", []):
        lines.append(f"  kbgen serve, one article's {name} saved: {float(wall):.2f} s wall, "
                     f"{float(cpu):.2f} s CPU to update the site ({pages} pages rendered again)")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--launch"]:
        return launch(argv[1:])
    if argv[:1] == ["--loop"]:
        author_loop(Path(argv[1]), Path(argv[2]))
        return 0
    if argv[:1] == ["--floor"]:
        floor(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--reps", type=int, default=3, help="builds per tool and size (median)")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated: " + ", ".join(TOOLS))
    parser.add_argument("--quiet", action="store_true", help="print the tables only")
    args = parser.parse_args(argv)
    tools = []
    for tool in args.tools.split(","):
        if tool not in TOOLS:
            parser.error(f"unknown tool {tool!r}")
        why = available(tool)
        if why:
            print(f"{tool}: skipped, {why}", file=sys.stderr)
        else:
            tools.append(tool)

    def log(text: str) -> None:
        if not args.quiet:
            print(text, file=sys.stderr, flush=True)

    started = time.perf_counter()
    tables = []
    for count in args.sizes:
        results = measure(count, tools, args.reps, log)
        tables.append(table(count, results, tools))
        print(tables[-1], flush=True)
    print(f"({args.reps} interleaved run(s) per tool and size, medians. kbgen ÷: kbgen's time divided "
          "by the tool's, wall clock and CPU (user + system; steadier on a shared machine). "
          "ms/article: wall. Peak memory: max RSS of the build process. "
          f"{time.perf_counter() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
