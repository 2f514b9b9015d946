"""The generated _redirects and _headers as Netlify itself reads them: its own npm parsers
(@netlify/redirect-parser, @netlify/headers-parser, installed by scripts/setup into .tools/)
find no error and read exactly the rules kbgen meant, and the local emulator reads the same."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kbgen.adapters.preview import parse_headers, parse_redirects
from kbgen.data.data_folder import load_kb
from kbgen.data.legacy import redirect_rules
from kbgen.hosting.redirects import render_redirects

from ..conftest import ROOT, copy_project
from ..data.test_oldurl import ACCEPTED
from .conftest import TOOLS, tool

SCRIPT = Path(__file__).with_name("netlify_parse.mjs")


def netlify_parse(kind: str, file: Path) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: install Node.js 20 or newer, then run scripts/setup")
    tool(TOOLS / "@netlify" / ("redirect-parser" if kind == "redirects" else "headers-parser")
         / "package.json")
    result = subprocess.run([node, str(SCRIPT), str(TOOLS), kind, str(file)], capture_output=True,
                            text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_generated_redirects_are_read_by_netlify_exactly_as_meant(example_site: Path) -> None:
    kb = load_kb(ROOT)
    meant = [(r.source, dict(r.query), r.target, r.status) for r in redirect_rules(kb)]
    parsed = netlify_parse("redirects", example_site / "_redirects")
    assert parsed["errors"] == []
    read = [(r["from"], r["query"], r["to"], r["status"]) for r in parsed["redirects"]]
    assert read == meant
    assert all(r["force"] is False and r["proxy"] is False for r in parsed["redirects"])
    ours = [(r.source, r.query, r.target, r.status)
            for r in parse_redirects((example_site / "_redirects").read_text(encoding="utf-8"))]
    assert ours == meant


def test_every_old_url_kbgen_accepts_is_one_exact_netlify_rule(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    urls = [u for u in ACCEPTED if u != "/"]  # "/" is the home page: refused as a current page
    pop = root / "data" / "articles" / "pop-vs-imap.yml"  # frees old id 12 for the list
    pop.write_text(pop.read_text(encoding="utf-8").replace("legacy:\n  ids: [12]\n", ""),
                   encoding="utf-8")
    settings = root / "data" / "articles" / "server-settings.yml"
    text = settings.read_text(encoding="utf-8")
    listed = "".join(f"    - {json.dumps(u)}\n" for u in urls)
    settings.write_text(text.replace("related: [pop-vs-imap]\n",
                                     f"related: [pop-vs-imap]\nlegacy:\n  urls:\n{listed}", 1),
                        encoding="utf-8")
    rules = redirect_rules(load_kb(root))
    file = tmp_path / "_redirects"
    file.write_text(render_redirects(rules), encoding="utf-8")
    parsed = netlify_parse("redirects", file)
    assert parsed["errors"] == []
    read = {(r["from"], tuple(sorted(r["query"].items()))) for r in parsed["redirects"]}
    for rule in rules:
        assert (rule.source, tuple(sorted(rule.query))) in read, rule.line()
    assert len(parsed["redirects"]) == len(rules)


def test_netlify_reports_what_kbgen_refuses(tmp_path: Path) -> None:
    # The checks are real: Netlify's parser does report a broken line.
    file = tmp_path / "_redirects"
    file.write_text("/a /b moved\n", encoding="utf-8")
    assert netlify_parse("redirects", file)["errors"]


def test_generated_headers_are_read_by_netlify_exactly_as_the_emulator_reads_them(
        example_site: Path) -> None:
    parsed = netlify_parse("headers", example_site / "_headers")
    assert parsed["errors"] == []
    netlify = [(h["for"], h["values"]) for h in parsed["headers"]]
    ours = parse_headers((example_site / "_headers").read_text(encoding="utf-8"))
    assert netlify == ours
    assert any("Content-Security-Policy" in values for _, values in netlify)


@pytest.mark.parametrize("url", ["/kb.php?id=a=b", "/kb.php?q=pop%20imap", "/kb.php?id=1&id=2"])
def test_the_old_urls_kbgen_refuses_are_ones_netlify_would_misread(tmp_path: Path, url: str) -> None:
    from kbgen.data.legacy import Redirect, split_url
    from kbgen.data.oldurl import old_url_problem

    assert old_url_problem(url) is not None
    source, query = split_url(url)
    file = tmp_path / "_redirects"
    file.write_text(render_redirects([Redirect(source, query, "/email/")]), encoding="utf-8")
    parsed = netlify_parse("redirects", file)
    read = [(r["from"], sorted(r["query"].items()), r["to"]) for r in parsed["redirects"]]
    assert parsed["errors"] or read != [(source, sorted(query), "/email/")]
