"""The CSP guard: every built HTML page, parsed as a browser parses it, checked against the policy.

The site's Content-Security-Policy (``headers.content_security_policy``) allows
scripts and styles from the site only, and inline exactly the bootstrap scripts
Material for MkDocs writes (by their SHA-256). Anything else on a page would
either be blocked silently in readers' browsers or be something nobody
reviewed, so the build fails on it: another inline script, an inline event
handler, a ``javascript:`` URL, a ``style`` attribute or ``<style>`` element, a
script from another origin, a form posting to another absolute URL, frames and
plugins (``frame-src``/``object-src 'none'``), ``<base>``, and
``<meta http-equiv="refresh">`` (the policy cannot stop a page from sending its
reader elsewhere).

Why a real HTML parser: a guard must read markup the way the browser will, or
markup written to slip past it gets through: ``<svg/onload=…>``, an attribute
name containing ``"``, attributes with no space between them, ``<!-->``, and a
``</noscript>`` inside an attribute value all mean something to a browser that a
tokenizing regular expression does not see. lexbor (through selectolax) is an
HTML5 parser that builds the browser's tree. A page is parsed with scripting on,
like the browser the policy protects; the content of each ``<noscript>`` is then
parsed again as markup, which is what a browser without scripts shows (a
``<meta http-equiv="refresh">`` there still redirects it); ``<template>`` content
is checked too, as a script may clone it into the page.

Speed: the plugin checks each page in ``on_post_page``, while it is in memory,
instead of re-reading the built site. Measured on a 35 KB article page (same
run): lexbor parse and walk 0.44 ms, lxml 0.63 ms (but libxml2 has no scripting
mode, so it misreads the ``<noscript>`` trick), the previous regular-expression
tokenizer 1.8 ms, the standard library's ``html.parser`` 2.8 ms.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .headers import origin_of, site_files

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
# Attributes a browser follows as a URL, where `javascript:` would run code.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
# The policy blocks these outright (frame-src, object-src 'none'): the content would be missing.
BLOCKED_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet"}
_ABSOLUTE = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.I)
# A browser drops leading and trailing C0 controls and spaces from a URL and
# every tab and newline inside it, so "  java\tscript:" is still javascript:.
_URL_TRIM = "".join(chr(c) for c in range(0x21))
_URL_DROP = str.maketrans("", "", "\t\n\r")

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
    type: str
    id: str
    text: str
    # The line is looked up only when a problem is reported (see _Lines).
    locate: Callable[[], int] = field(repr=False, compare=False)

    @property
    def line(self) -> int:
        return self.locate()

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256(self.text.encode("utf-8")).digest()
        return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@dataclass
class PageScan:
    """What a page asks the browser to run, style, load or follow."""

    inline: list[InlineScript] = field(default_factory=list)
    external: list[tuple[int, str]] = field(default_factory=list)  # (line, src on another origin)
    handlers: list[tuple[int, str]] = field(default_factory=list)  # (line, "onclick on <a>")
    styles: list[tuple[int, str]] = field(default_factory=list)  # (line, "a style attribute on <p>")
    posts: list[tuple[int, str, str]] = field(default_factory=list)  # (line, "action=… on <form>", url)
    # posts: only those to another origin than the site's and the allowed ones
    blocked: list[tuple[int, str]] = field(default_factory=list)  # (line, what and why)
    # (list name, index in it) -> what the element holds (the attribute's value, its text),
    # for finding the data that made it (kbgen.hosting.origin)
    clues: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)


class _Lines:
    """Line numbers for elements, computed only for a page that has a problem.

    lexbor does not report source positions, so an element is found again as
    the n-th ``<tag`` in the text (n counted in document order). Elements the
    parser makes up or copies (``<b>`` reopened after a ``<p>``) can shift the
    count; the line is then a close hint, the problem itself is exact.
    """

    # Text that holds no tags for the parser: comments ("<!-->" is a whole one, "--!>"
    # ends one), and the content of raw-text elements.
    _OPAQUE = re.compile(r"<!--(?:-?>|.*?--!?>)"
                         r"|<(script|style|textarea|title|noscript|xmp)\b[^>]*>.*?</\1\s*>", re.S | re.I)

    def __init__(self, text: str, first_line: int | Callable[[], int] = 1) -> None:
        self.source = text
        # A <noscript>'s content starts where the <noscript> does: worked out only when needed.
        self._first_line = first_line
        self._text = ""
        self._starts: dict[str, list[int]] = {}

    @property
    def text(self) -> str:
        if not self._text:
            self._text = self._OPAQUE.sub(self._blank, self.source)
        return self._text

    @staticmethod
    def _blank(match: re.Match[str]) -> str:
        # Keep the opening tag (it is an element) and every newline (line numbers).
        whole = match.group(0)
        keep = whole.index(">") + 1 if match.group(1) else 0
        return whole[:keep] + re.sub(r"[^\n]", " ", whole[keep:])

    def of(self, tag: str, ordinal: int) -> int:
        starts = self._starts.get(tag)
        if starts is None:
            pattern = re.compile("<" + re.escape(tag) + r"(?=[\s/>])", re.I)
            starts = self._starts[tag] = [m.start() for m in pattern.finditer(self.text)]
        pos = starts[ordinal] if ordinal < len(starts) else (starts[-1] if starts else 0)
        return self.first_line + self.text.count("\n", 0, pos)

    @property
    def first_line(self) -> int:
        first = self._first_line
        if callable(first):
            first = self._first_line = first()
        return first


def _url_value(value: str) -> str:
    """A URL as a browser reads it, lowercased: ``" JAVA\tscript:"`` is ``javascript:``."""
    return value.strip(_URL_TRIM).translate(_URL_DROP).replace("\\", "/").lower()


def _elements(tree: LexborHTMLParser, text: str) -> Iterable[LexborNode]:
    """Every element in document order, then those inside each ``<template>``."""
    nodes: Iterable[LexborNode] = tree.root.traverse() if tree.root is not None else ()
    if "<template" in text or "<TEMPLATE" in text.upper():
        nodes = itertools.chain(nodes, *(f.traverse() for f in tree.template_fragments()))
    return nodes


# Elements looked at in full; every other element only if one of its attributes may matter.
_TAGS = {"script", "style", "noscript", "base", "meta", *BLOCKED_ELEMENTS}
_URLS = URL_ATTRIBUTES | POST_ATTRIBUTES
# A finding: (PageScan list, tag, n, n is the tag's ordinal (else the element's index), details,
# clues: what the element holds, to find where it came from).
_Finding = tuple[str, str, int, bool, tuple[str, ...], tuple[str, ...]]


def scan_html(text: str, page: str = "", *, post_origins: Iterable[str] = (),
              first_line: int | Callable[[], int] = 1, scripting: bool = True) -> PageScan:
    """Inline scripts, scripts from other origins, inline handlers and styles, forms that
    post elsewhere than this site and ``post_origins``, and blocked elements.

    Built for speed (it runs on every page of every build): one pass over the
    tree that looks closer only at the few elements that may matter, and line
    numbers worked out only for what is reported.
    """
    origins = frozenset(post_origins)
    scan = PageScan()
    lines = _Lines(text, first_line)
    tree = LexborHTMLParser(text, scripting=scripting)
    found: list[_Finding] = []
    counts: dict[str, int] = {}
    for index, node in enumerate(_elements(tree, text)):
        tag = node.tag or ""
        attrs: dict[str, Any] = node.attributes
        for name, value in attrs.items():
            if name[:2] == "on" or name == "style" or (
                    name in _URLS and value and (":" in value or "//" in value or "\\" in value)):
                _attribute_findings(found, tag, index, attrs, origins, _text_of(node))
                break
        if tag in _TAGS:
            ordinal = counts.get(tag, 0)
            counts[tag] = ordinal + 1
            _element_findings(scan, found, node, tag, attrs, ordinal, lines, page, scripting, origins)
    if found:
        ordinals = _ordinals(tree, text, {n for _kind, _tag, n, is_ordinal, _, _ in found if not is_ordinal})
        for kind, tag, n, is_ordinal, details, clues in found:
            line = lines.of(tag, n if is_ordinal else ordinals[n])
            listed = getattr(scan, kind)
            scan.clues[(kind, len(listed))] = clues
            listed.append((line, *details))
    return scan


def _text_of(node: LexborNode) -> str:
    """An element's text, on one line and cut short: a clue to the data it shows."""
    text = " ".join((node.text(deep=True) or "").split())
    return text[:500]


def _ordinals(tree: LexborHTMLParser, text: str, indexes: set[int]) -> dict[int, int]:
    """For elements given by their index in document order: their ordinal among their tag."""
    out: dict[int, int] = {}
    counts: dict[str, int] = {}
    if indexes:
        for index, node in enumerate(_elements(tree, text)):
            tag = node.tag or ""
            out[index] = counts.get(tag, 0)
            counts[tag] = out[index] + 1
    return out


def _attribute_findings(found: list[_Finding], tag: str, index: int, attrs: dict[str, Any],
                        origins: frozenset[str], text: str) -> None:
    for name, raw in attrs.items():
        value = raw or ""
        clues = (value, text)
        if name[:2] == "on":
            found.append(("handlers", tag, index, False, (f"{name} on <{tag}>",), clues))
        elif name == "style":
            found.append(("styles", tag, index, False, (f"a style attribute on <{tag}>",), clues))
        elif name in URL_ATTRIBUTES and _url_value(value).startswith("javascript:"):
            found.append(("handlers", tag, index, False, (f"a javascript: URL in {name} on <{tag}>",),
                          clues))
        if name in POST_ATTRIBUTES and _ABSOLUTE.match(_url_value(value)) and \
                origin_of(value.strip()) not in origins:
            found.append(("posts", tag, index, False,
                          (f"{name}=\"{value}\" on <{tag}>", value.strip()), clues))


def _element_findings(scan: PageScan, found: list[_Finding], node: LexborNode, tag: str,
                      attrs: dict[str, Any], ordinal: int, lines: _Lines, page: str,
                      scripting: bool, origins: frozenset[str]) -> None:
    if tag == "script":
        src = attrs.get("src")
        if src is not None:
            if _ABSOLUTE.match(_url_value(src)):
                found.append(("external", tag, ordinal, True, (src,), (src,)))
            return
        body = node.text(deep=True)
        if body:
            scan.inline.append(InlineScript(page, (attrs.get("type") or "").strip().lower(),
                                            attrs.get("id") or "", body,
                                            functools.partial(lines.of, tag, ordinal)))
    elif tag == "style":
        found.append(("styles", tag, ordinal, True, ("a <style> element",), (_text_of(node),)))
    elif tag == "noscript" and scripting:
        # What a browser without scripts parses as markup: scan it as such.
        inner = node.text(deep=True)
        if "<" in inner:
            _merge(scan, scan_html(inner, page, post_origins=origins,
                                   first_line=functools.partial(lines.of, tag, ordinal),
                                   scripting=False))
    elif tag in BLOCKED_ELEMENTS:
        found.append(("blocked", tag, ordinal, True,
                      (f"a <{tag}> element (the policy blocks frames and plugins: "
                       "frame-src and object-src are 'none')",), tuple(attrs.values())))
    elif tag == "base":
        found.append(("blocked", tag, ordinal, True,
                      ("a <base> element (it changes where every relative link of the page "
                       "leads; the policy's base-uri allows this site only)",), tuple(attrs.values())))
    elif tag == "meta" and (attrs.get("http-equiv") or "").strip().lower() == "refresh":
        found.append(("blocked", tag, ordinal, True,
                      ("a <meta http-equiv=\"refresh\"> (it sends readers to another address, "
                       "which the policy cannot stop; move a page with a redirect instead)",),
                      (attrs.get("content") or "",)))


def _merge(into: PageScan, other: PageScan) -> None:
    for (kind, at), clues in other.clues.items():
        into.clues[(kind, len(getattr(into, kind)) + at)] = clues
    into.inline += other.inline
    into.external += other.external
    into.handlers += other.handlers
    into.styles += other.styles
    into.posts += other.posts
    into.blocked += other.blocked


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


@dataclass(frozen=True)
class Refusal:
    """One thing on a page the policy refuses, where it is, and what it holds."""

    page: str
    line: int
    message: str
    # The element's attribute value and text, or the script: kbgen.hosting.origin finds
    # the data field that holds one, to name the data file and line that made it.
    clues: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.message}"


@dataclass
class ScriptPolicy:
    """The hashes to allow, and every page that breaks the rules."""

    hashes: set[str] = field(default_factory=set)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Each refusal as ``page:line: what`` (``origin.describe`` adds the data file)."""
        return [str(r) for r in self.refusals]


class Guard:
    """Checks pages one at a time (as MkDocs writes them) and collects the policy.

    ``allowed``: patterns of the inline scripts that may be hashed (Material's).
    ``post_origins``: origins forms may post to besides this site (a configured
    feedback endpoint); the policy allows exactly these in form-action and connect-src.
    """

    def __init__(self, allowed: list[re.Pattern[str]], post_origins: Iterable[str] = ()) -> None:
        self.allowed = allowed
        self.origins = set(post_origins)
        # Per page (its path in the site): checking a page again replaces what it found,
        # so a preview that re-renders a few pages keeps an exact policy.
        self.results: dict[str, ScriptPolicy] = {}
        self._verdicts: dict[str, bool] = {}  # script text -> one of Material's?
        self._hashes: dict[str, str] = {}  # script text -> its CSP hash

    @property
    def checked(self) -> set[str]:
        return set(self.results)

    @property
    def policy(self) -> ScriptPolicy:
        """Every page's hashes and problems, pages in path order."""
        merged = ScriptPolicy()
        for page in sorted(self.results):
            merged.hashes |= self.results[page].hashes
            merged.refusals += self.results[page].refusals
        return merged

    def check(self, page: str, text: str) -> None:
        """Check one page (``page``: its path in the site, e.g. ``email/x/index.html``)."""
        result = self.results[page] = ScriptPolicy()
        scan = scan_html(text, page, post_origins=self.origins)
        refusals = result.refusals

        def refuse(line: int, message: str, kind: str = "", at: int = 0, *clues: str) -> None:
            refusals.append(Refusal(page, line, message, clues or scan.clues.get((kind, at), ())))

        for script in scan.inline:
            if script.type in DATA_TYPES:
                continue
            if script.type not in JS_TYPES:
                refuse(script.line, f"a <script type=\"{script.type}\"> "
                       "that is neither JavaScript nor a JSON data block", "", 0, script.text)
            elif self._is_allowed(script.text):
                result.hashes.add(self._hash(script))
            else:
                refuse(script.line, f"an inline script that is not one of Material's: "
                       f"{_snippet(script.text)!r} (move it to a file under docs/assets/ and load "
                       "it with extra_javascript or <script src>)", "", 0, script.text)
        for at, (line, src) in enumerate(scan.external):
            refuse(line, f"a script from another origin: {src} "
                   "(the policy allows scripts from this site only)", "external", at)
        for at, (line, what) in enumerate(scan.handlers):
            refuse(line, f"{what} (use addEventListener in a script "
                   "file; the policy blocks inline handlers)", "handlers", at)
        for at, (line, what, _url) in enumerate(scan.posts):
            refuse(line, f"a form posts to an absolute URL: {what} "
                   "(the policy's form-action and connect-src allow this site "
                   "and a configured feedback endpoint only)", "posts", at)
        for at, (line, what) in enumerate(scan.styles):
            refuse(line, f"{what} (use a class and a rule in "
                   "docs/assets/kbgen.css; the policy blocks inline styles)", "styles", at)
        for at, (line, what) in enumerate(scan.blocked):
            refuse(line, what, "blocked", at)

    def check_site(self, site_dir: Path, files: list[str] | None = None) -> ScriptPolicy:
        """Check every HTML file of the built site not checked yet; return the policy.

        The plugin has checked MkDocs' pages in memory; what is left are HTML
        files copied as they are (``docs/*.html``) or written by other plugins.
        ``files``: the site's files (``site_files``), if the caller has listed them.
        """
        for page in site_files(site_dir) if files is None else files:
            if page.endswith(".html") and page not in self.results:
                self.check(page, (site_dir / page).read_text(encoding="utf-8"))
        return self.policy

    def _hash(self, script: InlineScript) -> str:
        # One string per distinct script: every page holds the same few.
        digest = self._hashes.get(script.text)
        if digest is None:
            digest = self._hashes[script.text] = script.sha256
        return digest

    def _is_allowed(self, text: str) -> bool:
        verdict = self._verdicts.get(text)
        if verdict is None:
            verdict = self._verdicts[text] = any(p.fullmatch(text) for p in self.allowed)
        return verdict


def script_policy(site_dir: Path, allowed: list[re.Pattern[str]],
                  post_origins: Iterable[str] = ()) -> ScriptPolicy:
    """Check every HTML file of a built site: the hashes to allow, or the problems."""
    return Guard(allowed, post_origins).check_site(site_dir)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."
