"""Netlify's files in the built site: ``_redirects`` and ``_headers``.

``write_netlify_files`` runs after MkDocs has written every page: it needs the
built site (to know which paths exist) and the CSP guard's verdict on every
page (the hashes of Material's inline scripts; see ``guard``).
``kbgen.adapters.preview`` reads the same files back to serve the site locally.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from ..data.kb import KB
from ..data.legacy import Redirect, redirect_rules
from .guard import Guard, material_templates, template_scripts
from .headers import header_rules, origin_of, render_headers, site_files
from .origin import describe_all
from .redirects import render_redirects

NETLIFY_FILES = ("_headers", "_redirects")


class NetlifyFilesError(Exception):
    """The built site cannot be published as it is; carries every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


# Netlify's deploy leaves these out, so Netlify never serves them (netlify-cli's
# defaultFilter): hidden files and folders except .well-known, node_modules, __MACOSX.
KEPT_HIDDEN = (".well-known",)
NOT_DEPLOYED = ("node_modules", "__MACOSX")
MAX_NAME = 255  # bytes: the longest file name the file systems a site is built on allow


@dataclass(frozen=True)
class Located:
    """What a request path names in a built site: a file, a folder asked for without
    its trailing slash (``folder``: Netlify redirects to the address with one), or nothing."""

    file: Path | None = None
    folder: bool = False


def locate(site_dir: Path, url_path: str) -> Located:
    """The file Netlify serves for a URL path (``/a/`` → ``a/index.html``); every
    reader of the built site (the build's checks, the local servers) asks this one function.

    The path is percent-decoded first, as Netlify decodes it. Nothing outside
    ``site_dir`` (``..``, a link that leads out), no hidden file, no NUL or backslash,
    no name longer than a file system allows and not ``_headers`` or ``_redirects``
    (Netlify reads them, never serves them) is ever a file; none of them raises."""
    try:
        decoded = unquote_to_bytes(url_path).decode("utf-8")
    except UnicodeDecodeError:
        return Located()
    names = decoded.removeprefix("/").split("/")
    folder_asked = names[-1] == ""
    names = names[:-1] if folder_asked else names
    if any(not _servable_name(name) for name in names) or \
            (len(names) == 1 and names[0] in NETLIFY_FILES):
        return Located()
    candidate = site_dir.joinpath(*names)
    try:
        if not candidate.resolve().is_relative_to(site_dir.resolve()):
            return Located()
        if folder_asked or candidate.is_dir():
            index = candidate / "index.html"
            if index.is_file() and index.resolve().is_relative_to(site_dir.resolve()):
                return Located(index) if folder_asked else Located(folder=True)
            return Located()
        return Located(candidate) if candidate.is_file() else Located()
    except OSError:  # a path too long for the file system, a loop of links…
        return Located()


def _servable_name(name: str) -> bool:
    return bool(name) and "\0" not in name and "\\" not in name and name not in NOT_DEPLOYED and \
        (not name.startswith(".") or name in KEPT_HIDDEN) and len(name.encode()) <= MAX_NAME


def served_file(site_dir: Path, url_path: str) -> Path | None:
    """The file Netlify serves for a path (``/a/`` → ``a/index.html``), or None."""
    return locate(site_dir, url_path).file


def check_redirects(site_dir: Path, rules: list[Redirect], base: str = "/") -> list[str]:
    """A redirect must lead to a built page, and must not hide one.

    Targets carry the path the site is served under (``base``, from site_url);
    the built files sit at the top of ``site_dir``.
    """
    problems = []
    for rule in rules:
        target = urlsplit(rule.target).path
        if target.startswith(base):
            target = "/" + target[len(base):]
        if served_file(site_dir, target) is None:
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


def post_origins(post_to: str) -> list[str]:
    """The origin a configured feedback endpoint adds to the policy, if it is another one."""
    return [o for o in (origin_of(post_to),) if o]


def new_guard(post_to: str = "", theme_dirs: list[Path] | None = None) -> Guard:
    """A CSP guard for one build. ``theme_dirs`` are the folders whose templates'
    inline scripts are allowed (default: Material's own templates)."""
    allowed = [p for d in (theme_dirs or [material_templates()]) for p in template_scripts(d)]
    return Guard(allowed, post_origins(post_to))


def write_netlify_files(kb: KB, site_dir: Path, base: str = "/",
                        theme_dirs: list[Path] | None = None, post_to: str = "",
                        guard: Guard | None = None, listing: list[str] | None = None,
                        data_dir: str = "data") -> list[str]:
    """Write ``_redirects`` and ``_headers`` into ``site_dir``; raise NetlifyFilesError if unsafe.

    ``post_to`` is the configured feedback endpoint; if it is on another origin,
    the policy allows posting there. ``guard``: the build's CSP guard, which has
    checked the pages MkDocs wrote while they were in memory; the HTML files it
    has not seen are read and checked here (all of them without one).
    ``listing``: the site's files as this returned them last time, when the caller
    knows that none was added or removed since (the preview's updates). Returns the
    site's files, without the two it writes. ``data_dir``: the data folder (as in
    mkdocs.yml), for naming the data file and line behind each page the guard refuses.
    """
    origins = post_origins(post_to)
    rules = redirect_rules(kb, base)
    problems = check_redirects(site_dir, rules, base)
    # One walk of the site for both (10,000 folders take a quarter of a second), without
    # the files written below: _headers never describes our own files.
    files = listing if listing is not None else [f for f in site_files(site_dir)
                                                 if f not in NETLIFY_FILES]
    policy = (guard or new_guard(post_to, theme_dirs)).check_site(site_dir, files)
    problems += describe_all(kb, policy.refusals, data_dir)
    if problems:
        raise NetlifyFilesError(problems)
    for name in NETLIFY_FILES:
        (site_dir / name).unlink(missing_ok=True)  # never describe our own files
    headers = render_headers(header_rules(site_dir, policy.hashes, noindex=is_preview(),
                                          post_origins=origins, files=files))
    (site_dir / "_redirects").write_text(render_redirects(rules), encoding="utf-8")
    (site_dir / "_headers").write_text(headers, encoding="utf-8")
    return files
