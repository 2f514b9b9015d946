"""Netlify's files in the built site (``_redirects``, ``_headers``), and a reader for them.

``write_netlify_files`` runs after MkDocs has written every page: it needs the
built HTML (to hash Material's inline scripts, to know which paths exist).
The readers (``parse_headers``, ``parse_redirects``, ``match``) follow
Netlify's syntax closely enough for the tests and the local preview server to
serve the site the way Netlify will.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import os
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .headers import (
    header_rules,
    material_templates,
    origin_of,
    render_headers,
    script_policy,
    template_scripts,
)
from .kb import KB
from .redirects import Redirect, redirect_rules, render_redirects

NETLIFY_FILES = ("_headers", "_redirects")


class NetlifyFilesError(Exception):
    """The built site cannot be published as it is; carries every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def served_file(site_dir: Path, url_path: str) -> Path | None:
    """The file Netlify serves for a path (``/a/`` → ``a/index.html``), or None."""
    rel = url_path.lstrip("/")
    candidate = site_dir / rel
    if rel == "" or rel.endswith("/"):
        candidate = candidate / "index.html"
    try:
        candidate.resolve().relative_to(site_dir.resolve())
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


def check_redirects(site_dir: Path, rules: list[Redirect]) -> list[str]:
    """A redirect must lead to a built page, and must not hide one."""
    problems = []
    for rule in rules:
        if served_file(site_dir, urlsplit(rule.target).path) is None:
            problems.append(f"_redirects: {rule.shown()} would redirect to {rule.target}, "
                            "which is not a page of the built site")
        if not rule.query and "*" not in rule.source and served_file(site_dir, rule.source):
            problems.append(f"_redirects: the old URL {rule.source} is a file of the built site; "
                            "Netlify would serve the file, not the redirect")
    return problems


def is_preview(environ: Mapping[str, str] | None = None) -> bool:
    """Netlify's build for a pull request (deploy-preview) or another branch (branch-deploy)."""
    context = (os.environ if environ is None else environ).get("CONTEXT", "")
    return context in {"deploy-preview", "branch-deploy"}


def write_netlify_files(kb: KB, site_dir: Path, base: str = "/",
                        theme_dirs: list[Path] | None = None, post_to: str = "") -> None:
    """Write ``_redirects`` and ``_headers`` into ``site_dir``; raise NetlifyFilesError if unsafe.

    ``theme_dirs`` are the folders whose templates' inline scripts are allowed
    (default: Material's own templates). ``post_to`` is the configured feedback
    endpoint; if it is on another origin, the policy allows posting there.
    """
    post_origins = [o for o in (origin_of(post_to),) if o]
    rules = redirect_rules(kb, base)
    problems = check_redirects(site_dir, rules)
    allowed = [p for d in (theme_dirs or [material_templates()]) for p in template_scripts(d)]
    policy = script_policy(site_dir, allowed, post_origins)
    problems += policy.problems
    if problems:
        raise NetlifyFilesError(problems)
    for name in NETLIFY_FILES:
        (site_dir / name).unlink(missing_ok=True)  # never describe our own files
    headers = render_headers(header_rules(site_dir, policy.hashes, noindex=is_preview(),
                                          post_origins=post_origins))
    (site_dir / "_redirects").write_text(render_redirects(rules), encoding="utf-8")
    (site_dir / "_headers").write_text(headers, encoding="utf-8")


# ------------------------------------------------------------------ readers


@dataclass(frozen=True)
class ParsedRedirect:
    source: str
    query: dict[str, str]
    target: str
    status: int
    force: bool


def parse_redirects(text: str) -> list[ParsedRedirect]:
    """Netlify ``_redirects``: ``from [key=value…] to [status[!]]`` per line, ``#`` comments."""
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        parts = raw.split()
        parts = parts[:next((i for i, p in enumerate(parts) if p.startswith("#")), len(parts))]
        if not parts:
            continue
        source, rest = parts[0], parts[1:]
        to_index = next((i for i, p in enumerate(rest) if p.startswith("/") or "://" in p), None)
        if to_index is None:
            raise ValueError(f"_redirects:{number}: no destination in {raw!r}")
        query = dict(p.split("=", 1) for p in rest[:to_index])
        status_part = rest[to_index + 1] if len(rest) > to_index + 1 else "301"
        out.append(ParsedRedirect(source, query, rest[to_index], int(status_part.rstrip("!")),
                                  status_part.endswith("!")))
    return out


def parse_headers(text: str) -> list[tuple[str, dict[str, str]]]:
    """Netlify ``_headers``: a path line, then indented ``Name: value`` lines."""
    rules: list[tuple[str, dict[str, str]]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            rules.append((raw.strip(), {}))
        elif rules and ":" in raw:
            name, value = raw.split(":", 1)
            rules[-1][1][name.strip()] = value.strip()
        else:
            raise ValueError(f"_headers:{number}: not a path or a header: {raw!r}")
    return rules


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A Netlify path pattern: ``*`` matches the rest of the path, ``:name`` one segment."""
    out = ""
    for piece in re.split(r"(\*|:[A-Za-z_]\w*)", pattern):
        if piece == "*":
            out += ".*"
        elif piece.startswith(":"):
            out += "[^/]+"
        else:
            out += re.escape(piece)
    return re.compile(out)


def match(pattern: str, path: str) -> bool:
    return pattern_regex(pattern).fullmatch(path) is not None


def headers_for(rules: list[tuple[str, dict[str, str]]], path: str) -> dict[str, str]:
    """Every header that applies to ``path`` (our rules never set one header twice)."""
    out: dict[str, str] = {}
    for pattern, values in rules:
        if match(pattern, path):
            out.update(values)
    return out


def redirect_for(rules: list[ParsedRedirect], url: str) -> ParsedRedirect | None:
    """The first rule that matches the request (path and, where given, query)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for rule in rules:
        if match(rule.source, parts.path) and all(query.get(k) == v for k, v in rule.query.items()):
            return rule
    return None


def site_base(config: Any) -> str:
    """The path the site is served under, from ``site_url`` (``/`` when unset)."""
    path = urlsplit(config.site_url or "/").path or "/"
    return path if path.endswith("/") else path + "/"


def category_links(kb: KB, base: str = "/") -> list[dict[str, object]]:
    """The category tree with absolute URLs (for the 404 page): title, description, url, children."""
    from .render import category_uri, page_url

    def walk(parent: str | None) -> list[dict[str, object]]:
        return [{"title": cat.title, "description": cat.description,
                 "url": page_url(category_uri(kb, cat.id), base), "children": walk(cat.id)}
                for cat in kb.children(parent)]

    return walk(None)


# ------------------------------------------------------------ local server


class NetlifyHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site the way Netlify does: files, then ``_redirects``, then 404.html;
    the ``_headers`` rules on every response. For tests and local previews only."""

    site_dir: Path
    header_rules: list[tuple[str, dict[str, str]]] = []
    redirect_rules: list[ParsedRedirect] = []
    extra_headers: dict[str, str] = {}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def send_head(self) -> Any:
        path = urlsplit(self.path).path
        if path.lstrip("/") in NETLIFY_FILES:
            return self._not_found()  # Netlify reads these files; it never serves them
        local = self.site_dir / path.lstrip("/")
        if not (local.is_file() or (local.is_dir() and (local / "index.html").is_file())):
            rule = redirect_for(self.redirect_rules, self.path)
            if rule is not None:
                self.send_response(rule.status)
                self.send_header("Location", rule.target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            return self._not_found()
        return super().send_head()

    def _not_found(self) -> Any:
        page = self.site_dir / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!doctype html><title>Not found</title>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def guess_type(self, path: Any) -> str:
        # A Content-Type rule replaces the guessed type, as on Netlify.
        found = headers_for(self.header_rules, urlsplit(self.path).path)
        return found.get("Content-Type") or super().guess_type(path)

    def end_headers(self) -> None:
        found = headers_for(self.header_rules, urlsplit(self.path).path)
        for name, value in {**found, **self.extra_headers}.items():
            if name.lower() != "content-type":  # sent already, by send_head
                self.send_header(name, value)
        super().end_headers()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


@contextlib.contextmanager
def serve_netlify(site_dir: Path, host: str = "127.0.0.1", port: int = 0,
                  extra_headers: dict[str, str] | None = None) -> Iterator[str]:
    """Serve ``site_dir`` with its ``_headers`` and ``_redirects`` applied; yields the base URL.

    ``extra_headers`` go on every response (a test tool's switch, never a site header)."""
    site_dir = site_dir.resolve()
    handler = type("Handler", (NetlifyHandler,), {
        "site_dir": site_dir,
        "header_rules": parse_headers(_read(site_dir / "_headers")),
        "redirect_rules": parse_redirects(_read(site_dir / "_redirects")),
        "extra_headers": dict(extra_headers or {}),
    })
    server = http.server.ThreadingHTTPServer(
        (host, port), functools.partial(handler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
