"""Netlify ``_headers`` for the built site: caching and a strict Content-Security-Policy.

The policy allows scripts from the site itself and, inline, exactly the small
bootstrap scripts Material for MkDocs writes into every page (they set up
``__md_scope``/``__md_get``, restore the palette before first paint, …). Those
are allowed by their SHA-256, computed from the built HTML, and only if each
one is a script from Material's own templates; any other inline script, inline
event handler or ``javascript:`` URL fails the build: it would either be
blocked in readers' browsers or, worse, be something nobody reviewed. Inline
styles (``style="…"``, ``<style>``) fail the build too: the policy has no
``'unsafe-inline'`` at all.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# Material's fingerprinted assets: the hash in the name changes with the content.
FINGERPRINTED = re.compile(r"^assets/(javascripts|stylesheets)/(.+/)?[\w-]+\.[0-9a-f]{8}\.min\.(js|css)$")
IMMUTABLE = "public, max-age=31536000, immutable"
# HTML, search index, sitemaps, autoconfig XML, _redirects…: the CDN and browsers
# may keep a copy but must ask again every time, so a deploy shows at once.
REVALIDATE = "public, max-age=0, must-revalidate"

# Machine-readable files mail apps fetch: the type they expect, whatever a CDN
# guesses (with nosniff, a wrong type is not second-guessed by the client).
CONTENT_TYPES = {
    ".mobileconfig": "application/x-apple-aspen-config",
    ".xml": "application/xml; charset=utf-8",
    ".zone": "text/plain; charset=utf-8",  # the DNS records snippet: readable in a browser
}

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    # The origin only, also to this site: a page opened with ?email= (the reader's own
    # address, docs/assets/kbgen-me.js) loads its styles and scripts before the script
    # can take the address out of the address bar, and a full Referer would carry it.
    "Referrer-Policy": "strict-origin",
    "Permissions-Policy": ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
                           "magnetometer=(), microphone=(), payment=(), usb=()"),
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Scripts that browsers never run: a data block is inert text (Material's
# `__config` is one), so the policy does not apply to it and it needs no hash.
DATA_TYPES = {"application/json", "application/ld+json"}
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript",
            "application/ecmascript"}
# Third-party integrations in Material's templates load code from elsewhere;
# their inline scripts are not on the list, so using one fails the build.
EXCLUDED_TEMPLATES = ("partials/integrations/analytics/google.html",)

# Where forms send data: the form itself, its buttons, and kbgen.js's background
# POST (the feedback widget's data-kb-post-to).
POST_ATTRIBUTES = {"action", "formaction", "data-kb-post-to"}
_ABSOLUTE = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.I)

# A template value inside a script is a relative URL in a string literal
# (`new URL("{{ base_url }}",location)`): it may not contain a quote, a
# backslash or markup, so it cannot end the string it stands in.
_VALUE = r'[^"\'\\<>\n]*'
_TEMPLATE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_JINJA_VALUE = re.compile(r"\{\{.*?\}\}", re.S)


@dataclass(frozen=True)
class InlineScript:
    """A ``<script>`` with content, where it was found."""

    page: str
    line: int
    type: str
    id: str
    text: str

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256(self.text.encode("utf-8")).digest()
        return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@dataclass
class PageScan:
    """What a page asks the browser to run."""

    inline: list[InlineScript] = field(default_factory=list)
    external: list[tuple[int, str]] = field(default_factory=list)  # (line, src)
    handlers: list[tuple[int, str]] = field(default_factory=list)  # (line, "onclick on <a>")
    styles: list[tuple[int, str]] = field(default_factory=list)  # (line, "a style attribute on <p>")
    posts: list[tuple[int, str, str]] = field(default_factory=list)  # (line, "action=… on <form>", url)


# A regular-expression scanner rather than html.parser: it is ~10x faster (the
# build scans every page; 1,000 pages took 11 s with html.parser) and reads
# MkDocs' well-formed output the same way. Comments are blanked first; the
# content of <script> and <style> is never read as tags.
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"""<([a-zA-Z][\w:-]*)"""
                  r"""((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*/?>""")
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_INTERESTING = re.compile(
    r"\s(?:on[\w-]*|style|href|src|action|formaction|data-kb-post-to|type|id)(?=[\s=]|$)", re.I)
_RAW_END = {"script": re.compile(r"</script\s*>", re.I), "style": re.compile(r"</style\s*>", re.I)}


def _attributes(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in _ATTR.findall(raw):
        if value[:1] in {'"', "'"}:
            value = value[1:-1]
        out.setdefault(name.lower(), html.unescape(value))
    return out


def scan_html(text: str, page: str = "") -> PageScan:
    """Inline scripts, external scripts, inline handlers, inline styles and form targets."""
    scan = PageScan()
    text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)

    def line_at(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    pos = 0
    while (match := _TAG.search(text, pos)) is not None:
        tag, raw = match.group(1).lower(), match.group(2)
        pos = match.end()
        values = _attributes(raw) if raw and _INTERESTING.search(raw) else {}
        if values:
            line = line_at(match.start())
            for name, value in values.items():
                if name == "style":
                    scan.styles.append((line, f"a style attribute on <{tag}>"))
                elif name.startswith("on"):
                    scan.handlers.append((line, f"{name} on <{tag}>"))
                elif name in {"href", "src", "action", "formaction"} and \
                        value.strip().lower().startswith("javascript:"):
                    scan.handlers.append((line, f"a javascript: URL in {name} on <{tag}>"))
                elif name in POST_ATTRIBUTES and _ABSOLUTE.match(value.strip()):
                    scan.posts.append((line, f"{name}=\"{value}\" on <{tag}>", value.strip()))
        if tag in _RAW_END:
            close = _RAW_END[tag].search(text, pos)
            body = text[pos:close.start() if close else len(text)]
            pos = close.end() if close else len(text)
            if tag == "style":
                scan.styles.append((line_at(match.start()), "a <style> element"))
            elif "src" in values:
                scan.external.append((line_at(match.start()), values["src"]))
            elif body:
                scan.inline.append(InlineScript(page, line_at(match.start()),
                                                values.get("type", "").strip().lower(),
                                                values.get("id", ""), body))
    return scan


def material_templates() -> Path:
    from importlib.resources import files

    return Path(str(files("material") / "templates"))


def template_scripts(templates: Path) -> list[re.Pattern[str]]:
    """One pattern per inline ``<script>`` in a theme's templates; ``{{ … }}`` becomes a safe value."""
    patterns: dict[str, re.Pattern[str]] = {}
    for path in sorted(templates.rglob("*.html")):
        if path.relative_to(templates).as_posix() in EXCLUDED_TEMPLATES:
            continue
        for body in _TEMPLATE_SCRIPT.findall(path.read_text(encoding="utf-8")):
            if "{%" in body or "{#" in body:
                continue  # template logic inside a script: not something we can vouch for
            pieces = _JINJA_VALUE.split(body)
            regex = _VALUE.join(re.escape(piece) for piece in pieces)
            patterns.setdefault(regex, re.compile(regex))
    return list(patterns.values())


@dataclass
class ScriptPolicy:
    """The hashes to allow, and every page that breaks the rules."""

    hashes: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def script_policy(site_dir: Path, allowed: list[re.Pattern[str]],
                  post_origins: Iterable[str] = ()) -> ScriptPolicy:
    """Hash every allowed inline script of every built page; report all others.

    ``post_origins``: origins forms may post to besides this site (a configured
    feedback endpoint); the policy allows exactly these in form-action and connect-src.
    """
    origins = set(post_origins)
    policy = ScriptPolicy()
    for path in sorted(site_dir.rglob("*.html")):
        page = path.relative_to(site_dir).as_posix()
        scan = scan_html(path.read_text(encoding="utf-8"), page)
        for script in scan.inline:
            if script.type in DATA_TYPES:
                continue
            if script.type not in JS_TYPES:
                policy.problems.append(f"{page}:{script.line}: a <script type=\"{script.type}\"> "
                                       "that is neither JavaScript nor a JSON data block")
            elif any(p.fullmatch(script.text) for p in allowed):
                policy.hashes.add(script.sha256)
            else:
                policy.problems.append(
                    f"{page}:{script.line}: an inline script that is not one of Material's: "
                    f"{_snippet(script.text)!r} (move it to a file under docs/assets/ and load "
                    "it with extra_javascript or <script src>)")
        for line, src in scan.external:
            if _ABSOLUTE.match(src):
                policy.problems.append(f"{page}:{line}: a script from another origin: {src} "
                                       "(the policy allows scripts from this site only)")
        for line, what in scan.handlers:
            policy.problems.append(f"{page}:{line}: {what} (use addEventListener in a script "
                                   "file; the policy blocks inline handlers)")
        for line, what, url in scan.posts:
            if origin_of(url) in origins:
                continue
            policy.problems.append(f"{page}:{line}: a form posts to an absolute URL: {what} "
                                   "(the policy's form-action and connect-src allow this site "
                                   "and a configured feedback endpoint only)")
        for line, what in scan.styles:
            policy.problems.append(f"{page}:{line}: {what} (use a class and a rule in "
                                   "docs/assets/kbgen.css; the policy blocks inline styles)")
    return policy


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


def origin_of(url: str) -> str:
    """``https://forms.example.net/x`` → ``https://forms.example.net``; "" for a path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(script_hashes: Iterable[str], post_origins: Iterable[str] = ()) -> str:
    """The site's CSP: its own origin only, inline scripts by hash.

    ``post_origins``: the one exception, an endpoint the site is configured to post
    feedback to (``plugins: kbgen: feedback: endpoint``); by default there is none.
    """
    posts = "".join(f" {o}" for o in sorted(set(post_origins)))
    directives = [
        "default-src 'none'",
        "script-src 'self' " + " ".join(sorted(script_hashes)),
        # No 'unsafe-inline' for styles either: Material's templates write no
        # style="…" attribute or <style> element on our pages, and its bundle
        # sets styles through the CSSOM (element.style.x = …), which CSP allows.
        # script_policy fails the build if the HTML grows one, so a style can
        # never be dropped silently in readers' browsers: put it in kbgen.css.
        "style-src 'self'",
        "img-src 'self' data:",  # Material's icons in CSS are data: SVGs
        "font-src 'self'",
        f"connect-src 'self'{posts}",  # the search index; the feedback widget's POST
        "worker-src 'self'",  # the search worker
        "manifest-src 'self'",
        f"form-action 'self'{posts}",
        "base-uri 'self'",
        "object-src 'none'",
        "frame-src 'none'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


@dataclass(frozen=True)
class HeaderRule:
    """A ``_headers`` block: a path pattern and the headers it sets."""

    path: str
    headers: tuple[tuple[str, str], ...]


def cache_rules(site_dir: Path) -> list[HeaderRule]:
    """``Cache-Control`` for every built file, with no two rules matching one path.

    Netlify merges the headers of all rules that match a request, and how it
    joins two values of one header is not something to rely on, so the site-wide
    rule (``/*``) sets no ``Cache-Control`` and the rules below never overlap:
    an exact rule per fingerprinted file, and for everything else the largest
    folders (``/email/*``) that hold no fingerprinted file, else the files one by one.
    """
    files = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file())
    immutable = {f for f in files if FINGERPRINTED.match(f)}
    rules: list[HeaderRule] = [HeaderRule("/" + f, (("Cache-Control", IMMUTABLE),))
                               for f in sorted(immutable)]

    def walk(folder: str) -> Iterator[str]:
        prefix = folder + "/" if folder else ""
        inside = [f for f in files if f.startswith(prefix)]
        if folder and not any(f in immutable for f in inside):
            yield f"/{prefix}*"
            return
        children = sorted({f[len(prefix):].split("/", 1)[0] for f in inside
                           if "/" in f[len(prefix):]})
        for f in inside:
            rest = f[len(prefix):]
            if "/" not in rest and f not in immutable:
                yield "/" + f
                if rest == "index.html":
                    yield "/" + prefix
        for child in children:
            yield from walk(prefix + child)

    rules += [HeaderRule(path, (("Cache-Control", REVALIDATE),)) for path in walk("")]
    return rules


def type_rules(site_dir: Path) -> list[HeaderRule]:
    """An explicit ``Content-Type`` for each machine-readable file (autoconfig, profiles, sitemaps)."""
    rules = []
    for path in sorted(site_dir.rglob("*")):
        content_type = CONTENT_TYPES.get(path.suffix)
        if path.is_file() and content_type:
            rel = path.relative_to(site_dir).as_posix()
            rules.append(HeaderRule("/" + rel, (("Content-Type", content_type),)))
    return rules


def header_rules(site_dir: Path, script_hashes: Iterable[str], *, noindex: bool = False,
                 post_origins: Iterable[str] = ()) -> list[HeaderRule]:
    """Every rule of the ``_headers`` file, site-wide security first.

    ``noindex``: a preview, not the help center; search engines must not list it.
    """
    csp = content_security_policy(script_hashes, post_origins)
    security = {**SECURITY_HEADERS, "Content-Security-Policy": csp}
    if noindex:
        security["X-Robots-Tag"] = "noindex"
    return [HeaderRule("/*", tuple(security.items())), *cache_rules(site_dir), *type_rules(site_dir)]


def render_headers(rules: Iterable[HeaderRule]) -> str:
    lines = ["# Generated by kbgen at build time (kbgen/headers.py): do not edit."]
    for rule in rules:
        lines.append(rule.path)
        lines += [f"  {name}: {value}" for name, value in rule.headers]
    return "\n".join(lines) + "\n"
