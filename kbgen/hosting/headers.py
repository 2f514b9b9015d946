"""Netlify ``_headers`` for the built site: caching and a strict Content-Security-Policy.

The policy allows scripts from the site itself and, inline, exactly the small
bootstrap scripts Material for MkDocs writes into every page (they set up
``__md_scope``/``__md_get``, restore the palette before first paint, …). Those
are allowed by their SHA-256, computed from the built HTML by ``guard``, and
only if each one is a script from Material's own templates; ``guard`` fails the
build on anything else the policy would block (inline handlers and styles,
other inline scripts, …). The policy has no ``'unsafe-inline'`` at all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# Material's fingerprinted assets: the hash in the name changes with the content.
FINGERPRINTED = re.compile(r"assets/(javascripts|stylesheets)/(.+/)?[\w-]+\.[0-9a-f]{8}\.min\.(js|css)")
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

MODULE_PATH = __name__.replace(".", "/") + ".py"


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


def site_files(site_dir: Path) -> list[str]:
    """Every file of the built site as a relative POSIX path, sorted.

    One os.walk: Path.rglob with a stat per file took a second per 10,000 pages.
    """
    out: list[str] = []
    for folder, _dirs, names in os.walk(site_dir):
        rel = os.path.relpath(folder, site_dir)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        out += [prefix + name for name in names]
    return sorted(out)


def cache_rules(site_dir: Path, files: list[str] | None = None) -> list[HeaderRule]:
    """``Cache-Control`` for every built file, with no two rules matching one path.

    Netlify merges the headers of all rules that match a request, and how it
    joins two values of one header is not something to rely on, so the site-wide
    rule (``/*``) sets no ``Cache-Control`` and the rules below never overlap:
    an exact rule per fingerprinted file, and for everything else the largest
    folders (``/email/*``) that hold no fingerprinted file, else the files one by one.
    """
    files = sorted(site_files(site_dir) if files is None else files)
    immutable = {f for f in files if FINGERPRINTED.fullmatch(f)}
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


def type_rules(site_dir: Path, files: list[str] | None = None) -> list[HeaderRule]:
    """An explicit ``Content-Type`` for each machine-readable file (autoconfig, profiles, sitemaps)."""
    rules = []
    for rel in sorted(site_files(site_dir) if files is None else files, key=lambda f: f.split("/")):
        # splitext, not PurePosixPath(rel).suffix: the same for every key of
        # CONTENT_TYPES, without a path object per file (10,000 pages and more).
        content_type = CONTENT_TYPES.get(os.path.splitext(rel)[1])
        if content_type:
            rules.append(HeaderRule("/" + rel, (("Content-Type", content_type),)))
    return rules


def header_rules(site_dir: Path, script_hashes: Iterable[str], *, noindex: bool = False,
                 post_origins: Iterable[str] = (), files: list[str] | None = None) -> list[HeaderRule]:
    """Every rule of the ``_headers`` file, site-wide security first.

    ``noindex``: a preview, not the help center; search engines must not list it.
    ``files``: the site's files (``site_files``), if the caller has listed them.
    """
    csp = content_security_policy(script_hashes, post_origins)
    security = {**SECURITY_HEADERS, "Content-Security-Policy": csp}
    if noindex:
        security["X-Robots-Tag"] = "noindex"
    files = site_files(site_dir) if files is None else files
    return [HeaderRule("/*", tuple(security.items())), *cache_rules(site_dir, files),
            *type_rules(site_dir, files)]


def render_headers(rules: Iterable[HeaderRule]) -> str:
    # The path comes from the module itself, so the comment cannot name a file that moved.
    lines = [f"# Generated by kbgen at build time ({MODULE_PATH}): do not edit."]
    for rule in rules:
        lines.append(rule.path)
        lines += [f"  {name}: {value}" for name, value in rule.headers]
    return "\n".join(lines) + "\n"
