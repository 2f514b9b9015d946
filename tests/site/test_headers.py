"""The generated _headers: exactly Material's inline scripts allowed, caching that never
contradicts itself, and rules that all apply to real paths of the built site."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kbgen.adapters.a11y import repair
from kbgen.adapters.preview import headers_for, match, parse_headers
from kbgen.hosting.guard import material_templates, scan_html, script_policy, template_scripts
from kbgen.hosting.headers import IMMUTABLE, REVALIDATE, SECURITY_HEADERS

from ..conftest import copy_project, mkdocs_build

MATERIAL_SCOPE = ('__md_scope=new URL("{base}",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+'
                  '_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem('
                  't.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem('
                  'a.pathname+"."+e,JSON.stringify(_))}catch(e){}}')


def _page(*scripts: str, extra: str = "") -> str:
    body = "".join(f"<script>{s}</script>" for s in scripts)
    return (f'<!doctype html><html><head><script id="__config" type="application/json">{{"a": 1}}'
            f'</script></head><body>{body}{extra}<script src="assets/x.min.js"></script></body></html>')


def _site(tmp_path: Path, html: str) -> Path:
    (tmp_path / "index.html").write_text(html, encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def allowed() -> list[re.Pattern[str]]:
    return template_scripts(material_templates())


def test_material_scripts_are_allowed_at_any_depth(tmp_path: Path,
                                                   allowed: list[re.Pattern[str]]) -> None:
    pages = [MATERIAL_SCOPE.replace("{base}", b) for b in (".", "../..", "/", "/help/")]
    policy = script_policy(_site(tmp_path, _page(*pages)), allowed)
    assert policy.problems == []
    assert len(policy.hashes) == 4  # one hash per distinct script text, none for the JSON


def test_a_changed_material_script_is_refused(tmp_path: Path, allowed: list[re.Pattern[str]]) -> None:
    # A value that leaves its string literal is not a template value any more.
    sneaky = MATERIAL_SCOPE.replace("{base}", '",alert(1),"')
    policy = script_policy(_site(tmp_path, _page(sneaky)), allowed)
    assert len(policy.problems) == 1 and "not one of Material's" in policy.problems[0]
    assert policy.hashes == set()


@pytest.mark.parametrize("extra, expected", [
    ("<script>console.log(1)</script>", "an inline script that is not one of Material's"),
    ('<script type="module">import "./x.js"</script>', "not one of Material's"),
    ('<script type="text/x-template">x</script>', "neither JavaScript nor a JSON data block"),
    ('<script src="https://cdn.example.net/x.js"></script>', "a script from another origin"),
    ('<script src="//cdn.example.net/x.js"></script>', "a script from another origin"),
    ('<button onclick="go()">x</button>', "onclick on <button>"),
    ('<a href="javascript:go()">x</a>', "a javascript: URL in href on <a>"),
    ('<p style="color: red">x</p>', "a style attribute on <p>"),
    ("<style>p { color: red }</style>", "a <style> element"),
    ('<form action="https://forms.example.net/x" method="post"></form>',
     "a form posts to an absolute URL"),
    ('<form data-kb-post-to="//forms.example.net/x"></form>', "a form posts to an absolute URL"),
])
def test_anything_else_that_runs_or_styles_inline_is_refused(
        tmp_path: Path, allowed: list[re.Pattern[str]], extra: str, expected: str) -> None:
    policy = script_policy(_site(tmp_path, _page(extra=extra)), allowed)
    assert len(policy.problems) == 1, policy.problems
    assert policy.problems[0].startswith("index.html:1: ")
    assert expected in policy.problems[0]


def test_data_blocks_need_no_hash(tmp_path: Path, allowed: list[re.Pattern[str]]) -> None:
    html = _page(extra='<script type="application/ld+json">{"@type": "FAQPage"}</script>')
    policy = script_policy(_site(tmp_path, html), allowed)
    assert policy.problems == [] and policy.hashes == set()


def test_scanner_reports_lines() -> None:
    scan = scan_html("<p>\n<script>\nx()\n</script>\n<a onclick='y()'>", "p.html")
    assert [(s.line, s.text) for s in scan.inline] == [(2, "\nx()\n")]
    assert scan.handlers == [(5, "onclick on <a>")]


def test_search_dialog_gets_a_name() -> None:
    html = ('<div class="md-search" data-md-component="search" role="dialog">'
            '<input type="text" class="md-search__input" name="query" aria-label="Suche">')
    assert 'role="dialog" aria-label="Suche">' in repair(html)
    assert repair("<p>no search</p>") == "<p>no search</p>"


# ------------------------------------------------------------- the built site


def _served_paths(site: Path) -> list[str]:
    """Every URL path the built site answers (pretty URLs for index.html included)."""
    out = []
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.name not in {"_headers", "_redirects"}:
            rel = path.relative_to(site).as_posix()
            out.append("/" + rel)
            if rel == "index.html" or rel.endswith("/index.html"):
                out.append("/" + rel.removesuffix("index.html"))
    return out


def test_every_rule_applies_to_real_paths(example_site: Path) -> None:
    rules = parse_headers((example_site / "_headers").read_text(encoding="utf-8"))
    paths = _served_paths(example_site)
    unused = [pattern for pattern, _ in rules if not any(match(pattern, p) for p in paths)]
    assert unused == []


def test_generated_comments_name_files_that_exist(example_site: Path) -> None:
    # A maintainer who reads "do not edit" follows the path to the generator: it must be there.
    repo = Path(__file__).resolve().parents[2]
    for name in ("_headers", "_redirects"):
        first = (example_site / name).read_text(encoding="utf-8").splitlines()[0]
        for path in re.findall(r"kbgen/[\w/]+\.py", first):
            assert (repo / path).is_file(), f"{name} names {path}, which does not exist"
    first = (example_site / "_headers").read_text(encoding="utf-8").splitlines()[0]
    assert "kbgen/hosting/headers.py" in first


def test_every_path_gets_security_headers_and_exactly_one_cache_policy(example_site: Path) -> None:
    rules = parse_headers((example_site / "_headers").read_text(encoding="utf-8"))
    for path in _served_paths(example_site):
        cache = [h["Cache-Control"] for pattern, h in rules
                 if "Cache-Control" in h and match(pattern, path)]
        assert len(cache) == 1, (path, cache)  # Netlify would merge two; we never give it two
        headers = headers_for(rules, path)
        for name in SECURITY_HEADERS:
            assert name in headers, (path, name)
        fingerprinted = re.search(r"\.[0-9a-f]{8}\.min\.(js|css)$", path)
        assert cache[0] == (IMMUTABLE if fingerprinted else REVALIDATE), path
    assert any(re.search(r"/assets/javascripts/bundle\.[0-9a-f]{8}\.min\.js$", p)
               for p in _served_paths(example_site))


def test_the_policy_has_no_third_party_origin_and_no_unsafe_inline(example_site: Path) -> None:
    rules = parse_headers((example_site / "_headers").read_text(encoding="utf-8"))
    csp = headers_for(rules, "/email/pop-vs-imap/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert "unsafe" not in csp
    assert not re.search(r"https?:|\*", csp)
    sources = directives["script-src"].split()
    assert sources[0] == "'self'" and all(s.startswith("'sha256-") for s in sources[1:])
    assert 1 <= len(sources) - 1 <= 12  # Material's few scripts, once per page depth


def test_machine_files_are_served_with_their_types(example_site: Path, netlify_url: str) -> None:
    profiles = sorted(example_site.rglob("*.mobileconfig"))
    for path, expected in [(".well-known/autoconfig/mail/config-v1.1.xml", "application/xml"),
                           *((p.relative_to(example_site).as_posix(), "application/x-apple-aspen-config")
                             for p in profiles)]:
        assert (example_site / path).is_file(), f"{path} was not built"
        with urllib.request.urlopen(netlify_url + path) as response:
            assert response.headers["Content-Type"].startswith(expected), path
            assert response.headers["Cache-Control"] == REVALIDATE


def test_404_page_is_served_for_unknown_paths(example_site: Path, netlify_url: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(netlify_url + "no/such/page/")
    assert info.value.code == 404
    body = info.value.read().decode("utf-8")
    assert 'action="/"' in body and 'name="q"' in body
    assert '<a href="/email/protocols/">Protocols &amp; ports</a>' in body
    assert info.value.headers["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.slow
def test_an_unknown_inline_script_fails_the_build(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    # A template extension point Material leaves empty; any page gets the script.
    (root / "overrides" / "partials").mkdir(parents=True, exist_ok=True)
    (root / "overrides" / "partials" / "copyright.html").write_text(
        "<script>window.tracker = 1</script>", encoding="utf-8")
    result = mkdocs_build(root, root / "site")
    assert result.returncode != 0
    assert "kbgen: the built site cannot be published" in result.stderr
    assert re.search(r"index\.html:\d+: an inline script that is not one of Material's: "
                     r"'window\.tracker = 1'", result.stderr), result.stderr


def test_previews_are_not_indexed(tmp_path: Path) -> None:
    from kbgen.hosting.headers import header_rules
    from kbgen.hosting.netlify import is_preview

    assert is_preview({"CONTEXT": "deploy-preview"}) and is_preview({"CONTEXT": "branch-deploy"})
    assert not is_preview({"CONTEXT": "production"}) and not is_preview({})
    (tmp_path / "index.html").write_text("<p>x</p>")
    preview = dict(header_rules(tmp_path, [], noindex=True)[0].headers)
    production = dict(header_rules(tmp_path, [])[0].headers)
    assert preview["X-Robots-Tag"] == "noindex" and "X-Robots-Tag" not in production


def test_a_configured_feedback_endpoint_is_the_one_allowed_origin(
        tmp_path: Path, allowed: list[re.Pattern[str]]) -> None:
    from kbgen.hosting.headers import content_security_policy

    endpoint = "https://forms.example.net/kb-answers"
    html = _page(extra=f'<form action="{endpoint}" data-kb-post-to="{endpoint}"></form>'
                       '<form action="https://evil.example.org/x"></form>')
    policy = script_policy(_site(tmp_path, html), allowed, ["https://forms.example.net"])
    assert len(policy.problems) == 1 and "evil.example.org" in policy.problems[0]
    csp = content_security_policy([], ["https://forms.example.net"])
    assert "connect-src 'self' https://forms.example.net;" in csp
    assert "form-action 'self' https://forms.example.net;" in csp
    assert "https://" not in content_security_policy([])


def test_scanner_edge_cases() -> None:
    text = ('<!-- <script>hidden()</script> <p style="x"> -->\n'
            '<a title="a > b" ONCLICK=go()>x</a>\n'
            '<script type=application/json id=__config>{"a": "</p><p style=x>"}</script>\n'
            '<img src="x.png" alt="on style">\n'
            '<p data-x="onclick=y" class="style">ok</p>')
    scan = scan_html(text, "p.html")
    assert scan.handlers == [(2, "onclick on <a>")]
    assert [(s.line, s.type, s.id) for s in scan.inline] == [(3, "application/json", "__config")]
    assert scan.styles == [] and scan.external == [] and scan.posts == []
