"""The CSP guard reads markup the way a browser does, checks pages while they are in memory,
and fails the build on markup written to slip past a tokenizer.

The regular-expression scanner this guard replaced let every case in HOSTILE through
except the entity-encoded URL, the SVG <style> and the <template>.
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from kbgen.adapters.preview import headers_for, parse_headers
from kbgen.hosting.guard import Guard, material_templates, scan_html, script_policy, template_scripts

from ..conftest import copy_project, mkdocs_build


@pytest.fixture(scope="module")
def allowed() -> list[re.Pattern[str]]:
    return template_scripts(material_templates())


def _problems(allowed: list[re.Pattern[str]], body: str) -> list[str]:
    guard = Guard(allowed)
    guard.check("index.html", f"<!doctype html><html><head><title>t</title></head><body>\n{body}\n"
                              "</body></html>")
    return guard.policy.problems


HOSTILE = [
    # A slash separates attributes as well as a space does.
    ("<svg/onload=alert(1)>", "onload on <svg>"),
    ('<div/style="color:red">x</div>', "a style attribute on <div>"),
    # An attribute name may contain a quote; the next one is still an attribute.
    ('<p a"b onclick="alert(1)">x</p>', "onclick on <p>"),
    ('<p x="a"onclick="alert(1)">x</p>', "onclick on <p>"),
    ('<img src=x" onerror=alert(1)>', "onerror on <img>"),
    # With scripting on, <noscript> ends at the first </noscript>, even inside a value.
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>',
     "onerror on <img>"),
    # Without scripts a browser reads the content of <noscript> as markup, and follows this.
    ('<noscript><meta http-equiv="refresh" content="0;url=https://evil.example/"></noscript>',
     'a <meta http-equiv="refresh">'),
    # "<!-->" is a whole (empty) comment.
    ("<!--><img src=x onerror=alert(1)>-->", "onerror on <img>"),
    # Browsers drop tabs and newlines in URLs and trim controls and spaces around them.
    ('<a href=" java\tscript:alert(1)">x</a>', "a javascript: URL in href on <a>"),
    ('<a href="&#x6A;avascript:alert(1)">x</a>', "a javascript: URL in href on <a>"),
    ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
     "a javascript: URL in xlink:href on <a>"),
    ("<svg><style>p{color:red}</style></svg>", "a <style> element"),
    # A script may clone a template into the page.
    ("<template><img src=x onerror=alert(1)></template>", "onerror on <img>"),
    ('<meta http-equiv="Refresh" content="0;url=https://evil.example/">',
     'a <meta http-equiv="refresh">'),
    ('<iframe src="https://evil.example/"></iframe>', "a <iframe> element"),
    ('<object data="x.swf"></object>', "a <object> element"),
    ('<base href="https://evil.example/">', "a <base> element"),
    # A browser reads "/\\" as "//": another host.
    ('<form action="/\\evil.example/x" method="post"></form>', "a form posts to an absolute URL"),
]


@pytest.mark.parametrize("body, expected", HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_markup_written_to_slip_past_a_tokenizer_is_caught(
        allowed: list[re.Pattern[str]], body: str, expected: str) -> None:
    problems = _problems(allowed, body)
    assert len(problems) == 1, problems
    assert problems[0].startswith("index.html:2: "), problems
    assert expected in problems[0]


@pytest.mark.parametrize("body", [
    # Python-Markdown escapes quotes in a title: the browser sees one harmless attribute.
    markdown.markdown('![a](x.png "t\\" onerror=\\"alert(1)") [b](y "c"onmouseover="alert(1)")',
                      extensions=["attr_list"]),
    "<textarea><img src=x onerror=alert(1)></textarea>",  # text, not an element
    '<p title="onclick=x style=y" data-x="javascript:y">text with onclick= and style=</p>',
    '<a href="/javascript:/">a path</a>',
    '<script type="application/json">{"x": "<p style=x onclick=y>"}</script>',
])
def test_text_that_only_looks_like_markup_is_not_a_problem(
        allowed: list[re.Pattern[str]], body: str) -> None:
    assert _problems(allowed, body) == []


def test_lines_point_at_the_element_even_after_comments_and_scripts() -> None:
    text = ('<!-- <img onerror=x> -->\n<script>var s = "<img onerror=y>";</script>\n'
            '<p>\n<img src=a.png onerror=z>\n</p>')
    scan = scan_html(text)
    assert scan.handlers == [(4, "onerror on <img>")]


def test_pages_checked_in_memory_are_not_read_again(tmp_path: Path,
                                                    allowed: list[re.Pattern[str]]) -> None:
    guard = Guard(allowed)
    guard.check("index.html", "<p>as written by MkDocs</p>")
    (tmp_path / "index.html").write_text('<p onclick="never read">x</p>')
    (tmp_path / "copied.html").write_text('<p onclick="read">x</p>')  # docs/copied.html
    problems = guard.check_site(tmp_path).problems
    assert problems == ["copied.html:1: onclick on <p> (use addEventListener in a script file; "
                        "the policy blocks inline handlers)"]


def test_the_policy_built_in_memory_is_the_policy_of_the_written_files(example_site: Path) -> None:
    """The guard saw every page exactly as MkDocs wrote it: reading the files back gives
    the same inline-script hashes as the _headers the build wrote."""
    rules = parse_headers((example_site / "_headers").read_text(encoding="utf-8"))
    csp = headers_for(rules, "/")["Content-Security-Policy"]
    written = set(re.findall(r"'sha256-[^']+'", csp))
    from_files = script_policy(example_site, template_scripts(material_templates()))
    assert from_files.problems == []
    assert written == from_files.hashes and written


@pytest.mark.slow
def test_a_hand_written_page_with_hostile_markup_fails_the_build(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    # Python-Markdown passes raw HTML in hand-written pages through as it is.
    (root / "docs" / "hostile.md").write_text(
        "# Hostile\n\n<div>\n<svg/onload=alert(1)></svg>\n</div>\n\n"
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">\n',
        encoding="utf-8")
    result = mkdocs_build(root, root / "site")
    assert result.returncode != 0
    assert "kbgen: the built site cannot be published" in result.stderr
    assert re.search(r"hostile/index\.html:\d+: onload on <svg>", result.stderr), result.stderr
    assert re.search(r'hostile/index\.html:\d+: a <meta http-equiv="refresh">', result.stderr)
    assert not (root / "site" / "_headers").exists()
